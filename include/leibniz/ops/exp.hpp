#pragma once
// exp(a).  d/da exp(a) = exp(a) = y: the backward rule reuses the value.

#include <leibniz/ops/op.hpp>

#include <cmath>

namespace leibniz {

namespace detail {

// A faster e^x for a SIMD batch type, when a layer above provides one:
// <leibniz/tensor/simd.hpp> specialises this for xsimd batches of float and
// double with kernels::vec::exp (13 vector instructions on AVX-512 against
// ~20 for xsimd::exp, ≤ 1.05 ulp). The tensor sweeps, the only code that
// runs ops on batches, include that header before they do.
template <class T>
struct batch_exp {
    static constexpr bool available = false;
};

// e^a in the ops' rules: a batch's faster exp if it has one, else exp found
// as usual (std::exp for numbers, leibniz::exp for dual numbers, xsimd::exp
// by argument-dependent lookup for other batches).
template <class T>
T exp_of(const T& a) {
    if constexpr (batch_exp<T>::available) {
        return batch_exp<T>::apply(a);
    } else {
        using std::exp;
        return exp(a);
    }
}

}  // namespace detail

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
