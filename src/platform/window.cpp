// window.cpp: GLFW + ImGui set-up, following Dear ImGui's example_glfw_opengl3.
#include "window.h"

#include <GLFW/glfw3.h>

#include <cstdio>
#include <exception>

#include "imgui.h"
#include "imgui_internal.h"  // ErrorCheckEndFrameRecover
#include "imgui_impl_glfw.h"
#include "imgui_impl_opengl3.h"

namespace platform {

static void apply_style(float scale) {
  ImGui::StyleColorsLight();
  ImGuiStyle& st = ImGui::GetStyle();
  st.WindowRounding = 0;
  st.FrameRounding = 4;
  st.GrabRounding = 4;
  st.FramePadding = {6, 4};
  st.ItemSpacing = {8, 6};
  st.WindowPadding = {10, 10};
  st.Colors[ImGuiCol_WindowBg] = ImVec4(0.97f, 0.97f, 0.98f, 1.f);
  st.Colors[ImGuiCol_Header] = ImVec4(0.80f, 0.86f, 0.95f, 1.f);
  st.ScaleAllSizes(scale);
}

bool window_open(Window& w, const char* title, int width, int height, float ui_scale,
                 const std::string& font_path) {
  glfwSetErrorCallback([](int code, const char* msg) { std::fprintf(stderr, "GLFW error %d: %s\n", code, msg); });
  if (!glfwInit()) return false;
#ifdef __EMSCRIPTEN__
  const char* glsl = "#version 300 es";
  glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
#else
  const char* glsl = "#version 330 core";
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
#endif
  w.glfw = glfwCreateWindow(width, height, title, nullptr, nullptr);
  if (!w.glfw) return false;
  glfwMakeContextCurrent(w.glfw);
  glfwSwapInterval(1);
  w.ui_scale = ui_scale;

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // layout is computed, nothing to persist
  apply_style(ui_scale);
  ImFont* font = nullptr;
  if (!font_path.empty()) {
    if (FILE* f = std::fopen(font_path.c_str(), "rb")) {
      std::fclose(f);
      font = io.Fonts->AddFontFromFileTTF(font_path.c_str(), 15.f * ui_scale);
    }
  }
  if (!font) {
    ImFontConfig cfg;
    cfg.SizePixels = 13.f * ui_scale;
    io.Fonts->AddFontDefault(&cfg);
  }
  ImGui_ImplGlfw_InitForOpenGL(w.glfw, true);
  ImGui_ImplOpenGL3_Init(glsl);
  return true;
}

void window_begin_frame(Window& w) {
  glfwPollEvents();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  // Work in framebuffer pixels everywhere: on the web the canvas is sized in
  // device pixels and mouse positions arrive in them; on X11 window and
  // framebuffer sizes are equal. ui_scale makes fonts and widgets the right
  // physical size.
  int fw, fh;
  glfwGetFramebufferSize(w.glfw, &fw, &fh);
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = {float(fw), float(fh)};
  io.DisplayFramebufferScale = {1, 1};
  ImGui::NewFrame();
}

void window_render(Window& w) {
  ImGui::Render();
  int fw, fh;
  glfwGetFramebufferSize(w.glfw, &fw, &fh);
  glViewport(0, 0, fw, fh);
  glClearColor(0.97f, 0.97f, 0.98f, 1.f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

void window_swap(Window& w) { glfwSwapBuffers(w.glfw); }

bool window_guarded_frame(const std::function<void()>& frame, std::string& what) {
  try {
    frame();
    return true;
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
    what = "unknown exception";
  }
  ImGui::ErrorCheckEndFrameRecover(nullptr);  // End() what the frame Begin()'s, pop its stacks
  return false;
}

void window_close(Window& w) {
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(w.glfw);
  glfwTerminate();
}

}  // namespace platform
