#pragma once
// where(m, a, b): a where the mask m is non-zero, else b — elementwise, with
// the three operands broadcast together (PyTorch's torch.where). The mask is
// usually a comparison (compare.hpp): where(x > 0_c, x, 0.01_c * x).
//   ∂/∂m = 0 (a mask selects, it has no gradient)
//   ∂/∂a = [m ≠ 0], written where(m, 1, 0), which prints as the Iverson bracket [m]
//   ∂/∂b = [m = 0], written where(m, 0, 1)
// The adjoint and tangent rules are selects on the same condition as the
// value, never products with 0 or 1: δa = δ where m holds, δb = δ elsewhere.

#include <leibniz/ops/op.hpp>

namespace leibniz {

struct where_op {
    static constexpr std::string_view name = "where";
    // where(m, 1, 0) is the Iverson bracket [m]; the rest prints as a call.
    static std::string text(const std::string& m, const std::string& a, const std::string& b) {
        if (a == "1" && b == "0") return "[" + m + "]";
        return "where(" + m + ", " + a + ", " + b + ")";
    }
    static std::string latex(const std::string& m, const std::string& a, const std::string& b) {
        if (a == "1" && b == "0") return "\\left[" + m + "\\right]";
        return "\\operatorname{where}\\left(" + m + ", " + a + ", " + b + "\\right)";
    }
    static constexpr op_traits traits{};

    template <class T>
    static constexpr T value(const T& m, const T& a, const T& b) { return select(m != T(0), a, b); }
    template <std::size_t P, class T>
    static constexpr T jvp(const T& t, const T&, const T& m, const T&, const T&) {
        if constexpr (P == 0)
            return T(0);
        else if constexpr (P == 1)
            return select(m != T(0), t, T(0));
        else
            return select(m != T(0), T(0), t);
    }
    template <std::size_t P, class T>
    static constexpr T vjp(const T& g, const T&, const T& m, const T&, const T&) {
        if constexpr (P == 0)
            return detail::no_adjoint<T>();
        else if constexpr (P == 1)
            return select(m != T(0), g, T(0));
        else
            return select(m != T(0), T(0), g);
    }
    template <std::size_t P, class M, class A, class B>
    static constexpr auto partial(M, A, B) {
        if constexpr (P == 0)
            return zero_t{};
        else if constexpr (P == 1)
            return node<where_op, M, one_t, zero_t>{};
        else
            return node<where_op, M, zero_t, one_t>{};
    }
    // For lz::explain, whose `a` is the first operand: the mask.
    static constexpr std::array<std::string_view, 3> local_derivative{"0", "[a ≠ 0]", "[a = 0]"};
};

template <Expression M, Expression A, Expression B>
constexpr auto where(M m, A a, B b) { return make_node<where_op>(m, a, b); }

// A run-time number among the operands: literals are 0_c, 0.5_c, lz::c<1, 2>.
template <class M, class A, class B>
    requires((Expression<M> || runtime_number<M>) && (Expression<A> || runtime_number<A>) &&
             (Expression<B> || runtime_number<B>) && (runtime_number<M> || runtime_number<A> || runtime_number<B>))
constexpr auto where(M, A, B) {
    detail::reject_runtime_number<std::conditional_t<runtime_number<M>, M, std::conditional_t<runtime_number<A>, A, B>>>();
}

}  // namespace leibniz
