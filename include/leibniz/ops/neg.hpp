#pragma once
// −a.  ∂/∂a = −1. Negating a literal folds: -2_c is the literal −2.

#include <leibniz/ops/op.hpp>

namespace leibniz {

struct neg_op {
    static constexpr std::string_view name = "neg";
    static constexpr int precedence = precedence::unary;
    static constexpr std::array<int, 1> operand_precedence{precedence::unary};
    static std::string text(const std::string& a) { return "-" + a; }
    static std::string latex(const std::string& a) { return "-" + a; }
    static constexpr op_traits traits{.reads_operands = false};

    template <class T>
    static constexpr T value(const T& a) { return -a; }
    template <class T>
    static constexpr T jvp(const T& t, const T&, const T&) { return -t; }
    template <class T>
    static constexpr T vjp(const T& g, const T&, const T&) { return -g; }
    template <class A>
    static constexpr auto derivative(A) { return c<-1>; }
    static constexpr std::string_view local_derivative = "-1";
};

template <Expression A>
constexpr auto operator-(A a) {
    if constexpr (is_literal<A>::value)
        return literal<-A::value>{};
    else
        return make_node<neg_op>(a);
}

}  // namespace leibniz
