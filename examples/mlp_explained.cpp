// A two-layer network on four points, explained: the decoupled backward pass
// of the notes (a linear layer and an activation layer, each with its own
// backward rule) next to what lz::explain prints for the same network, and
// the graph for Graphviz (lz::to_dot).
//
// The network: x [4, 2] → dense<2, 3> → tanh → dense<3, 1> → mean squared error
// against t (XOR's targets), written with lz::nn::sequential, so its
// parameters are "0.weight" [2, 3], "0.bias", "2.weight" [3, 1], "2.bias" as
// in PyTorch's state dict (PyTorch stores the weights transposed, [out, in]).
//
// The notes' backward pass, layer by layer, with g the gradient arriving at a layer:
//   through the activation    δ = g ⊙ Φ'(z)           (tanh' = 1 − tanh²)
//   through the linear layer  g_below = δ·Wᵀ          (the notes write W·g with W [out, in])
//   the weight gradient       ∂L/∂W = inputᵀ·δ        (the input outer δ, summed over the batch)
// The program computes these by hand and checks them against lz::grad.
//
//   dot -Tsvg mlp.dot -o mlp.svg      (after running the program)

#include <leibniz/leibniz.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>

namespace lz = leibniz;
using namespace lz::literals;

constexpr auto x = lz::var<"x", double, lz::shape<lz::dyn, 2>>;
constexpr auto t = lz::var<"t", double, lz::shape<lz::dyn, 1>>;
constexpr auto net = lz::nn::sequential(lz::nn::dense<2, 3>, lz::nn::tanh, lz::nn::dense<3, 1>);
constexpr auto out = net(x);
constexpr auto loss = lz::mean(lz::pow(out - t, 2_c));

using W1 = lz::nn::dense_t<2, 3>::weight<"0", double>;
using B1 = lz::nn::dense_t<2, 3>::bias<"0", double>;
using W2 = lz::nn::dense_t<3, 1>::weight<"2", double>;
using B2 = lz::nn::dense_t<3, 1>::bias<"2", double>;

int main() {
    lz::tensor<double, lz::shape<4, 2>> xs{{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    lz::tensor<double, lz::shape<4, 1>> ts{{0}, {1}, {1}, {0}};
    lz::parameters params{loss};
    lz::nn::init::torch_default(net, params, 7);  // PyTorch's Linear initialisation, seeded
    const auto env = lz::at(params, x = xs, t = ts);

    std::cout << lz::explain(loss, lz::wrt(W1{}, B1{}, W2{}, B2{}), env) << "\n";
    std::ofstream("mlp.dot") << lz::to_dot(loss, lz::wrt(W1{}, B1{}, W2{}, B2{}), env);
    std::printf("wrote mlp.dot (the graph; dot -Tsvg mlp.dot -o mlp.svg)\n\n");

    // The notes' backward pass by hand, from the forward values.
    const auto w1 = params[W1{}];
    const auto w2 = params[W2{}];
    const auto b1 = params[B1{}];
    const auto b2 = params[B2{}];
    double a[4][3], y[4], d2[4], d1[4][3], dw1[2][3] = {}, dw2[3] = {}, db1[3] = {}, db2 = 0;
    for (int n = 0; n < 4; ++n) {
        y[n] = b2(0);
        for (int j = 0; j < 3; ++j) {
            a[n][j] = std::tanh(xs(n, 0) * w1(0, j) + xs(n, 1) * w1(1, j) + b1(j));  // Φ(z), z = x·W1 + b1
            y[n] += a[n][j] * w2(j, 0);
        }
        d2[n] = 2 * (y[n] - ts(n, 0)) / 4;  // δ at the output: ∂L/∂y of the mean squared error
        db2 += d2[n];
        for (int j = 0; j < 3; ++j) {
            dw2[j] += a[n][j] * d2[n];                 // input outer δ
            const double g = d2[n] * w2(j, 0);         // W·g: back through the linear layer
            d1[n][j] = g * (1 - a[n][j] * a[n][j]);    // g ⊙ Φ'(z): back through tanh
            db1[j] += d1[n][j];
            for (int i = 0; i < 2; ++i) dw1[i][j] += xs(n, i) * d1[n][j];  // input outer δ
        }
    }
    const auto grads = lz::grad(loss, params, env);
    double worst = std::abs(grads[B2{}](0) - db2);
    for (int j = 0; j < 3; ++j) {
        worst = std::max({worst, std::abs(grads[W2{}](j, 0) - dw2[j]), std::abs(grads[B1{}](j) - db1[j])});
        for (int i = 0; i < 2; ++i) worst = std::max(worst, std::abs(grads[W1{}](i, j) - dw1[i][j]));
    }
    std::printf("the notes' backward pass by hand against lz::grad: largest difference %.3g\n", worst);

    // A few hundred steps of gradient descent (lr 0.5) on the four points.
    lz::workspace ws{loss};
    double first = 0, last = 0;
    for (int step = 0; step < 500; ++step) {
        const auto [value, g] = lz::value_and_grad(loss, params, env, ws);
        if (step == 0) first = value;
        last = value;
        for (std::size_t i = 0; i < params.size(); ++i) params.flat()[i] -= 0.5 * g.flat()[i];
    }
    std::printf("loss %.4f -> %.4f after 500 steps; outputs:", first, last);
    const auto o = lz::eval(out, lz::at(params, x = xs));
    for (int n = 0; n < 4; ++n) std::printf(" %.3f", o(n, 0));
    std::printf("\n");
    return worst < 1e-12 ? 0 : 1;
}
