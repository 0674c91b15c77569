#pragma once
// a / b.  ∂/∂a = 1/b, ∂/∂b = −a/b² = −y/b.

#include <leibniz/ops/op.hpp>
#include <leibniz/ops/simplify.hpp>

namespace leibniz {

struct div_op {
    static constexpr std::string_view name = "div";
    static constexpr int precedence = precedence::multiplicative;
    static constexpr std::array<int, 2> operand_precedence{precedence::multiplicative,
                                                           precedence::multiplicative + 1};
    static std::string text(const std::string& a, const std::string& b) { return detail::infix(a, "/", b); }
    static std::string latex(const std::string& a, const std::string& b) { return "\\frac{" + a + "}{" + b + "}"; }
    static constexpr std::array<int, 2> latex_operand_precedence{0, 0};  // the fraction bar groups
    static constexpr op_traits traits{.reads_result = true};

    template <class T>
    static constexpr T value(const T& a, const T& b) { return a / b; }
    template <std::size_t P, class T>
    static constexpr T jvp(const T& t, const T& y, const T&, const T& b) {
        if constexpr (P == 0) return t / b; else return -(t * y) / b;
    }
    template <std::size_t P, class T>
    static constexpr T vjp(const T& g, const T& y, const T&, const T& b) {
        if constexpr (P == 0) return g / b; else return -(g * y) / b;
    }
    template <std::size_t P, class A, class B>
    static constexpr auto partial(A a, B b) {
        if constexpr (P == 0)
            return simplified_div(one_t{}, b);
        else
            return simplified_neg(simplified_div(a, simplified_mul(b, b)));
    }
    static constexpr std::array<std::string_view, 2> local_derivative{"1/b", "-y/b"};
};

// The simplifying quotient the symbolic derivatives use (see simplify.hpp).
template <Expression A, Expression B>
constexpr auto simplified_div(A a, B b) {
    using namespace simplify_detail;
    if constexpr (is_zero<A>)
        return zero_t{};
    else if constexpr (is_one<B>)
        return a;
    else if constexpr (is_lit<A> && is_lit<B>)
        return literal<literal_value<A>() / literal_value<B>()>{};
    else if constexpr (is_lit<B>)
        return simplified_mul(literal<rational{1, 1} / literal_value<B>()>{}, a);
    else if constexpr (is<A, neg_op>)
        return simplified_neg(simplified_div(typename scaled<A>::rest{}, b));
    else
        return node<div_op, A, B>{};
}


template <Expression A, Expression B>
constexpr auto operator/(A a, B b) {
    return make_node<div_op>(a, b);
}
template <Expression A, runtime_number S>
constexpr poison operator/(A, S) {
    if constexpr (!poisoned<A>) detail::reject_runtime_number<S>();
    return {};
}
template <runtime_number S, Expression A>
constexpr poison operator/(S, A) {
    if constexpr (!poisoned<A>) detail::reject_runtime_number<S>();
    return {};
}

}  // namespace leibniz
