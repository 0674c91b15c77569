// XOR, the notes' example of what a linear model cannot do (seed notes 003:
// "Linear models ... fail to solve nonlinear problems, eg. the XOR function,
// where f([0,1]) = 1 and f([1,0]) = 1 but f([1,1]) = 0 and f([0,0]) = 0").
// A 2-4-1 network with sigmoid units learns it through lz::train::fit: the
// four points as one batch, the mean squared error, Adam.
//
// Exits with status 1 unless the loss falls below 0.01 and every prediction
// is on the right side of 0.5.

#include <leibniz/leibniz.hpp>
#include <leibniz/optim/optim.hpp>
#include <leibniz/train/train.hpp>

#include <cstdio>
#include <vector>

namespace lz = leibniz;
using namespace lz::literals;

int main() {
    constexpr auto x = lz::var<"x", double, lz::shape<lz::dyn, 2>>;
    constexpr auto y = lz::var<"y", double, lz::shape<lz::dyn, 1>>;
    constexpr auto net = lz::nn::sequential(lz::nn::dense<2, 4>, lz::nn::sigmoid, lz::nn::dense<4, 1>, lz::nn::sigmoid);
    constexpr auto loss = lz::mean(lz::pow(net(x) - y, 2_c));

    const std::vector<double> inputs{0, 0, 0, 1, 1, 0, 1, 1};
    const std::vector<double> targets{0, 1, 1, 0};
    const lz::train::dataset<double, lz::shape<2>, double, lz::shape<1>> data(inputs, targets);

    lz::parameters params{loss};
    lz::nn::init::torch_default(net, params, 1);  // seed 3 lands in XOR's classic local minimum (loss 0.125)
    namespace opt = lz::optim;
    opt::optimizer<opt::adam<double>> adam{params, {.lr = 0.1}};

    const auto model = lz::train::model(x, y, loss, loss, net(x, lz::nn::evaluation));
    const auto h = lz::train::fit(model, params, adam, data, {.epochs = 500, .batch_size = 4, .seed = 1, .verbose = lz::train::verbosity::quiet});
    for (const auto& e : h.epochs)
        if (e.epoch % 100 == 0 || e.epoch + 1 == h.epochs.size()) std::printf("epoch %3zu  loss %.6f\n", e.epoch + 1, e.loss);

    const auto p = lz::train::predict(model, params, data.all_features());
    bool right = h.epochs.back().loss < 0.01;
    for (std::size_t i = 0; i < 4; ++i) {
        std::printf("xor(%g, %g) = %.4f (target %g)\n", inputs[2 * i], inputs[2 * i + 1], p(i, 0), targets[i]);
        right = right && (p(i, 0) > 0.5) == (targets[i] > 0.5);
    }
    return right ? 0 : 1;
}
