#pragma once
// exp(a).  d/da exp(a) = exp(a) = y: the backward rule reuses the value.
// On SIMD batches the value is the kernels' exp (detail::exp_of, core/expr.hpp).

#include <leibniz/ops/op.hpp>

#include <cmath>

namespace leibniz {

struct exp_op {
    static constexpr std::string_view name = "exp";
    static constexpr std::string_view latex_name = "\\exp";
    static constexpr op_traits traits{.reads_result = true, .reads_operands = false};

    template <class T>
    static T value(const T& a) { return detail::exp_of(a); }
    template <class T>
    static constexpr T jvp(const T& t, const T& y, const T&) { return t * y; }
    template <class T>
    static constexpr T vjp(const T& g, const T& y, const T&) { return g * y; }
    template <class A>
    static constexpr auto derivative(A) { return node<exp_op, A>{}; }
    static constexpr std::string_view local_derivative = "exp(a) = y";
};

template <Expression A>
constexpr auto exp(A a) { return make_node<exp_op>(a); }

// Forward mode on dual numbers, from the tangent rule above.
template <class T, std::size_t N>
dual<T, N> exp(const dual<T, N>& a) { return lift<exp_op>(a); }

}  // namespace leibniz
