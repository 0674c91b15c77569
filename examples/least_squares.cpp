// Least squares with leibniz: minimise L(w) = ‖A·w − b‖² by gradient descent.
//
// The gradient leibniz derives from the expression is checked against the
// closed form ∇L = 2·Aᵀ(A·w − b), and the minimiser against the solution of
// the normal equations AᵀA·w = Aᵀb (the notes on linear algebra, 003_*).
// The problem is generated: A is 64×8 with a known w*, b = A·w* + noise.
// doc/tutorial-tensors.md (section 7) walks through this program.

#include <leibniz/leibniz.hpp>
#include <leibniz/ops/dot.hpp>
#include <leibniz/ops/matmul.hpp>

#include <array>
#include <cmath>
#include <cstdio>
#include <random>

namespace lz = leibniz;

constexpr std::size_t m = 64, n = 8;

constexpr auto A = lz::var<"A", double, lz::shape<m, n>>;
constexpr auto b = lz::var<"b", double, lz::shape<m>>;
constexpr auto w = lz::param<"w", double, lz::shape<n>>;

// dot(r, r) reads the one node r twice: its adjoint collects both shares,
// δr = 2r, and the product passes back δw = Aᵀ·δr = 2·Aᵀ(A·w − b).
constexpr auto r = lz::matmul(A, w) - b;  // the residual
constexpr auto loss = lz::dot(r, r);      // ‖A·w − b‖²

// Solves the n×n system M·x = y by Gaussian elimination with partial pivoting.
std::array<double, n> solve(std::array<std::array<double, n>, n> M, std::array<double, n> y) {
    for (std::size_t c = 0; c < n; ++c) {
        std::size_t p = c;
        for (std::size_t i = c + 1; i < n; ++i)
            if (std::abs(M[i][c]) > std::abs(M[p][c])) p = i;
        std::swap(M[c], M[p]);
        std::swap(y[c], y[p]);
        for (std::size_t i = c + 1; i < n; ++i) {
            const double f = M[i][c] / M[c][c];
            for (std::size_t j = c; j < n; ++j) M[i][j] -= f * M[c][j];
            y[i] -= f * y[c];
        }
    }
    std::array<double, n> x{};
    for (std::size_t i = n; i-- > 0;) {
        double s = y[i];
        for (std::size_t j = i + 1; j < n; ++j) s -= M[i][j] * x[j];
        x[i] = s / M[i][i];
    }
    return x;
}

int main() {
    std::printf("L(w) = %s\n\n", lz::to_string(loss).c_str());

    // The generated problem.
    std::mt19937 rng(7);
    std::normal_distribution<double> normal(0.0, 1.0);
    lz::tensor<double, lz::shape<m, n>> a_value;
    lz::tensor<double, lz::shape<m>> b_value;
    lz::tensor<double, lz::shape<n>> w_value;  // starts at 0
    for (std::size_t i = 0; i < a_value.size(); ++i) a_value.data()[i] = normal(rng);
    for (std::size_t i = 0; i < m; ++i) {
        double s = 0;
        for (std::size_t j = 0; j < n; ++j) s += a_value(i, j) * (0.5 * double(j) - 1.0);  // w* = (−1, −0.5, ..., 2.5)
        b_value(i) = s + 0.1 * normal(rng);
    }

    // 1. The derived gradient against the closed form, at the starting point.
    // The workspace holds the tape's memory: sized by the first call, then
    // reused, so the descent loop below allocates nothing.
    lz::workspace ws{loss};
    {
        auto [grad_w] = lz::grad(loss, lz::wrt(w), lz::at(A = a_value, b = b_value, w = w_value), ws);
        double worst = 0;
        for (std::size_t j = 0; j < n; ++j) {
            double closed = 0;  // 2·Aᵀ(A·w − b), with w = 0 here
            for (std::size_t i = 0; i < m; ++i) {
                double residual = -b_value(i);
                for (std::size_t k = 0; k < n; ++k) residual += a_value(i, k) * w_value(k);
                closed += 2 * a_value(i, j) * residual;
            }
            worst = std::max(worst, std::abs(grad_w(j) - closed) / std::max(1.0, std::abs(closed)));
        }
        std::printf("gradient vs 2·Aᵀ(A·w − b): max relative difference %.2e\n", worst);
        if (worst > 1e-12) return 1;
    }

    // 2. Gradient descent. The step is 1/L for the smoothness constant
    //    L = 2·λmax(AᵀA), bounded here by 2·trace(AᵀA).
    double trace = 0;
    for (std::size_t i = 0; i < a_value.size(); ++i) trace += a_value.data()[i] * a_value.data()[i];
    const double step = 1.0 / (2.0 * trace);
    int iterations = 0;
    for (; iterations < 100000; ++iterations) {
        // lz::at binds views of a_value, b_value and w_value (no copy): it could
        // as well be built once before the loop, and would see w_value change.
        // The gradient is a view into ws, valid until ws is used again, so it
        // is read (and w_value updated) before the next call. (One leaf, w
        // rather than lz::wrt(w): the gradient is the view itself, no tuple.)
        auto [value, g] = lz::value_and_grad(loss, w, lz::at(A = a_value, b = b_value, w = w_value), ws);
        double norm = 0;
        for (std::size_t j = 0; j < n; ++j) norm += g(j) * g(j);
        if (std::sqrt(norm) < 1e-10) break;
        for (std::size_t j = 0; j < n; ++j) w_value(j) -= step * g(j);
        if (iterations % 500 == 0) std::printf("  iteration %5d  L = %.10f\n", iterations, value);
    }

    // 3. The normal equations AᵀA·w = Aᵀb.
    std::array<std::array<double, n>, n> ata{};
    std::array<double, n> atb{};
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            atb[j] += a_value(i, j) * b_value(i);
            for (std::size_t k = 0; k < n; ++k) ata[j][k] += a_value(i, j) * a_value(i, k);
        }
    const auto exact = solve(ata, atb);
    double worst = 0;
    std::printf("\n%d iterations.\n  j   gradient descent   normal equations\n", iterations);
    for (std::size_t j = 0; j < n; ++j) {
        std::printf("  %zu   %+.10f      %+.10f\n", j, w_value(j), exact[j]);
        worst = std::max(worst, std::abs(w_value(j) - exact[j]));
    }
    std::printf("max |w − w_normal| = %.2e\n", worst);
    return worst < 1e-8 ? 0 : 1;
}
