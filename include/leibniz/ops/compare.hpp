#pragma once
// Comparisons: a < b, a <= b, a > b, a >= b, a == b, a != b, between
// expressions and against literals (x > 0_c). The value is a mask, 1 where
// the comparison holds and 0 elsewhere, elementwise with broadcasting; it is
// meant for lz::where (where.hpp). A mask has no gradient: both partials are
// 0, its tangent rule gives 0, and its adjoint rule gives −0, the additive
// identity, so a sweep's `δa += −0` is dropped by the compiler.

#include <leibniz/ops/op.hpp>

namespace leibniz {

enum class comparison : unsigned char { less, less_equal, greater, greater_equal, equal, not_equal };

template <comparison C>
struct compare_op {
    static constexpr std::array<std::string_view, 6> names{"less", "less_equal", "greater", "greater_equal",
                                                           "equal", "not_equal"};
    static constexpr std::array<std::string_view, 6> symbols{" < ", " <= ", " > ", " >= ", " == ", " != "};
    static constexpr std::array<std::string_view, 6> latex_symbols{" < ", " \\leq ", " > ", " \\geq ", " = ", " \\neq "};
    static constexpr std::string_view name = names[static_cast<std::size_t>(C)];
    static constexpr int precedence = precedence::comparison;
    static constexpr std::array<int, 2> operand_precedence{precedence::comparison + 1, precedence::comparison + 1};
    static std::string text(const std::string& a, const std::string& b) {
        return detail::infix(a, symbols[static_cast<std::size_t>(C)], b);
    }
    static std::string latex(const std::string& a, const std::string& b) {
        return detail::infix(a, latex_symbols[static_cast<std::size_t>(C)], b);
    }
    static constexpr op_traits traits{.reads_operands = false};

    // Whether the comparison holds: a bool, or a SIMD batch's mask.
    template <class T>
    static constexpr auto holds(const T& a, const T& b) {
        if constexpr (C == comparison::less) return a < b;
        else if constexpr (C == comparison::less_equal) return a <= b;
        else if constexpr (C == comparison::greater) return a > b;
        else if constexpr (C == comparison::greater_equal) return a >= b;
        else if constexpr (C == comparison::equal) return a == b;
        else return a != b;
    }

    template <class T>
    static constexpr T value(const T& a, const T& b) { return select(holds(a, b), T(1), T(0)); }
    template <std::size_t P, class T>
    static constexpr T jvp(const T&, const T&, const T&, const T&) { return T(0); }
    template <std::size_t P, class T>
    static constexpr T vjp(const T&, const T&, const T&, const T&) { return detail::no_adjoint<T>(); }
    template <std::size_t P, class A, class B>
    static constexpr auto partial(A, B) { return zero_t{}; }
    static constexpr std::array<std::string_view, 2> local_derivative{"0", "0"};
};

template <Expression A, Expression B>
constexpr auto operator<(A a, B b) { return make_node<compare_op<comparison::less>>(a, b); }
template <Expression A, Expression B>
constexpr auto operator<=(A a, B b) { return make_node<compare_op<comparison::less_equal>>(a, b); }
template <Expression A, Expression B>
constexpr auto operator>(A a, B b) { return make_node<compare_op<comparison::greater>>(a, b); }
template <Expression A, Expression B>
constexpr auto operator>=(A a, B b) { return make_node<compare_op<comparison::greater_equal>>(a, b); }
template <Expression A, Expression B>
constexpr auto operator==(A a, B b) { return make_node<compare_op<comparison::equal>>(a, b); }
template <Expression A, Expression B>
constexpr auto operator!=(A a, B b) { return make_node<compare_op<comparison::not_equal>>(a, b); }

// x > 0 with a run-time 0: the literal is 0_c.
template <Expression A, runtime_number S>
constexpr auto operator<(A, S) { detail::reject_runtime_number<S>(); }
template <runtime_number S, Expression A>
constexpr auto operator<(S, A) { detail::reject_runtime_number<S>(); }
template <Expression A, runtime_number S>
constexpr auto operator<=(A, S) { detail::reject_runtime_number<S>(); }
template <runtime_number S, Expression A>
constexpr auto operator<=(S, A) { detail::reject_runtime_number<S>(); }
template <Expression A, runtime_number S>
constexpr auto operator>(A, S) { detail::reject_runtime_number<S>(); }
template <runtime_number S, Expression A>
constexpr auto operator>(S, A) { detail::reject_runtime_number<S>(); }
template <Expression A, runtime_number S>
constexpr auto operator>=(A, S) { detail::reject_runtime_number<S>(); }
template <runtime_number S, Expression A>
constexpr auto operator>=(S, A) { detail::reject_runtime_number<S>(); }
template <Expression A, runtime_number S>
constexpr auto operator==(A, S) { detail::reject_runtime_number<S>(); }
template <runtime_number S, Expression A>
constexpr auto operator==(S, A) { detail::reject_runtime_number<S>(); }
template <Expression A, runtime_number S>
constexpr auto operator!=(A, S) { detail::reject_runtime_number<S>(); }
template <runtime_number S, Expression A>
constexpr auto operator!=(S, A) { detail::reject_runtime_number<S>(); }

}  // namespace leibniz
