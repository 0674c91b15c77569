// Derivatives of every op against finite differences, in double (acceptance
// criterion 2). The law is written once, over an op-building lambda, and run
// over every case of op_cases.hpp:
//
//   fd_law          reverse (lz::grad) and forward (lz::jvp) derivatives against
//                   central finite differences with Richardson extrapolation, at
//                   ≥ 100 points per op away from kinks and ties (every partial
//                   of the binary ops).
//
// (Forward vs reverse vs symbolic, and the kinks: ops_modes_test.cpp. Float and
// dual scalars: ops_float_test.cpp, ops_dual_test.cpp.)
//
// The finite difference (see lzt::richardson): with L the op's local length
// scale at x (1 for exp/sin/tanh/...; |x| for power-like ops and for the
// distance to a kink; π/2 − |x| for tan; 1 + x for log1p), the step is
// h = 2^⌊log2(L/1024)⌋ and
//     D(s) = (f(x + s) − f(x − s)) / ((x + s) − (x − s)),   FD = (4·D(h/2) − D(h)) / 3,
// an O(h⁴) estimate: truncation ≈ (h/L)⁴/480 ≈ 2e-15 relative, rounding ≈
// 1e-13·|f|/(L·|f'|).
//
// Relative error, the exact definition used below:
//     rel(a, b) = |a − b| / max(|b|, 1e-3·s),   s = (1 + |f(x)|) / L
// b the FD estimate, a the derivative under test; the floor 1e-3·s only matters
// where |f'| is below 1e-3 of the function's natural slope (1 + |f|)/L (e.g.
// sin' near π/2, sigmoid' at ±30), where the FD has no relative accuracy.
// Tolerance: 1e-7.
#define BOOST_TEST_MODULE ops_derivatives
#include <boost/test/unit_test.hpp>

#include "op_cases.hpp"

#include <limits>

using namespace lzt;

namespace {

constexpr double fd_tolerance = 1e-7;

constexpr auto x = X<double>;
constexpr auto y = Y<double>;


// ---------------------------------------------------------------- fd_law

template <class Case>
void fd_law(const Case& c) {
    double worst_grad = 0, worst_jvp = 0;
    std::size_t n = 0;
    if constexpr (Case::arity == 1) {
        const auto f = c.build(x);
        auto value = [&](double v) { return lz::eval(f, lz::at(x = v)); };
        for (double p : c.fd) {
            const auto env = lz::at(x = p);
            const double L = c.length(p);
            const double fd = richardson<double>(value, p, pow2_floor(L / 1024));
            const double floor = 1e-3 * (1 + std::abs(value(p))) / L;
            const double g = lz::grad(f, x, env);
            const double t = lz::jvp(f, env, lz::tangent(x = 1.0)).tangent;
            const double eg = rel_error(g, fd, floor), et = rel_error(t, fd, floor);
            worst_grad = std::max(worst_grad, eg);
            worst_jvp = std::max(worst_jvp, et);
            ++n;
            BOOST_TEST(eg <= fd_tolerance,
                       c.name << "'(" << p << "): grad " << g << ", FD " << fd << " (rel " << eg << ")");
            BOOST_TEST(et <= fd_tolerance,
                       c.name << "'(" << p << "): jvp " << t << ", FD " << fd << " (rel " << et << ")");
        }
    } else {
        const auto f = c.build(x, y);
        for (const point& q : c.fd) {
            const double px = q.x, py = q.y;  // (clang 14 cannot capture structured bindings)
            const auto env = lz::at(x = px, y = py);
            const auto [gx, gy] = lz::grad(f, lz::wrt(x, y), env);
            const double tx = lz::jvp(f, env, lz::tangent(x = 1.0)).tangent;
            const double ty = lz::jvp(f, env, lz::tangent(y = 1.0)).tangent;
            const double fxy = lz::eval(f, env);
            auto along_x = [&](double v) { return lz::eval(f, lz::at(x = v, y = py)); };
            auto along_y = [&](double v) { return lz::eval(f, lz::at(x = px, y = v)); };
            // Both modes everywhere, also where the other operand's partial is
            // not finite (pow's ∂/∂b at a < 0): its zero tangent contributes nothing.
            auto check = [&](const char* dir, double g, double t, auto along, double p, double L) {
                const double fd = richardson<double>(along, p, pow2_floor(L / 1024));
                const double floor = 1e-3 * (1 + std::abs(fxy)) / L;
                const double eg = rel_error(g, fd, floor), et = rel_error(t, fd, floor);
                worst_grad = std::max(worst_grad, eg);
                BOOST_TEST(eg <= fd_tolerance, "d" << c.name << "/d" << dir << "(" << px << ", " << py << "): grad "
                                                   << g << ", FD " << fd << " (rel " << eg << ")");
                worst_jvp = std::max(worst_jvp, et);
                BOOST_TEST(et <= fd_tolerance, "d" << c.name << "/d" << dir << "(" << px << ", " << py << "): jvp " << t
                                                   << ", FD " << fd << " (rel " << et << ")");
            };
            check("x", gx, tx, along_x, px, c.length_x(px, py));
            if (c.fd_y) check("y", gy, ty, along_y, py, c.length_y(px, py));
            ++n;
        }
    }
    BOOST_TEST(n >= 100, c.name << ": only " << n << " FD points");
    BOOST_TEST_MESSAGE(summary("fd", c.name, n, "grad", worst_grad, "jvp", worst_jvp));
}

}  // namespace

BOOST_AUTO_TEST_CASE(unary_ops_against_finite_differences) {
    for_each_case(unary_cases(), [](const auto& c) { fd_law(c); });
}

BOOST_AUTO_TEST_CASE(binary_ops_against_finite_differences) {
    for_each_case(binary_cases(), [](const auto& c) { fd_law(c); });
}
