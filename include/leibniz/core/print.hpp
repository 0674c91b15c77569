#pragma once
// to_string(e) and to_latex(e): an expression as a formula.
//
// An op prints as a function call, `name(a)` / `\name\left(a\right)`, unless it
// declares `text(...)` / `latex(...)` and a `precedence` (infix operators).
// Operand P is parenthesised when its precedence is below
// `Op::operand_precedence[P]`.

#include <leibniz/core/expr.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace leibniz {

namespace precedence {
inline constexpr int comparison = 5;  // a < b, a == b
inline constexpr int additive = 10;
inline constexpr int multiplicative = 20;
inline constexpr int unary = 30;  // -a
inline constexpr int power = 40;
inline constexpr int atom = 100;
}  // namespace precedence

namespace detail {

inline std::string integer_text(std::intmax_t v) { return std::to_string(v); }

// A rational as decimal text when it terminates (0.5, 0.125), else "p/q".
inline std::string rational_text(rational r, bool latex) {
    std::intmax_t d = r.den;
    int twos = 0, fives = 0;
    while (d % 2 == 0) d /= 2, ++twos;
    while (d % 5 == 0) d /= 5, ++fives;
    if (r.den == 1) return integer_text(r.num);
    if (d == 1) {
        const int digits = twos > fives ? twos : fives;
        std::intmax_t scale = 1;
        for (int i = 0; i < digits; ++i) scale *= 10;
        const std::intmax_t scaled = r.num * (scale / r.den);
        const std::intmax_t mag = scaled < 0 ? -scaled : scaled;
        std::string frac = std::to_string(mag % scale);
        frac.insert(0, static_cast<std::size_t>(digits) - frac.size(), '0');
        // Built by appending: `"-" + std::string(...)` trips GCC 12's -Wrestrict
        // false positive (GCC bug 105329) at -O3.
        std::string text = scaled < 0 ? "-" : "";
        text += std::to_string(mag / scale);
        text += '.';
        text += frac;
        return text;
    }
    std::string text;
    if (latex) {
        text = r.num < 0 ? "-\\frac{" : "\\frac{";
        text += integer_text(r.num < 0 ? -r.num : r.num);
        text += "}{";
        text += integer_text(r.den);
        text += '}';
    } else {
        text = integer_text(r.num);
        text += '/';
        text += integer_text(r.den);
    }
    return text;
}

template <class Op>
constexpr int op_precedence() {
    if constexpr (requires { Op::precedence; })
        return Op::precedence;
    else
        return precedence::atom;
}

template <class Op, std::size_t P, bool Latex = false>
constexpr int operand_precedence() {
    if constexpr (Latex && requires { Op::latex_operand_precedence; })  // e.g. \frac{}{} needs no parentheses
        return Op::latex_operand_precedence[P];
    else if constexpr (requires { Op::operand_precedence; })
        return Op::operand_precedence[P];
    else
        return 0;
}

template <class E>
constexpr int precedence_of() {
    if constexpr (is_literal<E>::value) {
        if (E::value.num < 0) return precedence::unary;
        return E::value.den == 1 ? precedence::atom : precedence::multiplicative;
    } else if constexpr (is_node<E>::value) {
        return op_precedence<typename E::op>();
    } else {
        return precedence::atom;
    }
}

template <class Op>
std::string latex_name() {
    if constexpr (requires { Op::latex_name; }) {
        return std::string(Op::latex_name);
    } else {
        std::string s = "\\operatorname{";
        for (char ch : Op::name) {
            if (ch == '_') s += '\\';  // hard_tanh → hard\_tanh
            s += ch;
        }
        return s + "}";
    }
}

// An op applied to operands already printed, with their precedences (so an
// operand is parenthesised only where needed). Used for whole expressions and
// by explain(), which prints each node over its operands' names.
template <bool Latex, class Op, std::size_t N>
std::string format_op(const std::array<std::string, N>& operands, const std::array<int, N>& precedences) {
    return [&]<std::size_t... P>(std::index_sequence<P...>) -> std::string {
        const std::array<std::string, N> texts{[&] {
            if (precedences[P] < operand_precedence<Op, P, Latex>())
                return Latex ? "\\left(" + operands[P] + "\\right)" : "(" + operands[P] + ")";
            return operands[P];
        }()...};
        // An op that writes an operand in two contexts (pow's ∂/∂b, a^b·log(a))
        // takes the operands also as printed bare: text(a, b, bare a, bare b).
        if constexpr (Latex) {
            if constexpr (requires { Op::latex(texts[P]..., operands[P]...); })
                return Op::latex(texts[P]..., operands[P]...);
            else if constexpr (requires { Op::latex(texts[P]...); })
                return Op::latex(texts[P]...);
            else {
                std::string s = latex_name<Op>() + "\\left(";
                ((s += (P ? ", " : "") + texts[P]), ...);
                return s + "\\right)";
            }
        } else {
            if constexpr (requires { Op::text(texts[P]..., operands[P]...); })
                return Op::text(texts[P]..., operands[P]...);
            else if constexpr (requires { Op::text(texts[P]...); })
                return Op::text(texts[P]...);
            else {
                std::string s = std::string(Op::name) + "(";
                ((s += (P ? ", " : "") + texts[P]), ...);
                return s + ")";
            }
        }
    }(std::make_index_sequence<N>{});
}

template <bool Latex, class E>
std::string format(E) {
    if constexpr (is_leaf<E>::value) {
        return std::string(E::name.view());
    } else if constexpr (is_literal<E>::value) {
        return rational_text(E::value, Latex);
    } else {
        return []<class Op, class... Args>(node<Op, Args...>*) {
            return format_op<Latex, Op, sizeof...(Args)>({format<Latex>(Args{})...}, {precedence_of<Args>()...});
        }(static_cast<E*>(nullptr));
    }
}

}  // namespace detail

// The formula as text: to_string(sigmoid(w * x + b)) == "sigmoid(w*x + b)".
template <Expression E>
std::string to_string(E e) {
    return detail::format<false>(e);
}

// The formula as LaTeX: to_latex(sigmoid(w * x + b)) == "\sigma\left(w \cdot x + b\right)".
template <Expression E>
std::string to_latex(E e) {
    return detail::format<true>(e);
}

}  // namespace leibniz
