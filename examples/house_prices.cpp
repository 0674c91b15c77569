// House prices from area and bedrooms: the notes' table for the chain rule
// (seed notes 001, "price = w1 * x1 + w2 * x2 + bias", loss = mean squared
// error, w ← w − learning rate · ∂L/∂w):
//
//     area  bedrooms  price
//     1200     2        70
//     1500     3       120
//     2100     4       230
//     1100     3       105
//     1300     2        90
//      900     1        55
//
// The two features are standardized (the notes: "standardize inputs"; area
// is ~1000 times bedrooms, so unscaled the loss is a narrow valley that plain
// gradient descent crawls along) and a linear model, one dense<2, 1> layer,
// is fitted by full-batch gradient descent through lz::train::fit. Its
// weights, mapped back to raw units, are printed beside the least-squares
// solution, which this file computes independently: the normal equations
// XᵀX·β = Xᵀy of [1, area, bedrooms], in plain C++.
//
// Exits with status 1 unless the two agree to 1e-6 (relative).

#include <leibniz/leibniz.hpp>
#include <leibniz/optim/optim.hpp>
#include <leibniz/train/preprocess.hpp>
#include <leibniz/train/train.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <utility>
#include <vector>

namespace lz = leibniz;
using namespace lz::literals;

namespace {

// The notes' table: area, bedrooms, price (the notes give no units).
constexpr std::size_t n = 6;
constexpr std::array<std::array<double, 3>, n> table{{
    {1200, 2, 70},
    {1500, 3, 120},
    {2100, 4, 230},
    {1100, 3, 105},
    {1300, 2, 90},
    {900, 1, 55},
}};

// Solves the 3×3 system M·b = r by Gaussian elimination with partial pivoting.
std::array<double, 3> solve3(std::array<std::array<double, 3>, 3> M, std::array<double, 3> r) {
    for (std::size_t c = 0; c < 3; ++c) {
        std::size_t p = c;
        for (std::size_t i = c + 1; i < 3; ++i)
            if (std::abs(M[i][c]) > std::abs(M[p][c])) p = i;
        std::swap(M[c], M[p]);
        std::swap(r[c], r[p]);
        for (std::size_t i = c + 1; i < 3; ++i) {
            const double f = M[i][c] / M[c][c];
            for (std::size_t j = c; j < 3; ++j) M[i][j] -= f * M[c][j];
            r[i] -= f * r[c];
        }
    }
    std::array<double, 3> b{};
    for (std::size_t i = 3; i-- > 0;) {
        double s = r[i];
        for (std::size_t j = i + 1; j < 3; ++j) s -= M[i][j] * b[j];
        b[i] = s / M[i][i];
    }
    return b;
}

// Least squares without the library: β = (bias, w_area, w_bedrooms) from
// the normal equations of the raw table.
std::array<double, 3> normal_equations() {
    std::array<std::array<double, 3>, 3> xtx{};
    std::array<double, 3> xty{};
    for (const auto& row : table) {
        const std::array<double, 3> xi{1.0, row[0], row[1]};
        for (std::size_t j = 0; j < 3; ++j) {
            xty[j] += xi[j] * row[2];
            for (std::size_t k = 0; k < 3; ++k) xtx[j][k] += xi[j] * xi[k];
        }
    }
    return solve3(xtx, xty);
}

}  // namespace

int main() {
    constexpr auto x = lz::var<"x", double, lz::shape<lz::dyn, 2>>;
    constexpr auto y = lz::var<"y", double, lz::shape<lz::dyn, 1>>;
    constexpr auto net = lz::nn::dense<2, 1>;  // price = w1·area + w2·bedrooms + bias
    constexpr auto loss = lz::loss::mse(net(x), y);

    // The features, standardized on the table's own mean and deviation.
    lz::tensor<double, lz::shape<lz::dyn, 2>> features(n);
    std::vector<double> prices(n);
    for (std::size_t i = 0; i < n; ++i) features(i, 0) = table[i][0], features(i, 1) = table[i][1], prices[i] = table[i][2];
    lz::train::standard_scaler<double> scaler;
    scaler.fit(features);
    const auto standardized = scaler.transform(features);
    const std::vector<double> inputs(standardized.data(), standardized.data() + standardized.size());
    const lz::train::dataset<double, lz::shape<2>, double, lz::shape<1>> data(inputs, prices);

    constexpr std::uint64_t seed = 1;
    std::printf("house prices: %zu houses, features standardized (area mean %.1f sd %.2f; bedrooms mean %.3f sd %.4f); seed %llu\n", n,
                scaler.mean()[0], scaler.scale()[0], scaler.mean()[1], scaler.scale()[1], static_cast<unsigned long long>(seed));

    lz::parameters params{loss};
    lz::nn::init::torch_default(net, params, seed);
    // Full-batch gradient descent, the notes' rule. On standardized inputs the
    // MSE's Hessian is 2·(the features' correlation matrix, and 1 for the
    // bias): eigenvalues 2 and 2(1 ± ρ), ρ = 0.843 here. η = 0.4 is stable
    // (< 2/λmax = 0.54) and shrinks the error along the slowest direction by
    // 1 − 2η(1 − ρ) = 0.87 per step: 300 steps leave ~1e-18 of it.
    namespace opt = lz::optim;
    opt::optimizer<opt::sgd<double>> sgd{params, {.lr = 0.4}};
    const auto model = lz::train::model(x, y, loss);
    const auto h = lz::train::fit(model, params, sgd, data, {.epochs = 300, .batch_size = n, .shuffle = false, .seed = seed, .verbose = lz::train::verbosity::quiet});
    for (const auto& e : h.epochs)
        if (const std::size_t k = e.epoch + 1; k == 1 || k == 5 || k == 10 || k == 25 || k % 100 == 0) std::printf("epoch %3zu  mse %.9f\n", e.epoch + 1, e.loss);

    // Back to raw units: w·(x − mean)/scale + b = (w/scale)·x + (b − Σ w·mean/scale).
    const auto w = params.find("weight")->data;  // [2, 1]
    const double b = params.find("bias")->data[0];
    const std::array<double, 3> descent{b - w[0] * scaler.mean()[0] / scaler.scale()[0] - w[1] * scaler.mean()[1] / scaler.scale()[1],
                                        w[0] / scaler.scale()[0], w[1] / scaler.scale()[1]};
    const std::array<double, 3> exact = normal_equations();

    const char* names[3] = {"bias", "w_area", "w_bedrooms"};
    std::printf("\n              gradient descent   normal equations\n");
    double worst = 0;
    for (std::size_t j = 0; j < 3; ++j) {
        std::printf("%-12s %+17.12f  %+17.12f\n", names[j], descent[j], exact[j]);
        worst = std::max(worst, std::abs(descent[j] - exact[j]) / std::max(1.0, std::abs(exact[j])));
    }
    std::printf("max relative difference %.2e\n\n  area  bedrooms  price  predicted\n", worst);
    double sse = 0;
    for (const auto& row : table) {
        const double p = descent[0] + descent[1] * row[0] + descent[2] * row[1];
        sse += (p - row[2]) * (p - row[2]);
        std::printf("  %4.0f  %8.0f  %5.0f  %9.2f\n", row[0], row[1], row[2], p);
    }
    std::printf("mse %.6f (fit's last epoch %.6f)\n", sse / n, h.epochs.back().loss);
    return worst < 1e-6 ? 0 : 1;
}
