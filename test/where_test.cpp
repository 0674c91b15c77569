// Comparisons (a < b, ..., a != b, against literals too) and lz::where(m, a, b).
//   scalars   values against plain C++ over a grid with ties; gradients against
//             central differences away from the switch; jvp = ⟨grad, t⟩;
//             eval(d) = grad; second derivatives (hessian, on duals) against
//             central differences of the gradient; at the switch the adjoint
//             goes to the selected branch only (torch.where); a mask has no
//             gradient; printing, LaTeX, explain; the derivatives of the
//             piecewise ops as lz::d builds them, printed
//   tensors   the tensor laws (tensor_laws.hpp: values against plain loops,
//             grad against central differences, jvp, ⟨u, J·v⟩ = ⟨v, Jᵀ·u⟩,
//             float against double) in the fused SIMD loops, with broadcasting
//             of all three operands and a rank-0 mask
#define BOOST_TEST_MODULE where
#include "tensor_laws.hpp"

using namespace lz::literals;
using lzt::elementwise;
using lzt::family;
template <std::size_t... E>
using sh = lz::shape<E...>;
constexpr auto dyn = lz::dyn;

BOOST_TEST_GLOBAL_FIXTURE(lzt_report);

namespace {

constexpr auto x = lz::var<"x">;
constexpr auto y = lz::var<"y">;

// Values with ties (x == y) and signed zeros.
const std::vector<double>& grid() {
    static const std::vector<double> g{-2.5, -1.0, -0.25, -0.0, 0.0, 0.25, 1.0, 1.5, 2.5};
    return g;
}

bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

// Value, gradient (central differences, h = 1e-6, only where no switch lies
// within 1e-3 of the point), jvp = ⟨grad, t⟩, eval(d) = grad and the hessian
// (against central differences of the gradient) of f(x, y), against
// reference(x, y) in plain C++; switch(x, y) is the distance to the nearest switch.
template <class F, class Ref, class Switch>
void check_scalar(const char* what, F f, Ref reference, Switch distance) {
    std::size_t fd_points = 0;
    for (double a : grid())
        for (double b : grid()) {
            const auto env = lz::at(x = a, y = b);
            BOOST_TEST(same(lz::eval(f, env), reference(a, b)), what << " at (" << a << ", " << b << ")");
            if (distance(a, b) < 1e-3) continue;
            ++fd_points;
            const double h = 1e-6;
            const double fx = (reference(a + h, b) - reference(a - h, b)) / (2 * h);
            const double fy = (reference(a, b + h) - reference(a, b - h)) / (2 * h);
            const auto [gx, gy] = lz::grad(f, lz::wrt(x, y), env);
            BOOST_TEST(std::abs(gx - fx) <= 1e-6 * (1 + std::abs(fx)), what << " d/dx at (" << a << ", " << b << ")");
            BOOST_TEST(std::abs(gy - fy) <= 1e-6 * (1 + std::abs(fy)), what << " d/dy at (" << a << ", " << b << ")");
            const double tx = 0.75, ty = -1.25;
            const double t = lz::jvp(f, env, lz::tangent(x = tx, y = ty)).tangent;
            BOOST_TEST(std::abs(t - (gx * tx + gy * ty)) <= 1e-12 * (1 + std::abs(t)), what << " jvp");
            BOOST_TEST(std::abs(lz::eval(lz::d(f, x), env) - gx) <= 1e-14 * (1 + std::abs(gx)), what << " eval(d/dx)");
            BOOST_TEST(std::abs(lz::eval(lz::d(f, y), env) - gy) <= 1e-14 * (1 + std::abs(gy)), what << " eval(d/dy)");
            // Second derivatives: the hessian (forward over reverse, on duals)
            // against central differences of the gradient.
            const auto hs = lz::hessian(f, lz::wrt(x, y), env);
            const auto [gxp, gyp] = lz::grad(f, lz::wrt(x, y), lz::at(x = a + h, y = b));
            const auto [gxm, gym] = lz::grad(f, lz::wrt(x, y), lz::at(x = a - h, y = b));
            BOOST_TEST(std::abs(hs[0][0] - (gxp - gxm) / (2 * h)) <= 1e-5 * (1 + std::abs(hs[0][0])), what << " hessian xx");
            BOOST_TEST(std::abs(hs[1][0] - (gyp - gym) / (2 * h)) <= 1e-5 * (1 + std::abs(hs[1][0])), what << " hessian yx");
        }
    BOOST_TEST(fd_points >= 40u, what << ": only " << fd_points << " points away from the switch");
}

}  // namespace

