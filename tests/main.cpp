// The Catch2 (v2) main of the engine's test executable. Each tests/*/X.cpp file
// is one CTest entry, selected with Catch's file-name tag "[#X]".
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
