#pragma once
// The sweeps: one forward (value) and one reverse (adjoint) sweep over the
// plan's steps, for scalar and tensor expressions alike, on any element type
// (numbers, dual numbers for forward mode, SIMD batches inside a fused loop).
// A step is one of:
//   leaf       a number read from the environment (a tensor leaf's view is
//              laid out beforehand, core/tape_layout.hpp)
//   literal    its value, as a T
//   scalar op  a rank-0 op: its value rule forward, its adjoint rule backward
//              (core/op_protocol.hpp), inline
//   fused      a group of elementwise tensor nodes, one loop forward and one
//              backward (core/fused.hpp)
//   tensor op  matmul, softmax, a reduction...: the op's forward and vjp, which
//              call kernels/
// The steps are expanded inline into the sweep; the work they hand off (a
// fused loop, a tensor op's kernel) is a function whose template arguments
// are the op or the group's kernel and the slot types only, never the graph:
// identical layers share one instantiation, and compile time and object size
// grow linearly with the network (bench/compile_time).

#include <leibniz/config.hpp>
#include <leibniz/core/dual.hpp>
#include <leibniz/core/tape_layout.hpp>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <tuple>
#include <utility>

namespace leibniz {

// What one step needs to know about a node, as a type with a short name: a
// leaf or a literal stands for itself; an operation is its op and the tape
// positions of its operands. The sweeps expand one small step per node from
// these, never from the (deeply nested) node types themselves.
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

// The loop of a fused group (defined in core/fused.hpp): Kernel is the scalar
// expression it computes per element (inputs numbered by position), LoopShape
// the shape it runs over, Reduce whether it sums (or averages) its result.
template <class Kernel, class T, class LoopShape, reduction Reduce>
struct fused_loop;

// The fused loop of root R of graph G.
template <class G, class Plan, class T, std::size_t R>
struct fused_group_of {
    using root = boost::mp11::mp_at_c<typename G::nodes, R>;
    static constexpr reduction reduce = Plan::reduces[R] ? traits_of<typename root::op>().reduces : reduction::none;
    using looped = typename std::conditional_t<Plan::reduces[R], boost::mp11::mp_front<typename root::operands>, root>;
    using loop = fused_loop<typename kernel_node<G, Plan, T, R, looped>::type, T, shape_of<looped>, reduce>;
};

namespace detail {

template <class Op, std::size_t P, class G, class Y, class... V>
LEIBNIZ_ALWAYS_INLINE constexpr auto apply_vjp(const G& g, const Y& y, const V&... v) {
    if constexpr (sizeof...(V) == 1)
        return Op::vjp(g, y, v...);
    else
        return Op::template vjp<P>(g, y, v...);
}

// f(slots of step K's inputs...) with the slots of `tape`.
template <class Plan, std::size_t K, class Tape, class F>
LEIBNIZ_ALWAYS_INLINE constexpr decltype(auto) with_inputs(Tape& tape, F f) {
    return [&]<std::size_t... J>(std::index_sequence<J...>) LEIBNIZ_ALWAYS_INLINE -> decltype(auto) {
        return f(get<Plan::inputs.node[Plan::inputs.begin[K] + J]>(tape)...);
    }(std::make_index_sequence<Plan::input_count(K)>{});
}

template <class Plan, std::size_t K>
constexpr std::uint64_t input_mask(bool store) {
    static_assert(Plan::input_count(K) <= 64, "leibniz: a fused group reads more than 64 inputs");
    std::uint64_t mask = 0;
    for (std::size_t j = Plan::inputs.begin[K]; j < Plan::inputs.begin[K + 1]; ++j)
        if (store ? Plan::store[j] : Plan::active[Plan::inputs.node[j]])
            mask |= std::uint64_t{1} << (j - Plan::inputs.begin[K]);
    return mask;
}

}  // namespace detail

// ---------------------------------------------------------------- forward

// Step K of the forward sweep: node K's value into the tape, unless it is
// computed inside its group's loop or nothing reads it.
template <class G, class Plan, class T, std::size_t K, class Step, class Tape, class Env>
LEIBNIZ_ALWAYS_INLINE constexpr void forward_step(Tape& values, const Env& env, const sweep_context& context) {
    if constexpr (Plan::interior[K] || !Plan::needed[K]) {
        // computed inside its group's loop, or read by nothing
    } else if constexpr (is_leaf<Step>::value) {
        if constexpr (shape_of<Step>::rank == 0) get<K>(values) = T(env.template get<Step>());
    } else if constexpr (is_literal<Step>::value) {
        get<K>(values) = Step::template as<T>();
    } else if constexpr (Plan::root(K)) {
        detail::with_inputs<Plan, K>(values, [&](const auto&... in) LEIBNIZ_ALWAYS_INLINE {
            fused_group_of<G, Plan, T, K>::loop::forward(get<K>(values), context.batch, in...);
        });
    } else {
        [&]<class Op, std::size_t... C>(op_step<Op, C...>*) LEIBNIZ_ALWAYS_INLINE {
            if constexpr (traits_of<Op>().elementwise)  // rank 0: the scalar rule
                get<K>(values) = detail::apply_value<Op>(get<C>(values)...);
            else if constexpr (uses_scratch<Op, T, boost::mp11::mp_at_c<typename G::nodes, C>...>)
                Op::forward(get<K>(values), get<C>(values)..., context.scratch);
            else
                Op::forward(get<K>(values), get<C>(values)...);
        }(static_cast<Step*>(nullptr));
    }
}

// Fills the tape, operands before users.
template <class G, class Plan, class T, class Tape, class Env>
LEIBNIZ_ALWAYS_INLINE constexpr void forward_sweep(Tape& values, const Env& env, const sweep_context& context) {
    [&]<class... Steps>(boost::mp11::mp_list<Steps...>) LEIBNIZ_ALWAYS_INLINE {
        [&]<std::size_t... K>(std::index_sequence<K...>) LEIBNIZ_ALWAYS_INLINE {
            // A braced list, not a fold: clang caps folds at 256 operands; the order is left to right.
            (void)std::initializer_list<int>{(forward_step<G, Plan, T, K, Steps>(values, env, context), 0)...};
        }(std::index_sequence_for<Steps...>{});
    }(steps_t<G>{});
}

// ---------------------------------------------------------------- reverse

// Step K of the reverse sweep: hand δ_K to each active input, stored where it
// is the input's first contribution, added otherwise.
template <class G, class Plan, class T, std::size_t K, class Step, class Tape>
LEIBNIZ_ALWAYS_INLINE constexpr void reverse_step(const Tape& values, Tape& adjoints, const sweep_context& context) {
    if constexpr (!Plan::is_op[K] || Plan::interior[K] || !Plan::active[K]) {
        // nothing to pass down
    } else if constexpr (Plan::root(K)) {
        using group = fused_group_of<G, Plan, T, K>;
        // When the fused sum is f itself, its adjoint is the constant 1 (the
        // sweeps are seeded with 1), and the loop drops the multiplications by it.
        constexpr bool seed_is_one = Plan::reduces[K] && K == G::size - 1;
        group::loop::template backward<detail::input_mask<Plan, K>(false), detail::input_mask<Plan, K>(true),
                                       seed_is_one>(
            get<K>(adjoints), context.batch,
            detail::with_inputs<Plan, K>(values, [](const auto&... in) { return std::forward_as_tuple(in...); }),
            detail::with_inputs<Plan, K>(adjoints, [](auto&... a) { return std::forward_as_tuple(a...); }));
    } else {
        [&]<class Op, std::size_t... C>(op_step<Op, C...>*) LEIBNIZ_ALWAYS_INLINE {
            [&]<std::size_t... P>(std::index_sequence<P...>) LEIBNIZ_ALWAYS_INLINE {
                auto pass = [&]<std::size_t Pos, std::size_t Target>() LEIBNIZ_ALWAYS_INLINE {
                    if constexpr (Plan::active[Target]) {
                        constexpr bool store = Plan::store[Plan::inputs.begin[K] + Pos];
                        if constexpr (traits_of<Op>().elementwise) {  // rank 0: the scalar rule
                            auto contribution = detail::apply_vjp<Op, Pos>(get<K>(adjoints), get<K>(values),
                                                                           get<C>(values)...);
                            if constexpr (store)
                                get<Target>(adjoints) = contribution;
                            else
                                get<Target>(adjoints) += contribution;
                        } else if constexpr (uses_scratch<Op, T, boost::mp11::mp_at_c<typename G::nodes, C>...>) {
                            Op::template vjp<Pos>(get<Target>(adjoints), !store, get<K>(adjoints), get<K>(values),
                                                  get<C>(values)..., context.scratch);
                        } else {
                            Op::template vjp<Pos>(get<Target>(adjoints), !store, get<K>(adjoints), get<K>(values),
                                                  get<C>(values)...);
                        }
                    }
                };
                (pass.template operator()<P, C>(), ...);
            }(std::make_index_sequence<sizeof...(C)>{});
        }(static_cast<Step*>(nullptr));
    }
}

// The reverse sweep from a given output adjoint δ(f) = seed: grad seeds 1; a
// fused loop seeds the adjoint it loaded for the current elements.
template <class G, class Plan, class T, class Tape, class Seed>
LEIBNIZ_ALWAYS_INLINE constexpr void reverse_sweep(const Tape& values, Tape& adjoints, const Seed& seed,
                                                   const sweep_context& context) {
    get<G::size - 1>(adjoints) = seed;
    [&]<class... Steps>(boost::mp11::mp_list<Steps...>) LEIBNIZ_ALWAYS_INLINE {
        [&]<std::size_t... I>(std::index_sequence<I...>) LEIBNIZ_ALWAYS_INLINE {
            (void)std::initializer_list<int>{
                (reverse_step<G, Plan, T, G::size - 1 - I, Steps>(values, adjoints, context), 0)...};
        }(std::index_sequence_for<Steps...>{});
    }(boost::mp11::mp_reverse<steps_t<G>>{});
}

}  // namespace leibniz
