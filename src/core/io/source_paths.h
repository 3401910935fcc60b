#pragma once
// Where this checkout's assets/ folder is, for the native app, the tools and
// the tests (the web builds mount their own copy at /assets). CMake gives the
// path to source_paths.cpp alone, so every other object file is the same in
// every checkout and a compiler cache can share it between them.
#include <string>

namespace nn {

std::string source_assets_dir();

}  // namespace nn
