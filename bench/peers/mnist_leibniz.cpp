// The MNIST recipe (mnist.hpp) in leibniz, as a user writes it without
// lz::train: nn::sequential + the fused loss::cross_entropy, a parameter
// store, one workspace made once, lz::value_and_grad and the Adam host
// (optim::optimizer<optim::adam<float>>). The batch extent is lz::dyn: each
// step binds views of the caller's rows (no copy).

#include "mnist.hpp"

#include <leibniz/leibniz.hpp>
#include <leibniz/optim/optim.hpp>

#include <algorithm>
#include <span>
#include <stdexcept>

namespace lz = leibniz;

namespace mnist {
namespace {

constexpr auto x = lz::var<"x", float, lz::shape<lz::dyn, inputs>>;
constexpr auto y = lz::var<"y", std::int32_t, lz::shape<lz::dyn>>;
constexpr auto net = lz::nn::sequential(lz::nn::dense<inputs, hidden>, lz::nn::relu, lz::nn::dense<hidden, classes>);
constexpr auto logits = net(x);
constexpr auto loss = lz::loss::cross_entropy(logits, y);  // mean over the batch, fused

using store = lz::parameters<lz::params_of<decltype(loss)>>;
using adam = lz::optim::optimizer<lz::optim::adam<float>>;

class leibniz_trainer final : public trainer {
public:
    explicit leibniz_trainer(const std::vector<float>& initial) {
        const auto flat = params_.flat();
        if (flat.size() != initial.size()) throw std::logic_error("mnist/leibniz: parameter count differs from the store's");
        std::copy(initial.begin(), initial.end(), flat.begin());
    }
    float step(const float* xs, const std::int32_t* ys, int n) override {
        const auto env = lz::at(params_, x = std::span<const float>(xs, std::size_t(n) * inputs),
                                y = std::span<const std::int32_t>(ys, std::size_t(n)));
        const auto [value, grads] = lz::value_and_grad(loss, params_, env, ws_);
        adam_.step(params_, grads);
        return value;
    }
    int correct(const float* xs, const std::int32_t* ys, int n) override {
        const auto env = lz::at(params_, x = std::span<const float>(xs, std::size_t(n) * inputs));
        const auto out = lz::eval(logits, env, eval_ws_);
        int right = 0;
        for (int r = 0; r < n; ++r) {
            int best = 0;
            for (int c = 1; c < classes; ++c)
                if (out(std::size_t(r), std::size_t(c)) > out(std::size_t(r), std::size_t(best))) best = c;
            right += best == ys[r];
        }
        return right;
    }
    [[nodiscard]] std::vector<float> parameters() const override {
        const auto flat = params_.flat();
        return {flat.begin(), flat.end()};
    }

private:
    store params_{loss};
    adam adam_{params_, {.lr = lr}};
    lz::workspace<std::remove_const_t<decltype(loss)>> ws_{loss};
    lz::workspace<std::remove_const_t<decltype(logits)>> eval_ws_{logits};
};

}  // namespace

std::vector<float> initial_parameters(std::uint64_t seed) {
    store params{loss};
    lz::nn::init::torch_default(net, params, seed);
    const auto flat = params.flat();
    return {flat.begin(), flat.end()};
}

std::unique_ptr<trainer> make_leibniz(const std::vector<float>& initial) {
    return std::make_unique<leibniz_trainer>(initial);
}

}  // namespace mnist
