#pragma once
// hard_tanh(a) = clamp(a, −1, 1).  d/da = 1 for −1 < a < 1, else 0 — 0 at
// the corners a = ±1, PyTorch's convention (Hardtanh's backward is strict).

#include <leibniz/ops/op.hpp>

namespace leibniz {

// [−1 < a < 1]: the derivative of hard_tanh as an expression.
struct inside_unit_op {
    static constexpr std::string_view name = "inside_unit";
    static std::string latex(const std::string& a) { return "[-1 < " + a + " < 1]"; }
    static constexpr op_traits traits{.linear = true, .reads_operands = false};

    template <class T>
    static constexpr T value(const T& a) { return select(a > T(-1) && a < T(1), T(1), T(0)); }
    template <class T>
    static constexpr T jvp(const T&, const T&, const T&) { return T(0); }
    template <class T>
    static constexpr T vjp(const T&, const T&, const T&) { return T(0); }
    template <class A>
    static constexpr auto derivative(A) { return zero_t{}; }
    static constexpr std::string_view local_derivative = "0";
};

struct hard_tanh_op {
    static constexpr std::string_view name = "hard_tanh";
    static constexpr op_traits traits{};

    template <class T>
    static constexpr T value(const T& a) { return select(a < T(-1), T(-1), select(a > T(1), T(1), a)); }
    template <class T>
    static constexpr T jvp(const T& t, const T&, const T& a) { return select(a > T(-1) && a < T(1), t, T(0)); }
    template <class T>
    static constexpr T vjp(const T& g, const T&, const T& a) { return select(a > T(-1) && a < T(1), g, T(0)); }
    template <class A>
    static constexpr auto derivative(A) { return node<inside_unit_op, A>{}; }
    static constexpr std::string_view local_derivative = "[-1 < a < 1]";
};

template <Expression A>
constexpr auto hard_tanh(A a) { return make_node<hard_tanh_op>(a); }

}  // namespace leibniz
