// The examples of doc/reference/nn.md; each `// [snippet <part>]` region is
// shown there, and what main() prints is quoted.
#include <leibniz/leibniz.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace lz = leibniz;
using namespace lz::literals;

void sequential() {
    // [snippet sequential]
    constexpr auto x = lz::var<"x", float, lz::shape<lz::dyn, 64>>;
    constexpr auto y = lz::var<"y", std::int32_t, lz::shape<lz::dyn>>;  // class labels
    constexpr auto net = lz::nn::sequential(lz::nn::dense<64, 32>, lz::nn::relu, lz::nn::dense<32, 10>);
    constexpr auto logits = net(x);
    constexpr auto loss = -lz::mean(lz::pick(lz::log_softmax(logits), y));  // cross-entropy on integer labels

    lz::parameters params{loss};                   // "0.weight", "0.bias", "2.weight", "2.bias"
    lz::nn::init::torch_default(net, params, 42);  // nn.Linear's initialisation, seeded
    params.for_each([](auto leaf, auto&&) {
        using L = decltype(leaf);
        const auto& e = lz::nn::torch_layout<L>::extents;  // PyTorch's shape of this state-dict entry
        std::printf("%-9s ours %-9s torch [%zu%s%s]%s\n", std::string(L::name.view()).c_str(),
                    lz::shape_of<L>::rank == 2 ? "[in, out]" : "[out]", e[0], e.size() > 1 ? ", " : "",
                    e.size() > 1 ? std::to_string(e[1]).c_str() : "",
                    lz::nn::torch_layout<L>::transposed ? "  (transposed)" : "");
    });

    lz::tensor<float, lz::shape<lz::dyn, 64>> xs(32);
    std::vector<std::int32_t> ys(32);
    for (std::size_t n = 0; n < 32; ++n) {
        ys[n] = std::int32_t(n % 10);
        for (std::size_t k = 0; k < 64; ++k) xs(n, k) = k % 10 == n % 10 ? 1.0f : 0.0f;  // an easy pattern
    }
    const auto env = lz::at(params, x = xs, y = ys);
    lz::workspace ws{loss};
    for (int step = 0; step < 20; ++step) {  // gradient descent, one flat pass per step
        const auto [value, grads] = lz::value_and_grad(loss, params, env, ws);
        if (step % 10 == 0) std::printf("step %2d: loss %.2f\n", step, value);
        for (std::size_t i = 0; i < params.size(); ++i) params.flat()[i] -= 0.5f * grads.flat()[i];
    }
    std::printf("after 20 steps: loss %.2f\n", lz::eval(loss, env, ws));
    // [/snippet]
}

