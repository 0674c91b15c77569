// The derivative modes on composite expressions, part 1 of 2 (acceptance
// criterion 4; 10 for float and dual scalars). The law and its tolerances:
// composites.hpp.
#define BOOST_TEST_MODULE forward
#include <boost/test/unit_test.hpp>

#include "composites.hpp"

using namespace lzt;

namespace {

constexpr auto w1 = lz::param<"w1">;
constexpr auto b1 = lz::param<"b1">;
constexpr auto w2 = lz::param<"w2">;
constexpr auto b2 = lz::param<"b2">;

auto composites() {
    return std::tuple{
        // The two-layer scalar network loss.
        composite_of("network", lz::pow(lz::sigmoid(w2 * lz::relu(w1 * x + b1) + b2) - t, 2_c),
                     {{{-2, 2}, {-2, 2}, {-1, 1}, {-2, 2}, {-1, 1}, {0, 1}}},
                     [](const std::array<double, 6>& p) { return !near(p[0] * p[1] + p[2], 0); }, w1, x, b1, w2, b2,
                     t),
        // The notes' two-path example: w² feeds both cos and sin.
        composite_of("two_paths", lz::cos(w * w) + lz::sin(w * w), {{{-2, 2}}},
                     [](const std::array<double, 1>&) { return true; }, w),
        composite_of("smooth", lz::log1p(lz::exp(w)) * lz::tanh(x) / (1_c + w * w) + lz::sqrt(x * x + b * b),
                     {{{-3, 3}, {-2, 2}, {0.5, 2}}}, [](const std::array<double, 3>&) { return true; }, w, x, b),
        composite_of("piecewise",
                     lz::max(w, x) * lz::min(w, x) + lz::abs(w - x) + lz::hard_tanh(w * x) +
                         lz::leaky_relu(w - b, 0.2_c) + lz::relu(b) * lz::leaky_relu(x),
                     {{{-2, 2}, {-2, 2}, {-2, 2}}},
                     [](const std::array<double, 3>& p) {
                         return !near(p[0], p[1]) && !near(p[0] * p[1], 1) && !near(p[0] * p[1], -1) &&
                                !near(p[0], p[2]) && !near(p[2], 0) && !near(p[1], 0);
                     },
                     w, x, b),
    };
}

}  // namespace

BOOST_AUTO_TEST_CASE(composites_all_modes_agree) {
    for_each_case(composites(), [](const auto& c) { composite_law(c); });
}

// The same laws, cheaply, in float and on dual<double, 1> leaves, for one
// smooth and one piecewise composite.
BOOST_AUTO_TEST_CASE(composites_in_float_and_on_duals) {
    constexpr auto wf = lz::var<"w", float>;
    constexpr auto xf = lz::var<"x", float>;
    const auto ff = lz::sigmoid(wf * xf) * lz::log1p(wf * wf) + lz::relu(xf - wf) * lz::tanh(xf);
    const auto fd = lz::sigmoid(w * x) * lz::log1p(w * w) + lz::relu(x - w) * lz::tanh(x);
    uniform u;
    double worst_float = 0, worst_dual = 0;
    for (int k = 0; k < 100; ++k) {
        const float pw = static_cast<float>(u(-2, 2)), px = static_cast<float>(u(-2, 2));
        if (near(px, pw)) continue;
        // float: grad vs jvp (1e-6) and vs grad in double at the same point (1e-3).
        const auto envf = lz::at(wf = pw, xf = px);
        const auto [gw, gx] = lz::grad(ff, lz::wrt(wf, xf), envf);
        const auto [dw, dx] = lz::grad(fd, lz::wrt(w, x), lz::at(w = double(pw), x = double(px)));
        const float tw = lz::jvp(ff, envf, lz::tangent(wf = 1.0f)).tangent;
        // float sums in another order, after cancellation: |a − b| ≤ 1e-6·max(|b|, 1).
        BOOST_TEST(rel_error(tw, gw, 1.0) <= 1e-6,
                   "float jvp vs grad at " << pw << ", " << px << ": " << tw << " vs " << gw);
        const double ew = rel_error(gw, dw, 1e-3), ex = rel_error(gx, dx, 1e-3);
        worst_float = std::max({worst_float, ew, ex});
        BOOST_TEST(ew <= 1e-3, "float grad w " << gw << " vs double " << dw);
        BOOST_TEST(ex <= 1e-3, "float grad x " << gx << " vs double " << dx);
        // dual: x bound to a dual seeded along w ⇒ grad's tangent is the Hessian row.
        using D = lz::dual<double, 1>;
        const auto denv = lz::at(w = D::variable(pw, 0), x = D{double(px)});
        const auto [gdw, gdx] = lz::grad(fd, lz::wrt(w, x), denv);
        const auto h = lz::hessian(fd, lz::wrt(w, x), lz::at(w = double(pw), x = double(px)));
        const double e1 = rel_error(gdw.d[0], h[0][0], 1e-3), e2 = rel_error(gdx.d[0], h[1][0], 1e-3);
        worst_dual = std::max({worst_dual, e1, e2, rel_error(gdw.v, dw)});
        BOOST_TEST(e1 <= exact_tolerance, "dual grad w tangent " << gdw.d[0] << " vs hessian " << h[0][0]);
        BOOST_TEST(e2 <= exact_tolerance, "dual grad x tangent " << gdx.d[0] << " vs hessian " << h[1][0]);
        // the same sweep on the values, up to FMA contraction (g++ -march=native
        // contracts differently in differently inlined copies)
        BOOST_TEST(rel_error(gdw.v, dw, 1e-3) <= exact_tolerance, "dual grad w value " << gdw.v << " vs " << dw);
        BOOST_TEST(rel_error(gdx.v, dx, 1e-3) <= exact_tolerance, "dual grad x value " << gdx.v << " vs " << dx);
        // jvp on duals == grad on duals.
        const auto jt = lz::jvp(fd, denv, lz::tangent(x = 1.0)).tangent;
        BOOST_TEST(rel_error(jt.v, gdx.v, 1e-3) <= exact_tolerance);
        BOOST_TEST(rel_error(jt.d[0], gdx.d[0], 1e-3) <= exact_tolerance);
    }
    BOOST_TEST_MESSAGE("float composite: max rel error vs double " << worst_float
                                                                   << "; dual composite: " << worst_dual);
}
