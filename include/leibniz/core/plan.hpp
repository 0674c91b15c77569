#pragma once
// The plan of a tensor sweep, decided at compile time from the graph: which
// elementwise nodes fuse into one loop (fusable, interior, root), which
// reductions run inside a loop, which step gives each operand its first
// adjoint contribution (store-first, DESIGN §4), and which values some later
// work reads (needed). Also the scalar expression a fused root computes per
// element (kernel_operand). Types and constants only: nothing here runs.

#include <leibniz/core/reverse.hpp>

#include <array>
#include <cstddef>
#include <type_traits>

namespace leibniz {

// ---------------------------------------------------------------- fusion plan

template <std::size_t I>
struct tape_input {};  // the kind of a leaf standing for graph node I inside a fused group

template <std::size_t I, class T>
using input_leaf = leaf<"in", T, shape<>, tape_input<I>>;

namespace detail {
template <class N>
constexpr bool is_elementwise_node() {
    if constexpr (is_node<N>::value)
        return traits_of<typename N::op>().elementwise;
    else
        return false;
}
template <class N>
struct input_index;
template <fixed_string Name, class T, class S, std::size_t I>
struct input_index<leaf<Name, T, S, tape_input<I>>> : std::integral_constant<std::size_t, I> {};
}  // namespace detail

template <class N>
constexpr reduction reduction_of() {
    if constexpr (is_node<N>::value)
        return traits_of<typename N::op>().reduces;
    else
        return reduction::none;
}
template <class N>
constexpr op_traits node_traits() {
    if constexpr (is_node<N>::value)
        return traits_of<typename N::op>();
    else
        return op_traits{.elementwise = false, .reads_operands = false};
}

// The plan of a tensor sweep, decided at compile time from the graph:
//   fusable   an elementwise node of rank > 0
//   reduces   a sum or mean whose operand is a fusable node used only there:
//             the reduction runs inside that group's loop (no buffer at all)
//   interior  a fusable node whose only consumer is fusable or reduces: it is
//             computed inside its consumer's loop and never stored
//   root      a step that runs a fused loop: fusable and not interior, or reduces
//   needed    a value some later work reads: the output (when asked for), an
//             operand or result a backward rule reads, an input of a fused
//             loop that runs backward — and, transitively, what those need.
//             Steps whose value nobody needs are skipped: grad of sum(f(x))
//             never evaluates f.
template <class G, class Wrt, bool WantValue = true>
struct fusion_plan;

template <class... Nodes, class Wrt, bool WantValue>
struct fusion_plan<graph<boost::mp11::mp_list<Nodes...>>, Wrt, WantValue> {
    using G = graph<boost::mp11::mp_list<Nodes...>>;
    using E = edges<G>;
    using reverse = reverse_plan<G, Wrt>;
    static constexpr std::size_t n = G::size;

    static constexpr std::array<std::size_t, n> rank{shape_of<Nodes>::rank...};
    static constexpr std::array<bool, n> is_op{is_node<Nodes>::value...};
    static constexpr std::array<bool, n> fusable{(detail::is_elementwise_node<Nodes>() && shape_of<Nodes>::rank > 0)...};
    static constexpr std::array<op_traits, n> traits{node_traits<Nodes>()...};

    static constexpr auto uses_and_consumer() {
        std::array<std::array<std::size_t, n>, 2> uc{};
        for (std::size_t k = 0; k < n; ++k)
            for (std::size_t e = E::begin[k]; e < E::begin[k + 1]; ++e) {
                ++uc[0][E::target[e]];
                uc[1][E::target[e]] = k;
            }
        return uc;
    }
    static constexpr auto uc = uses_and_consumer();

    static constexpr auto make_reduces() {
        std::array<bool, n> r{};
        constexpr std::array<reduction, n> kind{reduction_of<Nodes>()...};
        for (std::size_t k = 0; k < n; ++k)
            if (kind[k] != reduction::none) {
                const std::size_t c = E::target[E::begin[k]];
                r[k] = fusable[c] && uc[0][c] == 1;
            }
        return r;
    }
    static constexpr std::array<bool, n> reduces = make_reduces();

