// The derivative modes on composite expressions, part 2 of 2 (acceptance
// criterion 4). The law and its tolerances: composites.hpp.
#define BOOST_TEST_MODULE forward_more
#include <boost/test/unit_test.hpp>

#include "composites.hpp"

using namespace lzt;

namespace {

auto composites() {
    const auto u = w * x + b;  // shared below
    const auto v = lz::tanh(u) * u;
    return std::tuple{
        composite_of("powers",
                     lz::pow(x, w) * lz::exp(-x * w) + lz::log(x) * lz::sin(b) + lz::pow(x, -2_c) * lz::pow(b, 3_c),
                     {{{0.5, 3}, {-2, 2}, {-2, 2}}}, [](const std::array<double, 3>&) { return true; }, x, w, b),
        composite_of("mixed", lz::softplus(w) - lz::expm1(x / 4_c) + lz::tan(w * x / 3_c) + lz::sigmoid(b) * 3_c,
                     {{{-2, 2}, {-2, 2}, {-5, 5}}}, [](const std::array<double, 3>&) { return true; }, w, x, b),
        // A subexpression used on several paths and at several depths.
        composite_of("shared", v * v + lz::sigmoid(v) - u / (1_c + u * u), {{{-2, 2}, {-2, 2}, {-1, 1}}},
                     [](const std::array<double, 3>&) { return true; }, w, x, b),
        composite_of("quotients", -(w / (x * x + 1_c)) + b / (2_c + lz::cos(w)) - w * lz::pow(b, 2_c) * x,
                     {{{-3, 3}, {-3, 3}, {-3, 3}}}, [](const std::array<double, 3>&) { return true; }, w, x, b),
    };
}

}  // namespace

BOOST_AUTO_TEST_CASE(composites_all_modes_agree) {
    for_each_case(composites(), [](const auto& c) { composite_law(c); });
}
