#pragma once
// Forward evaluation: walk the node list in topological order and write each
// node's value into the tape. One pack expansion over the nodes, no recursion,
// no allocation, no virtual call; constexpr where the ops are.

#include <leibniz/core/bind.hpp>
#include <leibniz/config.hpp>
#include <leibniz/core/dual.hpp>
#include <leibniz/core/graph.hpp>
#include <leibniz/core/tape.hpp>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/set.hpp>

#include <initializer_list>
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
        return all_true<Env::template binds<L>...>();
    }(leaves{});
    constexpr bool none_foreign = !Env::strict || []<class... L>(boost::mp11::mp_list<L...>) {
        return all_true<boost::mp11::mp_set_contains<leaves, L>::value...>();
    }(bound{});
    if constexpr (!all_bound) {
        return []<class... L>(boost::mp11::mp_list<L...>) {
            return all_true<report_unbound_leaf<Env::template binds<L>, L>()...>();
        }(leaves{});
    } else if constexpr (!none_foreign) {
        return []<class... L>(boost::mp11::mp_list<L...>) {
            return all_true<report_foreign_binding<boost::mp11::mp_set_contains<leaves, L>::value, L>()...>();
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

// What one step of a sweep needs to know about a node, as a type with a short
// name: a leaf or a literal stands for itself; an operation is its op and the
// tape positions of its operands. The sweeps instantiate one small function per
// step from these, never from the (deeply nested) node types themselves.
template <class Op, std::size_t... Operands>
struct op_step {};

namespace detail {
template <class G, class Node>
struct describe {
    using type = Node;
};
template <class G, class Op, class... Args>
struct describe<G, node<Op, Args...>> {
    using type = op_step<Op, G::template index<Args>...>;
};
}  // namespace detail

template <class G>
struct steps_of;
template <class... Nodes>
struct steps_of<graph<boost::mp11::mp_list<Nodes...>>> {
    using type = boost::mp11::mp_list<typename detail::describe<graph<boost::mp11::mp_list<Nodes...>>, Nodes>::type...>;
};
template <class G>
using steps_t = typename steps_of<G>::type;

// The value of node K, from its step and the tape so far.
template <class T, class Step, std::size_t K, class Tape, class Env>
LEIBNIZ_ALWAYS_INLINE constexpr void compute_step(Tape& t, const Env& env) {
    if constexpr (is_leaf<Step>::value) {
        get<K>(t) = value_t<Step, T>(env.template get<Step>());
    } else if constexpr (is_literal<Step>::value) {
        get<K>(t) = Step::template as<T>();
    } else {
        [&]<class Op, std::size_t... C>(op_step<Op, C...>*) LEIBNIZ_ALWAYS_INLINE {
            get<K>(t) = detail::apply_value<Op>(get<C>(t)...);
        }(static_cast<Step*>(nullptr));
    }
}

// Fills the tape, operands before users.
template <class G, class T, class Env>
LEIBNIZ_ALWAYS_INLINE constexpr void forward_sweep(tape<G, T>& t, const Env& env) {
    [&]<class... Steps>(boost::mp11::mp_list<Steps...>) LEIBNIZ_ALWAYS_INLINE {
        [&]<std::size_t... K>(std::index_sequence<K...>) LEIBNIZ_ALWAYS_INLINE {
            // A braced list, not a fold: clang caps folds at 256 operands; the order is left to right.
            (void)std::initializer_list<int>{(compute_step<T, Steps, K>(t, env), 0)...};
        }(std::index_sequence_for<Steps...>{});
    }(steps_t<G>{});
}

// Fills only the slots marked in Plan::needed (a constexpr bool array over the
// nodes). The plan comes as a type, never its array as a template argument:
// g++ 12 mixed up lambdas instantiated for different arrays passed as a
// class-type template argument, and a gradient came out wrong.
template <class G, class T, class Plan, class Env>
LEIBNIZ_ALWAYS_INLINE constexpr void forward_sweep_needed(tape<G, T>& t, const Env& env) {
    [&]<class... Steps>(boost::mp11::mp_list<Steps...>) LEIBNIZ_ALWAYS_INLINE {
        [&]<std::size_t... K>(std::index_sequence<K...>) LEIBNIZ_ALWAYS_INLINE {
            (void)std::initializer_list<int>{((Plan::needed[K] ? compute_step<T, Steps, K>(t, env) : void()), 0)...};
        }(std::index_sequence_for<Steps...>{});
    }(steps_t<G>{});
}

// lz::eval(f, lz::at(w = 0.7)): the value of f at a point.
template <ScalarExpression E, Environment Env>
constexpr auto eval(E, const Env& env) {
    using F = std::remove_cvref_t<E>;
    if constexpr (detail::check_environment<F, Env>()) {
        using G = graph_of<F>;
        using T = sweep_scalar_t<F, Env>;
        tape<G, T> t{};
        forward_sweep<G, T>(t, env);
        return get<G::size - 1>(t);
    } else {
        return poison{};  // reported by the check: nothing after it fails
    }
}

// A poisoned expression: a check has failed and said so; nothing more to report.
template <Environment Env>
constexpr poison eval(poison, const Env&) {
    return {};
}

}  // namespace leibniz
