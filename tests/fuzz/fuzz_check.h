// fuzz_check.h: a property check that stops a fuzz target (libFuzzer then
// saves the input as a crash). Unlike assert it stays on under NDEBUG.
#pragma once
#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, what)                                                          \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "fuzz check failed at %s:%d: %s (%s)\n", __FILE__, __LINE__, \
                   what, #cond);                                                        \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)
