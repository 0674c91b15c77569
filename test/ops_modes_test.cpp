// Derivative modes of every op agree, and kinks follow PyTorch, in double
// (acceptance criteria 3 and 4). Written once over an op-building lambda and
// run over every case of op_cases.hpp:
//
//   modes_law       forward == reverse (jvp tangent vs grad, and a mixed tangent
//                   direction vs the same combination of grads) at every value
//                   point (the whole domain, kinks and ties included) and every
//                   FD point; lz::eval(lz::d(f, w), env) == jvp at the FD points
//                   (on the whole value domain the symbolic form may overflow
//                   where the numeric rule does not, e.g. a/(b·b) at b = 1e150).
//                   Error: rel(a, b) = |a − b| / |b| (0 when equal, NaN == NaN),
//                   tolerance 1e-12.
//   kinks           the PyTorch conventions at kinks and ties, exactly (==),
//                   through grad, jvp and eval(d).
//   the rest        places where a formula alone meets 0·inf or cancels (pow at
//                   a = 0, forward mode through an infinite partial, expm1 for
//                   a ≪ 0), each with the right answer.
#define BOOST_TEST_MODULE ops_modes
#include <boost/test/unit_test.hpp>

#include "op_cases.hpp"

#include <limits>

using namespace lzt;

namespace {

constexpr double modes_tolerance = 1e-12;

constexpr auto x = X<double>;
constexpr auto y = Y<double>;

// ---------------------------------------------------------------- modes_law

// jvp tangent vs grad, at every point (value points included); eval(d(f, w))
// vs jvp at the FD points (on the whole value domain the symbolic form may
// overflow where the numeric rule does not, e.g. a/(b·b) for b = 1e150).
template <class Case>
void modes_law(const Case& c) {
    double worst_fr = 0, worst_d = 0;
    std::size_t n_fr = 0, n_d = 0;
    auto compare = [&](double& worst, std::size_t& n, double a, double b, const char* what, auto&& where) {
        const double e = rel_error(a, b);
        worst = std::max(worst, e);
        ++n;
        BOOST_TEST(e <= modes_tolerance,
                   c.name << where << ": " << what << " " << a << " vs " << b << " (rel " << e << ")");
    };
    if constexpr (Case::arity == 1) {
        const auto f = c.build(x);
        const auto df = lz::d(f, x);
        auto run = [&](double p, bool with_d) {
            const auto env = lz::at(x = p);
            const double g = lz::grad(f, x, env);
            const double t = lz::jvp(f, env, lz::tangent(x = 1.0)).tangent;
            const std::string where = "'(" + std::to_string(p) + ")";
            compare(worst_fr, n_fr, t, g, "jvp vs grad", where);
            if (!with_d) return;
            compare(worst_d, n_d, lz::eval(df, lz::lenient(env)), t, "eval(d) vs jvp", where);
        };
        for (double p : c.values) run(p, false);
        for (double p : c.fd) run(p, true);
    } else {
        const auto f = c.build(x, y);
        const auto dfx = lz::d(f, x);
        const auto dfy = lz::d(f, y);
        auto run = [&](point p, bool with_d) {
            const auto env = lz::at(x = p.x, y = p.y);
            const auto [gx, gy] = lz::grad(f, lz::wrt(x, y), env);
            const double tx = lz::jvp(f, env, lz::tangent(x = 1.0)).tangent;
            const double ty = lz::jvp(f, env, lz::tangent(y = 1.0)).tangent;
            const std::string where = "(" + std::to_string(p.x) + ", " + std::to_string(p.y) + ")";
            // Along x also where ∂/∂y is not finite, and vice versa (NaN = NaN counts as equal).
            compare(worst_fr, n_fr, tx, gx, "d/dx jvp vs grad", where);
            compare(worst_fr, n_fr, ty, gy, "d/dy jvp vs grad", where);
            // A mixed direction: the jvp is linear in the tangent.
            const double tm = lz::jvp(f, env, lz::tangent(x = 0.5, y = -2.0)).tangent;
            const double expected = 0.5 * gx - 2.0 * gy;
            if (std::isfinite(gx) && std::isfinite(gy) && std::isfinite(expected))
                compare(worst_fr, n_fr, tm, expected, "jvp(0.5, -2) vs grad", where);
            if (with_d) {
                compare(worst_d, n_d, lz::eval(dfx, lz::lenient(env)), tx, "eval(d/dx) vs jvp", where);
                if (c.fd_y) compare(worst_d, n_d, lz::eval(dfy, lz::lenient(env)), ty, "eval(d/dy) vs jvp", where);
            }
        };
        for (point p : c.values) run(p, false);
        for (point p : c.fd) run(p, true);
    }
    BOOST_TEST(n_d >= 100, c.name << ": only " << n_d << " points for eval(d) vs jvp");
    BOOST_TEST_MESSAGE(summary("modes", c.name, n_fr, "jvp vs grad", worst_fr, "eval(d) vs jvp", worst_d));
}

}  // namespace

