#pragma once
// The typed tape of the scalar sweeps: one slot per node of the graph, each
// holding the node's value as a T — a number, a dual number, or, inside a
// fused loop (core/fused.hpp), one SIMD batch of a tensor node's elements.
// Tensor graphs keep their stored values in a tensor_tape instead
// (core/tape_layout.hpp: a number, a view or nothing per node).
//
// Compile time shapes this file (DESIGN §4): a graph of uniform value type —
// every scalar graph — is a plain std::array, so the functions that touch it
// have short names; a graph of mixed value types is a flat struct of slots.
// Both are indexed by a node's position, `get<I>(tape)`.

#include <leibniz/core/graph.hpp>

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

namespace leibniz {

// The value type a node holds in a tape computing in T: T itself, whatever
// the node's shape (nothing specialises it; see tensor_tape for tensors).
template <class Node, class T, class Shape = shape_of<Node>>
struct value_type_of {
    using type = T;
};
template <class Node, class T>
using value_t = typename value_type_of<Node, T>::type;

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

template <std::size_t I, class V>
struct slot {
    V value;
};
template <std::size_t I, class V>
constexpr V& get(slot<I, V>& s) noexcept {
    return s.value;
}
template <std::size_t I, class V>
constexpr const V& get(const slot<I, V>& s) noexcept {
    return s.value;
}

namespace detail {
template <class Seq, class... V>
struct slots_impl;
template <std::size_t... I, class... V>
struct slots_impl<std::index_sequence<I...>, V...> : slot<I, V>... {};

template <class... V>
struct choose_tape {
    using type = slots_impl<std::index_sequence_for<V...>, V...>;
};
template <class V, class... Rest>
    requires(all_true<std::is_same_v<V, Rest>...>())  // not a fold (clang caps folds at 256 operands), nor
                                                      // std::conjunction (g++ recurses once per node, depth 900)
struct choose_tape<V, Rest...> {
    using type = uniform_tape<V, 1 + sizeof...(Rest)>;
};

template <class G, class T>
struct tape_for;
template <class... Nodes, class T>
struct tape_for<graph<boost::mp11::mp_list<Nodes...>>, T> {
    using type = typename choose_tape<value_t<Nodes, T>...>::type;
};
}  // namespace detail

template <class G, class T>
using tape = typename detail::tape_for<G, T>::type;

}  // namespace leibniz
