#pragma once
// relu(a) = max(a, 0).  d/da = 1 for a > 0, else 0 — at the kink a = 0 the
// derivative is 0, PyTorch's convention. The adjoint is a select, never a
// product with 0 or 1 (DESIGN §4), on the same condition as the value
// (a <= 0), so the compiler branches once for both; like PyTorch's
// threshold_backward, a NaN input passes its adjoint through.

#include <leibniz/ops/op.hpp>

namespace leibniz {

// step(a): 1 for a > 0, else 0 — the derivative of relu, as an expression.
// Piecewise constant: its own derivative is 0.
struct step_op {
    static constexpr std::string_view name = "step";
    static constexpr std::string_view latex_name = "H";
    static constexpr op_traits traits{.linear = true, .reads_operands = false};

    template <class T>
    static constexpr T value(const T& a) { return select(a > T(0), T(1), T(0)); }
    template <class T>
    static constexpr T jvp(const T&, const T&, const T&) { return T(0); }
    template <class T>
    static constexpr T vjp(const T&, const T&, const T&) { return T(0); }
    template <class A>
    static constexpr auto derivative(A) { return zero_t{}; }
    static constexpr std::string_view local_derivative = "0";
};

struct relu_op {
    static constexpr std::string_view name = "relu";
    static constexpr std::string_view latex_name = "\\operatorname{ReLU}";
    static constexpr op_traits traits{};

    template <class T>
    static constexpr T value(const T& a) { return select(a <= T(0), T(0), a); }  // NaN stays NaN
    template <class T>
    static constexpr T jvp(const T& t, const T&, const T& a) { return select(a <= T(0), T(0), t); }
    template <class T>
    static constexpr T vjp(const T& g, const T&, const T& a) { return select(a <= T(0), T(0), g); }
    template <class A>
    static constexpr auto derivative(A) { return node<step_op, A>{}; }
    static constexpr std::string_view local_derivative = "[a > 0]";
};

template <Expression A>
constexpr auto relu(A a) { return make_node<relu_op>(a); }
template <Expression A>
constexpr auto step(A a) { return make_node<step_op>(a); }

}  // namespace leibniz
