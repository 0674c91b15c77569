#pragma once
// relu(a) = max(a, 0).  d/da = 1 for a > 0, else 0 — at the kink a = 0 the
// derivative is 0, PyTorch's convention. The adjoint is a select, never a
// product with 0 or 1 (DESIGN §4), on the same condition as the value
// (a <= 0), so the compiler branches once for both; like PyTorch's
// threshold_backward, a NaN input passes its adjoint through. The symbolic
// derivative is the expression where(a > 0, 1, 0), printed [a > 0].

#include <leibniz/ops/compare.hpp>
#include <leibniz/ops/op.hpp>
#include <leibniz/ops/where.hpp>

namespace leibniz {

// step(a) = [a > 0]: 1 for a > 0, else 0 — relu's derivative, as an expression.
template <Expression A>
constexpr auto step(A a) { return where(a > zero_t{}, one_t{}, zero_t{}); }

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
    static constexpr auto derivative(A a) { return step(a); }
    static constexpr std::string_view local_derivative = "[a > 0]";
};

template <Expression A>
constexpr auto relu(A a) { return make_node<relu_op>(a); }

}  // namespace leibniz