BOOST_AUTO_TEST_CASE(comparisons_are_masks_without_gradient) {
    for (double a : grid())
        for (double b : grid()) {
            const auto env = lz::at(x = a, y = b);
            BOOST_TEST(lz::eval(x < y, env) == (a < b ? 1.0 : 0.0));
            BOOST_TEST(lz::eval(x <= y, env) == (a <= b ? 1.0 : 0.0));
            BOOST_TEST(lz::eval(x > y, env) == (a > b ? 1.0 : 0.0));
            BOOST_TEST(lz::eval(x >= y, env) == (a >= b ? 1.0 : 0.0));
            BOOST_TEST(lz::eval(x == y, env) == (a == b ? 1.0 : 0.0));
            BOOST_TEST(lz::eval(x != y, env) == (a != b ? 1.0 : 0.0));
            BOOST_TEST(lz::eval(x > 0_c, lz::lenient(env)) == (a > 0 ? 1.0 : 0.0));
            BOOST_TEST(lz::eval(0.25_c >= x, lz::lenient(env)) == (0.25 >= a ? 1.0 : 0.0));
            // No gradient, no tangent: the zero is exact.
            const auto [gx, gy] = lz::grad((x < y) + (x >= y), lz::wrt(x, y), env);
            BOOST_TEST((gx == 0.0 && gy == 0.0));
            BOOST_TEST(lz::jvp(x == y, env, lz::tangent(x = 1.0, y = 2.0)).tangent == 0.0);
        }
    static_assert(std::is_same_v<decltype(lz::d(x < y, x)), lz::zero_t>);
    static_assert(std::is_same_v<decltype(lz::d(lz::where(x < y, 1_c, 0_c), y)), lz::zero_t>);
}

BOOST_AUTO_TEST_CASE(where_on_scalars) {
    check_scalar(
        "where(x > y, x*x, 3*y)", lz::where(x > y, x * x, 3_c * y),
        [](double a, double b) { return a > b ? a * a : 3 * b; }, [](double a, double b) { return std::abs(a - b); });
    check_scalar(
        "where(x <= 0, sin(y), x*y)", lz::where(x <= 0_c, lz::sin(y), x * y),
        [](double a, double b) { return a <= 0 ? std::sin(b) : a * b; }, [](double a, double) { return std::abs(a); });
    check_scalar(
        "where(x != y, exp(x - y), y) + where(x < 1, x, 2)",
        lz::where(x != y, lz::exp(x - y), y) + lz::where(x < 1_c, x, 2_c),
        [](double a, double b) { return (a != b ? std::exp(a - b) : b) + (a < 1 ? a : 2.0); },
        [](double a, double b) { return std::min(std::abs(a - b), std::abs(a - 1)); });
    check_scalar(
        "where(x == y, x, y*y)", lz::where(x == y, x, y * y), [](double a, double b) { return a == b ? a : b * b; },
        [](double a, double b) { return std::abs(a - b); });
    check_scalar(
        "where(x >= y, x, y) (max)", lz::where(x >= y, x, y), [](double a, double b) { return a >= b ? a : b; },
        [](double a, double b) { return std::abs(a - b); });
    // A mask that is not a comparison: non-zero selects a.
    check_scalar(
        "where(x*y, x, -y)", lz::where(x * y, x, -y), [](double a, double b) { return a * b != 0 ? a : -b; },
        [](double a, double b) { return std::min(std::abs(a), std::abs(b)); });
}

// At the switch the adjoint goes to the selected operand only, as torch.where's.
BOOST_AUTO_TEST_CASE(where_at_the_switch) {
    const auto env = lz::at(x = 1.0, y = 1.0);
    constexpr auto f = lz::where(x > y, x, 2_c * y);  // a tie: y's branch
    const auto [gx, gy] = lz::grad(f, lz::wrt(x, y), env);
    BOOST_TEST(gx == 0.0);
    BOOST_TEST(gy == 2.0);
    BOOST_TEST(lz::jvp(f, env, lz::tangent(x = 1.0, y = 1.0)).tangent == 2.0);
    BOOST_TEST(lz::eval(lz::d(f, y), env) == 2.0);
    // Forward mode on dual numbers, through the sweeps and through the op's value.
    using dual = lz::dual<double, 2>;
    const auto [dx, dy] = lz::grad(f, lz::wrt(x, y), lz::at(x = dual::variable(1.5, 0), y = dual::variable(1.0, 1)));
    BOOST_TEST((dx.v == 1.0 && dy.v == 0.0 && dx.d[0] == 0.0 && dy.d[1] == 0.0));
    const dual v = lz::eval(f, lz::at(x = dual::variable(1.5, 0), y = dual::variable(1.0, 1)));
    BOOST_TEST((v.v == 1.5 && v.d[0] == 1.0 && v.d[1] == 0.0));
}

