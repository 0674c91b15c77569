#pragma once
// sigmoid(a) = 1/(1 + exp(−a)).  d/da = y·(1 − y): the backward rule reuses the value.

#include <leibniz/ops/exp.hpp>
#include <leibniz/ops/simplify.hpp>

#include <cmath>

namespace leibniz {

struct sigmoid_op {
    static constexpr std::string_view name = "sigmoid";
    static constexpr std::string_view latex_name = "\\sigma";
    static constexpr op_traits traits{.reads_result = true, .reads_operands = false};

    // Accurate for every a: where exp(−a) overflows to +inf the quotient is
    // exactly 0, and 1 + exp(−a) loses nothing that matters to the quotient.
    template <class T>
    static T value(const T& a) {
        return T(1) / (T(1) + detail::exp_of(-a));
    }
    template <class T>
    static constexpr T jvp(const T& t, const T& y, const T&) { return t * (y * (T(1) - y)); }
    template <class T>
    static constexpr T vjp(const T& g, const T& y, const T&) { return g * (y * (T(1) - y)); }
    template <class A>
    static constexpr auto derivative(A) {
        return simplified_mul(node<sigmoid_op, A>{}, simplified_sub(one_t{}, node<sigmoid_op, A>{}));
    }
    static constexpr std::string_view local_derivative = "σ(a)·(1 - σ(a)) = y·(1 - y)";
};

template <Expression A>
constexpr auto sigmoid(A a) { return make_node<sigmoid_op>(a); }

template <class T, std::size_t N>
dual<T, N> sigmoid(const dual<T, N>& a) { return lift<sigmoid_op>(a); }

// The logistic function on numbers (plain or dual), for other ops' rules.
template <class T>
T logistic(const T& a) {
    if constexpr (is_dual_v<T>)
        return lift<sigmoid_op>(a);
    else
        return sigmoid_op::value(a);
}

}  // namespace leibniz
