#pragma once
// Full-batch gradient descent with a line search (the notes' methods):
//
//   lz::optim::backtracking_descent gd{params, {.initial_step = 1, .c1 = 1e-4, .shrink = 0.5}};
//   const auto r = gd.step(params, loss, env, ws);   // Armijo backtracking
//   const auto r = lz::optim::exact_quadratic_step(params, loss, env, ws);  // exact, on quadratics
//
// backtracking_descent::step: θ ← θ − α g with α the first of α₀, α₀ρ, α₀ρ², ...
// that satisfies the Armijo condition f(θ − α g) ≤ f(θ) − c₁ α ‖g‖² (at most
// max_backtracks halvings; then the last α is taken and `accepted` is false).
// exact_quadratic_step: the minimiser of f along −g for a quadratic f,
// α* = ‖g‖² / gᵀHg, with gᵀHg = gᵀ(g − ∇f(θ − g)) (exact for a quadratic).
// Both evaluate f with lz::value_and_grad(loss, params, env, ws): env must
// bind the store (lz::at(params, ...)). The scratch (θ and g) is allocated
// at construction.

#include <leibniz/core/parameters.hpp>
#include <leibniz/core/reverse.hpp>

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <vector>

namespace leibniz::optim {

struct line_search_result {
    double value_before = 0;  // f(θ)
    double value = 0;         // f at the new θ
    double step = 0;          // α
    double grad_norm2 = 0;    // ‖∇f(θ)‖²
    int evaluations = 0;      // of f (each with its gradient)
    bool accepted = true;     // the Armijo condition held
};

struct armijo {
    double initial_step = 1.0;
    double c1 = 1e-4;
    double shrink = 0.5;
    int max_backtracks = 60;
};

template <class T = double>
class backtracking_descent {
public:
    template <class Leaves>
    explicit backtracking_descent(const parameters<Leaves>&, armijo options = {})
        : options_(options), theta_(parameters<Leaves>::size()), g_(parameters<Leaves>::size()) {
        if (!(options.c1 > 0 && options.c1 < 1) || !(options.shrink > 0 && options.shrink < 1) ||
            !(options.initial_step > 0))
            throw std::invalid_argument("leibniz::optim::backtracking_descent: needs 0 < c1 < 1, 0 < shrink < 1 "
                                        "and initial_step > 0");
    }

    template <class Leaves, class E, class Env, class Workspace>
    line_search_result step(parameters<Leaves>& params, E loss, const Env& env, Workspace& ws) {
        line_search_result r;
        {
            const auto [value, grads] = value_and_grad(loss, params, env, ws);
            r.value_before = double(value);
            std::copy(grads.flat().begin(), grads.flat().end(), g_.begin());
        }
        std::copy(params.flat().begin(), params.flat().end(), theta_.begin());
        for (const T x : g_) r.grad_norm2 += double(x) * double(x);
        r.evaluations = 1;
        double alpha = options_.initial_step;
        for (int k = 0;; ++k) {
            T* p = params.flat().data();
            for (std::size_t i = 0; i < g_.size(); ++i) p[i] = theta_[i] - T(alpha) * g_[i];
            r.value = double(value_and_grad(loss, params, env, ws).value);
            ++r.evaluations;
            r.step = alpha;
            if (r.value <= r.value_before - options_.c1 * alpha * r.grad_norm2) break;
            if (k == options_.max_backtracks) {
                r.accepted = false;
                break;
            }
            alpha *= options_.shrink;
        }
        return r;
    }

private:
    armijo options_;
    std::vector<T> theta_, g_;
};

// One steepest-descent step with the exact line search of a quadratic f.
template <class Leaves, class E, class Env, class Workspace>
line_search_result exact_quadratic_step(parameters<Leaves>& params, E loss, const Env& env, Workspace& ws) {
    using T = typename parameters<Leaves>::scalar_type;
    constexpr std::size_t n = parameters<Leaves>::size();
    std::vector<T> theta(params.flat().begin(), params.flat().end()), g(n);
    line_search_result r;
    {
        const auto [value, grads] = value_and_grad(loss, params, env, ws);
        r.value_before = double(value);
        std::copy(grads.flat().begin(), grads.flat().end(), g.begin());
    }
    double gg = 0, ghg = 0;
    for (const T x : g) gg += double(x) * double(x);
    r.grad_norm2 = gg;
    T* p = params.flat().data();
    for (std::size_t i = 0; i < n; ++i) p[i] = theta[i] - g[i];
    {
        const auto [value, g1] = value_and_grad(loss, params, env, ws);
        (void)value;
        for (std::size_t i = 0; i < n; ++i) ghg += double(g[i]) * (double(g[i]) - double(g1.flat()[i]));
    }
    r.step = ghg > 0 ? gg / ghg : 0.0;
    for (std::size_t i = 0; i < n; ++i) p[i] = theta[i] - T(r.step) * g[i];
    r.value = double(value_and_grad(loss, params, env, ws).value);
    r.evaluations = 3;
    return r;
}

}  // namespace leibniz::optim
