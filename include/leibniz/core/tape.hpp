#pragma once
// The typed tape: one slot per node of the graph, its type computed from the
// node (a scalar for rank 0; a tensor for rank > 0). A flat struct that
// inherits one slot per node, so access is by index with no recursion.

#include <leibniz/core/graph.hpp>

#include <cstddef>
#include <utility>

namespace leibniz {

template <std::size_t I, class T>
struct slot {
    T value{};
};

template <std::size_t I, class T>
constexpr T& get(slot<I, T>& s) noexcept {
    return s.value;
}
template <std::size_t I, class T>
constexpr const T& get(const slot<I, T>& s) noexcept {
    return s.value;
}

namespace detail {
template <class Seq, class... T>
struct slots_impl;
template <std::size_t... I, class... T>
struct slots_impl<std::index_sequence<I...>, T...> : slot<I, T>... {};
}  // namespace detail

// The value type a node holds in a tape computing in scalar type T.
// Rank 0: T itself. The tensor layer specialises this for rank > 0.
template <class Node, class T, class Shape = shape_of<Node>>
struct value_type_of {
    using type = T;
};
template <class Node, class T>
using value_t = typename value_type_of<Node, T>::type;

template <class G, class T>
struct tape;

template <class... Nodes, class T>
struct tape<graph<boost::mp11::mp_list<Nodes...>>, T>
    : detail::slots_impl<std::index_sequence_for<Nodes...>, value_t<Nodes, T>...> {};

}  // namespace leibniz
