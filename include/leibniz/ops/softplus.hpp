#pragma once
// softplus(a) = log(1 + exp(a)).  d/da = sigmoid(a).
// Computed as max(a, 0) + log1p(exp(−|a|)): no overflow for any a. (PyTorch
// switches to a linear branch past a threshold of 20; this form is exact there.)

#include <leibniz/ops/sigmoid.hpp>

#include <cmath>

namespace leibniz {

struct softplus_op {
    static constexpr std::string_view name = "softplus";
    static constexpr op_traits traits{};

    template <class T>
    static T value(const T& a) {
        using std::abs;
        using std::log1p;
        return select(a > T(0), a, T(0)) + log1p(detail::exp_of(-abs(a)));
    }
    template <class T>
    static T jvp(const T& t, const T&, const T& a) { return t * logistic(a); }
    template <class T>
    static T vjp(const T& g, const T&, const T& a) { return g * logistic(a); }
    template <class A>
    static constexpr auto derivative(A) { return node<sigmoid_op, A>{}; }
    static constexpr std::string_view local_derivative = "σ(a)";
};

template <Expression A>
constexpr auto softplus(A a) { return make_node<softplus_op>(a); }

template <class T, std::size_t N>
dual<T, N> softplus(const dual<T, N>& a) { return lift<softplus_op>(a); }

}  // namespace leibniz
