#pragma once
// log1p(a) = log(1 + a), accurate for small a.  d/da = 1/(1 + a).

#include <leibniz/ops/add.hpp>
#include <leibniz/ops/div.hpp>

#include <cmath>

namespace leibniz {

struct log1p_op {
    static constexpr std::string_view name = "log1p";
    static constexpr op_traits traits{};

    template <class T>
    static T value(const T& a) { using std::log1p; return log1p(a); }
    template <class T>
    static constexpr T jvp(const T& t, const T&, const T& a) { return t / (T(1) + a); }
    template <class T>
    static constexpr T vjp(const T& g, const T&, const T& a) { return g / (T(1) + a); }
    template <class A>
    static constexpr auto derivative(A) { return simplified_div(one_t{}, node<add_op, one_t, A>{}); }
    static constexpr std::string_view local_derivative = "1/(1 + a)";
};

template <Expression A>
constexpr auto log1p(A a) { return make_node<log1p_op>(a); }

template <class T, std::size_t N>
dual<T, N> log1p(const dual<T, N>& a) { return lift<log1p_op>(a); }

}  // namespace leibniz
