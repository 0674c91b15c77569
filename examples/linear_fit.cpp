// Fitting a line by gradient descent: the notes' first example of training
// (seed notes 001, "Gradient Decent"): find w and b in ŷ = w·x + b for the table
//
//     x    2     3   5   7   9
//     y   −0.5   0   1   2   3
//
// whose answer the notes give as y = x·0.5 − 1.5. The loss is the mean squared
// error L = (1/n) Σ (w·xᵢ + b − yᵢ)², and each step moves the parameters
// against its gradient: w ← w − η·∂L/∂w, b ← b − η·∂L/∂b. lz::grad computes
// the gradient of one point's squared error; the loop averages over the points.
// (The notes' formula ∂/∂w = (1/n) Σ xᵢ(ŷᵢ − yᵢ) is the gradient of half the
// MSE: the factor 2 is folded into the learning rate.)
//
// Exits with status 1 unless the fit reaches w = 0.5, b = −1.5 within 1e-6.

#include <leibniz/leibniz.hpp>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace lz = leibniz;
using namespace lz::literals;

int main() {
    constexpr std::array<double, 5> xs{2, 3, 5, 7, 9};
    constexpr std::array<double, 5> ys{-0.5, 0, 1, 2, 3};

    // The model's parameters are lz::param leaves; the data point is two lz::var leaves.
    constexpr auto w = lz::param<"w">;
    constexpr auto b = lz::param<"b">;
    constexpr auto x = lz::var<"x">;
    constexpr auto y = lz::var<"y">;
    constexpr auto squared_error = lz::pow(w * x + b - y, 2_c);
    std::printf("squared error of one point: %s\n", lz::to_string(squared_error).c_str());

    const double n = static_cast<double>(xs.size());
    double w_now = 0.0, b_now = 0.0;     // the parameters' values, starting at 0
    const double learning_rate = 0.025;  // below 2/λmax = 0.029 for this data, or the steps diverge
    int step = 0;
    for (; step < 100000; ++step) {
        double dw = 0.0, db = 0.0;  // ∂L/∂w and ∂L/∂b: the mean of the points' gradients
        for (std::size_t i = 0; i < xs.size(); ++i) {
            const auto point = lz::at(w = w_now, b = b_now, x = xs[i], y = ys[i]);
            const auto [dw_i, db_i] = lz::grad(squared_error, lz::wrt(w, b), point);
            dw += dw_i / n;
            db += db_i / n;
        }
        const double gradient_norm = std::hypot(dw, db);
        if (gradient_norm < 1e-10) break;  // the gradient vanishes at the minimum
        w_now -= learning_rate * dw;
        b_now -= learning_rate * db;
        if (step < 3 || (step + 1) % 500 == 0)
            std::printf("step %4d: w = % .9f, b = % .9f, |∇L| = %.1e\n", step + 1, w_now, b_now, gradient_norm);
    }

    const double error = std::fmax(std::fabs(w_now - 0.5), std::fabs(b_now + 1.5));
    std::printf("stopped after %d steps: w = %.9f, b = %.9f\n", step, w_now, b_now);
    std::printf("the notes: y = x·0.5 − 1.5; largest error %.1e %s\n", error, error <= 1e-6 ? "(ok)" : "(FAILED)");
    return error <= 1e-6 ? EXIT_SUCCESS : EXIT_FAILURE;
}
