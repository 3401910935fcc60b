// Tests of CSV import/export of points: round trip, header and separators,
// and all-or-nothing rejection of junk with line-numbered messages.
#include <catch2/catch.hpp>

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
