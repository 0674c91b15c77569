// The notes' optimization theory as tests, on lz::optim's full-batch methods
// and rules (issue 11, item 5):
//  - gradient descent with step 1/L on an L-smooth, μ-PL function satisfies
//    f(x_t) − f* ≤ (1 − μ/L)^t (f(x₀) − f*) at every step (Karimi, Nutini and
//    Schmidt 2016; f = x² + 3 sin²x, L = 8, μ = 1/32, f* = 0, not convex);
//  - Nesterov needs far fewer steps than gradient descent on an ill-conditioned
//    quadratic (κ = 100: O(√κ) against O(κ));
//  - Newton's method converges quadratically near a minimum;
//  - backtracking (Armijo) steps satisfy the Armijo condition and decrease f;
//  - steepest descent with the exact line search on a quadratic makes
//    successive gradients orthogonal and decreases f by at least the
//    Kantorovich factor ((κ − 1)/(κ + 1))² per step.
#define BOOST_TEST_MODULE optim_theory
#include <boost/test/unit_test.hpp>

#include <leibniz/leibniz.hpp>
#include <leibniz/optim/optim.hpp>

#include <cmath>

namespace lz = leibniz;
namespace opt = lz::optim;
using namespace lz::literals;

namespace {
constexpr auto x = lz::param<"x", double>;
constexpr auto y = lz::param<"y", double>;
constexpr auto k = lz::var<"k", double>;  // a quadratic's curvature in y
}  // namespace

BOOST_AUTO_TEST_CASE(gradient_descent_on_a_pl_function_meets_the_linear_rate) {
    constexpr auto f = x * x + 3_c * lz::pow(lz::sin(x), 2_c);
    lz::parameters params{f};
    params[x] = 3.0;
    const auto env = lz::at(params);
    lz::workspace ws{f};
    constexpr double L = 8, mu = 1.0 / 32;
    opt::optimizer<opt::sgd<double>> gd{params, {.lr = 1 / L}};
    const double f0 = lz::value_and_grad(f, params, env, ws).value;
    double worst = 0;  // the largest (f(x_t) − f*) / bound_t
    for (int t = 1; t <= 60; ++t) {
        gd.step(params, lz::grad(f, params, env, ws));
        const double ft = lz::value_and_grad(f, params, env, ws).value;
        const double bound = std::pow(1 - mu / L, t) * f0;
        worst = std::max(worst, ft / bound);
        BOOST_TEST(ft <= bound, "step " << t << ": f = " << ft << " > " << bound);
    }
    BOOST_TEST_MESSAGE("PL: the largest f_t / bound_t " << worst);
}

BOOST_AUTO_TEST_CASE(nesterov_beats_gradient_descent_on_an_ill_conditioned_quadratic) {
    constexpr auto f = 0.5_c * x * x + 0.5_c * k * y * y;  // κ = k = 100, L = 100
    constexpr double kappa = 100, L = 100;
    const double momentum = (std::sqrt(kappa) - 1) / (std::sqrt(kappa) + 1);
    auto steps_to = [&](auto make, bool lookahead) {
        lz::parameters params{f};
        params[x] = 1.0;
        params[y] = 1.0;
        const auto env = lz::at(params, k = kappa);
        lz::workspace ws{f};
        auto o = make(params);
        for (int t = 1; t <= 5000; ++t) {
            if constexpr (requires { o.step(params, f, env, ws); }) {
                o.step(params, f, env, ws);
            } else {
                o.step(params, lz::grad(f, params, env, ws));
            }
            if (lz::value_and_grad(f, params, env, ws).value < 1e-6) return t;
        }
        (void)lookahead;
        return 5001;
    };
    const int gd = steps_to([&](auto& p) { return opt::optimizer<opt::sgd<double>>{p, {.lr = 1 / L}}; }, false);
    const int nesterov = steps_to(
        [&](auto& p) {
            return opt::optimizer<opt::sgd<double>>{p, {.lr = 1 / L, .momentum = momentum, .nesterov = true}};
        },
        false);
    const int lookahead = steps_to(
        [&](auto& p) { return opt::optimizer<opt::nesterov_lookahead<double>>{p, {.lr = 1 / L, .momentum = momentum}}; },
        true);
    BOOST_TEST_MESSAGE("steps to f < 1e-6: gradient descent " << gd << ", Nesterov (torch's form) " << nesterov
                                                              << ", Nesterov (the notes' look-ahead) " << lookahead);
    BOOST_TEST(gd > 3 * nesterov);
    BOOST_TEST(gd > 3 * lookahead);
}