BOOST_AUTO_TEST_CASE(printing) {
    BOOST_TEST(lz::to_string(lz::where(x > 0_c, x, 0.5_c * y)) == "where(x > 0, x, 0.5*y)");
    BOOST_TEST(lz::to_string(lz::where(x + y <= 1_c, 1_c, 0_c)) == "[x + y <= 1]");
    BOOST_TEST(lz::to_string((x == y) * x + (x != y)) == "(x == y)*x + (x != y)");
    BOOST_TEST(lz::to_string(x < y) == "x < y");
    BOOST_TEST(lz::to_string(x >= 2_c * y) == "x >= 2*y");
    BOOST_TEST(lz::to_latex(lz::where(x <= y, x, y)) == "\\operatorname{where}\\left(x \\leq y, x, y\\right)");
    BOOST_TEST(lz::to_latex(lz::where(x != y, 1_c, 0_c)) == "\\left[x \\neq y\\right]");
    // The piecewise ops' derivatives, as lz::d builds them.
    BOOST_TEST(lz::to_string(lz::d(lz::relu(x), x)) == "[x > 0]");
    BOOST_TEST(lz::to_string(lz::d(lz::leaky_relu(x, 0.2_c), x)) == "where(x > 0, 1, 0.2)");
    BOOST_TEST(lz::to_string(lz::d(lz::hard_tanh(x), x)) == "[|x| < 1]");
    BOOST_TEST(lz::to_string(lz::d(lz::max(x, y), x)) == "[x > y] + 0.5*[x == y]");
    BOOST_TEST(lz::to_string(lz::d(lz::min(x, y), y)) == "[y < x] + 0.5*[y == x]");
    BOOST_TEST(lz::to_string(lz::d(lz::where(x > y, x * x, y), x)) == "2*[x > y]*x");
    // explain: the mask's edges pass 0 (the adjoint is −0, printed as 0).
    const std::string text = lz::explain(lz::where(x > y, x * x, y), lz::wrt(x, y), lz::at(x = 1.5, y = 0.5));
    for (const char* line : {"v1 = x > y = 1", "= where(v1, v2, y) = 2.25", "∂f/∂v2 = [v1 ≠ 0] = 1",
                             "∂f/∂y = [v1 = 0] = 0", "∂v1/∂x = 0"})
        BOOST_TEST((text.find(line) != std::string::npos), "explain lacks \"" << line << "\":\n" << text);
    BOOST_TEST((text.find("-0") == std::string::npos), text);
}

// ---------------------------------------------------------------- tensors

BOOST_AUTO_TEST_CASE(where_on_tensors) {
    using vec = sh<dyn>;
    lzt::check_all(
        "where", {1, 3, 17, 64},
        family<vec, vec>("where(a > b, a*b, a - b)", [](auto a, auto b) { return lz::where(a > b, a * b, a - b); },
                         elementwise([](double a, double b) { return a > b ? a * b : a - b; })),
        family<vec, vec>("where(a < b, exp(a), b) + where(a >= b, a, 0)",
                         [](auto a, auto b) { return lz::where(a < b, lz::exp(a), b) + lz::where(a >= b, a, 0_c); },
                         elementwise([](double a, double b) { return (a < b ? std::exp(a) : b) + (a >= b ? a : 0.0); })),
        family<vec, vec>("where(a <= 0, -a, a*b) + where(a != b, b, a) + where(a == b, a, 0)",
                         [](auto a, auto b) {
                             return lz::where(a <= 0_c, -a, a * b) + lz::where(a != b, b, a) + lz::where(a == b, a, 0_c);
                         },
                         elementwise([](double a, double b) {
                             return (a <= 0 ? -a : a * b) + (a != b ? b : a) + (a == b ? a : 0.0);
                         })),
        // All three operands broadcast: mask [17] against [dyn,3,17] and [3,1].
        family<sh<dyn, 3, 17>, sh<3, 1>, sh<17>>(
            "where(c >= b, a*c, b) [dyn,3,17] [3,1] [17]", [](auto a, auto b, auto c) { return lz::where(c >= b, a * c, b); },
            elementwise([](double a, double b, double c) { return c >= b ? a * c : b; })),
        // A rank-0 mask: one branch for the whole tensor.
        family<sh<>, sh<dyn, 17>, sh<17>>(
            "where(s > 0, a, b) s scalar", [](auto s, auto a, auto b) { return lz::where(s > 0_c, a, b); },
            elementwise([](double s, double a, double b) { return s > 0 ? a : b; })));
}
