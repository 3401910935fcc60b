// Tests of CSV import/export of points: round trip, header and separators,
// and all-or-nothing rejection of junk with line-numbered messages.
#include <catch2/catch.hpp>

#include <algorithm>

#include "core/data/csv.h"

using namespace nn;

TEST_CASE("points round-trip through CSV exactly", "[csv]") {
  Dataset d;
  d.points = {{0.1, -0.25, 0, false}, {1.0 / 3, 2e-9, 2, true}, {-1.1, 1.15, 7, false}};
  const Dataset back = parse_points_csv(points_to_csv(d));
  REQUIRE(back.points == d.points);
  REQUIRE(back.num_classes == 8);
}

TEST_CASE("CSV accepts a header, comments and several separators", "[csv]") {
  const Dataset d = parse_points_csv("x;y;class\n# a comment\n0.5;0.5;1\n-0.5\t0.25\t2\n\n1 2 3\n");
  REQUIRE(d.points.size() == 3);
  REQUIRE(d.points[1].x == -0.5);
  REQUIRE(d.points[2].label == 2);
  REQUIRE(d.num_classes == 3);
}

TEST_CASE("junk in a CSV rejects the whole import with line numbers", "[csv]") {
  const std::string junk = "x,y,class\n0.1,0.2,1\n0.3,abc,2\n0.4,0.5,11\nhello\n0.1,0.2\n0.1,0.2,1.5\n0.1,0.2,1,7\nnan,0,1\n";
  try {
    parse_points_csv(junk);
    FAIL("junk was accepted");
  } catch (const CsvError& e) {
    REQUIRE(e.problems.size() == 7);
    CHECK(e.problems[0] == "line 3: y 'abc' is not a number");
    CHECK(e.problems[1].find("line 4: class '11'") == 0);
    CHECK(e.problems[2].find("line 5: 'hello' is not a number") == 0);
    CHECK(e.problems[3].find("line 6: expected 3 or 4 fields") == 0);
    CHECK(e.problems[4].find("line 7: class '1.5'") == 0);
    CHECK(e.problems[5].find("line 8: validation flag '7'") == 0);
    CHECK(e.problems[6].find("line 9: 'nan' is not a number") == 0);
    CHECK(std::string(e.what()).find("not imported: 7 bad lines") != std::string::npos);
  }
  REQUIRE_THROWS_AS(parse_points_csv(""), CsvError);
  REQUIRE_THROWS_AS(parse_points_csv("x,y,class\n"), CsvError);
}

// ---- Regression files: a header naming a "value" column ----------------------------

TEST_CASE("regression points round-trip through CSV exactly, 1D and 2D", "[csv][regression]") {
  Dataset curve = generate_regression(RegGen::Sine, 50, 0.1, 3);
  split_train_val(curve, 0.2, 3);
  const std::string text = points_to_csv(curve);
  REQUIRE(text.rfind("x,value,validation\n", 0) == 0);
  const Dataset back = parse_points_csv(text);
  REQUIRE(back.problem == ProblemKind::Regression1D);
  REQUIRE(back.points == curve.points);  // y is the target; value and label stay 0

  Dataset surface = generate_regression(RegGen::Gaussians, 50, 0.1, 4);
  split_train_val(surface, 0.3, 4);
  surface.points[0].value = -1e6;  // the limit itself is allowed
  surface.points[1].x = 1.0 / 3;
  const std::string text2 = points_to_csv(surface);
  REQUIRE(text2.rfind("x,y,value,validation\n", 0) == 0);
  const Dataset back2 = parse_points_csv(text2);
  REQUIRE(back2.problem == ProblemKind::Regression2D);
  REQUIRE(back2.points == surface.points);
  REQUIRE(std::count_if(back2.points.begin(), back2.points.end(), [](const Point& p) { return p.validation; }) == 15);
}

