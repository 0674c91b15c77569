// The workloads of peers.hpp written by hand with Eigen 3.4: the forward pass
// keeps what the backward pass reads, the backward pass is explicit, and the
// SGD update is fused into the weight gradient's product
// (W -= lr·Aᵀ·δZ: one gemm with alpha = −lr, no dW buffer), after δ has been
// passed back through the old W. Fixed-size matrices when the shapes are
// known at compile time and small (Eigen refuses fixed-size objects over
// 128 KB), MatrixXf otherwise; every buffer is allocated in the constructor.
// Column-major (Eigen's default), as a user would declare them.

#include "peers.hpp"

#include <Eigen/Core>

#include <benchmark/benchmark.h>

#include <stdexcept>
#include <tuple>
#include <utility>

namespace peers {
namespace {

template <bool Fixed, int R, int C>
using mat = Eigen::Matrix<float, Fixed ? R : Eigen::Dynamic, Fixed ? C : Eigen::Dynamic>;
template <bool Fixed, int C>
using row = Eigen::Matrix<float, 1, Fixed ? C : Eigen::Dynamic>;

// A matrix of r×c: fixed-size matrices take no sizes (a fixed 2×1 taking (2, 1)
// would be the vector (2, 1)).
template <class M>
M sized(int r, int c) {
    if constexpr (M::SizeAtCompileTime == Eigen::Dynamic)
        return M(r, c);
    else
        return M();
}

template <bool Fixed, int B, int In, int Out>
struct layer {
    mat<Fixed, In, Out> W = sized<mat<Fixed, In, Out>>(In, Out);
    row<Fixed, Out> b = sized<row<Fixed, Out>>(1, Out);
    mat<Fixed, B, Out> Z = sized<mat<Fixed, B, Out>>(B, Out);   // x·W + b
    mat<Fixed, B, Out> A = sized<mat<Fixed, B, Out>>(B, Out);   // act(Z)
    mat<Fixed, B, Out> dZ = sized<mat<Fixed, B, Out>>(B, Out);  // ∂L/∂Z
};

template <activation Act, class Z, class A>
void apply(const Z& z, A& a) {
    if constexpr (Act == activation::sigmoid)
        a.array() = (1.0f + (-z.array()).exp()).inverse();
    else if constexpr (Act == activation::tanh)
        a.array() = z.array().tanh();
    else if constexpr (Act == activation::relu)
        a.array() = z.array().max(0.0f);
    else
        a = z;
}

// dZ ⊙= act'(Z), from the value already computed.
template <activation Act, class L>
void times_derivative(L& l) {
    if constexpr (Act == activation::sigmoid)
        l.dZ.array() *= l.A.array() * (1.0f - l.A.array());
    else if constexpr (Act == activation::tanh)
        l.dZ.array() *= 1.0f - l.A.array().square();
    else if constexpr (Act == activation::relu)
        l.dZ.array() = (l.Z.array() > 0.0f).select(l.dZ.array(), 0.0f);
}

template <bool Fixed, int B, activation Hidden, activation Output, loss_kind Loss, int... S>
class net final : public runner {
    static constexpr int sizes[] = {S...};
    static constexpr std::size_t K = sizeof...(S) - 1;  // layers
    static constexpr int In = sizes[0], Out = sizes[K];
    template <std::size_t l>
    using layer_t = layer<Fixed, B, sizes[l], sizes[l + 1]>;
    template <std::size_t... l>
    static auto layers_of(std::index_sequence<l...>) -> std::tuple<layer_t<l>...>;
    template <std::size_t l>
    static constexpr activation act = l + 1 == K ? Output : Hidden;

public:
    net(const workload& w, const data& d) : lr_(w.lr) {
        if (w.batch != B || d.x.size() != std::size_t(B * In)) throw std::logic_error("peers/eigen: shapes differ");
        const float* p = d.params.data();
        for_each_layer([&](auto& l) {
            for (int i = 0; i < l.W.rows(); ++i)
                for (int j = 0; j < l.W.cols(); ++j) l.W(i, j) = *p++;
            for (int j = 0; j < l.b.cols(); ++j) l.b(j) = *p++;
        });
        if (p != d.params.data() + d.params.size()) throw std::logic_error("peers/eigen: parameter count differs");
        for (int i = 0; i < B; ++i) {
            for (int j = 0; j < In; ++j) X_(i, j) = d.x[std::size_t(i * In + j)];
            for (int j = 0; j < Out; ++j) Y_(i, j) = d.y[std::size_t(i * Out + j)];
        }
    }

