// csv.h: points as CSV text. Two kinds of file, told apart by the header:
//
// Classification (as always): "x,y,class" per line, class 1-based as in the
// UI (1..kMaxClasses), with a validation flag (0/1) as an optional fourth
// column. A header line is optional and may name the columns anything, as
// long as none of them is called "value", e.g. "x,y,class,validation".
//
// Regression: the first line that is not blank or a comment is a header
// naming the columns, and one of them is "value" (any case):
//   x,value[,validation]     a curve y = f(x) (Regression1D: the point's y is the value)
//   x,y,value[,validation]   a surface over the plane (Regression2D)
// Each row has the header's columns, or all but the validation flag.
//
// Parsing is all-or-nothing: any bad line rejects the whole text with
// messages naming the lines, so nothing is half-imported. Coordinates and
// values must be finite and within kMaxCoordinate; at most kMaxPoints points.
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

// Separators: comma, semicolon, tab or spaces; lines starting with '#' are
// comments. The result's `problem` says which kind of file it was. Throws CsvError.
Dataset parse_points_csv(const std::string& text);
// Writes the header of d's problem ("x,y,class,validation",
// "x,value,validation" or "x,y,value,validation") and one line per point,
// with enough digits that parse_points_csv gives the same points back.
std::string points_to_csv(const Dataset& d);

}  // namespace nn
