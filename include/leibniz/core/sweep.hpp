#pragma once
// Sweeps over graphs with tensors.
//
// The scalar machinery of core is reused whole. Elementwise nodes of rank > 0
// are fused: a node whose only consumer is another elementwise tensor node is
// *interior* and never stored; each remaining elementwise node (a group's
// *root*) is one loop over its elements that runs the scalar forward sweep of
// its subexpression — with the group's inputs as leaves — on SIMD batches
// (xsimd) or, for other scalar types, on single numbers. Backward, the loop
// recomputes the group in registers and runs the scalar reverse sweep seeded
// with the root's adjoint, so a fused chain such as tanh(a*x + b) is one loop
// forward and one loop backward and the tape keeps nothing of its inside.
// Other ops (matmul, sum, softmax, ...) are steps that call their kernels.
//
// Store-first (DESIGN §4) carries over: which step gives an operand its first
// contribution is decided at compile time over the fused steps.
//
// The pieces, one idea per file: core/plan.hpp (what is fused, stored and
// needed), core/tape_layout.hpp (where each value lives), core/fused.hpp (the
// loop of a fused group); this file runs the steps in order, forward and
// backward.

#include <leibniz/config.hpp>
#include <leibniz/core/fused.hpp>
#include <leibniz/core/plan.hpp>
#include <leibniz/core/tape_layout.hpp>

#include <cstddef>
#include <initializer_list>

namespace leibniz {

// ---------------------------------------------------------------- the sweeps

template <class G, class Plan, class T, std::size_t K, class Node, class Tape, class Env>
void tensor_forward_step(Tape& values, const Env& env, const sweep_context& context) {
    if constexpr (Plan::interior[K] || !Plan::needed[K]) {
        // computed inside its group's loop, or read by nothing
    } else if constexpr (is_leaf<Node>::value) {
        if constexpr (shape_of<Node>::rank == 0) get<K>(values) = T(env.template get<Node>());
    } else if constexpr (is_literal<Node>::value) {
        get<K>(values) = Node::template as<T>();
    } else if constexpr (Plan::root(K)) {
        fused_group<G, Plan, T, K>::forward(values, context.batch);
    } else {
        [&]<class Op, class... Args>(node<Op, Args...>*) {
            if constexpr (traits_of<Op>().elementwise)  // rank 0: the scalar rule
                get<K>(values) = detail::apply_value<Op>(get<G::template index<Args>>(values)...);
            else if constexpr (uses_scratch<Op, T, Args...>)
                Op::forward(get<K>(values), get<G::template index<Args>>(values)..., context.scratch);
            else
                Op::forward(get<K>(values), get<G::template index<Args>>(values)...);
        }(static_cast<Node*>(nullptr));
    }
}

template <class G, class Plan, class T, class Tape, class Env>
void tensor_forward_sweep(Tape& values, const Env& env, const sweep_context& context) {
    [&]<class... Nodes>(boost::mp11::mp_list<Nodes...>) {
        [&]<std::size_t... K>(std::index_sequence<K...>) {
            (void)std::initializer_list<int>{(tensor_forward_step<G, Plan, T, K, Nodes>(values, env, context), 0)...};
        }(std::index_sequence_for<Nodes...>{});
    }(typename G::nodes{});
}

template <class G, class Plan, class T, std::size_t K, class Node, class Tape>
void tensor_reverse_step(const Tape& values, Tape& adjoints, const sweep_context& context) {
    if constexpr (!Plan::is_op[K] || Plan::interior[K] || !Plan::reverse::active[K]) {
        // nothing to pass down
    } else if constexpr (Plan::root(K)) {
        fused_group<G, Plan, T, K>::backward(values, adjoints, context.batch);
    } else {
        [&]<class Op, class... Args>(node<Op, Args...>*) {
            [&]<std::size_t... P>(std::index_sequence<P...>) {
                (([&] {
                     constexpr std::size_t c = G::template index<Args>;
                     if constexpr (Plan::reverse::active[c]) {
                         constexpr bool store = Plan::store[K][P];
                         if constexpr (traits_of<Op>().elementwise) {  // rank 0: the scalar rule
                             auto contribution = detail::apply_vjp<Op, P>(get<K>(adjoints), get<K>(values),
                                                                          get<G::template index<Args>>(values)...);
                             if constexpr (store)
                                 get<c>(adjoints) = contribution;
                             else
                                 get<c>(adjoints) += contribution;
                         } else if constexpr (uses_scratch<Op, T, Args...>) {
                             Op::template vjp<P>(get<c>(adjoints), !store, get<K>(adjoints), get<K>(values),
                                                 get<G::template index<Args>>(values)..., context.scratch);
                         } else {
                             Op::template vjp<P>(get<c>(adjoints), !store, get<K>(adjoints), get<K>(values),
                                                 get<G::template index<Args>>(values)...);
                         }
                     }
                 }()),
                 ...);
            }(std::index_sequence_for<Args...>{});
        }(static_cast<Node*>(nullptr));
    }
}

template <class G, class Plan, class T, class Tape>
void tensor_reverse_sweep(const Tape& values, Tape& adjoints, const sweep_context& context) {
    get<G::size - 1>(adjoints) = T(1);
    [&]<class... Steps>(boost::mp11::mp_list<Steps...>) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (void)std::initializer_list<int>{(tensor_reverse_step<G, Plan, T, G::size - 1 - I, Steps>(values, adjoints, context), 0)...};
        }(std::index_sequence_for<Steps...>{});
    }(boost::mp11::mp_reverse<typename G::nodes>{});
}

}  // namespace leibniz
