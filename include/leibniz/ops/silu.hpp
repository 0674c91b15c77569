#pragma once
// silu(a) = a·σ(a) (swish; torch.nn.SiLU).  d/da = σ(a)·(1 + a·(1 − σ(a))).

#include <leibniz/ops/add.hpp>
#include <leibniz/ops/mul.hpp>
#include <leibniz/ops/sigmoid.hpp>
#include <leibniz/ops/sub.hpp>

namespace leibniz {

struct silu_op {
    static constexpr std::string_view name = "silu";
    static constexpr op_traits traits{};

    template <class T>
    static T value(const T& a) { return a * sigmoid_op::value(a); }
    template <class T>
    static T slope(const T& a) {
        const T s = sigmoid_op::value(a);
        return s * (T(1) + a * (T(1) - s));
    }
    template <class T>
    static T jvp(const T& t, const T&, const T& a) { return t * slope(a); }
    template <class T>
    static T vjp(const T& g, const T&, const T& a) { return g * slope(a); }
    template <class A>
    static constexpr auto derivative(A a) { return sigmoid(a) * (one_t{} + a * (one_t{} - sigmoid(a))); }
    static constexpr std::string_view local_derivative = "σ(a)·(1 + a·(1 - σ(a)))";
};

template <Expression A>
constexpr auto silu(A a) { return make_node<silu_op>(a); }

template <class T, std::size_t N>
dual<T, N> silu(const dual<T, N>& a) { return lift<silu_op>(a); }

}  // namespace leibniz