BOOST_AUTO_TEST_CASE(unary_ops_forward_reverse_symbolic_agree) {
    for_each_case(unary_cases(), [](const auto& c) { modes_law(c); });
}

BOOST_AUTO_TEST_CASE(binary_ops_forward_reverse_symbolic_agree) {
    for_each_case(binary_cases(), [](const auto& c) { modes_law(c); });
}

// ---------------------------------------------------------------- kinks

namespace {

enum modes : unsigned { by_grad = 1, by_jvp = 2, by_d = 4, all_modes = 7 };

// The derivative of f at a point through the modes asked for, each compared exactly.
template <class F, class L, class Env>
void kink(const char* what, F f, L leaf, const Env& env, double expected, unsigned m = all_modes) {
    auto same = [&](double a) { return a == expected || (std::isnan(a) && std::isnan(expected)); };
    if (m & by_grad) {
        const double g = std::get<0>(lz::grad(f, lz::wrt(leaf), env));
        BOOST_TEST(same(g), what << ": grad " << g << ", expected " << expected);
    }
    if (m & by_jvp) {
        const double t = lz::jvp(f, env, lz::tangent(leaf = 1.0)).tangent;
        BOOST_TEST(same(t), what << ": jvp " << t << ", expected " << expected);
    }
    if (m & by_d) {
        const double s = lz::eval(lz::d(f, leaf), lz::lenient(env));
        BOOST_TEST(same(s), what << ": eval(d) " << s << ", expected " << expected);
    }
}

}  // namespace