void modes() {
    // [snippet modes]
    constexpr auto x = lz::var<"x", double, lz::shape<lz::dyn, 3>>;
    constexpr auto t = lz::var<"t", double, lz::shape<lz::dyn, 1>>;
    constexpr auto net = lz::nn::sequential(lz::nn::dense<3, 8>, lz::nn::batch_norm1d<8>, lz::nn::relu,
                                            lz::nn::dropout(0.25_c), lz::nn::dense<8, 1>);
    constexpr auto loss = lz::mean(lz::pow(net(x) - t, 2_c));     // training mode (the default)
    constexpr auto predict = net(x, lz::nn::evaluation);          // the same parameter leaves

    lz::parameters params{loss};
    lz::buffers buffers{predict};  // the running statistics: read in evaluation only
    lz::nn::init::torch_default(net, params, 7);
    lz::nn::init::torch_default(net, buffers);  // running_mean 0, running_var 1
    buffers.for_each([](auto leaf, auto&&) { std::printf("buffer %s\n", std::string(decltype(leaf)::name.view()).c_str()); });

    lz::tensor<double, lz::shape<lz::dyn, 3>> xs(16);
    lz::tensor<double, lz::shape<lz::dyn, 1>> ts(16);
    for (std::size_t n = 0; n < 16; ++n) {
        for (std::size_t k = 0; k < 3; ++k) xs(n, k) = std::sin(double(3 * n + k)) + double(k);
        ts(n, 0) = xs(n, 0) - 0.5 * xs(n, 2);
    }
    std::array<std::uint64_t, 2> key{2026, 0};  // dropout's key: {seed, step}, bound as lz::nn::rng
    constexpr auto stats = net.running_stats(x);  // batch norm's batch mean and variance in the loss
    lz::workspace ws{loss};
    for (std::uint64_t step = 0; step < 3; ++step) {
        key[1] = step;
        const auto r = lz::value_and_grad(lz::nn::with_running_stats(loss, stats), params,
                                          lz::at(params, x = xs, t = ts, lz::nn::rng = key), ws);
        lz::nn::update_running_stats(stats, buffers, r.aux, xs.extent(0));  // momentum 0.1, unbiased variance
        for (std::size_t i = 0; i < params.size(); ++i) params.flat()[i] -= 0.1 * r.gradient.flat()[i];
    }
    const auto mean = buffers.find("1.running_mean")->data;
    std::printf("1.running_mean[0..2] after 3 steps: %.4f %.4f %.4f\n", mean[0], mean[1], mean[2]);
    const auto out = lz::eval(predict, lz::at(params, buffers, x = xs));  // evaluation: no key, no batch statistics
    std::printf("prediction for row 0: %.4f (target %.4f)\n", out(0, 0), ts(0, 0));
    // [/snippet]
}

void initializers() {
    // [snippet init]
    constexpr auto x = lz::var<"x", float, lz::shape<lz::dyn, 256>>;
    constexpr auto W = lz::param<"W", float, lz::shape<256, 512>>;  // [in, out]
    lz::parameters params{lz::matmul(x, W)};
    lz::nn::init::kaiming_normal(params, W, 1, lz::nn::init::kaiming_options{.nonlinearity = lz::nn::init::nonlinearity::relu});
    double sq = 0;
    for (float v : params.flat()) sq += double(v) * double(v);
    std::printf("kaiming_normal, relu, fan_in 256: std %.4f (sqrt(2/256) = %.4f)\n",
                std::sqrt(sq / double(params.size())), std::sqrt(2.0 / 256));

    lz::tensor<double, lz::shape<4, 3>> q;  // any tensor view, with a generator of its own
    lz::nn::init::orthogonal(q.view(), lz::nn::init::generator{.seed = 5, .stream = 1});
    double column_norm = 0, column_dot = 0;
    for (std::size_t i = 0; i < 4; ++i) column_norm += q(i, 0) * q(i, 0), column_dot += q(i, 0) * q(i, 1);
    std::printf("orthogonal [4, 3]: |q0| = %.6f, q0.q1 = %.6f\n", column_norm, std::abs(column_dot));
    // [/snippet]
}

void mixing() {
    // [snippet mixing]
    constexpr auto x = lz::var<"x", double, lz::shape<lz::dyn, 4>>;
    constexpr auto skip = lz::param<"skip", double, lz::shape<4, 2>>;  // a raw parameter
    constexpr auto encoder = lz::nn::named<"encoder">(lz::nn::sequential(lz::nn::dense<4, 6>, lz::nn::tanh));
    constexpr auto head = lz::nn::named<"head">(lz::nn::dense<6, 2>);
    // layers, a lambda as a layer, and raw expressions in one expression
    constexpr auto scaled = lz::nn::sequential(encoder, [](auto h) { return 2_c * h; }, head);
    constexpr auto out = scaled(x) + lz::matmul(x, skip);
    lz::parameters params{lz::sum(out)};
    std::string names;
    params.for_each([&](auto leaf, auto&&) { names += (names.empty() ? "" : " ") + std::string(decltype(leaf)::name.view()); });
    std::printf("%s\n", names.c_str());
    // [/snippet]
}

int main() {
    sequential();
    modes();
    initializers();
    mixing();
}
