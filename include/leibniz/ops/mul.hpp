#pragma once
// a · b.  ∂/∂a = b, ∂/∂b = a (the product rule).

#include <leibniz/ops/op.hpp>

namespace leibniz {

struct mul_op {
    static constexpr std::string_view name = "mul";
    static constexpr int precedence = precedence::multiplicative;
    static constexpr std::array<int, 2> operand_precedence{precedence::multiplicative,
                                                           precedence::multiplicative};
    static std::string text(const std::string& a, const std::string& b) { return detail::infix(a, "*", b); }
    static std::string latex(const std::string& a, const std::string& b) { return detail::infix(a, " \\cdot ", b); }
    static constexpr op_traits traits{};

    template <class T>
    static constexpr T value(const T& a, const T& b) {
        LEIBNIZ_CONTRACT  // a·b + c as one FMA, as hand-written (config.hpp)
        return a * b;
    }
    template <std::size_t P, class T>
    static constexpr T jvp(const T& t, const T&, const T& a, const T& b) {
        if constexpr (P == 0) return t * b; else return a * t;
    }
    template <std::size_t P, class T>
    static constexpr T vjp(const T& g, const T&, const T& a, const T& b) {
        if constexpr (P == 0) return g * b; else return a * g;
    }
    template <std::size_t P, class A, class B>
    static constexpr auto partial(A a, B b) {
        if constexpr (P == 0) return b; else return a;
    }
    static constexpr std::array<std::string_view, 2> local_derivative{"b", "a"};
};

template <Expression A, Expression B>
constexpr auto operator*(A a, B b) {
    return make_node<mul_op>(a, b);
}
template <Expression A, runtime_number S>
constexpr poison operator*(A, S) {
    if constexpr (!poisoned<A>) detail::reject_runtime_number<S>();
    return {};
}
template <runtime_number S, Expression A>
constexpr poison operator*(S, A) {
    if constexpr (!poisoned<A>) detail::reject_runtime_number<S>();
    return {};
}

}  // namespace leibniz
