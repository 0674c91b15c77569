// Engine defects found by comparing random expressions with PyTorch, each
// kept as a test here when it needs a translation unit of its own.
//
// fused_gradient_beside_another_expression: g++ 12 gave 8 of the 16 entries
// of df/dx wrong (1 where cos x is right) for
//     f = sum(min(x, sin(x)) + sum(w))
// when the same translation unit also differentiated sum(a - b * c): the
// fused loop passed its plan's `needed` array as a class-type template
// argument, and g++ used the lambdas instantiated for the first array for
// the second too (the first expression's tape slots were computed, not the
// second's). With the other order, sum(a - b * c)'s gradient came out wrong.
// Both gradients are checked against plain loops, in one translation unit.
#define BOOST_TEST_MODULE engine_defects
#include <boost/test/unit_test.hpp>
#include <leibniz/leibniz.hpp>

#include <cmath>
#include <tuple>

namespace lz = leibniz;

namespace {
constexpr auto x = lz::var<"x", double, lz::shape<16>>;
constexpr auto w = lz::var<"w", double, lz::shape<2>>;
constexpr auto a = lz::var<"a", double, lz::shape<4>>;
constexpr auto b = lz::var<"b", double, lz::shape<4>>;
constexpr auto c = lz::var<"c", double, lz::shape<4>>;
}  // namespace

// The other expression, instantiated first, as in the report.
BOOST_AUTO_TEST_CASE(the_other_expression) {
    const lz::tensor<double, lz::shape<4>> av{1, 2, 3, 4}, bv{0.5, -1, 2, 0.25}, cv{-3, 0.5, 1.5, 2};
    const auto [ga, gb, gc] = lz::grad(lz::sum(a - b * c), lz::wrt(a, b, c), lz::at(a = av, b = bv, c = cv));
    for (std::size_t i = 0; i < 4; ++i) {
        BOOST_TEST(ga.data()[i] == 1.0);
        BOOST_TEST(gb.data()[i] == -cv.data()[i]);
        BOOST_TEST(gc.data()[i] == -bv.data()[i]);
    }
}

BOOST_AUTO_TEST_CASE(fused_gradient_beside_another_expression) {
    lz::tensor<double, lz::shape<16>> xv;
    for (std::size_t i = 0; i < 16; ++i) xv.data()[i] = -2.0 + 0.27 * double(i);  // no tie sin x = x
    const lz::tensor<double, lz::shape<2>> wv{0.3, -0.2};
    const auto [gx, gw] = lz::grad(lz::sum(lz::min(x, lz::sin(x)) + lz::sum(w)), lz::wrt(x, w), lz::at(x = xv, w = wv));
    for (std::size_t i = 0; i < 16; ++i) {
        const double xi = xv.data()[i];
        const double expected = std::sin(xi) < xi ? std::cos(xi) : 1.0;
        BOOST_TEST(gx.data()[i] == expected, boost::test_tools::tolerance(1e-12));
    }
    for (std::size_t j = 0; j < 2; ++j) BOOST_TEST(gw.data()[j] == 16.0, boost::test_tools::tolerance(1e-12));
}
