// Tests of FastScorer::classify's vectorised arg-max and softmax (exp by
// simd::exp) against classify_reference (scalar scores, std::exp): same
// labels wherever the top two scores are not nearly tied, confidence and
// heat within 1e-5. Block-sized and ragged point counts, 2..5 classes.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/fast/fast_eval.h"
#include "core/models/net.h"

using namespace nn;

TEST_CASE("vectorised classify matches the scalar reference", "[fast_classify]") {
  for (int C : {2, 3, 5})
    for (Activation a : {Activation::ReLU, Activation::Tanh}) {
      ModelSpec spec;
      spec.kind = ModelKind::Net;
      spec.init.kind = InitKind::Xavier;
      spec.init.random_bias = true;
      spec.hidden = {{7, a}, {16, a}};
      Rng rng(uint64_t(C) * 31 + int(a));
      Mat X(20, 2);
      for (int i = 0; i < X.rows(); ++i) { X(i, 0) = rng.normal(); X(i, 1) = rng.normal(); }
      Preprocessor pre;
      pre.fit({}, X);
      auto m = make_model(spec, 2, C, rng);
      FastScorer fs(*m, pre);
      for (int n : {1, 16, 203}) {
        std::vector<float> xs(n), ys(n), sc(size_t(n) * C), hf(n), hr(n), cf(n), cr(n);
        std::vector<int> lf(n), lr(n);
        for (int i = 0; i < n; ++i) { xs[i] = float(rng.uniform(-3, 3)); ys[i] = float(rng.uniform(-3, 3)); }
        const int heat_class = C - 1;
        fs.classify(xs.data(), ys.data(), n, lf.data(), cf.data(), heat_class, hf.data());
        fs.classify_reference(xs.data(), ys.data(), n, lr.data(), cr.data(), heat_class, hr.data());
        fs.scores_reference(xs.data(), ys.data(), n, sc.data());
        double max_conf = 0, max_heat = 0;
        int label_mismatch = 0;
        for (int i = 0; i < n; ++i) {
          std::vector<float> s(sc.begin() + size_t(i) * C, sc.begin() + size_t(i + 1) * C);
          std::sort(s.begin(), s.end());
          if (s[C - 1] - s[C - 2] > 1e-4 && lf[i] != lr[i]) ++label_mismatch;
          max_conf = std::max(max_conf, double(std::abs(cf[i] - cr[i])));
          max_heat = std::max(max_heat, double(std::abs(hf[i] - hr[i])));
          CHECK(cf[i] >= 0.f);
          CHECK(cf[i] <= 1.f);
        }
        INFO("classes " << C << ", " << to_string(a) << ", n " << n << ": max |conf| " << max_conf
                        << ", max |heat| " << max_heat);
        CHECK(label_mismatch == 0);
        CHECK(max_conf < 1e-5);
        CHECK(max_heat < 1e-5);
      }
    }
}
