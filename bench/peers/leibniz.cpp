// The workloads of peers.hpp in leibniz, written as a user writes them: raw
// expressions over a parameter store, lz::value_and_grad(loss, params, env, ws)
// and an SGD step over the store's flat buffer; inference with lz::eval into
// a workspace. B is the batch extent: a number (static) or lz::dyn.

#include "peers.hpp"

#include <leibniz/leibniz.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <utility>

namespace lz = leibniz;
using namespace lz::literals;

namespace peers {
namespace {

template <std::size_t B>
struct net_2_4_1 {
    static constexpr auto x = lz::var<"x", float, lz::shape<B, 2>>;
    static constexpr auto y = lz::var<"y", float, lz::shape<B, 1>>;
    static constexpr auto W1 = lz::param<"W1", float, lz::shape<2, 4>>;
    static constexpr auto b1 = lz::param<"b1", float, lz::shape<4>>;
    static constexpr auto W2 = lz::param<"W2", float, lz::shape<4, 1>>;
    static constexpr auto b2 = lz::param<"b2", float, lz::shape<1>>;
    static constexpr auto out = lz::sigmoid(lz::matmul(lz::sigmoid(lz::matmul(x, W1) + b1), W2) + b2);
    static constexpr auto loss = lz::mean(lz::pow(out - y, 2_c));
    using x_tensor = lz::tensor<float, lz::shape<B, 2>>;
    using y_tensor = lz::tensor<float, lz::shape<B, 1>>;
};

template <std::size_t B>
struct net_16_32_32_1 {
    static constexpr auto x = lz::var<"x", float, lz::shape<B, 16>>;
    static constexpr auto y = lz::var<"y", float, lz::shape<B, 1>>;
    static constexpr auto W1 = lz::param<"W1", float, lz::shape<16, 32>>;
    static constexpr auto b1 = lz::param<"b1", float, lz::shape<32>>;
    static constexpr auto W2 = lz::param<"W2", float, lz::shape<32, 32>>;
    static constexpr auto b2 = lz::param<"b2", float, lz::shape<32>>;
    static constexpr auto W3 = lz::param<"W3", float, lz::shape<32, 1>>;
    static constexpr auto b3 = lz::param<"b3", float, lz::shape<1>>;
    static constexpr auto h1 = lz::tanh(lz::matmul(x, W1) + b1);
    static constexpr auto h2 = lz::tanh(lz::matmul(h1, W2) + b2);
    static constexpr auto out = lz::matmul(h2, W3) + b3;
    static constexpr auto loss = lz::mean(lz::pow(out - y, 2_c));
    using x_tensor = lz::tensor<float, lz::shape<B, 16>>;
    using y_tensor = lz::tensor<float, lz::shape<B, 1>>;
};

template <std::size_t B>
struct net_784_128_10 {
    static constexpr auto x = lz::var<"x", float, lz::shape<B, 784>>;
    static constexpr auto y = lz::var<"y", float, lz::shape<B, 10>>;  // one-hot
    static constexpr auto W1 = lz::param<"W1", float, lz::shape<784, 128>>;
    static constexpr auto b1 = lz::param<"b1", float, lz::shape<128>>;
    static constexpr auto W2 = lz::param<"W2", float, lz::shape<128, 10>>;
    static constexpr auto b2 = lz::param<"b2", float, lz::shape<10>>;
    static constexpr auto out = lz::matmul(lz::relu(lz::matmul(x, W1) + b1), W2) + b2;
    static constexpr auto loss = -lz::mean(lz::sum(y * lz::log_softmax(out), lz::axis<1>));
    using x_tensor = lz::tensor<float, lz::shape<B, 784>>;
    using y_tensor = lz::tensor<float, lz::shape<B, 10>>;
};

template <std::size_t B>
struct net_784_256_128_10 {
    static constexpr auto x = lz::var<"x", float, lz::shape<B, 784>>;
    static constexpr auto y = lz::var<"y", float, lz::shape<B, 10>>;  // one-hot
    static constexpr auto W1 = lz::param<"W1", float, lz::shape<784, 256>>;
    static constexpr auto b1 = lz::param<"b1", float, lz::shape<256>>;
    static constexpr auto W2 = lz::param<"W2", float, lz::shape<256, 128>>;
    static constexpr auto b2 = lz::param<"b2", float, lz::shape<128>>;
    static constexpr auto W3 = lz::param<"W3", float, lz::shape<128, 10>>;
    static constexpr auto b3 = lz::param<"b3", float, lz::shape<10>>;
    static constexpr auto h1 = lz::relu(lz::matmul(x, W1) + b1);
    static constexpr auto h2 = lz::relu(lz::matmul(h1, W2) + b2);
    static constexpr auto out = lz::matmul(h2, W3) + b3;
    static constexpr auto loss = -lz::mean(lz::sum(y * lz::log_softmax(out), lz::axis<1>));
    using x_tensor = lz::tensor<float, lz::shape<B, 784>>;
    using y_tensor = lz::tensor<float, lz::shape<B, 10>>;
};

// A tensor of `rows` rows: the dyn extent is a constructor argument, a static one is not.
template <class Tensor>
Tensor rows_of(std::size_t rows, const std::vector<float>& values) {
    Tensor t = [&] {
        if constexpr (Tensor::shape_type::extents[0] == lz::dyn)
            return Tensor(rows);
        else
            return Tensor();
    }();
    if (t.size() != values.size()) throw std::logic_error("peers/leibniz: data size differs from the tensor's");
    std::copy(values.begin(), values.end(), t.data());
    return t;
}

template <class Store>
void load(Store& params, const std::vector<float>& values) {
    const auto flat = params.flat();
    if (flat.size() != values.size()) throw std::logic_error("peers/leibniz: parameter count differs from the store's");
    std::copy(values.begin(), values.end(), flat.begin());
}

template <class Net>
class trainer final : public runner {
public:
    trainer(const workload& w, const data& d)
        : lr_(w.lr),
          xs_(rows_of<typename Net::x_tensor>(std::size_t(w.batch), d.x)),
          ys_(rows_of<typename Net::y_tensor>(std::size_t(w.batch), d.y)) {
        load(params_, d.params);
    }
    void run() override {
        const auto [value, grads] = lz::value_and_grad(Net::loss, params_, env_, ws_);
        const auto p = params_.flat();
        const auto g = grads.flat();
        for (std::size_t i = 0; i < p.size(); ++i) p[i] -= lr_ * g[i];
        loss_ = value;
        // as_const: g++ 12 with Google Benchmark 1.7.1's DoNotOptimize(T&) ("+m,r") on a
        // float member stores the value to a stack copy and drops the store to loss_.
        benchmark::DoNotOptimize(std::as_const(loss_));
        benchmark::ClobberMemory();
    }
    [[nodiscard]] float loss() const override { return loss_; }
    [[nodiscard]] std::vector<float> result() const override {
        const auto flat = params_.flat();
        return {flat.begin(), flat.end()};
    }

private:
    float lr_;
    float loss_ = 0;
    lz::parameters<lz::params_of<decltype(Net::loss)>> params_{Net::loss};
    typename Net::x_tensor xs_;
    typename Net::y_tensor ys_;
    decltype(lz::at(params_, Net::x = xs_, Net::y = ys_)) env_ = lz::at(params_, Net::x = xs_, Net::y = ys_);
    lz::workspace<std::remove_const_t<decltype(Net::loss)>> ws_{Net::loss};
};

template <class Net>
class inferer final : public runner {
public:
    inferer(const workload& w, const data& d) : xs_(rows_of<typename Net::x_tensor>(std::size_t(w.batch), d.x)) {
        load(params_, d.params);
    }
    void run() override {
        const auto out = lz::eval(Net::out, env_, ws_);
        out_ = out.data();
        size_ = out.size();
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    [[nodiscard]] float loss() const override { return 0; }
    [[nodiscard]] std::vector<float> result() const override { return {out_, out_ + size_}; }

private:
    lz::parameters<lz::params_of<decltype(Net::out)>> params_{Net::out};
    typename Net::x_tensor xs_;
    decltype(lz::at(params_, Net::x = xs_)) env_ = lz::at(params_, Net::x = xs_);
    lz::workspace<std::remove_const_t<decltype(Net::out)>> ws_{Net::out};
    const float* out_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace

std::unique_ptr<runner> make_leibniz(const workload& w, const data& d, variant v) {
    const bool fixed = v == variant::fixed;
    if (w.name == "train_2_4_1")
        return fixed ? std::unique_ptr<runner>(new trainer<net_2_4_1<4>>(w, d))
                     : std::unique_ptr<runner>(new trainer<net_2_4_1<lz::dyn>>(w, d));
    if (w.name == "train_16_32_32_1")
        return fixed ? std::unique_ptr<runner>(new trainer<net_16_32_32_1<32>>(w, d))
                     : std::unique_ptr<runner>(new trainer<net_16_32_32_1<lz::dyn>>(w, d));
    if (w.name == "train_784_128_10")
        return fixed ? nullptr : std::unique_ptr<runner>(new trainer<net_784_128_10<lz::dyn>>(w, d));
    if (w.name == "train_784_256_128_10")
        return fixed ? nullptr : std::unique_ptr<runner>(new trainer<net_784_256_128_10<lz::dyn>>(w, d));
    if (w.name == "infer_16_32_32_1")
        return fixed ? std::unique_ptr<runner>(new inferer<net_16_32_32_1<1>>(w, d))
                     : std::unique_ptr<runner>(new inferer<net_16_32_32_1<lz::dyn>>(w, d));
    if (w.name == "infer_784_128_10")
        return fixed ? std::unique_ptr<runner>(new inferer<net_784_128_10<1>>(w, d)) : nullptr;
    return nullptr;
}

}  // namespace peers
