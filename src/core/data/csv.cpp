// csv.cpp: see csv.h.
#include "core/data/csv.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace nn {

static std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : line) {
    if (c == ',' || c == ';' || c == '\t' || c == ' ') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

static bool parse_number(const std::string& s, double& v) {
  if (s.empty()) return false;
  char* end = nullptr;
  v = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && std::isfinite(v);
}

static std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower((unsigned char)c));
  return s;
}

// At most 40 characters of a field, for messages.
static std::string quote(const std::string& s) {
  return "'" + (s.size() > 40 ? s.substr(0, 40) + "..." : s) + "'";
}

static constexpr const char* kRegressionHeaders =
    "x,value[,validation] (a curve) or x,y,value[,validation] (a surface)";

// A header line: does it name a "value" column (a regression file), and if
// so, which of the two layouts is it? Returns false (and a message) for a
// header that names "value" in any other arrangement.
static bool read_header(const std::vector<std::string>& f, ProblemKind& problem, std::string& error) {
  std::vector<std::string> names;
  for (const std::string& s : f) names.push_back(lower(s));
  if (std::find(names.begin(), names.end(), "value") == names.end()) {
    problem = ProblemKind::Classification;
    return true;
  }
  const bool val = names.size() >= 3 && names.back() == "validation";
  if (val) names.pop_back();
  if (names == std::vector<std::string>{"x", "value"}) {
    problem = ProblemKind::Regression1D;
    return true;
  }
  if (names == std::vector<std::string>{"x", "y", "value"}) {
    problem = ProblemKind::Regression2D;
    return true;
  }
  std::string got;
  for (size_t i = 0; i < f.size(); ++i) got += (i ? "," : "") + f[i];
  error = std::string("a regression header is ") + kRegressionHeaders + ", got " + quote(got);
  return false;
}

Dataset parse_points_csv(const std::string& text) {
  Dataset d;
  std::vector<std::string> problems;
  std::istringstream in(text);
  std::string line;
  int lineno = 0, max_label = 1;
  bool header_seen = false;
  auto problem = [&](const std::string& msg) {
    if (problems.size() < 20) problems.push_back("line " + std::to_string(lineno) + ": " + msg);
  };
  auto check_validation = [&](const std::string& s, Point& p) {
    double v;
    if (!parse_number(s, v) || (v != 0 && v != 1)) {
      problem("validation flag " + quote(s) + " must be 0 or 1");
      return false;
    }
    p.validation = v == 1;
    return true;
  };
  while (std::getline(in, line)) {
    ++lineno;
    const auto f = split_fields(line);
    if (f.empty() || f[0][0] == '#') continue;
    double x, y = 0, lab;
    if (!parse_number(f[0], x)) {
      if (!header_seen && d.points.empty()) {  // a header line
        header_seen = true;
        std::string error;
        if (!read_header(f, d.problem, error)) {
          problem(error);
          break;  // without its columns the rows cannot be read
        }
        continue;
      }
      problem(quote(f[0]) + " is not a number (expected " +
              (d.problem == ProblemKind::Regression1D   ? "x,value"
               : d.problem == ProblemKind::Regression2D ? "x,y,value"
                                                        : "x,y,class") +
              ")");
      continue;
    }
    Point p{x, 0, 0, false};
    if (d.problem == ProblemKind::Classification) {
      if (f.size() < 3 || f.size() > 4) { problem("expected 3 or 4 fields (x,y,class[,validation]), got " + std::to_string(f.size())); continue; }
      if (!parse_number(f[1], y)) { problem("y " + quote(f[1]) + " is not a number"); continue; }
      if (!parse_number(f[2], lab) || lab != std::floor(lab) || lab < 1 || lab > kMaxClasses) {
        problem("class " + quote(f[2]) + " must be a whole number from 1 to " + std::to_string(kMaxClasses));
        continue;
      }
      if (std::abs(x) > kMaxCoordinate || std::abs(y) > kMaxCoordinate) { problem("coordinates beyond 1e6"); continue; }
      p.y = y;
      p.label = int(lab) - 1;
      if (f.size() == 4 && !check_validation(f[3], p)) continue;
    } else {
      // A curve's rows are x,value (the value is the point's y); a surface's x,y,value.
      const bool curve = d.problem == ProblemKind::Regression1D;
      const size_t n = curve ? 2 : 3;
      if (f.size() < n || f.size() > n + 1) {
        problem("expected " + std::to_string(n) + " or " + std::to_string(n + 1) + " fields (" +
                (curve ? "x,value" : "x,y,value") + "[,validation]), got " + std::to_string(f.size()));
        continue;
      }
      if (!curve && !parse_number(f[1], y)) { problem("y " + quote(f[1]) + " is not a number"); continue; }
      double v;
      if (!parse_number(f[n - 1], v)) { problem("value " + quote(f[n - 1]) + " is not a number"); continue; }
      if (std::abs(x) > kMaxCoordinate || (!curve && std::abs(y) > kMaxCoordinate)) { problem("coordinates beyond 1e6"); continue; }
      if (std::abs(v) > kMaxCoordinate) { problem("value beyond 1e6"); continue; }
      if (curve) p.y = v;
      else p.y = y, p.value = v;
      if (f.size() == n + 1 && !check_validation(f[n], p)) continue;
    }
    if (int(d.points.size()) >= kMaxPoints) { problem("more than " + std::to_string(kMaxPoints) + " points"); break; }
    max_label = std::max(max_label, p.label);
    d.points.push_back(p);
  }
  if (!problems.empty())
    throw CsvError("The CSV was not imported: " + std::to_string(problems.size()) + " bad line" +
                       (problems.size() == 1 ? "" : "s") + " (first: " + problems[0] + ")",
                   problems);
  if (d.points.empty())
    throw CsvError(d.problem == ProblemKind::Regression1D   ? "The CSV has no points (expected lines like 0.5,-0.2 under the header x,value)."
                   : d.problem == ProblemKind::Regression2D ? "The CSV has no points (expected lines like 0.5,-0.2,0.7 under the header x,y,value)."
                                                            : "The CSV has no points (expected lines like 0.5,-0.2,1).",
                   {});
  d.num_classes = std::max(2, max_label + 1);  // 2 in a regression: unused, kept valid for a switch back
  return d;
}

std::string points_to_csv(const Dataset& d) {
  std::ostringstream out;
  out.precision(17);
  const char* v = ",";
  switch (d.problem) {
    case ProblemKind::Regression1D:
      out << "x,value,validation\n";
      for (const Point& p : d.points) out << p.x << v << p.y << v << (p.validation ? 1 : 0) << '\n';
      break;
    case ProblemKind::Regression2D:
      out << "x,y,value,validation\n";
      for (const Point& p : d.points) out << p.x << v << p.y << v << p.value << v << (p.validation ? 1 : 0) << '\n';
      break;
    default:
      out << "x,y,class,validation\n";
      for (const Point& p : d.points) out << p.x << v << p.y << v << p.label + 1 << v << (p.validation ? 1 : 0) << '\n';
  }
  return out.str();
}

}  // namespace nn
