// examples.h: a data set of rows, N x D features with labels, split into
// training and validation: the Trainer's input when the data are not 2D
// points (images flattened to D = H*W*C values in the layout of
// conv_layers.h, with their shape for conv layers).
#pragma once
#include "core/spec.h"
#include "core/tensor.h"

namespace nn {

struct Examples {
  Mat X_train;  // N_train x D
  Labels y_train;
  Mat X_val;    // N_val x D (may have no rows)
  Labels y_val;
  int num_classes = 2;
  InputShape shape;  // the rows as image volumes; all zero for flat features
  int dim() const { return int(X_train.cols()); }
};

}  // namespace nn
