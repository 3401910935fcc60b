// convnet_panel.cpp: placeholder until the ConvNet calculator panel lands.
#include "app.h"
namespace app {
void draw_convnet(AppState&) {}
}  // namespace app
