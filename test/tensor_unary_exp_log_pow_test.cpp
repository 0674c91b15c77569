// Tensor laws (tensor_laws.hpp) for the unary elementwise ops of arithmetic,
// exponentials, logarithms and powers: neg, exp, log, log1p, expm1, sqrt,
// pow(a, 3), pow(a, 1/2), abs (the trigonometric functions and the
// activations are in tensor_unary_trig_activation_test.cpp).
// a has shape [dyn]: the run-time extents 1, 3, 17, 64 and 127 cover every
// SIMD tail (widths 2, 4, 8, 16) of the fused loops, forward and backward.
// expm1_near_overflow: expm1 through the fused loop at the top of its range
// (up to 709.78 in double, 88.72 in float), against std::expm1.
#define BOOST_TEST_MODULE tensor_unary_exp_log_pow
#include "tensor_laws.hpp"

#include <cmath>

using namespace lz::literals;
using lzt::elementwise;
using lzt::family;
using vec = lz::shape<lz::dyn>;

BOOST_TEST_GLOBAL_FIXTURE(lzt_report);

BOOST_AUTO_TEST_CASE(exp_log_pow) {
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
        family<vec>("abs", [](auto a) { return lz::abs(a); }, elementwise([](double a) { return std::abs(a); })));
}

// expm1(a) = e^a − 1 is finite up to ln(max) (709.78 in double, 88.72 in
// float). On SIMD batches it was +inf above 709.44 and 88.38 (xsimd's 2^k
// overflowed once k = round(a / ln 2) passed the largest exponent). Values
// from 709 (88) to past the end of the range, every element through the
// fused loop (127 elements: full vectors and a tail), against std::expm1
// within 4 ulp, and +inf exactly where std::expm1 is.
template <class T>
void check_expm1_near_overflow(double lo, double hi) {
    constexpr std::size_t n = 127;
    constexpr auto a = lz::var<"a", T, vec>;
    lz::tensor<T, vec> av(n);
    for (std::size_t i = 0; i < n; ++i) av(i) = T(lo + (hi - lo) * double(i) / double(n - 1));
    const auto y = lz::eval(lz::expm1(a), lz::at(a = av));
    std::size_t finite = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const T expected = std::expm1(av(i));
        BOOST_TEST_CONTEXT("expm1(" << av(i) << ") in " << (sizeof(T) == 4 ? "float" : "double")) {
            BOOST_TEST(std::isinf(y(i)) == std::isinf(expected));
            if (std::isfinite(expected)) {
                ++finite;
                BOOST_TEST(std::abs(y(i) - expected) <= 4 * std::numeric_limits<T>::epsilon() * expected);
            }
        }
    }
    BOOST_TEST(finite > n / 2);  // the range reaches past the end, and most of it is finite
}

BOOST_AUTO_TEST_CASE(expm1_near_overflow) {
    check_expm1_near_overflow<double>(709.0, 709.85);
    check_expm1_near_overflow<float>(88.0, 88.8);
}
