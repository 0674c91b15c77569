#pragma once
// The typed tape of a sweep: one slot per graph node, indexed by the node's
// position, `get<K>(tape)`. A node of rank 0 holds its value as a T — a
// number, a dual number, or, inside a fused loop (core/fused.hpp), one SIMD
// batch of a tensor's elements; a node of rank > 0 holds a view of its
// buffer in the workspace (core/tape_layout.hpp); a fused interior node holds
// nothing (it lives in registers inside its group's loop).
//
// Compile time shapes this file (DESIGN §4): a tape of uniform slot type —
// every scalar graph — is a plain std::array, so the functions that touch it
// have short names; a tape of mixed slot types is a flat struct of slots.

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

struct unused_slot {};  // a fused interior node: never stored

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

template <class Plan, std::size_t K, class Node, class T>
using slot_t = std::conditional_t<Plan::interior[K], unused_slot,
                                  std::conditional_t<(shape_of<Node>::rank == 0), T, tensor_view<T, shape_of<Node>>>>;

template <class G, class Plan, class T>
struct tape_for;
template <class... Nodes, class Plan, class T>
struct tape_for<graph<boost::mp11::mp_list<Nodes...>>, Plan, T> {
    template <std::size_t... K>
    static auto make(std::index_sequence<K...>) -> typename choose_tape<slot_t<Plan, K, Nodes, T>...>::type;
    using type = decltype(make(std::index_sequence_for<Nodes...>{}));
};
}  // namespace detail

template <class G, class Plan, class T>
using tape = typename detail::tape_for<G, Plan, T>::type;

}  // namespace leibniz
