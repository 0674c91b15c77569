#pragma once
// leaky_relu(a, s) = a for a > 0, s·a otherwise, with s a literal (default
// 0.01, PyTorch's). d/da = 1 for a > 0, else s — at a = 0 the slope is s,
// PyTorch's convention. The symbolic derivative is where(a > 0, 1, s).

#include <leibniz/ops/compare.hpp>
#include <leibniz/ops/op.hpp>
#include <leibniz/ops/where.hpp>

namespace leibniz {

template <rational Slope>
struct leaky_relu_op {
    static constexpr std::string_view name = "leaky_relu";
    static std::string text(const std::string& a) { return "leaky_relu(" + a + ", " + detail::rational_text(Slope, false) + ")"; }
    static std::string latex(const std::string& a) {
        return "\\operatorname{LeakyReLU}_{" + detail::rational_text(Slope, true) + "}\\left(" + a + "\\right)";
    }
    static constexpr op_traits traits{};

    template <class T>
    static constexpr T value(const T& a) { return select(a > T(0), a, a * literal<Slope>::template as<T>()); }
    template <class T>
    static constexpr T jvp(const T& t, const T&, const T& a) { return select(a > T(0), t, t * literal<Slope>::template as<T>()); }
    template <class T>
    static constexpr T vjp(const T& g, const T&, const T& a) { return select(a > T(0), g, g * literal<Slope>::template as<T>()); }
    template <class A>
    static constexpr auto derivative(A a) { return where(a > zero_t{}, one_t{}, literal<Slope>{}); }
    static constexpr std::string_view local_derivative = "[a > 0] + s·[a ≤ 0]";
};

template <Expression A, Literal S = decltype(c<1, 100>)>
constexpr auto leaky_relu(A a, S = {}) { return make_node<leaky_relu_op<S::value>>(a); }

}  // namespace leibniz
