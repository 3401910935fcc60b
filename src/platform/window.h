// window.h: the GLFW window, GL context and ImGui set-up shared by the native
// and web entry points.
#pragma once
#include <functional>
#include <string>

struct GLFWwindow;

namespace platform {

struct Window {
  GLFWwindow* glfw = nullptr;
  float ui_scale = 1;
};

// Creates the window and GL context (desktop GL 3.3 core natively, WebGL 2 /
// GLES 3.0 on the web) and initialises ImGui with a font sized for ui_scale.
bool window_open(Window& w, const char* title, int width, int height, float ui_scale,
                 const std::string& font_path);
void window_begin_frame(Window& w);  // poll events, ImGui NewFrame
void window_render(Window& w);       // draw ImGui's frame into the back buffer
void window_swap(Window& w);         // present it
void window_close(Window& w);
// Runs one frame of app code (between window_begin_frame and window_render).
// An exception escaping it is a bug, but it must not end the app: on the web
// it would stop the browser's main loop for good (a frozen page). It is
// caught here, ImGui's unclosed windows and stacks are closed, and false is
// returned with the exception's message in `what`.
bool window_guarded_frame(const std::function<void()>& frame, std::string& what);

}  // namespace platform
