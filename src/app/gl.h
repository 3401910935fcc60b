// gl.h: the OpenGL header for this platform (WebGL 2 = GLES 3 on the web,
// desktop GL natively; we only use GL 1.1-level texture calls directly).
#pragma once
#ifdef __EMSCRIPTEN__
#include <GLES3/gl3.h>
#else
#define GL_GLEXT_PROTOTYPES
#include <GL/gl.h>
#endif
