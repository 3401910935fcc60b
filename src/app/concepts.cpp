// concepts.cpp: placeholder until the concept browser lands.
#include "app.h"
namespace app {
void draw_concepts(AppState&) {}
}  // namespace app
