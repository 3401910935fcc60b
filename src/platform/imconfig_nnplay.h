// imconfig_nnplay.h: nnplay's Dear ImGui configuration (IMGUI_USER_CONFIG).
// 32-bit vertex indices: a window with many small shapes (the inspector's
// per-neuron maps) passes 65,536 vertices, and WebGL 2 has no base-vertex draw
// call to split it, so 16-bit indices would wrap and scramble the window.
#pragma once
#define ImDrawIdx unsigned int
