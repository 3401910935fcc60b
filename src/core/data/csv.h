// csv.h: points as CSV text, "x,y,label" per line (label 1-based as in the UI,
// or 0-based with a header naming it), with a validation flag as an optional
// fourth column. Parsing is all-or-nothing: any bad line rejects the whole
// text with messages naming the lines, so nothing is half-imported.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

#include "core/data/dataset.h"

namespace nn {

struct CsvError : std::runtime_error {
  explicit CsvError(const std::string& m, std::vector<std::string> problems)
      : std::runtime_error(m), problems(std::move(problems)) {}
  std::vector<std::string> problems;  // one sentence per bad line (at most 20)
};

// Accepts an optional header line (any line whose first field is not a
// number, e.g. "x,y,class"); separators: comma, semicolon, tab or spaces.
// Labels are class numbers 1..8 (the UI's numbering). Throws CsvError.
Dataset parse_points_csv(const std::string& text);
std::string points_to_csv(const Dataset& d);

}  // namespace nn
