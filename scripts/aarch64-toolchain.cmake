# A CMake toolchain file to check that the engine builds for a non-x86 CPU:
# clang cross-compiling to aarch64 Linux against Debian's cross headers
# (packages libstdc++-12-dev-arm64-cross libc6-dev-arm64-cross).
#   cmake -S . -B build/aarch64 -G Ninja -DCMAKE_TOOLCHAIN_FILE=scripts/aarch64-toolchain.cmake \
#         -DNNPLAY_APP=OFF -DNNPLAY_BENCH=OFF && ninja -C build/aarch64 nnplay_core
# (compiles the engine; linking would also need an aarch64 linker and libraries)
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER clang)
set(CMAKE_CXX_COMPILER clang++)
set(CMAKE_C_COMPILER_TARGET aarch64-linux-gnu)
set(CMAKE_CXX_COMPILER_TARGET aarch64-linux-gnu)
# Compile checks only: test programs are built as static libraries, not linked.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
