#pragma once
// leaky_relu(a, s) = a for a > 0, s·a otherwise, with s a literal (default
// 0.01, PyTorch's). d/da = 1 for a > 0, else s — at a = 0 the slope is s,
// PyTorch's convention.

#include <leibniz/ops/op.hpp>

namespace leibniz {

// The derivative of leaky_relu as an expression: 1 for a > 0, else s.
template <rational Slope>
struct leaky_step_op {
    static constexpr std::string_view name = "leaky_step";
    static std::string text(const std::string& a) { return "leaky_step(" + a + ", " + detail::rational_text(Slope, false) + ")"; }
    static constexpr op_traits traits{.linear = true, .reads_operands = false};

    template <class T>
    static constexpr T value(const T& a) { return select(a > T(0), T(1), literal<Slope>::template as<T>()); }
    template <class T>
    static constexpr T jvp(const T&, const T&, const T&) { return T(0); }
    template <class T>
    static constexpr T vjp(const T&, const T&, const T&) { return T(0); }
    template <class A>
    static constexpr auto derivative(A) { return zero_t{}; }
    static constexpr std::string_view local_derivative = "0";
};

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
    static constexpr auto derivative(A) { return node<leaky_step_op<Slope>, A>{}; }
    static constexpr std::string_view local_derivative = "[a > 0] + s·[a ≤ 0]";
};

template <Expression A, Literal S = decltype(c<1, 100>)>
constexpr auto leaky_relu(A a, S = {}) { return make_node<leaky_relu_op<S::value>>(a); }

}  // namespace leibniz
