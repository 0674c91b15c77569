#pragma once
// The sweeps: one forward (value) and one reverse (adjoint) sweep over the
// plan's steps, for scalar and tensor expressions alike, on any element type
// (numbers, dual numbers for forward mode, SIMD batches inside a fused loop).
// A step is one of:
//   leaf       a number read from the environment (in a graph with tensors,
//              every leaf's cell is set beforehand, core/tape_layout.hpp)
//   literal    its value, as a T
//   op         a rank-0 elementwise op: its value rule forward, its adjoint
//              rule backward (core/op_protocol.hpp); or a tensor op (matmul,
//              softmax, a reduction...): its forward and vjp, which call kernels/
//   fused      a group of elementwise tensor nodes: one loop forward and one
//              backward (core/fused.hpp)
//
// Compile time (DESIGN §4): the plan turns each node into a step *descriptor*,
// a type that names only what the step needs — its op or its loop, and the
// positions, shapes and element types of the slots it reads and writes — never
// the graph. The functions that run the steps are instantiated from these, so
// their names do not grow with the graph, and identical layers share their
// loops and kernels: compile time and object size grow linearly with depth.

#include <leibniz/config.hpp>
#include <leibniz/core/dual.hpp>
#include <leibniz/core/tape_layout.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <tuple>
#include <type_traits>
#include <utility>

namespace leibniz {

// ---------------------------------------------------------------- step descriptors

struct skip_step {};  // nothing to do: fused away, read by nothing, or bound beforehand
template <std::size_t K, class Leaf>
struct leaf_step {};
template <std::size_t K, class Literal>
struct literal_step {};
// Op's value into Out from In... (operand<> each).
template <class Op, class Out, class... In>
struct op_forward {};
// Op's adjoint rule: δ of Out to the inputs whose bit is set in Active,
// stored where the bit in Store is set (the input's first contribution), else added.
template <class Op, std::uint64_t Active, std::uint64_t Store, class Out, class... In>
struct op_reverse {};
template <class Loop, class Out, class... In>
struct fused_forward {};
template <class Loop, std::uint64_t Active, std::uint64_t Store, bool SeedIsOne, class Out, class... In>
struct fused_reverse {};

// The loop of a fused group (defined in core/fused.hpp): Kernel is the scalar
// expression it computes per element (inputs numbered by position), LoopShape
// the shape it runs over, Reduce whether it sums (or averages) its result.
template <class Kernel, class T, class LoopShape, reduction Reduce>
struct fused_loop;

// The fused loop of root R of graph G, node Root. (Types and template
// arguments only, no static member: a member of a class named by the graph
// would be a symbol whose name carries the graph, one per group.)
template <class G, class Plan, class T, std::size_t R, class Root = typename G::template node_t<R>>
struct fused_group_of {
    using looped = typename std::conditional_t<Plan::reduces[R], boost::mp11::mp_front<typename Root::operands>, Root>;
    using loop = fused_loop<typename kernel_node<G, Plan, T, R, looped>::type, T, shape_of<looped>,
                            Plan::reduces[R] ? traits_of<typename Root::op>().reduces : reduction::none>;
};

namespace detail {

// The operands a step writes and reads. An op step reads its node's operands
// in order, so their types come from the node itself; a fused root's inputs
// are found in the graph. (mp_at_c on the graph's node list costs g++ a pass
// over the list per lookup: on the operands of every step of the 400-node
// chain of bench/compile_time it took 13.0 s of CPU to compile instead of 10.6.)
template <class E, class T, std::size_t C>
using operand_for = operand<C, shape_of<E>, element_t<E, T>>;

template <bool FusedRoot, class G, class T, class Node, std::size_t C, std::size_t I>
struct input_operand {
    using type = operand_for<boost::mp11::mp_at_c<typename Node::operands, I>, T, C>;
};
template <class G, class T, class Node, std::size_t C, std::size_t I>
struct input_operand<true, G, T, Node, C, I> {
    using type = operand_of<G, T, C>;
};

template <class G, class Plan, class T, std::size_t K, class Node,
          class Seq = std::make_index_sequence<Plan::input_count(K)>>
struct inputs_of;
template <class G, class Plan, class T, std::size_t K, class Node, std::size_t... J>
struct inputs_of<G, Plan, T, K, Node, std::index_sequence<J...>> {
    template <template <class...> class D, class... Head>
    using apply = D<Head..., operand_for<Node, T, K>,
                    typename input_operand<Plan::root(K), G, T, Node, Plan::inputs.node[Plan::inputs.begin[K] + J],
                                           J>::type...>;
};

template <class Op, std::uint64_t A, std::uint64_t S>
struct bind_masks {
    template <class... O>
    using reverse = op_reverse<Op, A, S, O...>;
};
template <class Loop, std::uint64_t A, std::uint64_t S, bool One>
struct bind_fused_masks {
    template <class... O>
    using reverse = fused_reverse<Loop, A, S, One, O...>;
};
template <class Op>
struct bind_op {
    template <class... O>
    using forward = op_forward<Op, O...>;
};
template <class Loop>
struct bind_loop {
    template <class... O>
    using forward = fused_forward<Loop, O...>;
};

// What each node is in each sweep, and the masks of its reverse step, as
// tables computed once per plan: a node's descriptor is then one lookup and a
// class specialization, not a function to instantiate per node.
enum class step_kind : unsigned char { skip, leaf, literal, op, fused };

template <class G, class Plan>
struct step_tables {
    static constexpr std::size_t n = G::size;
    static constexpr bool leaves_bound_beforehand = has_tensors<G>;  // by lay_out

