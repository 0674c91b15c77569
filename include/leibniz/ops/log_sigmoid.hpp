#pragma once
// log_sigmoid(a) = log σ(a) = −softplus(−a), computed as min(a, 0) −
// log1p(exp(−|a|)): no overflow for any a (−1e4 gives −1e4).
// d/da = 1 − σ(a) = σ(−a).

#include <leibniz/ops/neg.hpp>
#include <leibniz/ops/sigmoid.hpp>

#include <cmath>

namespace leibniz {

struct log_sigmoid_op {
    static constexpr std::string_view name = "log_sigmoid";
    static constexpr std::string_view latex_name = "\\log\\sigma";
    static constexpr op_traits traits{};

    template <class T>
    static T value(const T& a) {
        using std::log1p;
        return select(a < T(0), a, T(0)) - log1p(detail::exp_of(-select(a < T(0), -a, a)));
    }
    template <class T>
    static T jvp(const T& t, const T&, const T& a) { return t * logistic(-a); }
    template <class T>
    static T vjp(const T& g, const T&, const T& a) { return g * logistic(-a); }
    template <class A>
    static constexpr auto derivative(A a) { return node<sigmoid_op, decltype(-a)>{}; }
    static constexpr std::string_view local_derivative = "σ(-a) = 1 - σ(a)";
};

template <Expression A>
constexpr auto log_sigmoid(A a) { return make_node<log_sigmoid_op>(a); }

template <class T, std::size_t N>
dual<T, N> log_sigmoid(const dual<T, N>& a) { return lift<log_sigmoid_op>(a); }

}  // namespace leibniz
