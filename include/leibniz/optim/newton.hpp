#pragma once
// Newton's method with the engine's exact Hessian (lz::hessian, forward over
// reverse): θ ← θ − (H + λI)⁻¹ ∇f(θ), H over every parameter of the store.
//
//   const double g2 = lz::optim::newton_step(params, loss, env, {.damping = 0});
//
// Returns ‖∇f(θ)‖² before the step. The system is solved by Gaussian
// elimination with partial pivoting (N² memory, N³ time: for small stores —
// the notes' examples); a singular (H + λI) throws std::domain_error. env must
// bind the store (lz::at(params, ...)).

#include <leibniz/core/forward.hpp>
#include <leibniz/core/parameters.hpp>
#include <leibniz/core/reverse.hpp>
#include <leibniz/core/wrt.hpp>

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <utility>
#include <vector>

namespace leibniz::optim {

struct newton_options {
    double damping = 0;  // λ: Levenberg's (H + λI)
};

namespace detail {
// x = A⁻¹ b (A n×n row-major, overwritten), partial pivoting.
inline void solve_in_place(std::vector<double>& a, std::vector<double>& b, std::size_t n) {
    for (std::size_t c = 0; c < n; ++c) {
        std::size_t pivot = c;
        for (std::size_t r = c + 1; r < n; ++r)
            if (std::abs(a[r * n + c]) > std::abs(a[pivot * n + c])) pivot = r;
        if (a[pivot * n + c] == 0.0)
            throw std::domain_error("leibniz::optim::newton_step: the Hessian (plus damping) is singular");
        if (pivot != c) {
            for (std::size_t k = 0; k < n; ++k) std::swap(a[c * n + k], a[pivot * n + k]);
            std::swap(b[c], b[pivot]);
        }
        for (std::size_t r = c + 1; r < n; ++r) {
            const double f = a[r * n + c] / a[c * n + c];
            for (std::size_t k = c; k < n; ++k) a[r * n + k] -= f * a[c * n + k];
            b[r] -= f * b[c];
        }
    }
    for (std::size_t c = n; c-- > 0;) {
        double s = b[c];
        for (std::size_t k = c + 1; k < n; ++k) s -= a[c * n + k] * b[k];
        b[c] = s / a[c * n + c];
    }
}
}  // namespace detail

template <class... P, class E, class Env>
double newton_step(parameters<boost::mp11::mp_list<P...>>& params, E loss, const Env& env, newton_options o = {}) {
    using T = typename parameters<boost::mp11::mp_list<P...>>::scalar_type;
    constexpr std::size_t n = parameters<boost::mp11::mp_list<P...>>::size();
    const auto h = hessian(loss, wrt(P{}...), env);
    // scalar leaves give std::array<std::array<T, n>, n>, tensor leaves an lz::tensor of shape [n, n]
    auto entry = [&](std::size_t i, std::size_t j) -> double {
        if constexpr (requires { h(i, j); })
            return double(h(i, j));
        else
            return double(h[i][j]);
    };
    const auto g = grad(loss, params, env);
    std::vector<double> a(n * n), b(n);
    double g2 = 0;
    for (std::size_t i = 0; i < n; ++i) {
        b[i] = double(g.flat()[i]);
        g2 += b[i] * b[i];
        for (std::size_t j = 0; j < n; ++j) a[i * n + j] = entry(i, j) + (i == j ? o.damping : 0.0);
    }
    detail::solve_in_place(a, b, n);
    for (std::size_t i = 0; i < n; ++i) params.flat()[i] -= T(b[i]);
    return g2;
}

}  // namespace leibniz::optim
