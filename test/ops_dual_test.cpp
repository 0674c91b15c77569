// The derivative laws with lz::dual<double, 1> as the scalar (acceptance
// criterion 10): nested forward mode. Run over every case of op_cases.hpp at
// its FD points, with x bound to dual::variable(p, 0) (for a binary op, once
// along x with y a constant dual, once along y):
//
//   eval      → value == eval in double, tangent == jvp in double
//   grad      → value == grad in double; tangent == d²f/dx² (forward over
//               reverse), checked against lz::hessian and against the FD of
//               grad in double (lzt::richardson, h = 2^⌊log2(L/1024)⌋,
//               rel = |a − b| / max(|b|, 1e-3·s), s = (1 + |f'(x)|)/L,
//               tolerance 1e-7)
//   jvp       → its tangent (a dual) == grad (a dual), both parts
// The "exact" comparisons: rel = |a − b| / |b| (NaN == NaN), tolerance 1e-12.
#define BOOST_TEST_MODULE ops_dual
#include <boost/test/unit_test.hpp>

#include "op_cases.hpp"

using namespace lzt;

namespace {

using D = lz::dual<double, 1>;

// ---------------------------------------------------------------- dual<double, 1>

constexpr double second_fd_tolerance = 1e-7;
constexpr double exact_tolerance = 1e-12;

template <class Case>
void dual_law(const Case& c) {
    constexpr auto x = X<double>;
    constexpr auto y = Y<double>;
    double worst_exact = 0, worst_fd = 0;
    std::size_t n = 0;
    // floor: second derivatives computed in two orders (forward over forward,
    // forward over reverse) may cancel differently where they are near 0 (σ''
    // at 0); there the error is measured against the first derivative's scale.
    auto same = [&](double a, double b, const std::string& what, double floor = 0.0) {
        const double e = rel_error(a, b, floor);
        worst_exact = std::max(worst_exact, e);
        BOOST_TEST(e <= exact_tolerance, what << ": " << a << " vs " << b << " (rel " << e << ")");
    };
    // The law along one leaf `w` (x or y), the other leaf `o` held at its value.
    auto along = [&](auto f, auto w, auto o, double pw, double po, double L, const std::string& where) {
        const auto env = lz::at(w = pw, o = po);
        const auto denv = lz::at(w = D::variable(pw, 0), o = D{po});
        // eval on duals: value and tangent.
        const D v = lz::eval(f, denv);
        const double t = lz::jvp(f, env, lz::tangent(w = 1.0)).tangent;
        same(v.v, lz::eval(f, env), where + " eval(dual).v vs eval");
        same(v.d[0], t, where + " eval(dual).d vs jvp");
        // grad on duals: the gradient and its derivative (forward over reverse).
        const D g = lz::grad(f, w, denv);
        const double g0 = lz::grad(f, w, env);
        same(g.v, g0, where + " grad(dual).v vs grad");
        same(g.d[0], lz::hessian(f, lz::wrt(w), env)[0][0], where + " grad(dual).d vs hessian", 1e-3 * std::abs(g0));
        const double fd = richardson<double>([&](double s) { return lz::grad(f, w, lz::at(w = s, o = po)); }, pw,
                                             pow2_floor(L / 1024));
        const double e = rel_error(g.d[0], fd, 1e-3 * (1 + std::abs(g0)) / L);
        worst_fd = std::max(worst_fd, e);
        BOOST_TEST(e <= second_fd_tolerance,
                   where << " d2: grad(dual).d " << g.d[0] << ", FD of grad " << fd << " (rel " << e << ")");
        // jvp on duals == grad on duals.
        const D jt = lz::jvp(f, denv, lz::tangent(w = 1.0)).tangent;
        same(jt.v, g.v, where + " jvp(dual).v vs grad(dual).v");
        same(jt.d[0], g.d[0], where + " jvp(dual).d vs grad(dual).d", 1e-3 * std::abs(g0));
    };
    if constexpr (Case::arity == 1) {
        // A unary op as a binary expression f(x) + 0·y would change the graph;
        // bind only x instead.
        const auto f = c.build(x);
        for (double p : c.fd) {
            const auto env = lz::at(x = p);
            const auto denv = lz::at(x = D::variable(p, 0));
            const std::string where = std::string(c.name) + "(" + std::to_string(p) + ")";
            const D v = lz::eval(f, denv);
            same(v.v, lz::eval(f, env), where + " eval(dual).v vs eval");
            same(v.d[0], lz::jvp(f, env, lz::tangent(x = 1.0)).tangent, where + " eval(dual).d vs jvp");
            const D g = lz::grad(f, x, denv);
            const double g0 = lz::grad(f, x, env);
            same(g.v, g0, where + " grad(dual).v vs grad");
            same(g.d[0], lz::hessian(f, lz::wrt(x), env)[0][0], where + " grad(dual).d vs hessian", 1e-3 * std::abs(g0));
            const double L = c.length(p);
            const double fd = richardson<double>([&](double s) { return lz::grad(f, x, lz::at(x = s)); }, p,
                                                 pow2_floor(L / 1024));
            const double e = rel_error(g.d[0], fd, 1e-3 * (1 + std::abs(g0)) / L);
            worst_fd = std::max(worst_fd, e);
            BOOST_TEST(e <= second_fd_tolerance, where << " d2: grad(dual).d " << g.d[0] << ", FD of grad " << fd
                                                      << " (rel " << e << ")");
            const D jt = lz::jvp(f, denv, lz::tangent(x = 1.0)).tangent;
            same(jt.v, g.v, where + " jvp(dual).v vs grad(dual).v");
            same(jt.d[0], g.d[0], where + " jvp(dual).d vs grad(dual).d", 1e-3 * std::abs(g0));
            ++n;
        }
    } else {
        const auto f = c.build(x, y);
        for (const point& q : c.fd) {
            const double px = q.x, py = q.y;
            const auto [gx, gy] = lz::grad(f, lz::wrt(x, y), lz::at(x = px, y = py));
            const std::string where = std::string(c.name) + "(" + std::to_string(px) + ", " + std::to_string(py) + ")";
            // Also where the other operand's partial is not finite (its zero tangent adds nothing).
            if (std::isfinite(gx)) along(f, x, y, px, py, c.length_x(px, py), where + " along x");
            if (c.fd_y && std::isfinite(gy)) along(f, y, x, py, px, c.length_y(px, py), where + " along y");
            ++n;
        }
    }
    BOOST_TEST(n >= 100, c.name << ": only " << n << " dual points");
    BOOST_TEST_MESSAGE(summary("dual", c.name, n, "exact", worst_exact, "d2 vs FD", worst_fd));
}

}  // namespace

BOOST_AUTO_TEST_CASE(unary_ops_on_duals) {
    for_each_case(unary_cases(), [](const auto& c) { dual_law(c); });
}

BOOST_AUTO_TEST_CASE(binary_ops_on_duals) {
    for_each_case(binary_cases(), [](const auto& c) { dual_law(c); });
}