BOOST_AUTO_TEST_CASE(kinks_follow_pytorch) {
    const double inf = std::numeric_limits<double>::infinity();
    kink("relu'(0)", lz::relu(x), x, lz::at(x = 0.0), 0.0);
    kink("relu'(-0)", lz::relu(x), x, lz::at(x = -0.0), 0.0);
    kink("abs'(0)", lz::abs(x), x, lz::at(x = 0.0), 0.0);
    kink("abs'(-0)", lz::abs(x), x, lz::at(x = -0.0), 0.0);
    kink("leaky_relu'(0)", lz::leaky_relu(x), x, lz::at(x = 0.0), 0.01);
    kink("leaky_relu(., 0.2)'(0)", lz::leaky_relu(x, 0.2_c), x, lz::at(x = 0.0), 0.2);
    kink("leaky_relu(., 0.5)'(0)", lz::leaky_relu(x, 0.5_c), x, lz::at(x = 0.0), 0.5);
    kink("hard_tanh'(1)", lz::hard_tanh(x), x, lz::at(x = 1.0), 0.0);
    kink("hard_tanh'(-1)", lz::hard_tanh(x), x, lz::at(x = -1.0), 0.0);
    kink("hard_tanh'(0.999)", lz::hard_tanh(x), x, lz::at(x = 0.999), 1.0);
    kink("hard_tanh'(-0.999)", lz::hard_tanh(x), x, lz::at(x = -0.999), 1.0);
    for (double t : {-2.5, -1.0, 0.0, 0.5, 3.0, 1e300}) {
        const auto env = lz::at(x = t, y = t);
        kink("max tie d/dx", lz::max(x, y), x, env, 0.5);
        kink("max tie d/dy", lz::max(x, y), y, env, 0.5);
        kink("min tie d/dx", lz::min(x, y), x, env, 0.5);
        kink("min tie d/dy", lz::min(x, y), y, env, 0.5);
    }
    // max(x, x): both halves of the tie flow back to x.
    kink("max(x, x)'", lz::max(x, x), x, lz::at(x = 1.5), 1.0);
    kink("min(x, x)'", lz::min(x, x), x, lz::at(x = -1.5), 1.0);
    // pow(a, b), ∂/∂b at a = 0: 0 for b ≥ 0 (PyTorch); y·log(a) = −inf for b < 0 (as torch).
    for (double b : {0.0, 0.5, 1.0, 2.0, 3.0})
        kink("pow(0, b) d/db, b >= 0", lz::pow(x, y), y, lz::at(x = 0.0, y = b), 0.0);
    kink("pow(0, -1) d/db", lz::pow(x, y), y, lz::at(x = 0.0, y = -1.0), -inf, by_grad | by_d);
    // pow(a, b), ∂/∂a at a = 0: b·a^(b−1).
    kink("pow(0, 0.5) d/da", lz::pow(x, y), x, lz::at(x = 0.0, y = 0.5), inf);
    kink("pow(0, 1) d/da", lz::pow(x, y), x, lz::at(x = 0.0, y = 1.0), 1.0);
    kink("pow(0, 2) d/da", lz::pow(x, y), x, lz::at(x = 0.0, y = 2.0), 0.0);
    kink("pow(0, 3) d/da", lz::pow(x, y), x, lz::at(x = 0.0, y = 3.0), 0.0);
    kink("pow(0, -1) d/da", lz::pow(x, y), x, lz::at(x = 0.0, y = -1.0), -inf, by_grad | by_d);
    // Literal exponents at 0.
    kink("pow(x, 0.5)'(0)", lz::pow(x, 0.5_c), x, lz::at(x = 0.0), inf);
    kink("pow(x, 1)'(0)", lz::pow(x, 1_c), x, lz::at(x = 0.0), 1.0);
    kink("pow(x, 2)'(0)", lz::pow(x, 2_c), x, lz::at(x = 0.0), 0.0);
    kink("pow(x, 3)'(0)", lz::pow(x, 3_c), x, lz::at(x = 0.0), 0.0);
    kink("pow(x, 1.5)'(0)", lz::pow(x, 1.5_c), x, lz::at(x = 0.0), 0.0);
    kink("pow(x, -2)'(0)", lz::pow(x, -2_c), x, lz::at(x = 0.0), -inf);
    kink("pow(x, 0)'(0)", lz::pow(x, 0_c), x, lz::at(x = 0.0), 0.0, by_d);
    kink("sqrt'(0)", lz::sqrt(x), x, lz::at(x = 0.0), inf);
    // The piecewise ops' derivatives (masks under lz::where) are piecewise constant: derivative 0, also at their kinks.
    kink("step'(0)", lz::step(x), x, lz::at(x = 0.0), 0.0);
    kink("sign'(0)", lz::sign(x), x, lz::at(x = 0.0), 0.0);
    kink("inside_unit'(1)", lz::d(lz::hard_tanh(x), x), x, lz::at(x = 1.0), 0.0);
    kink("inside_unit'(-1)", lz::d(lz::hard_tanh(x), x), x, lz::at(x = -1.0), 0.0);
    kink("max_share'(tie)", lz::d(lz::max(x, y), x), x, lz::at(x = 1.0, y = 1.0), 0.0);
    kink("leaky_step'(0)", lz::d(lz::leaky_relu(x), x), x, lz::at(x = 0.0), 0.0);
}

// ---------------------------------------------------------------- 0·inf and cancellation

