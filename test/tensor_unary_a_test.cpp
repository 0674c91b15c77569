// Tensor laws (tensor_laws.hpp) for the unary elementwise ops, part A:
// neg, exp, log, log1p, expm1, sqrt, pow(a, 3), pow(a, 1/2), abs, sin.
// a has shape [dyn]: the run-time extents 1, 3, 17, 64 and 127 cover every
// SIMD tail (widths 2, 4, 8, 16) of the fused loops, forward and backward.
#define BOOST_TEST_MODULE tensor_unary_a
#include "tensor_laws.hpp"

using namespace lz::literals;
using lzt::elementwise;
using lzt::family;
using vec = lz::shape<lz::dyn>;

BOOST_TEST_GLOBAL_FIXTURE(lzt_report);

BOOST_AUTO_TEST_CASE(unary_a) {
    lzt::check_all(
        "unary elementwise", {1, 3, 17, 64, 127},
        family<vec>("neg", [](auto a) { return -a; }, elementwise([](double a) { return -a; })),
        family<vec>("exp", [](auto a) { return lz::exp(a); }, elementwise([](double a) { return std::exp(a); })),
        family<vec>("log", [](auto a) { return lz::log(a); }, elementwise([](double a) { return std::log(a); }), 0.25, 4),
        family<vec>("log1p", [](auto a) { return lz::log1p(a); }, elementwise([](double a) { return std::log1p(a); }), -0.5, 2),
        family<vec>("expm1", [](auto a) { return lz::expm1(a); }, elementwise([](double a) { return std::expm1(a); })),
        family<vec>("sqrt", [](auto a) { return lz::sqrt(a); }, elementwise([](double a) { return std::sqrt(a); }), 0.25, 4),
        family<vec>("pow(a, 3)", [](auto a) { return lz::pow(a, 3_c); }, elementwise([](double a) { return a * a * a; })),
        family<vec>("pow(a, 1/2)", [](auto a) { return lz::pow(a, lz::c<1, 2>); },
                    elementwise([](double a) { return std::sqrt(a); }), 0.25, 4),
        family<vec>("abs", [](auto a) { return lz::abs(a); }, elementwise([](double a) { return std::abs(a); })),
        family<vec>("sin", [](auto a) { return lz::sin(a); }, elementwise([](double a) { return std::sin(a); })));
}
