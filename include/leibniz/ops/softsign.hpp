#pragma once
// softsign(a) = a/(1 + |a|).  d/da = 1/(1 + |a|)².

#include <leibniz/ops/abs.hpp>
#include <leibniz/ops/add.hpp>
#include <leibniz/ops/div.hpp>
#include <leibniz/ops/mul.hpp>
#include <leibniz/ops/op.hpp>

namespace leibniz {

struct softsign_op {
    static constexpr std::string_view name = "softsign";
    static constexpr op_traits traits{};

    template <class T>
    static T denominator(const T& a) { return T(1) + select(a < T(0), -a, a); }
    template <class T>
    static T value(const T& a) { return a / denominator(a); }
    template <class T>
    static T jvp(const T& t, const T&, const T& a) { const T d = denominator(a); return t / (d * d); }
    template <class T>
    static T vjp(const T& g, const T&, const T& a) { const T d = denominator(a); return g / (d * d); }
    template <class A>
    static constexpr auto derivative(A a) { return one_t{} / ((one_t{} + abs(a)) * (one_t{} + abs(a))); }
    static constexpr std::string_view local_derivative = "1/(1 + |a|)²";
};

template <Expression A>
constexpr auto softsign(A a) { return make_node<softsign_op>(a); }

template <class T, std::size_t N>
dual<T, N> softsign(const dual<T, N>& a) { return lift<softsign_op>(a); }

}  // namespace leibniz
