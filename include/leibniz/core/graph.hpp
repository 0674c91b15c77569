#pragma once
// The computational graph, computed from the expression's type:
//   nodes_of<E>     every distinct subexpression in topological order (operands
//                   before their users, E last); equal types are one node
//   index_of<G, N>  a node's position in that order, O(1) per lookup
//   leaves_of<E>    the leaves, in first-use order
// The walk deduplicates as it goes, so a shared subexpression is visited once.
// Type lists go through Boost.Mp11 (DESIGN §4: a Hana-tuple walk of a 100-node
// graph took 24 s to compile, the Mp11 walk 1.1 s).

#include <leibniz/core/expr.hpp>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>
#include <boost/mp11/set.hpp>

#include <array>
#include <cstddef>
#include <initializer_list>
#include <type_traits>
#include <utility>

namespace leibniz {

namespace detail {

// One template level per level of the expression, so a chain of several
// hundred nodes stays far below the compilers' instantiation-depth limits.
// Operands are visited left to right; a node already on the list is skipped
// with its whole subtree.
template <class E, class Visited, bool Seen = boost::mp11::mp_set_contains<Visited, E>::value>
struct collect {  // seen before
    using type = Visited;
};
template <class E, class Visited>
struct collect<E, Visited, false> {  // a leaf or a literal
    using type = boost::mp11::mp_push_back<Visited, E>;
};
template <class Op, class A, class Visited>
struct collect<node<Op, A>, Visited, false> {
    using type = boost::mp11::mp_push_back<typename collect<A, Visited>::type, node<Op, A>>;
};
template <class Op, class A, class B, class Visited>
struct collect<node<Op, A, B>, Visited, false> {
    using type = boost::mp11::mp_push_back<typename collect<B, typename collect<A, Visited>::type>::type,
                                           node<Op, A, B>>;
};
template <class Visited, class E>
using collect_f = typename collect<E, Visited>::type;
template <class Op, class... Args, class Visited>
struct collect<node<Op, Args...>, Visited, false> {  // n-ary (three or more operands)
    using type = boost::mp11::mp_push_back<boost::mp11::mp_fold<boost::mp11::mp_list<Args...>, Visited, collect_f>,
                                           node<Op, Args...>>;
};

// A class with one overload index_of(key<N_i>*) per node, returning
// std::integral_constant<std::size_t, i>: the index of a node is found by
// overload resolution on key<N>*, an exact match decided by type identity.
// (Deducing I from a base indexed<N, I> instead compares the node types
// structurally, which is exponential when subexpressions are shared: x·σ(x)
// chained 28 times took 29 s to compile, 1.2 s this way.) A pointer, not a
// key<N> by value: rejecting each of the other overloads is then a pointer
// conversion, not a search for constructors of key<N_i> — the edges of a
// 400-node graph took 0.6 s of g++'s time by value. Declared only, read
// through decltype: a lookup instantiates no function and no variable, so it
// adds no symbol to the object's symbol table. (Every function or variable
// instantiated per node whose name carries the graph costs g++ the mangling
// of that name, and the names grow with the graph: in a 100-layer MLP that
// was a third of the compile time.)
template <class T>
struct key {};

// The other way, node_at(std::integral_constant<std::size_t, i>*) -> N_i:
// the node at a position, by the same overload set (mp_at_c on a long list
// deduces against one base per node and per lookup, which took g++ hundreds
// of megabytes on a 100-layer MLP).
template <class T, std::size_t I>
struct indexed {
    static std::integral_constant<std::size_t, I> index_of(key<T>*);
    static T node_at(std::integral_constant<std::size_t, I>*);
};

template <class Seq, class... Ts>
struct index_map_impl;
template <std::size_t... I, class... Ts>
struct index_map_impl<std::index_sequence<I...>, Ts...> : indexed<Ts, I>... {
    using indexed<Ts, I>::index_of...;
    using indexed<Ts, I>::node_at...;
};

template <class Map, class N>
using index_in = decltype(Map::index_of(static_cast<key<N>*>(nullptr)));

}  // namespace detail

template <Expression E>
using nodes_of = typename detail::collect<std::remove_cvref_t<E>, boost::mp11::mp_list<>>::type;

namespace detail {
template <class Nodes>
struct index_map_for;
template <class... Nodes>
struct index_map_for<boost::mp11::mp_list<Nodes...>> {
    using type = index_map_impl<std::index_sequence_for<Nodes...>, Nodes...>;
};
}  // namespace detail

// The graph of E: its node list and the position of every node.
// Parameterized by the node list as one type, not by the nodes as a pack:
// g++ builds a fresh copy of a template's arguments whenever it substitutes
// into one of its members, so every lookup (index_t, node_t, contains_t) in a
// graph<mp_list<Nodes...>> specialization copied the whole node list. Past
// ~510 nodes such a copy no longer fits a 4 KB page, and each of those
// allocations walks g++'s whole list of free pages: compiling the gradient
// of a 128-layer MLP (650 nodes) took 65 s, 43 s without the copies.
// (Templates below that need the nodes as a pack take G::nodes once, in a
// helper whose expansion names no G.)
template <class Nodes>
struct graph {
    using nodes = Nodes;
    static constexpr std::size_t size = boost::mp11::mp_size<Nodes>::value;
    using map = typename detail::index_map_for<Nodes>::type;

