#pragma once
// The MNIST recipe of issue 13 (its example mnist_mlp), trained three times by
// mnist_peers: leibniz (mnist_leibniz.cpp), hand-written Eigen
// (mnist_eigen.cpp) and LibTorch (mnist_torch.cpp), each behind the same small
// interface, from the same initial weights and in the same batch order.
// C++17: the LibTorch TU is compiled as C++17.
//
// Recipe: 784-128-10, relu, softmax cross-entropy on integer labels (mean over
// the batch), Adam lr 1e-3 (PyTorch's defaults otherwise: betas 0.9, 0.999,
// eps 1e-8, no weight decay), batch 64, 5 epochs, images scaled to [0, 1].
//
// Parameter layout, flat, shared by all three: W1 [784, 128] row-major (x·W,
// PyTorch's Linear weight transposed), b1 [128], W2 [128, 10], b2 [10] — the
// order and layout of leibniz's store for nn::sequential(dense, relu, dense).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace mnist {

inline constexpr int inputs = 784, hidden = 128, classes = 10;
inline constexpr int batch = 64, epochs = 5;
inline constexpr double lr = 1e-3;  // Adam's other options: PyTorch's defaults
inline constexpr std::size_t parameter_count =
    std::size_t(inputs) * hidden + hidden + std::size_t(hidden) * classes + classes;

// One implementation of the recipe, made from the flat initial parameters.
class trainer {
public:
    virtual ~trainer() = default;
    // One training step on the n rows x [n, 784] (row-major, in [0, 1]) with
    // labels y [n]: forward, loss, backward, Adam. Returns the step's loss
    // (before the update).
    virtual float step(const float* x, const std::int32_t* y, int n) = 0;
    // How many of the n rows the network classifies correctly (argmax of the logits).
    virtual int correct(const float* x, const std::int32_t* y, int n) = 0;
    // The parameters now, flat, in the layout above.
    [[nodiscard]] virtual std::vector<float> parameters() const = 0;
};

// PyTorch's default initialisation of nn.Linear (U(±1/√in) for weight and
// bias), drawn by leibniz's lz::nn::init::torch_default from `seed`.
std::vector<float> initial_parameters(std::uint64_t seed);

std::unique_ptr<trainer> make_leibniz(const std::vector<float>& initial);
std::unique_ptr<trainer> make_eigen(const std::vector<float>& initial);
std::unique_ptr<trainer> make_torch(const std::vector<float>& initial);

}  // namespace mnist
