// csv.cpp: see csv.h.
#include "core/data/csv.h"

#include <algorithm>
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
  while (std::getline(in, line)) {
    ++lineno;
    const auto f = split_fields(line);
    if (f.empty() || f[0][0] == '#') continue;
    double x, y, lab;
    if (!parse_number(f[0], x)) {
      if (!header_seen && d.points.empty()) { header_seen = true; continue; }  // a header line
      problem("'" + f[0] + "' is not a number (expected x,y,class)");
      continue;
    }
    if (f.size() < 3 || f.size() > 4) { problem("expected 3 or 4 fields (x,y,class[,validation]), got " + std::to_string(f.size())); continue; }
    if (!parse_number(f[1], y)) { problem("y '" + f[1] + "' is not a number"); continue; }
    if (!parse_number(f[2], lab) || lab != std::floor(lab) || lab < 1 || lab > kMaxClasses) {
      problem("class '" + f[2] + "' must be a whole number from 1 to " + std::to_string(kMaxClasses));
      continue;
    }
    if (std::abs(x) > 1e6 || std::abs(y) > 1e6) { problem("coordinates beyond 1e6"); continue; }
    Point p{x, y, int(lab) - 1, false};
    if (f.size() == 4) {
      double v;
      if (!parse_number(f[3], v) || (v != 0 && v != 1)) { problem("validation flag '" + f[3] + "' must be 0 or 1"); continue; }
      p.validation = v == 1;
    }
    if (int(d.points.size()) >= kMaxPoints) { problem("more than " + std::to_string(kMaxPoints) + " points"); break; }
    max_label = std::max(max_label, p.label);
    d.points.push_back(p);
  }
  if (!problems.empty())
    throw CsvError("The CSV was not imported: " + std::to_string(problems.size()) + " bad line" +
                       (problems.size() == 1 ? "" : "s") + " (first: " + problems[0] + ")",
                   problems);
  if (d.points.empty()) throw CsvError("The CSV has no points (expected lines like 0.5,-0.2,1).", {});
  d.num_classes = std::max(2, max_label + 1);
  return d;
}

std::string points_to_csv(const Dataset& d) {
  std::ostringstream out;
  out.precision(17);
  out << "x,y,class,validation\n";
  for (const Point& p : d.points) out << p.x << ',' << p.y << ',' << p.label + 1 << ',' << (p.validation ? 1 : 0) << '\n';
  return out.str();
}

}  // namespace nn
