#include "core/io/source_paths.h"

namespace nn {

std::string source_assets_dir() { return NNPLAY_ASSETS_DIR; }

}  // namespace nn
