#pragma once
// |a|.  d/da = sign(a), with sign(0) = 0 — PyTorch's convention at the kink.

#include <leibniz/ops/op.hpp>

namespace leibniz {

// sign(a) ∈ {−1, 0, 1}: the derivative of |a| as an expression.
struct sign_op {
    static constexpr std::string_view name = "sign";
    static constexpr std::string_view latex_name = "\\operatorname{sign}";
    static constexpr op_traits traits{.reads_operands = false};

    template <class T>
    static constexpr T value(const T& a) { return select(a > T(0), T(1), select(a < T(0), T(-1), T(0))); }
    template <class T>
    static constexpr T jvp(const T&, const T&, const T&) { return T(0); }
    template <class T>
    static constexpr T vjp(const T&, const T&, const T&) { return T(0); }
    template <class A>
    static constexpr auto derivative(A) { return zero_t{}; }
    static constexpr std::string_view local_derivative = "0";
};

struct abs_op {
    static constexpr std::string_view name = "abs";
    static std::string text(const std::string& a) { return "|" + a + "|"; }
    static std::string latex(const std::string& a) { return "\\left|" + a + "\\right|"; }
    static constexpr op_traits traits{};

    // a + 0 maps −0 to +0 and keeps NaN.
    template <class T>
    static constexpr T value(const T& a) { return select(a < T(0), -a, a + T(0)); }
    template <class T>
    static constexpr T jvp(const T& t, const T&, const T& a) { return select(a > T(0), t, select(a < T(0), -t, T(0))); }
    template <class T>
    static constexpr T vjp(const T& g, const T&, const T& a) { return select(a > T(0), g, select(a < T(0), -g, T(0))); }
    template <class A>
    static constexpr auto derivative(A) { return node<sign_op, A>{}; }
    static constexpr std::string_view local_derivative = "sign(a)";
};

template <Expression A>
constexpr auto abs(A a) { return make_node<abs_op>(a); }
template <Expression A>
constexpr auto sign(A a) { return make_node<sign_op>(a); }

}  // namespace leibniz