    void run() override {
        forward(std::make_index_sequence<K>{});
        if (lr_ == 0) {  // inference
            benchmark::DoNotOptimize(out().data());
            benchmark::ClobberMemory();
            return;
        }
        auto& last = std::get<K - 1>(layers_);
        if constexpr (Loss == loss_kind::mse) {
            constexpr float n = float(B * Out);
            last.dZ = out() - Y_;
            loss_ = last.dZ.squaredNorm() / n;
            last.dZ *= 2.0f / n;
            times_derivative<Output>(last);
        } else {  // softmax cross-entropy: the rows shifted by their maximum, δZ = (softmax − y)/B
            const auto& Z = out();
            m_ = Z.rowwise().maxCoeff();
            last.dZ = (Z.colwise() - m_).array().exp();
            s_ = last.dZ.rowwise().sum();
            loss_ = -((Y_.array() * (Z.colwise() - m_).array()).sum() -
                      (Y_.rowwise().sum().array() * s_.array().log()).sum()) /
                    float(B);
            last.dZ.array() = (last.dZ.array().colwise() / s_.array() - Y_.array()) / float(B);
        }
        backward(std::make_index_sequence<K>{});
        // as_const: g++ 12 with Google Benchmark 1.7.1's DoNotOptimize(T&) ("+m,r") on a
        // float member stores the value to a stack copy and drops the store to loss_.
        benchmark::DoNotOptimize(std::as_const(loss_));
        benchmark::ClobberMemory();
    }
    [[nodiscard]] float loss() const override { return loss_; }
    [[nodiscard]] std::vector<float> result() const override {
        std::vector<float> r;
        if (lr_ == 0) {
            for (int j = 0; j < Out; ++j) r.push_back(out()(0, j));
            return r;
        }
        const_cast<net*>(this)->for_each_layer([&](auto& l) {
            for (int i = 0; i < l.W.rows(); ++i)
                for (int j = 0; j < l.W.cols(); ++j) r.push_back(l.W(i, j));
            for (int j = 0; j < l.b.cols(); ++j) r.push_back(l.b(j));
        });
        return r;
    }

private:
    template <class F>
    void for_each_layer(F f) {
        std::apply([&](auto&... l) { (f(l), ...); }, layers_);
    }
    template <std::size_t l>
    const auto& input() const {
        if constexpr (l == 0)
            return X_;
        else
            return std::get<l - 1>(layers_).A;
    }
    const auto& out() const {
        if constexpr (Output == activation::identity)
            return std::get<K - 1>(layers_).Z;
        else
            return std::get<K - 1>(layers_).A;
    }
    template <std::size_t... l>
    void forward(std::index_sequence<l...>) {
        (forward_layer<l>(), ...);
    }
    template <std::size_t l>
    void forward_layer() {
        auto& L = std::get<l>(layers_);
        L.Z.noalias() = input<l>() * L.W;
        L.Z.rowwise() += L.b;
        if constexpr (act<l> != activation::identity) apply<act<l>>(L.Z, L.A);
    }
    template <std::size_t... l>
    void backward(std::index_sequence<l...>) {
        (backward_layer<K - 1 - l>(), ...);
    }
    // Layer l's δZ is known: pass it back through the old W, then update W and b.
    template <std::size_t l>
    void backward_layer() {
        auto& L = std::get<l>(layers_);
        if constexpr (l > 0) {
            auto& P = std::get<l - 1>(layers_);
            P.dZ.noalias() = L.dZ * L.W.transpose();
            times_derivative<act<l - 1>>(P);
        }
        L.W.noalias() -= lr_ * (input<l>().transpose() * L.dZ);
        L.b.noalias() -= lr_ * L.dZ.colwise().sum();
    }

    float lr_;
    float loss_ = 0;
    decltype(layers_of(std::make_index_sequence<K>{})) layers_;
    mat<Fixed, B, In> X_ = sized<mat<Fixed, B, In>>(B, In);
    mat<Fixed, B, Out> Y_ = sized<mat<Fixed, B, Out>>(B, Out);
    Eigen::Matrix<float, Fixed ? B : Eigen::Dynamic, 1> m_ = sized<decltype(m_)>(B, 1), s_ = sized<decltype(s_)>(B, 1);
};

template <bool Fixed>
std::unique_ptr<runner> make(const workload& w, const data& d) {
    using A = activation;
    using L = loss_kind;
    if (w.name == "train_2_4_1") return std::make_unique<net<Fixed, 4, A::sigmoid, A::sigmoid, L::mse, 2, 4, 1>>(w, d);
    if (w.name == "train_16_32_32_1")
        return std::make_unique<net<Fixed, 32, A::tanh, A::identity, L::mse, 16, 32, 32, 1>>(w, d);
    if (w.name == "infer_16_32_32_1")
        return std::make_unique<net<Fixed, 1, A::tanh, A::identity, L::mse, 16, 32, 32, 1>>(w, d);
    if constexpr (!Fixed) {  // too large for fixed-size Eigen objects
        if (w.name == "train_784_128_10")
            return std::make_unique<net<false, 64, A::relu, A::identity, L::cross_entropy, 784, 128, 10>>(w, d);
        if (w.name == "train_784_256_128_10")
            return std::make_unique<net<false, 128, A::relu, A::identity, L::cross_entropy, 784, 256, 128, 10>>(w, d);
        if (w.name == "infer_784_128_10")
            return std::make_unique<net<false, 1, A::relu, A::identity, L::cross_entropy, 784, 128, 10>>(w, d);
    }
    return nullptr;
}

}  // namespace

std::unique_ptr<runner> make_eigen(const workload& w, const data& d, variant v) {
    return v == variant::fixed ? make<true>(w, d) : make<false>(w, d);
}

}  // namespace peers
