// Values of every op, in double, against <cmath> or the obvious formula
// (acceptance criterion 1), over each op's whole domain: negative, small
// (down to 1e-300), large (up to 1e300 where the result stays finite), kinks
// and ties. The points are in op_cases.hpp.
//
// Error: rel = |got − expected| / |expected| (0 when equal, which covers
// expected == 0 and infinities). Tolerance: 4 ulp (4·2⁻⁵² ≈ 8.9e-16) for every
// op. Most ops call the <cmath> function themselves and agree exactly; the
// formula ops (sigmoid, softplus: compared with a long-double evaluation of
// 1/(1+e^-x) and log1p(e^x); integer powers: repeated products against
// std::pow) differ by at most a couple of ulp -- the measured maxima are printed
// (--log_level=message).
#define BOOST_TEST_MODULE ops_values
#include <boost/test/unit_test.hpp>

#include "op_cases.hpp"

#include <cstdio>
#include <limits>

using namespace lzt;

namespace {

constexpr double ulp = std::numeric_limits<double>::epsilon();  // 2⁻⁵²
constexpr double value_tolerance = 4 * ulp;

template <class Case>
void check_values(const Case& c) {
    double worst = 0.0;
    std::size_t n = 0;
    if constexpr (Case::arity == 1) {
        const auto f = c.build(X<double>);
        for (double x : c.values) {
            const double got = lz::eval(f, lz::at(X<double> = x));
            const double expected = c.ref(x);
            const double e = rel_error(got, expected);
            worst = std::max(worst, e);
            ++n;
            BOOST_TEST(e <= value_tolerance,
                       c.name << "(" << x << "): got " << got << ", expected " << expected << " (rel " << e << ")");
        }
    } else {
        const auto f = c.build(X<double>, Y<double>);
        for (auto [x, y] : c.values) {
            const double got = lz::eval(f, lz::at(X<double> = x, Y<double> = y));
            const double expected = c.ref(x, y);
            const double e = rel_error(got, expected);
            worst = std::max(worst, e);
            ++n;
            BOOST_TEST(e <= value_tolerance, c.name << "(" << x << ", " << y << "): got " << got << ", expected "
                                                    << expected << " (rel " << e << ")");
        }
    }
    BOOST_TEST(n >= 100, c.name << ": only " << n << " value points");
    char line[160];
    std::snprintf(line, sizeof line, "value  %-18s points %4zu  max rel error %.3g (%.2f ulp)", c.name.data(), n,
                  worst, worst / ulp);
    BOOST_TEST_MESSAGE(line);
}

}  // namespace

BOOST_AUTO_TEST_CASE(unary_op_values) {
    for_each_case(unary_cases(), [](const auto& c) { check_values(c); });
}

BOOST_AUTO_TEST_CASE(binary_op_values) {
    for_each_case(binary_cases(), [](const auto& c) { check_values(c); });
}

// Special values: NaN propagates through the piecewise ops, −0 and infinities.
BOOST_AUTO_TEST_CASE(special_values) {
    constexpr auto x = X<double>;
    constexpr auto y = Y<double>;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    auto at = [](double v) { return lz::at(X<double> = v); };

    BOOST_TEST(std::isnan(lz::eval(lz::relu(x), at(nan))));
    BOOST_TEST(std::isnan(lz::eval(lz::abs(x), at(nan))));
    BOOST_TEST(std::isnan(lz::eval(lz::leaky_relu(x), at(nan))));
    BOOST_TEST(std::isnan(lz::eval(lz::max(x, y), lz::at(x = nan, y = 1.0))));
    BOOST_TEST(std::isnan(lz::eval(lz::max(x, y), lz::at(x = 1.0, y = nan))));
    BOOST_TEST(std::isnan(lz::eval(lz::min(x, y), lz::at(x = nan, y = 1.0))));
    BOOST_TEST(std::isnan(lz::eval(lz::min(x, y), lz::at(x = 1.0, y = nan))));
    BOOST_TEST(std::isnan(lz::eval(lz::sigmoid(x), at(nan))));
    BOOST_TEST(std::isnan(lz::eval(lz::softplus(x), at(nan))));

    // |−0| is +0.
    BOOST_TEST(!std::signbit(lz::eval(lz::abs(x), at(-0.0))));
    // No overflow in the stable formulations.
    BOOST_TEST(lz::eval(lz::sigmoid(x), at(-1000.0)) == 0.0);
    BOOST_TEST(lz::eval(lz::sigmoid(x), at(1000.0)) == 1.0);
    BOOST_TEST(lz::eval(lz::softplus(x), at(1000.0)) == 1000.0);
    BOOST_TEST(lz::eval(lz::softplus(x), at(-1000.0)) == 0.0);
    BOOST_TEST(lz::eval(lz::sigmoid(x), at(inf)) == 1.0);
    BOOST_TEST(lz::eval(lz::sigmoid(x), at(-inf)) == 0.0);
    BOOST_TEST(lz::eval(lz::relu(x), at(inf)) == inf);
    BOOST_TEST(lz::eval(lz::relu(x), at(-inf)) == 0.0);
    BOOST_TEST(lz::eval(lz::hard_tanh(x), at(-inf)) == -1.0);
    BOOST_TEST(lz::eval(lz::exp(x), at(-inf)) == 0.0);
    BOOST_TEST(lz::eval(lz::log(x), at(0.0)) == -inf);
    BOOST_TEST(lz::eval(lz::pow(x, -2_c), at(0.0)) == inf);
    BOOST_TEST(lz::eval(lz::pow(x, 0_c), at(0.0)) == 1.0);  // 0⁰ = 1, as std::pow
}