    static constexpr auto make_interior() {
        std::array<bool, n> interior{};
        for (std::size_t k = 0; k + 1 < n; ++k)
            interior[k] = fusable[k] && uc[0][k] == 1 && (fusable[uc[1][k]] || reduces[uc[1][k]]);
        return interior;
    }
    static constexpr std::array<bool, n> interior = make_interior();

    static constexpr bool root(std::size_t k) { return (fusable[k] && !interior[k]) || reduces[k]; }

    // The inputs of step k: a fused root's materialized inputs (each once), or
    // an op's operands (with repeats: matmul(x, x) passes δ to x twice).
    static constexpr auto inputs_of(std::size_t k) {
        std::array<std::size_t, n + 1> list{};
        std::size_t count = 0;
        if (root(k)) {
            // Depth first, left to right: the order in which the group's kernel meets its inputs.
            auto visit = [&](auto&& self, std::size_t node) -> void {
                for (std::size_t e = E::begin[node]; e < E::begin[node + 1]; ++e) {
                    const std::size_t c = E::target[e];
                    if (interior[c]) {
                        self(self, c);
                    } else {
                        bool seen = false;
                        for (std::size_t i = 0; i < count; ++i) seen = seen || list[i] == c;
                        if (!seen) list[count++] = c;
                    }
                }
            };
            visit(visit, k);
        } else {
            for (std::size_t e = E::begin[k]; e < E::begin[k + 1]; ++e) list[count++] = E::target[e];
        }
        list[n] = count;
        return list;
    }

    // store[k][j]: input j of step k receives its first contribution there.
    static constexpr auto make_store() {
        std::array<std::array<bool, n + 1>, n> store{};
        std::array<bool, n> seen{};
        seen[n - 1] = true;
        for (std::size_t k = n; k-- > 0;) {
            if (!is_op[k] || interior[k] || !reverse::active[k]) continue;
            const auto in = inputs_of(k);
            for (std::size_t j = 0; j < in[n]; ++j) {
                const std::size_t c = in[j];
                if (!reverse::active[c]) continue;
                store[k][j] = !seen[c];
                seen[c] = true;
            }
        }
        return store;
    }
    static constexpr auto store = make_store();

    template <std::size_t K, std::size_t C>
    static constexpr bool group_stores() {
        constexpr auto in = inputs_of(K);
        for (std::size_t j = 0; j < in[n]; ++j)
            if (in[j] == C) return store[K][j];
        return false;
    }

    static constexpr auto make_needed() {
        std::array<bool, n> needed{};
        needed[n - 1] = WantValue;
        for (std::size_t k = 0; k < n; ++k) {  // what the backward pass reads
            if (!is_op[k] || interior[k] || !reverse::active[k]) continue;
            const auto in = inputs_of(k);
            if (root(k)) {  // a fused loop recomputes from its inputs
                for (std::size_t j = 0; j < in[n]; ++j) needed[in[j]] = true;
            } else {
                if (traits[k].reads_result) needed[k] = true;
                if (traits[k].reads_operands)
                    for (std::size_t j = 0; j < in[n]; ++j) needed[in[j]] = true;
            }
        }
        for (std::size_t k = n; k-- > 0;) {  // and what computing those needs
            if (!needed[k] || !is_op[k] || interior[k]) continue;
            const auto in = inputs_of(k);
            for (std::size_t j = 0; j < in[n]; ++j) needed[in[j]] = true;
        }
        return needed;
    }
    static constexpr std::array<bool, n> needed = make_needed();
};

// The scalar expression a fused root computes per element: interior operands
// are expanded, every other operand becomes an input leaf, literals stay.
template <class G, class Plan, class T, class N>
struct kernel_operand;
template <class G, class Plan, class T, class N>
struct kernel_node;
template <class G, class Plan, class T, class Op, class... Args>
struct kernel_node<G, Plan, T, node<Op, Args...>> {
    using type = node<Op, typename kernel_operand<G, Plan, T, Args>::type...>;
};
template <class G, class Plan, class T, class N>
struct kernel_operand {
    static constexpr std::size_t index = G::template index<N>;
    using type = typename std::conditional_t<is_literal<N>::value, std::type_identity<N>,
                                             std::conditional_t<Plan::interior[index], kernel_node<G, Plan, T, N>,
                                                                std::type_identity<input_leaf<index, T>>>>::type;
};

}  // namespace leibniz
