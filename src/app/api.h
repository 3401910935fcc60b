// api.h: how app code exports a C function to JavaScript (the web build) or
// keeps it visible (native), for end-to-end tests and course pages.
#pragma once
#ifdef __EMSCRIPTEN__
#include <emscripten/em_macros.h>
#define NNPLAY_API extern "C" EMSCRIPTEN_KEEPALIVE
#else
#define NNPLAY_API extern "C" __attribute__((visibility("default"), used))
#endif
