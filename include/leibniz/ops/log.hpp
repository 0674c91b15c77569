#pragma once
// log(a), the natural logarithm.  d/da log(a) = 1/a.

#include <leibniz/ops/div.hpp>
#include <leibniz/ops/op.hpp>

#include <cmath>

namespace leibniz {

struct log_op {
    static constexpr std::string_view name = "log";
    static constexpr std::string_view latex_name = "\\log";
    static constexpr op_traits traits{};

    template <class T>
    static T value(const T& a) { using std::log; return log(a); }
    template <class T>
    static constexpr T jvp(const T& t, const T&, const T& a) { return t / a; }
    template <class T>
    static constexpr T vjp(const T& g, const T&, const T& a) { return g / a; }
    template <class A>
    static constexpr auto derivative(A a) { return simplified_div(one_t{}, a); }
    static constexpr std::string_view local_derivative = "1/a";
};

template <Expression A>
constexpr auto log(A a) { return make_node<log_op>(a); }

template <class T, std::size_t N>
dual<T, N> log(const dual<T, N>& a) { return lift<log_op>(a); }

}  // namespace leibniz
