#pragma once
// The tape of a sweep: one slot per graph node, indexed by the node's
// position. In a graph of numbers only (a scalar expression, or the kernel of
// a fused loop) a slot is the node's value as a T — a number, a dual number,
// or, inside a fused loop (core/fused.hpp), one SIMD batch of a tensor's
// elements. In a graph with tensors a slot is a cell: a number for a node of
// rank 0, and the address of its buffer for a tensor (in the workspace,
// core/tape_layout.hpp, or the bound data of a leaf); the step that reads it
// makes the typed view from the node's shape and the batch extent.
//
// Compile time shapes this file (DESIGN §4): either tape is a plain array of
// one type whose name does not grow with the graph, so the steps that take it
// have short names, and a network's compile time and object size grow
// linearly with its depth.

#include <leibniz/config.hpp>
#include <leibniz/core/plan.hpp>
#include <leibniz/tensor/tensor.hpp>

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

namespace leibniz {

// An aggregate: `tape t{}` zeroes it (what constexpr evaluation needs);
// `tape t;` leaves it uninitialised, for sweeps that write every slot they read.
template <class V, std::size_t N>
struct uniform_tape {
    std::array<V, N> slots;
};

template <std::size_t I, class V, std::size_t N>
constexpr V& get(uniform_tape<V, N>& t) noexcept {
    return t.slots[I];
}
template <std::size_t I, class V, std::size_t N>
constexpr const V& get(const uniform_tape<V, N>& t) noexcept {
    return t.slots[I];
}

template <class T>
struct cell {
    T value;     // a node of rank 0
    void* data;  // a tensor's elements
};

// Whether graph G holds a tensor: its tape is then made of cells.
template <class G>
inline constexpr bool has_tensors = !detail::all_rank0<typename G::nodes>::value;

// A graph with tensors of more than this many nodes runs each step as a
// function of its own: the sweeps are then a list of calls, and the
// compiler works on many small bodies rather than one huge one (inlined, a
// 100-layer MLP's sweeps were one function of ~20k statements; out of line,
// g++ -O2 spent 4 s less on that program, most of it in its IPA passes). A tensor step
// calls a kernel or a loop anyway, so the extra call costs nothing
// measurable; smaller graphs, and every graph of numbers, are inlined whole.
// lay_out (core/tape_layout.hpp) lays such a tape out by loops over its tables.
// (test/nn_float_test sets it to 0, so that its references check this path.)
#ifndef LEIBNIZ_INLINE_SWEEP_LIMIT
#define LEIBNIZ_INLINE_SWEEP_LIMIT 256
#endif
inline constexpr std::size_t inline_sweep_limit = LEIBNIZ_INLINE_SWEEP_LIMIT;

namespace detail {
template <class G>
inline constexpr bool steps_out_of_line = has_tensors<G> && (G::size > inline_sweep_limit);
}  // namespace detail

template <class G, class Plan, class T>
using tape = std::conditional_t<has_tensors<G>, uniform_tape<cell<T>, G::size>, uniform_tape<T, G::size>>;

// The element type of node N's tensor on a tape of T: T, or an integer
// leaf's own type (class labels, indices).
template <class N, class T>
struct element_type {
    using type = T;
};
template <fixed_string Name, class E, class S, class Kind, class T>
    requires std::is_integral_v<E>
struct element_type<leaf<Name, E, S, Kind>, T> {
    using type = E;
};
template <class N, class T>
using element_t = typename element_type<N, T>::type;

// A step's view of one slot: node C, of shape S and element type E.
template <std::size_t C, class S, class E>
struct operand {};

namespace detail {
template <Shape S>
constexpr extents_of<S> extents_with_batch(std::size_t batch) {
    extents_of<S> e;
    for (std::size_t i = 0; i < S::rank; ++i) e.values[i] = S::extents[i] == dyn ? batch : S::extents[i];
    return e;
}
}  // namespace detail

// The slot of operand O: a reference to the number (rank 0), or a view of the
// tensor's elements with their extents for the batch.
template <class O>
struct slot_access;
template <std::size_t C, class S, class E>
struct slot_access<operand<C, S, E>> {
    template <class T, std::size_t N>
    LEIBNIZ_ALWAYS_INLINE static constexpr T& get(uniform_tape<T, N>& t, std::size_t) {
        return t.slots[C];
    }
    template <class T, std::size_t N>
    LEIBNIZ_ALWAYS_INLINE static constexpr const T& get(const uniform_tape<T, N>& t, std::size_t) {
        return t.slots[C];
    }
    template <class T, std::size_t N>
    LEIBNIZ_ALWAYS_INLINE static constexpr decltype(auto) get(uniform_tape<cell<T>, N>& t, std::size_t batch) {
        if constexpr (S::rank == 0)
            return (t.slots[C].value);
        else
            return tensor_view<E, S>(static_cast<E*>(t.slots[C].data), detail::extents_with_batch<S>(batch));
    }
    template <class T, std::size_t N>
    LEIBNIZ_ALWAYS_INLINE static constexpr decltype(auto) get(const uniform_tape<cell<T>, N>& t, std::size_t batch) {
        if constexpr (S::rank == 0)
            return (t.slots[C].value);
        else
            return tensor_view<E, S>(static_cast<E*>(t.slots[C].data), detail::extents_with_batch<S>(batch));
    }
};
template <class O, class Tape>
LEIBNIZ_ALWAYS_INLINE constexpr decltype(auto) slot(Tape& t, std::size_t batch) {
    return slot_access<O>::get(t, batch);
}

// The operand of node K of graph G on a tape of T.
template <class G, class T, std::size_t K>
using operand_of = operand<K, shape_of<typename G::template node_t<K>>, element_t<typename G::template node_t<K>, T>>;

}  // namespace leibniz
