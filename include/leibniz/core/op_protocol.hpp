#pragma once
// The op protocol: what an op must state, written once as two concepts and
// checked where a node is made (make_node, core/expr.hpp). A missing member
// stops the build with one message of ours naming the member; the op's type
// is in the same diagnostic, as the argument of the failed requirement
// (`elementwise_op_states<mine::my_op, 1>::vjp`). Nothing follows it.
//
// ElementwiseOp<Op, N> — an op on N operands that applies element by element
// (op_traits::elementwise, the default). Every rule is checked on double:
//   name                          static constexpr std::string_view: how it prints
//   traits                        static constexpr op_traits
//   value(a, ...)                 static T value(const T&...), N operands
//   jvp(t, y, a)                  the tangent rule; for N > 1, jvp<P>(t, y, a, b, ...) for each operand P
//   vjp(g, y, a)                  the adjoint rule; for N > 1, vjp<P>(g, y, a, b, ...) for each P
//   derivative(a) / partial<P>    the symbolic derivative, as an expression (for lz::d)
//   local_derivative              its text, for lz::explain (or local_derivative_text())
// Optional: latex_name, or text(...)/latex(...) with precedence and
// operand_precedence (infix ops). Ops that need no symbolic derivative of
// their own still name one: the zero, for a piecewise constant.
//
// TensorOp<Op, S...> — an op with traits.elementwise == false, on operands of
// shapes S... (checked with T = double, the tensor tape's slot types: a number
// for rank 0, a tensor_view otherwise; an operand whose bit is set in
// traits.integer_operands, an integer leaf, as tensor_view<std::int32_t, S>):
//   name, traits                  as above
//   result_shape<S...>            its shape rule
//   forward(y, a, ...)            the value, into y
//   vjp<P>(δa, accumulate, δ, y, a, ...)   operand P's adjoint, stored (or added when accumulate)
//   vjp_formula                   the text of the adjoint rule, for lz::explain
//   scratch_bytes<T>(extents...)  optional: then forward and vjp take a last std::span<std::byte>
// A tensor op has no tangent rule: forward mode runs `forward` on dual numbers.

#include <leibniz/tensor/tensor.hpp>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

namespace leibniz {

namespace detail {

// A member named `derivative` or `partial`, whatever its signature (a
// template taking expression types): found by an ambiguous lookup, so
// nothing is instantiated.
struct derivative_probe {
    static void derivative();
    static void partial();
};
template <class Op>
struct derivative_lookup : Op, derivative_probe {};

template <class T, class S>
using slot_of = std::conditional_t<S::rank == 0, T, tensor_view<T, S>>;

// Operand P's slot as the tensor sweeps pass it: an integer leaf's (an index,
// traits.integer_operands) holds its own integers, checked with std::int32_t.
template <class Op, std::size_t P>
constexpr bool integer_operand() {
    if constexpr (requires { Op::traits.integer_operands; })
        return ((Op::traits.integer_operands >> P) & 1u) != 0;
    else
        return false;
}
template <class Op, std::size_t P, class S>
using operand_slot = slot_of<std::conditional_t<integer_operand<Op, P>(), std::int32_t, double>, S>;

}  // namespace detail

// What an elementwise op on N operands states; each member is one check.
template <class Op, std::size_t N>
struct elementwise_op_states {
    static constexpr bool name = requires { std::string_view(Op::name); };
    static constexpr bool traits = requires { { Op::traits.elementwise } -> std::convertible_to<bool>; };
    static constexpr bool value = []<std::size_t... I>(std::index_sequence<I...>) {
        return requires(const double& x) { { Op::value(((void)I, x)...) } -> std::convertible_to<double>; };
    }(std::make_index_sequence<N>{});
    template <bool Adjoint>
    static constexpr bool rule() {
        return []<std::size_t... I>(std::index_sequence<I...>) {
            if constexpr (N == 1 && Adjoint)
                return requires(const double& x) { { Op::vjp(x, x, x) } -> std::convertible_to<double>; };
            else if constexpr (N == 1)
                return requires(const double& x) { { Op::jvp(x, x, x) } -> std::convertible_to<double>; };
            else if constexpr (Adjoint)
                return (requires(const double& x) {
                    { Op::template vjp<I>(x, x, ((void)I, x)...) } -> std::convertible_to<double>;
                } && ...);
            else
                return (requires(const double& x) {
                    { Op::template jvp<I>(x, x, ((void)I, x)...) } -> std::convertible_to<double>;
                } && ...);
        }(std::make_index_sequence<N>{});
    }
    static constexpr bool jvp = rule<false>();
    static constexpr bool vjp = rule<true>();
    static constexpr bool derivative = !requires { &detail::derivative_lookup<Op>::derivative; } ||
                                       !requires { &detail::derivative_lookup<Op>::partial; };
    static constexpr bool local_derivative =
        requires { Op::local_derivative; } || requires { Op::local_derivative_text(); };
    static constexpr bool all = name && traits && value && jvp && vjp && derivative && local_derivative;
};

template <class Op, std::size_t N>
concept ElementwiseOp = elementwise_op_states<Op, N>::all;

// What a tensor op on operands of shapes S... states.
template <class Op, class... S>
struct tensor_op_states {
    static constexpr bool name = elementwise_op_states<Op, sizeof...(S)>::name;
    static constexpr bool traits = elementwise_op_states<Op, sizeof...(S)>::traits;
    static constexpr bool result_shape = requires { typename Op::template result_shape<S...>; };
    static constexpr bool scratch = requires { Op::template scratch_bytes<double>(detail::extents_of<S>{}...); };

