#pragma once
// The simplifying sum, difference, product, quotient and negation that the
// symbolic derivative (core/symbolic.hpp) is built with. Each rule works on
// types only, so the derivative's type is already simplified:
//   0·e → 0    1·e → e    −1·e → −e    c₁·c₂ → c    e·c → c·e    c₁·(c₂·e) → (c₁c₂)·e
//   e + 0 → e  c₁ + c₂ → c   e + e → 2·e   c₁·e + c₂·e → (c₁+c₂)·e   a + (−b) → a − b
//   e − 0 → e  0 − e → −e   e − e → 0   a − (−b) → a + b
//   −c → literal   −(−e) → e   −(c·e) → (−c)·e
//   0/e → 0    e/1 → e    c₁/c₂ → c    e/c → (1/c)·e   (simplified_div, in div.hpp)
// User expressions are never rewritten: only derivatives go through here.
// The quotient is beside div_op, which uses this header for its own partials:
// so no header includes the other back.

#include <leibniz/ops/add.hpp>
#include <leibniz/ops/mul.hpp>
#include <leibniz/ops/neg.hpp>
#include <leibniz/ops/sub.hpp>

#include <type_traits>

namespace leibniz {

namespace simplify_detail {

template <class E, class Op>
struct is_op_node : std::false_type {};
template <class Op, class... Args>
struct is_op_node<node<Op, Args...>, Op> : std::true_type {};

template <class E, class Op>
inline constexpr bool is = is_op_node<E, Op>::value;

template <class E>
inline constexpr bool is_zero = std::is_same_v<E, zero_t>;
template <class E>
inline constexpr bool is_one = std::is_same_v<E, one_t>;
template <class E>
inline constexpr bool is_lit = is_literal<E>::value;

template <class E>
struct is_minus_one : std::false_type {};
template <>
struct is_minus_one<literal<rational{-1, 1}>> : std::true_type {};

template <class E>
struct is_negative_literal : std::false_type {};
template <rational R>
struct is_negative_literal<literal<R>> : std::bool_constant<(R.num < 0)> {};

// c·e with c a literal (or −e): the coefficient and the rest. `explicit_`
// is true when E really carries a coefficient.
template <class E>
struct scaled {
    static constexpr bool explicit_ = false;
    static constexpr rational coefficient{1, 1};
    using rest = E;
};
template <rational C, class E>
struct scaled<node<mul_op, literal<C>, E>> {
    static constexpr bool explicit_ = true;
    static constexpr rational coefficient = C;
    using rest = E;
};
template <class E>
struct scaled<node<neg_op, E>> {
    static constexpr bool explicit_ = true;
    static constexpr rational coefficient{-1, 1};
    using rest = E;
};

template <class E>
inline constexpr bool is_scaled = scaled<E>::explicit_;

}  // namespace simplify_detail

namespace simplify_detail {
template <class L>
constexpr rational literal_value() {
    return L::value;
}
}  // namespace simplify_detail

template <Expression A>
constexpr auto simplified_neg(A) {
    using namespace simplify_detail;
    if constexpr (is_lit<A>)
        return literal<-literal_value<A>()>{};
    else if constexpr (is<A, neg_op>)
        return boost::mp11::mp_at_c<typename A::operands, 0>{};
    else if constexpr (is_scaled<A>)
        return simplified_mul(literal<-scaled<A>::coefficient>{}, typename scaled<A>::rest{});
    else
        return node<neg_op, A>{};
}

template <Expression A, Expression B>
constexpr auto simplified_mul(A a, B b) {
    using namespace simplify_detail;
    if constexpr (is_zero<A> || is_zero<B>)
        return zero_t{};
    else if constexpr (is_one<A>)
        return b;
    else if constexpr (is_one<B>)
        return a;
    else if constexpr (is_lit<A> && is_lit<B>)
        return literal<literal_value<A>() * literal_value<B>()>{};
    else if constexpr (is_lit<B>)
        return simplified_mul(b, a);  // literal first
    else if constexpr (is_minus_one<A>::value)
        return simplified_neg(b);
    else if constexpr (is_lit<A> && is_scaled<B>)  // c₁·(c₂·e) → (c₁c₂)·e
        return simplified_mul(literal<literal_value<A>() * scaled<B>::coefficient>{}, typename scaled<B>::rest{});
    else if constexpr (is_lit<A>)
        return node<mul_op, A, B>{};
    else if constexpr (is_scaled<A>)  // (c·a)·b → c·(a·b)
        return simplified_mul(literal<scaled<A>::coefficient>{}, simplified_mul(typename scaled<A>::rest{}, b));
    else if constexpr (is_scaled<B>)  // a·(c·b) → c·(a·b)
        return simplified_mul(literal<scaled<B>::coefficient>{}, simplified_mul(a, typename scaled<B>::rest{}));
    else
        return node<mul_op, A, B>{};
}

template <Expression A, Expression B>
constexpr auto simplified_add(A a, B b) {
    using namespace simplify_detail;
    using SA = scaled<A>;
    using SB = scaled<B>;
    if constexpr (is_zero<A>)
        return b;
    else if constexpr (is_zero<B>)
        return a;
    else if constexpr (is_lit<A> && is_lit<B>)
        return literal<literal_value<A>() + literal_value<B>()>{};
    else if constexpr (!is_lit<A> && std::is_same_v<typename SA::rest, typename SB::rest>)
        return simplified_mul(literal<SA::coefficient + SB::coefficient>{}, typename SA::rest{});
    else if constexpr (is<B, neg_op>)
        return simplified_sub(a, typename SB::rest{});
    else if constexpr (is_negative_literal<B>::value)
        return simplified_sub(a, simplified_neg(b));
    else if constexpr (is<A, neg_op>)
        return simplified_sub(b, typename SA::rest{});
    else
        return node<add_op, A, B>{};
}

template <Expression A, Expression B>
constexpr auto simplified_sub(A a, B b) {
    using namespace simplify_detail;
    using SA = scaled<A>;
    using SB = scaled<B>;
    if constexpr (is_zero<B>)
        return a;
    else if constexpr (is_zero<A>)
        return simplified_neg(b);
    else if constexpr (is_lit<A> && is_lit<B>)
        return literal<literal_value<A>() - literal_value<B>()>{};
    else if constexpr (!is_lit<A> && std::is_same_v<typename SA::rest, typename SB::rest>)
        return simplified_mul(literal<SA::coefficient - SB::coefficient>{}, typename SA::rest{});
    else if constexpr (is<B, neg_op>)
        return simplified_add(a, typename SB::rest{});
    else
        return node<sub_op, A, B>{};
}

}  // namespace leibniz