TEST_CASE("a regression header picks the columns; the validation flag is optional per row", "[csv][regression]") {
  const Dataset d = parse_points_csv("# my curve\nX;Value\n0.5;-0.2\n-0.5\t0.25\t1\n");
  REQUIRE(d.problem == ProblemKind::Regression1D);
  REQUIRE(d.points.size() == 2);
  CHECK(d.points[0].x == 0.5);
  CHECK(d.points[0].y == -0.2);
  CHECK_FALSE(d.points[0].validation);
  CHECK(d.points[1].validation);
  CHECK(target_of(d.problem, d.points[1]) == 0.25);
  const Dataset s = parse_points_csv("x,y,value,validation\n0.1,0.2,0.7\n0.3,0.4,-0.7,0\n");
  REQUIRE(s.problem == ProblemKind::Regression2D);
  CHECK(s.points[1].y == 0.4);
  CHECK(target_of(s.problem, s.points[1]) == -0.7);
}

TEST_CASE("classification CSVs load as before, whatever their header (unless it names a value)", "[csv][regression]") {
  for (const char* header : {"", "x,y,class\n", "x,y,label,validation\n", "a b c\n"}) {
    INFO(header);
    const Dataset d = parse_points_csv(std::string(header) + "0.5,0.5,1\n-0.5,0.25,3,1\n");
    REQUIRE(d.problem == ProblemKind::Classification);
    REQUIRE(d.points.size() == 2);
    CHECK(d.points[1].label == 2);
    CHECK(d.points[1].validation);
    CHECK(d.num_classes == 3);
  }
  // What the app writes for classification reads back as classification.
  Dataset c = generate(DataGen::Spiral, 30, 3, 0.1, 1);
  const Dataset back = parse_points_csv(points_to_csv(c));
  REQUIRE(back.problem == ProblemKind::Classification);
  REQUIRE(back.points == c.points);
}

TEST_CASE("bad regression rows reject the whole import with line numbers", "[csv][regression]") {
  const std::string junk =
      "x,y,value\n0.1,0.2,0.5\n0.1,0.2\n0.1,abc,0.5\n0.1,0.2,nan\n0.1,0.2,2e6\n2e6,0,0\n0.1,0.2,0.3,5\nword,1,2\n0.1,0.2,0.3,1,9\n";
  try {
    parse_points_csv(junk);
    FAIL("junk was accepted");
  } catch (const CsvError& e) {
    REQUIRE(e.problems.size() == 8);
    CHECK(e.problems[0] == "line 3: expected 3 or 4 fields (x,y,value[,validation]), got 2");
    CHECK(e.problems[1] == "line 4: y 'abc' is not a number");
    CHECK(e.problems[2] == "line 5: value 'nan' is not a number");
    CHECK(e.problems[3] == "line 6: value beyond 1e6");
    CHECK(e.problems[4] == "line 7: coordinates beyond 1e6");
    CHECK(e.problems[5] == "line 8: validation flag '5' must be 0 or 1");
    CHECK(e.problems[6] == "line 9: 'word' is not a number (expected x,y,value)");
    CHECK(e.problems[7] == "line 10: expected 3 or 4 fields (x,y,value[,validation]), got 5");
  }
  CHECK_THROWS_WITH(parse_points_csv("x,value\n0.1\n"),
                    "The CSV was not imported: 1 bad line (first: line 2: expected 2 or 3 fields (x,value[,validation]), got 1)");
  // A header naming a value in another arrangement says what it should be.
  CHECK_THROWS_WITH(parse_points_csv("\nvalue,x\n0.1,0.2\n"),
                    Catch::Matchers::Contains("line 2: a regression header is x,value[,validation] (a curve) or "
                                              "x,y,value[,validation] (a surface), got 'value,x'"));
  CHECK_THROWS_WITH(parse_points_csv("x,value\n# nothing yet\n"),
                    Catch::Matchers::Contains("no points (expected lines like 0.5,-0.2 under the header x,value)"));
}

TEST_CASE("a CSV over the point limit is refused, one at the limit loads", "[csv][regression]") {
  std::string text = "x,value\n";
  text.reserve(size_t(kMaxPoints + 1) * 8);
  for (int i = 0; i < kMaxPoints; ++i) text += "0.5,0.25\n";
  REQUIRE(parse_points_csv(text).points.size() == size_t(kMaxPoints));
  text += "0.5,0.25\n";
  CHECK_THROWS_WITH(parse_points_csv(text), Catch::Matchers::Contains("line " + std::to_string(kMaxPoints + 2) +
                                                                      ": more than " + std::to_string(kMaxPoints) + " points"));
}
