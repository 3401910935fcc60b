// palette.h: class colours. Okabe-Ito's colour-blind-safe palette, in an
// order where the first classes differ most in hue and lightness.
#pragma once
#include <cstdint>

namespace app {

struct Rgb { uint8_t r, g, b; };

inline constexpr Rgb kClassColors[8] = {
    {230, 159, 0},    // orange
    {0, 114, 178},    // blue
    {0, 158, 115},    // bluish green
    {204, 121, 167},  // reddish purple
    {240, 228, 66},   // yellow
    {213, 94, 0},     // vermillion
    {86, 180, 233},   // sky blue
    {120, 120, 120},  // grey
};

inline constexpr const char* kClassNames[8] = {"orange", "blue", "green", "purple",
                                              "yellow", "red",  "sky",   "grey"};

}  // namespace app