    // The engine reads these two, types: std::integral_constant<std::size_t, i>
    // and std::bool_constant (no symbol per lookup, see detail::indexed).
    template <class N>
    using index_t = detail::index_in<map, N>;
    template <class N>
    using contains_t = std::bool_constant<requires { map::index_of(static_cast<detail::key<N>*>(nullptr)); }>;
    template <std::size_t K>
    using node_t = decltype(map::node_at(static_cast<std::integral_constant<std::size_t, K>*>(nullptr)));

    template <class N>
    static constexpr bool contains = contains_t<N>::value;
    template <class N>
    static constexpr std::size_t index = index_t<N>::value;
};

template <Expression E>
using graph_of = graph<nodes_of<E>>;

namespace detail {
// Node N's position in G, or std::size_t(-1) when G does not hold it (a type).
template <class G, class N, bool In = G::template contains_t<N>::value>
struct position_in {
    using type = std::integral_constant<std::size_t, std::size_t(-1)>;
};
template <class G, class N>
struct position_in<G, N, true> {
    using type = typename G::template index_t<N>;
};
}  // namespace detail

template <Expression E>
using leaves_of = boost::mp11::mp_copy_if<nodes_of<E>, is_leaf>;

// Every node of rank 0: the scalar machinery of core evaluates it directly;
// a graph with tensors goes through the tensor layer (core/sweep.hpp).
namespace detail {
template <class L>
struct all_rank0;
template <class... N>
struct all_rank0<boost::mp11::mp_list<N...>> {
    // A loop over an array, not a fold: clang limits fold nesting to 256 operands.
    static constexpr bool value = [] {
        constexpr std::array<std::size_t, sizeof...(N) + 1> ranks{shape_of<N>::rank..., 0};
        for (std::size_t r : ranks)
            if (r != 0) return false;
        return true;
    }();
};
}  // namespace detail

template <class E>
concept ScalarExpression = Expression<E> && detail::all_rank0<nodes_of<E>>::value;
template <class E>
concept TensorExpression = Expression<E> && !detail::all_rank0<nodes_of<E>>::value;

// ---------------------------------------------------------------- edges

// The operand positions of every node, flattened: node k's operands are
// edges[begin[k] .. begin[k + 1]). Plain constexpr arrays, so the plans
// computed from them (which adjoint is stored first, which nodes are active)
// are ordinary constexpr loops rather than template recursion.
namespace detail {
// A node's operand positions as a type (no symbol per node, see indexed).
template <class G, class N>
struct operands_of {
    using type = std::index_sequence<>;
};
template <class G, class Op, class... Args>
struct operands_of<G, node<Op, Args...>> {
    using type = std::index_sequence<G::template index_t<Args>::value...>;
};
// Writes them at target[e...] and returns the next free position.
template <std::size_t... I>
constexpr std::size_t append_operands(std::index_sequence<I...>, std::size_t* target, std::size_t e) {
    ((target[e++] = I), ...);  // an op has at most a few operands
    return e;
}
template <class N>
struct arity_of : std::integral_constant<std::size_t, 0> {};
template <class Op, class... Args>
struct arity_of<node<Op, Args...>> : std::integral_constant<std::size_t, sizeof...(Args)> {};
}  // namespace detail

namespace detail {
template <class Nodes>
struct arities;
template <class... Nodes>
struct arities<boost::mp11::mp_list<Nodes...>> {
    static constexpr std::array<std::size_t, sizeof...(Nodes) + 1> value{arity_of<Nodes>::value..., 0};
};
// G a parameter of its own, not graph<mp_list<Nodes...>> (see graph).
template <class G, std::size_t Count, class... Nodes>
constexpr auto edge_targets(boost::mp11::mp_list<Nodes...>) {
    std::array<std::size_t, Count + 1> t{};  // +1: never a zero-sized array
    std::size_t e = 0;
    // A braced list, not a fold: clang caps folds at 256 operands.
    (void)std::initializer_list<int>{
        (e = append_operands(typename operands_of<G, Nodes>::type{}, t.data(), e), 0)...};
    return t;
}
}  // namespace detail

template <class G>
struct edges {
    static constexpr std::size_t nodes = G::size;
    static constexpr auto& arity = detail::arities<typename G::nodes>::value;
    static constexpr std::size_t count = [] {  // a loop, not a fold (clang caps folds at 256 operands)
        std::size_t total = 0;
        for (std::size_t a : arity) total += a;
        return total;
    }();

    static constexpr auto make_begin() {
        std::array<std::size_t, nodes + 1> b{};
        for (std::size_t k = 0; k < nodes; ++k) b[k + 1] = b[k] + arity[k];
        return b;
    }
    static constexpr std::array<std::size_t, nodes + 1> begin = make_begin();
    static constexpr std::array<std::size_t, count + 1> target =
        detail::edge_targets<G, count>(typename G::nodes{});
};

}  // namespace leibniz
