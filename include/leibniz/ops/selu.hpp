#pragma once
// selu(a) = λ·a for a > 0, else λα·(exp(a) − 1), with PyTorch's (and
// Klambauer et al.'s) α = 1.6732632423543772848, λ = 1.0507009873554804934.
// d/da = λ for a > 0, else λα·exp(a).

#include <leibniz/ops/compare.hpp>
#include <leibniz/ops/exp.hpp>
#include <leibniz/ops/expm1.hpp>
#include <leibniz/ops/mul.hpp>
#include <leibniz/ops/op.hpp>
#include <leibniz/ops/where.hpp>

namespace leibniz {

struct selu_op {
    static constexpr std::string_view name = "selu";
    static constexpr op_traits traits{};
    static constexpr double alpha = 1.6732632423543772848170429916717;
    static constexpr double scale = 1.0507009873554804934193349852946;

    template <class T>
    static T value(const T& a) {
        using std::expm1;
        const T s = detail::constant<T>(scale);
        return select(a > T(0), s * a, s * (detail::constant<T>(alpha) * expm1(a)));
    }
    template <class T>
    static T slope(const T& a) {
        const T s = detail::constant<T>(scale);
        return select(a > T(0), s, s * (detail::constant<T>(alpha) * detail::exp_of(a)));
    }
    template <class T>
    static T jvp(const T& t, const T&, const T& a) { return t * slope(a); }
    template <class T>
    static T vjp(const T& g, const T&, const T& a) { return g * slope(a); }
    template <class A>
    static constexpr auto derivative(A a) {
        constexpr auto s = c<1050700987355480493, 1000000000000000000>;
        constexpr auto al = c<1673263242354377285, 1000000000000000000>;
        return where(a > zero_t{}, s, s * (al * exp(a)));
    }
    static constexpr std::string_view local_derivative = "λ·[a > 0] + λα·exp(a)·[a ≤ 0]";
};

template <Expression A>
constexpr auto selu(A a) { return make_node<selu_op>(a); }

template <class T, std::size_t N>
dual<T, N> selu(const dual<T, N>& a) { return lift<selu_op>(a); }

}  // namespace leibniz
