// fuzz_csv.cpp: CSV points (pasted or opened). Any text either parses or is
// refused with a CsvError (all or nothing, at most 20 problem lines); what
// parses writes back to CSV that parses to the same points and problem
// (classification x,y,class, or a regression file whose header names a
// value column: x,value or x,y,value).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/data/csv.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  nn::Dataset d;
  try {
    d = nn::parse_points_csv(text);
  } catch (const nn::CsvError& e) {
    FUZZ_CHECK(e.problems.size() <= 20, "a refusal names at most 20 problem lines");
    return 0;
  }
  const nn::Dataset back = nn::parse_points_csv(nn::points_to_csv(d));
  FUZZ_CHECK(back.problem == d.problem, "CSV round trip keeps the problem (classification or regression)");
  FUZZ_CHECK(back.points.size() == d.points.size(), "CSV round trip keeps every point");
  FUZZ_CHECK(d.points.size() <= size_t(nn::kMaxPoints), "at most kMaxPoints points");
  for (size_t i = 0; i < d.points.size(); ++i) {
    const nn::Point &a = d.points[i], &b = back.points[i];
    FUZZ_CHECK(a.x == b.x && a.y == b.y && a.label == b.label && a.validation == b.validation && a.value == b.value,
               "CSV round trip keeps each point exactly");
    FUZZ_CHECK(std::abs(a.x) <= nn::kMaxCoordinate && std::abs(a.y) <= nn::kMaxCoordinate &&
                   std::abs(a.value) <= nn::kMaxCoordinate,
               "coordinates and values stay within kMaxCoordinate");
    FUZZ_CHECK(d.problem != nn::ProblemKind::Classification || (a.label >= 0 && a.label < nn::kMaxClasses),
               "labels stay within the class limit");
    FUZZ_CHECK(d.problem == nn::ProblemKind::Regression2D || a.value == 0, "only a 2D regression point carries a value");
  }
  return 0;
}
