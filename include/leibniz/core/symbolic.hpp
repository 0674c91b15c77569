#pragma once
// d(f, w): the derivative as a new expression type, built from each op's
// symbolic `derivative` (unary) or `partial<P>` (n-ary) by the chain rule,
//     d(op(a, b), w) = ∂op/∂a · d(a, w) + ∂op/∂b · d(b, w),
// and simplified while it is built (0·e → 0, 1·e → e, e + 0 → e, e + e → 2·e,
// literals folded). The simplifying sum and product, `simplified_add` and
// `simplified_mul`, are found by argument-dependent lookup: they are defined
// beside the arithmetic ops (ops/simplify.hpp), so core knows no op.
// d composes: d(d(f, w), w) is the second derivative.
// d keeps f's domain (core/domain.hpp): a derivative that lost some of f's
// leaves (d(x·y, x) = y) is wrapped in an identity node recording them, so it
// evaluates in f's environment; it prints, and computes, as the bare result.

#include <leibniz/core/domain.hpp>
#include <leibniz/core/expr.hpp>

#include <type_traits>
#include <utility>

namespace leibniz {

namespace detail {
// Folds the chain rule's terms with simplified_add (found by ADL).
template <class E>
struct sum_of {
    using type = E;
    template <class F>
    friend constexpr auto operator+(sum_of, sum_of<F>) {
        return sum_of<decltype(simplified_add(E{}, F{}))>{};
    }
};

template <class Op, class... Args>
struct no_symbolic_derivative_for;  // undefined: add `derivative(a)` or `partial<P>(a, b)` to Op

template <class Op, std::size_t P, class... Args>
constexpr auto partial_of() {
    if constexpr (sizeof...(Args) == 1 && requires { Op::derivative(Args{}...); })
        return Op::derivative(Args{}...);
    else if constexpr (requires { Op::template partial<P>(Args{}...); })
        return Op::template partial<P>(Args{}...);
    else
        return no_symbolic_derivative_for<Op, Args...>{};
}
// The derivative without its domain: the chain rule over the tree.
template <Expression E, Leaf W>
constexpr auto symbolic_d(E, W) {
    using F = std::remove_cvref_t<E>;
    if constexpr (shape_of<F>::rank > 0) {
        static_assert(detail::dependent_false<E>,
                      "leibniz::d: the symbolic derivative takes scalar expressions only (tensor operations have no "
                      "symbolic derivative); on a tensor expression use lz::grad or lz::jvp for values, and "
                      "lz::explain(f, lz::wrt(...), env) to see the backward pass");
        return poison{};
    } else if constexpr (is_leaf<F>::value) {
        if constexpr (std::is_same_v<F, std::remove_cvref_t<W>>)
            return one_t{};
        else
            return zero_t{};
    } else if constexpr (is_literal<F>::value) {
        return zero_t{};
    } else if constexpr (is_domain_node<F>::value) {
        return symbolic_d(boost::mp11::mp_front<typename F::operands>{}, W{});  // the identity's derivative
    } else {
        return []<class Op, class... Args>(node<Op, Args...>*) {
            return [&]<std::size_t... P>(std::index_sequence<P...>) {
                // One term per operand; an operand that does not depend on w adds nothing.
                auto term = [&]<std::size_t I, class A>() {
                    using dA = decltype(symbolic_d(A{}, W{}));
                    if constexpr (std::is_same_v<dA, zero_t>)
                        return detail::sum_of<zero_t>{};
                    else
                        return detail::sum_of<decltype(simplified_mul(detail::partial_of<Op, I, Args...>(), dA{}))>{};
                };
                using sum = decltype((detail::sum_of<zero_t>{} + ... + term.template operator()<P, Args>()));
                return typename sum::type{};
            }(std::index_sequence_for<Args...>{});
        }(static_cast<F*>(nullptr));
    }
}
}  // namespace detail

template <Expression E, Leaf W>
constexpr auto d(E e, W w) {
    using R = decltype(detail::symbolic_d(e, w));
    if constexpr (std::is_same_v<R, poison>)
        return R{};
    else
        return detail::with_domain<std::remove_cvref_t<E>>(R{});
}

}  // namespace leibniz
