// Number text: digits17 is printf("%.17g"), both forms read back bit-exactly.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>

#include "flowfit/io/number_format.hpp"
#include "host/io/parse_number.hpp"

namespace flowfit::io {
namespace {

TEST(IoNumberFormat, Digits17IsPrintfAndBothFormsRoundTrip) {
  std::mt19937_64 rng(5);
  std::vector<double> values = {0.0,
                                -0.0,
                                0.1,
                                1.0 / 3.0,
                                1e-300,
                                5e-324,
                                std::numeric_limits<double>::max(),
                                std::numeric_limits<double>::min(),
                                123456789012345678.0,
                                43.478260869565268};
  for (int i = 0; i < 20000; ++i) {
    uint64_t bits = rng();
    double v;
    std::memcpy(&v, &bits, sizeof v);
    if (std::isfinite(v)) values.push_back(v);
  }
  for (double v : values) {
    char printf_text[64];
    std::snprintf(printf_text, sizeof printf_text, "%.17g", v);
    EXPECT_EQ(real_to_string(v, RealFormat::digits17), printf_text);
    for (RealFormat f : {RealFormat::digits17, RealFormat::shortest}) {
      double back = 0;
      ASSERT_EQ(detail::parse_real(real_to_string(v, f), NumberRule::any, back), "");
      EXPECT_EQ(std::memcmp(&back, &v, sizeof v), 0) << real_to_string(v, f);
    }
  }
  EXPECT_EQ(real_to_string(0.1), "0.1");
  EXPECT_EQ(real_to_string(40.0, RealFormat::digits17), "40");
}

TEST(IoNumberFormat, ParserEdgeCases) {
  double v = 0;
  EXPECT_EQ(detail::parse_real("1e308", NumberRule::finite, v), "");
  EXPECT_NE(detail::parse_real("1e309", NumberRule::any, v).find("overflows"), std::string::npos);
  EXPECT_NE(detail::parse_real("-123456789e305", NumberRule::any, v).find("overflows"),
            std::string::npos);
  EXPECT_EQ(detail::parse_real("0.000001e-320", NumberRule::finite, v), "");
  EXPECT_EQ(v, 0.0);
  EXPECT_EQ(detail::parse_real("4.9406564584124654e-324", NumberRule::finite, v), "");
  EXPECT_EQ(v, 5e-324);
  EXPECT_NE(detail::parse_real("+-1", NumberRule::any, v), "");
  EXPECT_NE(detail::parse_real("1 2", NumberRule::any, v), "");
  EXPECT_NE(detail::parse_real("", NumberRule::any, v), "");
  int64_t i = 0;
  EXPECT_EQ(detail::parse_integer("-9223372036854775808", NumberRule::any, i), "");
  EXPECT_NE(detail::parse_integer("9223372036854775808", NumberRule::any, i), "");
  EXPECT_NE(detail::parse_integer("-1", NumberRule::non_negative, i), "");
}

}  // namespace
}  // namespace flowfit::io
