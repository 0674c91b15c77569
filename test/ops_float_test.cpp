// The derivative laws over float leaves (acceptance criterion 10), run over
// every case of op_cases.hpp at its FD points (rounded to float):
//
//   float_law   lz::grad and lz::jvp on float leaves against a central finite
//               difference computed in float (lzt::richardson<float>, step
//               h = 2^⌊log2(L/16)⌋ at the float-rounded point), tolerance 1e-3;
//               and forward == reverse in float, tolerance 1e-6.
//               rel(a, b) = |a − b| / max(|b|, 1e-2·s), s = (1 + |f(x)|)/L.
//               The floor is 10× the double one: a float FD carries an absolute
//               error of about 3·2⁻²⁴·16·s ≈ 3e-6·s from the rounding of f alone.
#define BOOST_TEST_MODULE ops_float
#include <boost/test/unit_test.hpp>

#include "op_cases.hpp"

using namespace lzt;

namespace {

// ---------------------------------------------------------------- float

constexpr double float_fd_tolerance = 1e-3;
constexpr double float_modes_tolerance = 1e-6;

template <class Case>
void float_law(const Case& c) {
    constexpr auto x = X<float>;
    constexpr auto y = Y<float>;
    double worst_fd = 0, worst_fr = 0;
    std::size_t n = 0;
    auto check = [&](const auto& where, double fxy, double g, double t, auto along, double p, double L) {
        const double fd = richardson<float>(along, p, pow2_floor(L / 16));
        const double floor = 1e-2 * (1 + std::abs(fxy)) / L;
        const double eg = rel_error(g, fd, floor), et = rel_error(t, fd, floor), ef = rel_error(t, g, floor);
        worst_fd = std::max({worst_fd, eg, et});
        worst_fr = std::max(worst_fr, ef);
        BOOST_TEST(eg <= float_fd_tolerance, where << ": grad " << g << ", FD " << fd << " (rel " << eg << ")");
        BOOST_TEST(et <= float_fd_tolerance, where << ": jvp " << t << ", FD " << fd << " (rel " << et << ")");
        BOOST_TEST(ef <= float_modes_tolerance, where << ": jvp " << t << " vs grad " << g << " (rel " << ef << ")");
    };
    if constexpr (Case::arity == 1) {
        const auto f = c.build(x);
        for (double pd : c.fd) {
            const float p = static_cast<float>(pd);
            const double fp = lz::eval(f, lz::at(x = p));
            if (!std::isfinite(fp)) continue;
            const auto env = lz::at(x = p);
            const float g = lz::grad(f, x, env);
            const float t = lz::jvp(f, env, lz::tangent(x = 1.0f)).tangent;
            check(std::string(c.name) + "'(" + std::to_string(p) + ") in float", fp, g, t,
                  [&](float v) { return lz::eval(f, lz::at(x = v)); }, p, c.length(p));
            ++n;
        }
    } else {
        const auto f = c.build(x, y);
        for (auto [pxd, pyd] : c.fd) {
            const float px = static_cast<float>(pxd), py = static_cast<float>(pyd);
            const auto env = lz::at(x = px, y = py);
            const double fp = lz::eval(f, env);
            if (!std::isfinite(fp)) continue;
            const auto [gx, gy] = lz::grad(f, lz::wrt(x, y), env);
            const float tx = lz::jvp(f, env, lz::tangent(x = 1.0f)).tangent;
            const float ty = lz::jvp(f, env, lz::tangent(y = 1.0f)).tangent;
            const std::string where = std::string(c.name) + "(" + std::to_string(px) + ", " + std::to_string(py) + ")";
            check(where + " d/dx in float", fp, gx, tx,
                  [&](float v) { return lz::eval(f, lz::at(x = v, y = py)); }, px, c.length_x(px, py));
            if (c.fd_y)
                check(where + " d/dy in float", fp, gy, ty,
                      [&](float v) { return lz::eval(f, lz::at(x = px, y = v)); }, py, c.length_y(px, py));
            ++n;
        }
    }
    BOOST_TEST(n >= 100, c.name << ": only " << n << " float points");
    BOOST_TEST_MESSAGE(summary("float", c.name, n, "vs FD", worst_fd, "jvp vs grad", worst_fr));
}

}  // namespace

BOOST_AUTO_TEST_CASE(unary_ops_in_float) {
    for_each_case(unary_cases(), [](const auto& c) { float_law(c); });
}

BOOST_AUTO_TEST_CASE(binary_ops_in_float) {
    for_each_case(binary_cases(), [](const auto& c) { float_law(c); });
}