    // The rules, called as the tensor sweeps call them.
    template <class Y>
    static constexpr bool forward_with() {
        return []<std::size_t... I>(std::index_sequence<I...>) {
            if constexpr (scratch)
                return requires(Y& y, detail::operand_slot<Op, I, S>&... a, std::span<std::byte> s) {
                    Op::forward(y, a..., s);
                };
            else
                return requires(Y& y, detail::operand_slot<Op, I, S>&... a) { Op::forward(y, a...); };
        }(std::index_sequence_for<S...>{});
    }
    template <class Y, std::size_t P>
    static constexpr bool vjp_with() {
        using D = detail::operand_slot<Op, P, boost::mp11::mp_at_c<boost::mp11::mp_list<S...>, P>>;
        return []<std::size_t... I>(std::index_sequence<I...>) {
            if constexpr (scratch)
                return requires(D& d, bool acc, Y& g, const Y& y, const detail::operand_slot<Op, I, S>&... a,
                                std::span<std::byte> s) { Op::template vjp<P>(d, acc, g, y, a..., s); };
            else
                return requires(D& d, bool acc, Y& g, const Y& y, const detail::operand_slot<Op, I, S>&... a) {
                    Op::template vjp<P>(d, acc, g, y, a...);
                };
        }(std::index_sequence_for<S...>{});
    }
    template <class Y>
    static constexpr bool all_vjp() {
        return []<std::size_t... P>(std::index_sequence<P...>) {
            return (vjp_with<Y, P>() && ...);
        }(std::index_sequence_for<S...>{});
    }
    static constexpr bool forward = [] {
        if constexpr (result_shape)
            return forward_with<detail::slot_of<double, typename Op::template result_shape<S...>>>();
        else
            return false;
    }();
    static constexpr bool vjp = [] {
        if constexpr (result_shape)
            return all_vjp<detail::slot_of<double, typename Op::template result_shape<S...>>>();
        else
            return false;
    }();
    static constexpr bool vjp_formula = requires { Op::vjp_formula; };
    static constexpr bool all = name && traits && result_shape && forward && vjp && vjp_formula;
};

template <class Op, class... S>
concept TensorOp = tensor_op_states<Op, S...>::all;

namespace detail {

// The checks, member by member, in the order of the lists above: the first
// missing member is the one reported.
template <class Op, std::size_t N>
constexpr bool check_elementwise_op() {
    if constexpr (!elementwise_op_states<Op, N>::name) {
        static_assert(elementwise_op_states<Op, N>::name, "leibniz: an op lacks `static constexpr std::string_view name` (how it prints)");
    } else if constexpr (!elementwise_op_states<Op, N>::traits) {
        static_assert(elementwise_op_states<Op, N>::traits, "leibniz: an op lacks `static constexpr lz::op_traits traits{...}`");
    } else if constexpr (!elementwise_op_states<Op, N>::value) {
        static_assert(elementwise_op_states<Op, N>::value,
                      "leibniz: an elementwise op lacks its value, `template <class T> static T value(const T& a, "
                      "...)` (one parameter per operand)");
    } else if constexpr (!elementwise_op_states<Op, N>::jvp) {
        static_assert(elementwise_op_states<Op, N>::jvp,
                      "leibniz: an elementwise op lacks its tangent rule, `template <class T> static T jvp(const T& "
                      "t, const T& y, const T& a)` (with two or more operands: jvp<P>(t, y, a, b, ...), one per "
                      "operand P)");
    } else if constexpr (!elementwise_op_states<Op, N>::vjp) {
        static_assert(elementwise_op_states<Op, N>::vjp,
                      "leibniz: an elementwise op lacks its adjoint rule, `template <class T> static T vjp(const T& "
                      "g, const T& y, const T& a)` (with two or more operands: vjp<P>(g, y, a, b, ...), one per "
                      "operand P)");
    } else if constexpr (!elementwise_op_states<Op, N>::derivative) {
        static_assert(elementwise_op_states<Op, N>::derivative,
                      "leibniz: an elementwise op lacks its symbolic derivative, `template <class A> static "
                      "constexpr auto derivative(A a)` (with two or more operands: partial<P>(a, b, ...))");
    } else if constexpr (!elementwise_op_states<Op, N>::local_derivative) {
        static_assert(elementwise_op_states<Op, N>::local_derivative,
                      "leibniz: an elementwise op lacks `static constexpr std::string_view local_derivative` (the "
                      "text of dy/da for lz::explain; an array of them with two or more operands)");
    }
    return elementwise_op_states<Op, N>::all;
}

template <class Op, class... S>
constexpr bool check_tensor_op() {
    if constexpr (!tensor_op_states<Op, S...>::name) {
        static_assert(tensor_op_states<Op, S...>::name, "leibniz: an op lacks `static constexpr std::string_view name` (how it prints)");
    } else if constexpr (!tensor_op_states<Op, S...>::traits) {
        static_assert(tensor_op_states<Op, S...>::traits, "leibniz: an op lacks `static constexpr lz::op_traits traits{...}`");
    } else if constexpr (!tensor_op_states<Op, S...>::result_shape) {
        static_assert(tensor_op_states<Op, S...>::result_shape,
                      "leibniz: a tensor op lacks its shape rule, `template <lz::Shape... S> using result_shape = "
                      "...` (for the operands' shapes)");
    } else if constexpr (!tensor_op_states<Op, S...>::forward) {
        static_assert(tensor_op_states<Op, S...>::forward,
                      "leibniz: a tensor op lacks `template <class T, ...> static void forward(y, a, ...)` callable "
                      "with its tape slots (T for rank 0, tensor_view<T, S> otherwise; and a last "
                      "std::span<std::byte> when it states scratch_bytes)");
    } else if constexpr (!tensor_op_states<Op, S...>::vjp) {
        static_assert(tensor_op_states<Op, S...>::vjp,
                      "leibniz: a tensor op lacks its adjoint rule, `template <std::size_t P, class T, ...> static "
                      "void vjp(da, bool accumulate, g, y, a, ...)`, for every operand P");
    } else if constexpr (!tensor_op_states<Op, S...>::vjp_formula) {
        static_assert(tensor_op_states<Op, S...>::vjp_formula,
                      "leibniz: a tensor op lacks `static constexpr std::string_view vjp_formula` (the text of its "
                      "adjoint rule for lz::explain; an array of them with two or more operands)");
    }
    return tensor_op_states<Op, S...>::all;
}

}  // namespace detail

}  // namespace leibniz
