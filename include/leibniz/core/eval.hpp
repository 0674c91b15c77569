#pragma once
// Forward evaluation: walk the node list in topological order and write each
// node's value into the tape. One pack expansion over the nodes, no recursion,
// no allocation, no virtual call; constexpr where the ops are.

#include <leibniz/core/bind.hpp>
#include <leibniz/core/dual.hpp>
#include <leibniz/core/graph.hpp>
#include <leibniz/core/tape.hpp>

#include <boost/mp11/algorithm.hpp>

#include <type_traits>
#include <utility>

namespace leibniz {

namespace detail {

template <bool Ok, class Leaf>
constexpr bool report_unbound_leaf() {
    static_assert(Ok,
                  "leibniz: a leaf of the expression is not bound; bind it in lz::at(...), e.g. "
                  "lz::at(w = 1.0) (the leaf is the template argument of report_unbound_leaf)");
    return Ok;
}
template <bool Ok, class Leaf>
constexpr bool report_foreign_binding() {
    static_assert(Ok,
                  "leibniz: lz::at(...) binds a name the expression does not contain (the leaf is the "
                  "template argument of report_foreign_binding); remove it, or wrap the environment "
                  "in lz::lenient(...) to ignore extra bindings");
    return Ok;
}

// Every leaf bound; in a strict environment, nothing else bound.
template <class E, class Env>
constexpr bool check_environment() {
    using leaves = leaves_of<E>;
    using bound = typename Env::leaves;
    constexpr bool all_bound = []<class... L>(boost::mp11::mp_list<L...>) {
        return (Env::template binds<L> && ...);
    }(leaves{});
    constexpr bool none_foreign = !Env::strict || []<class... L>(boost::mp11::mp_list<L...>) {
        return (boost::mp11::mp_contains<leaves, L>::value && ...);
    }(bound{});
    if constexpr (!all_bound) {
        return []<class... L>(boost::mp11::mp_list<L...>) {
            return (report_unbound_leaf<Env::template binds<L>, L>() && ...);
        }(leaves{});
    } else if constexpr (!none_foreign) {
        return []<class... L>(boost::mp11::mp_list<L...>) {
            return (report_foreign_binding<boost::mp11::mp_contains<leaves, L>::value, L>() && ...);
        }(bound{});
    } else {
        return true;
    }
}

// The scalar type a sweep computes in: the expression's, or the dual type
// bound to one of its leaves (all dual bindings must agree).
template <class D, class B>
struct pick_dual {
    using type = std::conditional_t<is_dual_v<B>, B, D>;
};
template <class E, class Env>
struct sweep_scalar;
template <class E, bool S, class... B>
struct sweep_scalar<E, environment<S, B...>> {
    using type = boost::mp11::mp_fold<boost::mp11::mp_list<typename B::value_type...>, default_scalar_of<E>,
                                      boost::mp11::mp_quote_trait<pick_dual>::template fn>;
};

}  // namespace detail

template <class E, class Env>
using sweep_scalar_t = typename detail::sweep_scalar<std::remove_cvref_t<E>, std::remove_cvref_t<Env>>::type;

// The value of one node, given the tape so far.
template <class G, class T, class Node, class Tape, class Env>
constexpr value_t<Node, T> compute_node(const Tape& t, const Env& env) {
    if constexpr (is_leaf<Node>::value) {
        return value_t<Node, T>(env.template get<Node>());
    } else if constexpr (is_literal<Node>::value) {
        return Node::template as<T>();
    } else {
        return []<class Op, class... Args>(const Tape& tp, node<Op, Args...>*) {
            return detail::apply_value<Op>(get<G::template index<Args>>(tp)...);
        }(t, static_cast<Node*>(nullptr));
    }
}

// Fills the tape, operands before users.
template <class G, class T, class Env>
constexpr void forward_sweep(tape<G, T>& t, const Env& env) {
    [&]<class... Nodes>(boost::mp11::mp_list<Nodes...>) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            ((get<I>(t) = compute_node<G, T, Nodes>(t, env)), ...);
        }(std::index_sequence_for<Nodes...>{});
    }(typename G::nodes{});
}

// lz::eval(f, lz::at(w = 0.7)): the value of f at a point.
template <Expression E, Environment Env>
constexpr auto eval(E, const Env& env) {
    using F = std::remove_cvref_t<E>;
    if constexpr (detail::check_environment<F, Env>()) {
        using G = graph_of<F>;
        using T = sweep_scalar_t<F, Env>;
        tape<G, T> t{};
        forward_sweep(t, env);
        return get<G::size - 1>(t);
    }
}

}  // namespace leibniz
