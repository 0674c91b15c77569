#pragma once
// The workloads of bench/peers/ (issue 9): one network, its data and its
// initial weights, described once here and run by three implementations,
// each in its own translation unit (leibniz.cpp, eigen.cpp, torch.cpp), behind
// one small interface. C++17: the LibTorch TU is compiled as C++17 (Debian's
// LibTorch 1.13 headers do not compile with clang in C++20).
//
// Layout shared by all three: a weight W is [in, out], row-major (x·W, as in
// leibniz and in training code written with it); the parameters, flat, are
// W1, b1, W2, b2, ... in that order (the order of a leibniz store made from
// the loss); x is [batch, in] and y is [batch, out], row-major; for
// cross-entropy y is one-hot.

#include <cmath>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace peers {

enum class activation { sigmoid, tanh, relu, identity };
enum class loss_kind { mse, cross_entropy };

struct workload {
    std::string name;        // benchmark name, e.g. "train_2_4_1"
    std::string title;       // for the table, e.g. "train 2-4-1 sigmoid + MSE, batch 4"
    std::vector<int> sizes;  // layer widths, input first: {2, 4, 1}
    int batch;
    activation hidden;       // every hidden layer
    activation output;       // the last layer (identity: the logits or a linear output)
    loss_kind loss;
    float lr;                // plain SGD: p <- p - lr * dL/dp
    bool train;              // false: one forward pass (inference) of x

    // FLOPs of the matrix products of one call: forward 2·B·in·out per layer;
    // training adds dW (2·B·in·out per layer) and dX (every layer but the first).
    [[nodiscard]] double flops() const {
        double f = 0;
        for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
            const double mnk = 2.0 * batch * sizes[l] * sizes[l + 1];
            f += train ? (l == 0 ? 2 : 3) * mnk : mnk;
        }
        return f;
    }
    [[nodiscard]] std::size_t layers() const { return sizes.size() - 1; }
};

// The workloads, in table order.
inline std::vector<workload> workloads() {
    using A = activation;
    return {
        {"train_2_4_1", "train 2-4-1 sigmoid + MSE, batch 4", {2, 4, 1}, 4, A::sigmoid, A::sigmoid, loss_kind::mse, 0.5f, true},
        {"train_16_32_32_1", "train 16-32-32-1 tanh + MSE, batch 32", {16, 32, 32, 1}, 32, A::tanh, A::identity, loss_kind::mse, 0.05f, true},
        {"train_784_128_10", "train 784-128-10 relu + softmax CE, batch 64", {784, 128, 10}, 64, A::relu, A::identity, loss_kind::cross_entropy, 0.05f, true},
        {"train_784_256_128_10", "train 784-256-128-10 relu + softmax CE, batch 128", {784, 256, 128, 10}, 128, A::relu, A::identity, loss_kind::cross_entropy, 0.05f, true},
        {"infer_16_32_32_1", "infer 16-32-32-1, one sample (x [1, 16])", {16, 32, 32, 1}, 1, A::tanh, A::identity, loss_kind::mse, 0, false},
        {"infer_784_128_10", "infer 784-128-10, one sample (x [1, 784])", {784, 128, 10}, 1, A::relu, A::identity, loss_kind::cross_entropy, 0, false},
    };
}

// The same numbers for every implementation.
struct data {
    std::vector<float> params;  // W1, b1, W2, b2, ... flat
    std::vector<float> x, y;
};

// Deterministic: weights uniform-ish in ±1/sqrt(in) (a sine sequence, no RNG
// whose stream could differ between libraries), biases ±0.1; x in ±1; the
// 2-4-1 network gets XOR (its classic data), MSE targets in ±0.5 (sigmoid
// outputs: in [0.25, 0.75]), cross-entropy labels (7·i + 3) mod classes.
inline data make_data(const workload& w) {
    auto wave = [](std::size_t i, unsigned seed) {
        return std::sin(0.7311f * float(i) + 1.37f * float(seed) + 0.1f);
    };
    data d;
    unsigned seed = 1;
    for (std::size_t l = 0; l < w.layers(); ++l) {
        const int in = w.sizes[l], out = w.sizes[l + 1];
        const float scale = 1.0f / std::sqrt(float(in));
        for (int i = 0; i < in * out; ++i) d.params.push_back(scale * wave(std::size_t(i), seed));
        ++seed;
        for (int i = 0; i < out; ++i) d.params.push_back(0.1f * wave(std::size_t(i), seed));
        ++seed;
    }
    const int in = w.sizes.front(), out = w.sizes.back(), b = w.batch;
    d.x.resize(std::size_t(b * in));
    d.y.assign(std::size_t(b * out), 0.0f);
    if (w.sizes == std::vector<int>{2, 4, 1} && b == 4) {
        d.x = {0, 0, 0, 1, 1, 0, 1, 1};
        d.y = {0, 1, 1, 0};
        return d;
    }
    for (std::size_t i = 0; i < d.x.size(); ++i) d.x[i] = wave(i, 100);
    if (w.loss == loss_kind::cross_entropy) {
        for (int i = 0; i < b; ++i) d.y[std::size_t(i * out + (7 * i + 3) % out)] = 1;
    } else {
        const float centre = w.output == activation::sigmoid ? 0.5f : 0.0f;
        for (std::size_t i = 0; i < d.y.size(); ++i) d.y[i] = centre + (centre != 0 ? 0.25f : 0.5f) * wave(i, 200);
    }
    return d;
}

// One implementation of one workload, set up (weights copied in, buffers and
// workspaces made) by its factory.
class runner {
public:
    virtual ~runner() = default;
    // train: one SGD step (forward, loss, backward, update); infer: one forward pass.
    virtual void run() = 0;
    // train: the loss the last run() computed (before its update).
    [[nodiscard]] virtual float loss() const = 0;
    // train: the parameters, flat, in the layout above; infer: the output of the last run(), [1, out].
    [[nodiscard]] virtual std::vector<float> result() const = 0;
};

// The variants an implementation may offer: compile-time shapes (leibniz: a
// static batch extent; Eigen: fixed-size matrices) or run-time ones (leibniz:
// lz::dyn batch; Eigen: MatrixXf). LibTorch has one.
enum class variant { fixed, dynamic };

// nullptr when the implementation does not offer this workload and variant.
std::unique_ptr<runner> make_leibniz(const workload&, const data&, variant);
std::unique_ptr<runner> make_eigen(const workload&, const data&, variant);
std::unique_ptr<runner> make_torch(const workload&, const data&, variant);

}  // namespace peers