// Forward mode along one operand where the other operand's partial is not
// finite: the zero tangent adds nothing (was 0·inf = NaN in dual lift()).
// pow(a, b) at a < 0 has ∂/∂b = y·log(a) = NaN; at a = 0, b < 0 or 0 < b < 1
// one partial is infinite; sqrt(w)·x at w = 0 along x meets sqrt'(0) = inf.
BOOST_AUTO_TEST_CASE(forward_mode_zero_tangent_times_infinite_partial) {
    const double inf = std::numeric_limits<double>::infinity();
    const auto f = lz::pow(x, y);
    const auto env = lz::at(x = -2.0, y = 3.0);  // f = −8, ∂f/∂a = 3·a² = 12, ∂²f/∂a² = 6a = −12
    kink("pow(-2, 3) d/da", f, x, env, 12.0);
    BOOST_TEST(lz::jacobian(f, lz::wrt(x), env)[0] == 12.0);
    BOOST_TEST(lz::hessian(f, lz::wrt(x), env)[0][0] == -12.0);
    // Bound as a dual (nested forward mode): y's zero tangent meets ∂/∂b = NaN.
    using D = lz::dual<double, 1>;
    BOOST_TEST(lz::eval(f, lz::at(x = D::variable(-2.0, 0), y = D{3.0})).d[0] == 12.0);
    kink("pow(0, 0.5) d/db", f, y, lz::at(x = 0.0, y = 0.5), 0.0, by_jvp);
    kink("pow(0, -1) d/da", f, x, lz::at(x = 0.0, y = -1.0), -inf, by_jvp);
    kink("pow(0, -1) d/db", f, y, lz::at(x = 0.0, y = -1.0), -inf, by_jvp);
    // Not only pow: sqrt(w)·x at w = 0, along x. ∂/∂x = sqrt(0) = 0, but w's zero
    // tangent meets sqrt'(0) = inf (a norm at zero is the everyday case).
    const auto s = lz::sqrt(x) * y;
    const auto at_zero = lz::at(x = 0.0, y = 2.0);
    BOOST_TEST(lz::grad(s, y, at_zero) == 0.0);
    BOOST_TEST(lz::jvp(s, at_zero, lz::tangent(y = 1.0)).tangent == 0.0);
    BOOST_TEST(lz::jacobian(s, lz::wrt(y), at_zero)[0] == 0.0);
    BOOST_TEST(lz::hessian(s, lz::wrt(y), at_zero)[0][0] == 0.0);
    // The whole FD set of pow_negative_base (120 points): the jvp along a against FD.
    std::size_t wrong = 0, n = 0;
    for_each_case(binary_cases(), [&](const auto& c) {
        if (c.name != "pow_negative_base") return;
        const auto g = c.build(x, y);
        for (const point& q : c.fd) {
            const double px = q.x, py = q.y;
            const double fd = richardson<double>([&](double v) { return lz::eval(g, lz::at(x = v, y = py)); }, px,
                                                 pow2_floor(c.length_x(px, py) / 1024));
            const double t = lz::jvp(g, lz::at(x = px, y = py), lz::tangent(x = 1.0)).tangent;
            wrong +=
                !(rel_error(t, fd, 1e-3 * (1 + std::abs(lz::eval(g, lz::at(x = px, y = py)))) / std::abs(px)) <= 1e-7);
            ++n;
        }
    });
    BOOST_TEST(wrong == 0u, "pow(a < 0, integer b): jvp along a wrong at " << wrong << " of " << n << " points");
}

// The symbolic ∂/∂b of pow at a = 0 keeps PyTorch's 0 for b ≥ 0 (the formula
// a^b·log(a) alone is NaN there, 0·−inf, and −inf at b = 0).
BOOST_AUTO_TEST_CASE(symbolic_pow_exponent_partial_at_zero_base) {
    for (double b : {0.0, 0.5, 1.0, 2.0, 3.0})
        kink("eval(d(pow(a, b), b)) at a = 0", lz::pow(x, y), y, lz::at(x = 0.0, y = b), 0.0, by_d);
}

// ∂/∂a of a^0 at a = 0: the formula 0·a^(−1) is 0·inf = NaN; PyTorch masks
// exponent == 0 to a zero gradient (torch.pow(0., 0.) and torch.pow(x, 0.0)
// at x = 0 both give grad 0; see ops_reference.csv).
BOOST_AUTO_TEST_CASE(pow_exponent_zero_at_zero_base) {
    kink("pow(0, 0) d/da", lz::pow(x, y), x, lz::at(x = 0.0, y = 0.0), 0.0);
    kink("pow(0, 0) d/db", lz::pow(x, y), y, lz::at(x = 0.0, y = 0.0), 0.0);
    kink("pow(x, 0)'(0)", lz::pow(x, 0_c), x, lz::at(x = 0.0), 0.0, by_grad | by_jvp);
}

// expm1'(a) = exp(a), not y + 1 with y = expm1(a): that cancels for a ≪ 0
// (relative error ≈ eps·e^|a|: 1.7e-9 at a = −20, 2e-4 at −30, and 0 once
// expm1(a) rounds to −1 below a ≈ −37.4). PyTorch uses y + 1.
BOOST_AUTO_TEST_CASE(expm1_derivative_does_not_cancel) {
    for (double a : {-20.0, -30.0, -40.0}) {
        const auto env = lz::at(x = a);
        const double expected = std::exp(a);
        const double g = lz::grad(lz::expm1(x), x, env);
        const double t = lz::jvp(lz::expm1(x), env, lz::tangent(x = 1.0)).tangent;
        BOOST_TEST(rel_error(g, expected) <= 1e-12, "expm1'(" << a << "): grad " << g << ", expected " << expected);
        BOOST_TEST(rel_error(t, expected) <= 1e-12, "expm1'(" << a << "): jvp " << t << ", expected " << expected);
    }
}