    static constexpr std::array<step_kind, n> forward = [] {
        std::array<step_kind, n> kind{};
        for (std::size_t k = 0; k < n; ++k) {
            if (Plan::interior[k] || !Plan::needed[k])
                kind[k] = step_kind::skip;
            else if (Plan::is_literal_node[k])
                kind[k] = step_kind::literal;
            else if (!Plan::is_op[k])
                kind[k] = leaves_bound_beforehand ? step_kind::skip : step_kind::leaf;
            else
                kind[k] = Plan::root(k) ? step_kind::fused : step_kind::op;
        }
        return kind;
    }();
    static constexpr std::array<step_kind, n> reverse = [] {
        std::array<step_kind, n> kind{};
        for (std::size_t k = 0; k < n; ++k)
            if (Plan::is_op[k] && !Plan::interior[k] && Plan::active[k])
                kind[k] = Plan::root(k) ? step_kind::fused : step_kind::op;
        return kind;
    }();
    // Every op's forward descriptor, needed or not (its vjp may need scratch when its value does not).
    static constexpr std::array<step_kind, n> scratch = [] {
        std::array<step_kind, n> kind{};
        for (std::size_t k = 0; k < n; ++k)
            if (Plan::is_op[k] && !Plan::interior[k] && !Plan::root(k)) kind[k] = step_kind::op;
        return kind;
    }();

