#pragma once
// sqrt(a).  d/da = 1/(2·sqrt(a)) = 1/(2y); +inf at a = 0, as in PyTorch.

#include <leibniz/ops/div.hpp>
#include <leibniz/ops/op.hpp>

#include <cmath>

namespace leibniz {

struct sqrt_op {
    static constexpr std::string_view name = "sqrt";
    static std::string latex(const std::string& a) { return "\\sqrt{" + a + "}"; }
    static constexpr op_traits traits{.reads_result = true, .reads_operands = false};

    template <class T>
    static T value(const T& a) { using std::sqrt; return sqrt(a); }
    template <class T>
    static constexpr T jvp(const T& t, const T& y, const T&) { return t / (T(2) * y); }
    template <class T>
    static constexpr T vjp(const T& g, const T& y, const T&) { return g / (T(2) * y); }
    template <class A>
    static constexpr auto derivative(A) { return simplified_div(c<1, 2>, node<sqrt_op, A>{}); }
    static constexpr std::string_view local_derivative = "1/(2·sqrt(a)) = 1/(2y)";
};

template <Expression A>
constexpr auto sqrt(A a) { return make_node<sqrt_op>(a); }

template <class T, std::size_t N>
dual<T, N> sqrt(const dual<T, N>& a) { return lift<sqrt_op>(a); }

}  // namespace leibniz
