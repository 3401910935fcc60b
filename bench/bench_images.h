// bench_images.h: the image-mode workloads (kNN on images, softmax and MLP
// epochs on the Fashion-MNIST subset), kept apart from the other workloads.
#pragma once
#include <functional>
#include <string>

// record(id, value, unit, what), as in nnplay_bench.cpp.
using BenchRecord = std::function<void(const std::string&, double, const std::string&, const std::string&)>;
void workload_images(const BenchRecord& record, bool quick);