    // Bit j of mask[k]: input j of step k is active (mask[0]) / receives its
    // first contribution there (mask[1], stored rather than added).
    static constexpr std::array<std::array<std::uint64_t, n>, 2> masks = [] {
        std::array<std::array<std::uint64_t, n>, 2> mask{};
        for (std::size_t k = 0; k < n; ++k)
            for (std::size_t j = Plan::inputs.begin[k]; j < Plan::inputs.begin[k + 1]; ++j) {
                const std::uint64_t bit = std::uint64_t{1} << ((j - Plan::inputs.begin[k]) % 64);
                if (Plan::active[Plan::inputs.node[j]]) mask[0][k] |= bit;
                if (Plan::store[j]) mask[1][k] |= bit;
            }
        return mask;
    }();
    static constexpr bool inputs_fit = [] {
        for (std::size_t k = 0; k < n; ++k)
            if (Plan::input_count(k) > 64) return false;
        return true;
    }();
    static_assert(inputs_fit, "leibniz: a step reads more than 64 inputs");
};

template <step_kind Kind, class G, class Plan, class T, std::size_t K, class Node>
struct forward_step_of {
    using type = skip_step;
};
template <class G, class Plan, class T, std::size_t K, class Node>
struct forward_step_of<step_kind::leaf, G, Plan, T, K, Node> {
    using type = leaf_step<K, Node>;
};
template <class G, class Plan, class T, std::size_t K, class Node>
struct forward_step_of<step_kind::literal, G, Plan, T, K, Node> {
    using type = literal_step<K, Node>;
};
template <class G, class Plan, class T, std::size_t K, class Node>
struct forward_step_of<step_kind::op, G, Plan, T, K, Node> {
    using type = typename inputs_of<G, Plan, T, K, Node>::template apply<bind_op<typename Node::op>::template forward>;
};
template <class G, class Plan, class T, std::size_t K, class Node>
struct forward_step_of<step_kind::fused, G, Plan, T, K, Node> {
    using loop = typename fused_group_of<G, Plan, T, K, Node>::loop;
    using type = typename inputs_of<G, Plan, T, K, Node>::template apply<bind_loop<loop>::template forward>;
};

template <step_kind Kind, class G, class Plan, class T, std::size_t K, class Node>
struct reverse_step_of {
    using type = skip_step;
};
template <class G, class Plan, class T, std::size_t K, class Node>
struct reverse_step_of<step_kind::op, G, Plan, T, K, Node> {
    using tables = step_tables<G, Plan>;
    using masks = bind_masks<typename Node::op, tables::masks[0][K], tables::masks[1][K]>;
    using type = typename inputs_of<G, Plan, T, K, Node>::template apply<masks::template reverse>;
};
template <class G, class Plan, class T, std::size_t K, class Node>
struct reverse_step_of<step_kind::fused, G, Plan, T, K, Node> {
    using tables = step_tables<G, Plan>;
    using loop = typename fused_group_of<G, Plan, T, K, Node>::loop;
    // When the fused sum is f itself, its adjoint is the constant 1 (the
    // sweeps are seeded with 1), and the loop drops the multiplications by it.
    using masks =
        bind_fused_masks<loop, tables::masks[0][K], tables::masks[1][K], Plan::reduces[K] && K == G::size - 1>;
    using type = typename inputs_of<G, Plan, T, K, Node>::template apply<masks::template reverse>;
};

template <class G, class Plan, class T, std::size_t K, class Node>
using forward_descriptor = forward_step_of<step_tables<G, Plan>::forward[K], G, Plan, T, K, Node>;
template <class G, class Plan, class T, std::size_t K, class Node>
using reverse_descriptor = reverse_step_of<step_tables<G, Plan>::reverse[K], G, Plan, T, K, Node>;
template <class G, class Plan, class T, std::size_t K, class Node>
using scratch_descriptor = forward_step_of<step_tables<G, Plan>::scratch[K], G, Plan, T, K, Node>;

// G a parameter of its own, never spelled graph<mp_list<Nodes...>> inside the
// expansion: that would copy the whole node list once per step (see graph).
template <class G, class Plan, class T, template <class, class, class, std::size_t, class> class D>
struct descriptors {
    template <std::size_t... K, class... Nodes>
    static auto make(std::index_sequence<K...>, boost::mp11::mp_list<Nodes...>)
        -> boost::mp11::mp_list<typename D<G, Plan, T, K, Nodes>::type...>;
    using type = decltype(make(std::make_index_sequence<G::size>{}, typename G::nodes{}));
};

template <class Op, std::size_t P, class G, class Y, class... V>
LEIBNIZ_ALWAYS_INLINE constexpr auto apply_vjp(const G& g, const Y& y, const V&... v) {
    if constexpr (sizeof...(V) == 1)
        return Op::vjp(g, y, v...);
    else
        return Op::template vjp<P>(g, y, v...);
}

struct no_environment {};  // what the steps of a graph with tensors see: its leaves are bound beforehand

template <class O>
struct operand_traits;
template <std::size_t C, class S, class E>
struct operand_traits<operand<C, S, E>> {
    using shape = S;
};

}  // namespace detail

// Scratch memory for ops that need it (a matrix product packs panels): an op
// states `template <class T> static std::size_t scratch_bytes(extents...)`.
template <class Op, class T, class... Shapes>
constexpr bool uses_scratch = requires { Op::template scratch_bytes<T>(detail::extents_with_batch<Shapes>(0)...); };

// ---------------------------------------------------------------- forward steps

template <class T, class Tape, class Env>
LEIBNIZ_ALWAYS_INLINE constexpr void forward_step(skip_step, Tape&, const Env&, const sweep_context&) {}

template <class T, std::size_t K, class Leaf, class Tape, class Env>
LEIBNIZ_ALWAYS_INLINE constexpr void forward_step(leaf_step<K, Leaf>, Tape& values, const Env& env,
                                                  const sweep_context&) {
    values.slots[K] = T(env.template get<Leaf>());
}

template <class T, std::size_t K, class Literal, class Tape, class Env>
LEIBNIZ_ALWAYS_INLINE constexpr void forward_step(literal_step<K, Literal>, Tape& values, const Env&,
                                                  const sweep_context& context) {
    slot<operand<K, shape<>, T>>(values, context.batch) = Literal::template as<T>();
}

template <class T, class Op, class Out, class... In, class Tape, class Env>
LEIBNIZ_ALWAYS_INLINE constexpr void forward_step(op_forward<Op, Out, In...>, Tape& values, const Env&,
                                                  const sweep_context& context) {
    const std::size_t b = context.batch;
    if constexpr (traits_of<Op>().elementwise) {  // rank 0: the scalar rule
        slot<Out>(values, b) = detail::apply_value<Op>(slot<In>(values, b)...);
    } else {
        decltype(auto) y = slot<Out>(values, b);
        if constexpr (uses_scratch<Op, T, typename detail::operand_traits<In>::shape...>)
            Op::forward(y, slot<In>(values, b)..., context.scratch);
        else
            Op::forward(y, slot<In>(values, b)...);
    }
}

template <class T, class Loop, class Out, class... In, class Tape, class Env>
LEIBNIZ_ALWAYS_INLINE inline void forward_step(fused_forward<Loop, Out, In...>, Tape& values, const Env&,
                                        const sweep_context& context) {
    const std::size_t b = context.batch;
    decltype(auto) y = slot<Out>(values, b);
    Loop::forward(y, b, slot<In>(values, b)...);
}

namespace detail {

template <class T, class Step, class Tape>
LEIBNIZ_NOINLINE void forward_step_out_of_line(Tape& values, const sweep_context& context) {
    leibniz::forward_step<T>(Step{}, values, no_environment{}, context);
}
// The steps to run, as a table of functions: the sweep is then one loop, not
// a body of a call per node for the compiler's optimizers to walk.
template <class T, class Tape, class... Steps>
inline constexpr void (*forward_steps[])(Tape&, const sweep_context&) = {
    &forward_step_out_of_line<T, Steps, Tape>..., nullptr};
}  // namespace detail

// Fills the tape, operands before users.
template <class G, class Plan, class T, class Tape, class Env>
LEIBNIZ_ALWAYS_INLINE constexpr void forward_sweep(Tape& values, const Env& env, const sweep_context& context) {
    [&]<class... Steps>(boost::mp11::mp_list<Steps...>) LEIBNIZ_ALWAYS_INLINE {
        // A braced list, not a fold: clang caps folds at 256 operands; the order is left to right.
        // (Qualified calls: argument-dependent lookup would complete every loop type a step names.)
        if constexpr (detail::steps_out_of_line<G>) {
            [&]<class... Run>(boost::mp11::mp_list<Run...>) {
                for (std::size_t i = 0; i < sizeof...(Run); ++i) detail::forward_steps<T, Tape, Run...>[i](values, context);
            }(boost::mp11::mp_remove<boost::mp11::mp_list<Steps...>, skip_step>{});
        } else if constexpr (has_tensors<G>)
            (void)std::initializer_list<int>{
                (leibniz::forward_step<T>(Steps{}, values, detail::no_environment{}, context), 0)...};
        else
            (void)std::initializer_list<int>{(leibniz::forward_step<T>(Steps{}, values, env, context), 0)...};
    }(typename detail::descriptors<G, Plan, T, detail::forward_descriptor>::type{});
}

// ---------------------------------------------------------------- reverse steps

template <class T, class Tape>
LEIBNIZ_ALWAYS_INLINE constexpr void reverse_step(skip_step, const Tape&, Tape&, const sweep_context&) {}

template <class T, class Op, std::uint64_t Active, std::uint64_t Store, class Out, class... In, class Tape>
LEIBNIZ_ALWAYS_INLINE constexpr void reverse_step(op_reverse<Op, Active, Store, Out, In...>, const Tape& values,
                                                  Tape& adjoints, const sweep_context& context) {
    const std::size_t b = context.batch;
    [&]<std::size_t... P>(std::index_sequence<P...>) LEIBNIZ_ALWAYS_INLINE {
        auto pass = [&]<std::size_t Pos, class Target>() LEIBNIZ_ALWAYS_INLINE {
            if constexpr (((Active >> Pos) & 1u) != 0) {
                constexpr bool store = ((Store >> Pos) & 1u) != 0;
                if constexpr (traits_of<Op>().elementwise) {  // rank 0: the scalar rule
                    auto contribution = detail::apply_vjp<Op, Pos>(slot<Out>(adjoints, b), slot<Out>(values, b),
                                                                   slot<In>(values, b)...);
                    if constexpr (store)
                        slot<Target>(adjoints, b) = contribution;
                    else
                        slot<Target>(adjoints, b) += contribution;
                } else {
                    decltype(auto) d = slot<Target>(adjoints, b);
                    if constexpr (uses_scratch<Op, T, typename detail::operand_traits<In>::shape...>)
                        Op::template vjp<Pos>(d, !store, slot<Out>(adjoints, b), slot<Out>(values, b),
                                              slot<In>(values, b)..., context.scratch);
                    else
                        Op::template vjp<Pos>(d, !store, slot<Out>(adjoints, b), slot<Out>(values, b),
                                              slot<In>(values, b)...);
                }
            }
        };
        (pass.template operator()<P, In>(), ...);
    }(std::index_sequence_for<In...>{});
}

template <class T, class Loop, std::uint64_t Active, std::uint64_t Store, bool SeedIsOne, class Out, class... In,
          class Tape>
LEIBNIZ_ALWAYS_INLINE inline void reverse_step(fused_reverse<Loop, Active, Store, SeedIsOne, Out, In...>, const Tape& values,
                                        Tape& adjoints, const sweep_context& context) {
    const std::size_t b = context.batch;
    decltype(auto) seed = slot<Out>(adjoints, b);
    Loop::template backward<Active, Store, SeedIsOne>(
        seed, b, std::tuple<decltype(slot<In>(values, b))...>{slot<In>(values, b)...},
        std::tuple<decltype(slot<In>(adjoints, b))...>{slot<In>(adjoints, b)...});
}

namespace detail {
template <class T, class Step, class Tape>
LEIBNIZ_NOINLINE void reverse_step_out_of_line(const Tape& values, Tape& adjoints, const sweep_context& context) {
    leibniz::reverse_step<T>(Step{}, values, adjoints, context);
}
template <class T, class Tape, class... Steps>
inline constexpr void (*reverse_steps[])(const Tape&, Tape&, const sweep_context&) = {
    &reverse_step_out_of_line<T, Steps, Tape>..., nullptr};
}  // namespace detail

// The reverse sweep from a given output adjoint δ(f) = seed: grad seeds 1; a
// fused loop seeds the adjoint it loaded for the current elements.
template <class G, class Plan, class T, class Tape, class Seed>
LEIBNIZ_ALWAYS_INLINE constexpr void reverse_sweep(const Tape& values, Tape& adjoints, const Seed& seed,
                                                   const sweep_context& context) {
    slot<operand_of<G, T, G::size - 1>>(adjoints, context.batch) = seed;
    [&]<class... Steps>(boost::mp11::mp_list<Steps...>) LEIBNIZ_ALWAYS_INLINE {
        if constexpr (detail::steps_out_of_line<G>) {
            [&]<class... Run>(boost::mp11::mp_list<Run...>) {
                for (std::size_t i = 0; i < sizeof...(Run); ++i)
                    detail::reverse_steps<T, Tape, Run...>[i](values, adjoints, context);
            }(boost::mp11::mp_remove<boost::mp11::mp_list<Steps...>, skip_step>{});
        } else
            (void)std::initializer_list<int>{(leibniz::reverse_step<T>(Steps{}, values, adjoints, context), 0)...};
    }(boost::mp11::mp_reverse<typename detail::descriptors<G, Plan, T, detail::reverse_descriptor>::type>{});
}

// ---------------------------------------------------------------- scratch

namespace detail {
template <class T, class D>
std::size_t scratch_of(D, std::size_t) {
    return 0;
}
template <class T, class Op, class Out, class... In>
std::size_t scratch_of(op_forward<Op, Out, In...>, std::size_t batch) {
    if constexpr (uses_scratch<Op, T, typename operand_traits<In>::shape...>)
        return Op::template scratch_bytes<T>(extents_with_batch<typename operand_traits<In>::shape>(batch)...);
    else
        return 0;
}
}  // namespace detail

// Scratch memory of G's ops for the batch: the largest need, shared, placed after the buffers.
template <class G, class Plan, class T>
std::size_t scratch_bytes(std::size_t batch) {
    return [&]<class... D>(boost::mp11::mp_list<D...>) {
        const std::initializer_list<std::size_t> needs{std::size_t{0}, detail::scratch_of<T>(D{}, batch)...};
        return detail::round_up(std::max(needs));
    }(typename detail::descriptors<G, Plan, T, detail::scratch_descriptor>::type{});
}

}  // namespace leibniz