BOOST_AUTO_TEST_CASE(newton_converges_quadratically) {
    // exp(x + y) + x² + 2y²: strictly convex, minimum where the gradient vanishes.
    constexpr auto f = lz::exp(x + y) + x * x + 2_c * y * y;
    lz::parameters params{f};
    params[x] = 1.0;
    params[y] = -0.5;
    const auto env = lz::at(params);
    std::vector<double> norms;
    for (int t = 0; t < 8; ++t) norms.push_back(std::sqrt(opt::newton_step(params, f, env)));
    // ‖g_{t+1}‖ ≤ C ‖g_t‖² once close, with a constant of order ‖H⁻¹‖·‖∇H‖; the digits double.
    int quadratic_steps = 0;
    for (std::size_t t = 0; t + 1 < norms.size(); ++t) {
        BOOST_TEST_MESSAGE("Newton: |g_" << t << "| = " << norms[t]);
        if (norms[t] < 1e-1 && norms[t + 1] > 1e-13) {
            BOOST_TEST(norms[t + 1] <= 5 * norms[t] * norms[t], "step " << t);
            ++quadratic_steps;
        }
    }
    BOOST_TEST(quadratic_steps >= 2);
    BOOST_TEST(norms.back() <= 1e-13);
}

BOOST_AUTO_TEST_CASE(backtracking_steps_satisfy_armijo_and_descend) {
    constexpr auto f = lz::pow(1_c - x, 2_c) + 100_c * lz::pow(y - x * x, 2_c);  // Rosenbrock
    lz::parameters params{f};
    params[x] = -1.2;
    params[y] = 1.0;
    const auto env = lz::at(params);
    lz::workspace ws{f};
    opt::backtracking_descent<double> gd{params, {.initial_step = 1, .c1 = 1e-4, .shrink = 0.5}};
    double first = 0, last = 0;
    for (int t = 0; t < 2000; ++t) {
        const auto r = gd.step(params, f, env, ws);
        if (t == 0) first = r.value_before;
        last = r.value;
        BOOST_TEST(r.accepted);
        BOOST_TEST(r.value <= r.value_before - 1e-4 * r.step * r.grad_norm2);
    }
    BOOST_TEST_MESSAGE("Armijo on Rosenbrock: f from " << first << " to " << last << " in 2000 steps");
    BOOST_TEST(last < 1e-2 * first);
}

BOOST_AUTO_TEST_CASE(exact_line_search_on_a_quadratic) {
    constexpr auto f = 0.5_c * x * x + 0.5_c * k * y * y;
    constexpr double kappa = 10;
    lz::parameters params{f};
    params[x] = 1.0;
    params[y] = 0.3;
    const auto env = lz::at(params, k = kappa);
    lz::workspace ws{f};
    const double rate = std::pow((kappa - 1) / (kappa + 1), 2);
    auto gradient = [&] {
        const auto g = lz::grad(f, params, env, ws);
        return std::array<double, 2>{g[x], g[y]};
    };
    auto g_prev = gradient();
    for (int t = 0; t < 20; ++t) {
        const auto r = opt::exact_quadratic_step(params, f, env, ws);
        const auto g = gradient();
        const double cosine = (g[0] * g_prev[0] + g[1] * g_prev[1]) /
                              (std::hypot(g[0], g[1]) * std::hypot(g_prev[0], g_prev[1]));
        BOOST_TEST(std::abs(cosine) <= 1e-9, "step " << t << ": successive gradients at cos " << cosine);
        BOOST_TEST(r.value <= rate * r.value_before * (1 + 1e-12));
        g_prev = g;
    }
}
