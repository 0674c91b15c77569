#pragma once
// a + b.  ∂/∂a = 1, ∂/∂b = 1: the adjoint passes through unchanged to both.

#include <leibniz/ops/op.hpp>

namespace leibniz {

struct add_op {
    static constexpr std::string_view name = "add";
    static constexpr int precedence = precedence::additive;
    static constexpr std::array<int, 2> operand_precedence{precedence::additive, precedence::additive + 1};
    static std::string text(const std::string& a, const std::string& b) { return detail::infix(a, " + ", b); }
    static std::string latex(const std::string& a, const std::string& b) { return detail::infix(a, " + ", b); }
    static constexpr op_traits traits{.reads_operands = false};

    template <class T>
    static constexpr T value(const T& a, const T& b) {
        LEIBNIZ_CONTRACT  // a·b + c as one FMA, as hand-written (config.hpp)
        return a + b;
    }
    template <std::size_t P, class T>
    static constexpr T jvp(const T& t, const T&, const T&, const T&) { return t; }
    template <std::size_t P, class T>
    static constexpr T vjp(const T& g, const T&, const T&, const T&) { return g; }
    template <std::size_t P, class A, class B>
    static constexpr auto partial(A, B) { return one_t{}; }
    static constexpr std::array<std::string_view, 2> local_derivative{"1", "1"};
};

template <Expression A, Expression B>
constexpr auto operator+(A a, B b) {
    return make_node<add_op>(a, b);
}
template <Expression A, runtime_number S>
constexpr poison operator+(A, S) {
    if constexpr (!poisoned<A>) detail::reject_runtime_number<S>();
    return {};
}
template <runtime_number S, Expression A>
constexpr poison operator+(S, A) {
    if constexpr (!poisoned<A>) detail::reject_runtime_number<S>();
    return {};
}

}  // namespace leibniz
