#pragma once
// The plan of the sweeps, decided at compile time from the graph, for scalar
// and tensor expressions alike (a scalar expression is the case with no
// tensor node, so nothing fuses). Types and constants only: nothing here runs.
//   active    a node that depends on a differentiated leaf: it gets an adjoint
//   fusable   an elementwise node of rank > 0
//   reduces   a sum or mean whose operand is a fusable node used only there:
//             the reduction runs inside that group's loop (no buffer at all)
//   interior  a fusable node whose only consumer is fusable or reduces: it is
//             computed inside its consumer's loop and never stored
//   root      a step that runs a fused loop: fusable and not interior, or reduces
//   inputs    what each step reads: an op's operands (with repeats: matmul(x, x)
//             passes δ to x twice), or a fused root's stored inputs (each once,
//             literals excluded: the loop has them inline)
//   store     input j of step k receives its first adjoint contribution there,
//             so it is stored, never added to a zeroed slot (DESIGN §4)
//   needed    a value some later work reads: the output (when asked for), an
//             operand or result a backward rule reads, an input of a fused
//             loop that runs backward — and, transitively, what those need.
//             Steps whose value nobody needs are skipped: grad of sum(f(x))
//             never evaluates f.
// Also the kernel of a fused group: the scalar expression its loop computes
// per element, with the group's inputs as leaves numbered by position, so
// identical layers share one loop function.

#include <leibniz/core/wrt.hpp>

#include <array>
#include <cstddef>
#include <type_traits>

namespace leibniz {

template <std::size_t J>
struct tape_input {};  // the kind of a leaf standing for input J of a fused group

template <std::size_t J, class T>
using input_leaf = leaf<"in", T, shape<>, tape_input<J>>;

namespace detail {
struct not_an_op {
    static constexpr op_traits traits{.elementwise = false, .reads_operands = false};
};
template <class N>
struct input_position;
template <fixed_string Name, class T, class S, std::size_t J>
struct input_position<leaf<Name, T, S, tape_input<J>>> : std::integral_constant<std::size_t, J> {};

// What the plan reads of each node, as arrays: the one place the node list is
// expanded as a pack, with no G in the expansion (see graph).
template <class Keep, class Nodes>
struct node_facts;
template <class Keep, class... Nodes>
struct node_facts<Keep, boost::mp11::mp_list<Nodes...>> {
    static constexpr std::size_t n = sizeof...(Nodes);
    static constexpr std::array<bool, n> is_op{is_node<Nodes>::value...};
    static constexpr std::array<bool, n> kept{boost::mp11::mp_contains<Keep, Nodes>::value...};
    static constexpr std::array<bool, n> is_literal_node{is_literal<Nodes>::value...};
    static constexpr std::array<op_traits, n> traits{traits_of<typename Nodes::op>()...};
    static constexpr std::array<bool, n> fusable{(traits_of<typename Nodes::op>().elementwise && is_node<Nodes>::value &&
                                                  shape_of<Nodes>::rank > 0)...};
};
}  // namespace detail

// Keep: nodes whose values the caller wants besides f's (lz::with_aux): they
// are stored, never fused away, and computed even when no backward rule reads them.
template <class G, class Wrt, bool WantValue = true, class Keep = boost::mp11::mp_list<>>
struct sweep_plan {
    using E = edges<G>;
    static constexpr std::size_t n = G::size;
    using facts = detail::node_facts<Keep, typename G::nodes>;

    // References, not copies: plans that differ only in Wrt share the arrays.
    static constexpr auto& is_op = facts::is_op;
    static constexpr auto& kept = facts::kept;
    static constexpr auto& is_literal_node = facts::is_literal_node;
    static constexpr auto& traits = facts::traits;
    static constexpr auto& fusable = facts::fusable;

    static constexpr auto make_active() {
        std::array<bool, n> active{};
        [&]<class... L>(boost::mp11::mp_list<L...>) {  // a loop, not a fold: any number of leaves
            const std::array<std::size_t, sizeof...(L) + 1> leaves{G::template index_t<L>::value..., n};
            for (std::size_t i = 0; i < sizeof...(L); ++i) active[leaves[i]] = true;
        }(typename Wrt::leaves{});
        for (std::size_t k = 0; k < n; ++k)
            for (std::size_t e = E::begin[k]; e < E::begin[k + 1]; ++e)
                if (active[E::target[e]]) active[k] = true;
        return active;
    }
    static constexpr std::array<bool, n> active = make_active();

    // uses[k]: how many edges point at k; consumer[k]: the last node using it.
    static constexpr auto make_uses() {
        std::array<std::array<std::size_t, n>, 2> uc{};
        for (std::size_t k = 0; k < n; ++k)
            for (std::size_t e = E::begin[k]; e < E::begin[k + 1]; ++e) {
                ++uc[0][E::target[e]];
                uc[1][E::target[e]] = k;
            }
        return uc;
    }
    static constexpr auto uses = make_uses();

    static constexpr auto make_reduces() {
        std::array<bool, n> r{};
        for (std::size_t k = 0; k < n; ++k)
            if (traits[k].reduces != reduction::none && is_op[k]) {
                const std::size_t c = E::target[E::begin[k]];
                r[k] = fusable[c] && uses[0][c] == 1 && !kept[c];
            }
        return r;
    }
    static constexpr std::array<bool, n> reduces = make_reduces();

    static constexpr auto make_interior() {
        std::array<bool, n> interior{};
        for (std::size_t k = 0; k + 1 < n; ++k)
            interior[k] = fusable[k] && !kept[k] && uses[0][k] == 1 && (fusable[uses[1][k]] || reduces[uses[1][k]]);
        return interior;
    }
    static constexpr std::array<bool, n> interior = make_interior();

    static constexpr bool root(std::size_t k) { return (fusable[k] && !interior[k]) || reduces[k]; }

    // The inputs of every step, flattened like the edges: step k reads
    // node[begin[k] .. begin[k + 1]). At most one entry per edge.
    struct input_lists {
        std::array<std::size_t, n + 1> begin;
        std::array<std::size_t, E::count + 1> node;
    };
    static constexpr input_lists make_inputs() {
        input_lists in{};
        std::size_t count = 0;
        for (std::size_t k = 0; k < n; ++k) {
            in.begin[k] = count;
            if (root(k)) {
                // Depth first, left to right: the order in which the group's kernel meets its inputs.
                auto visit = [&](auto&& self, std::size_t node) -> void {
                    for (std::size_t e = E::begin[node]; e < E::begin[node + 1]; ++e) {
                        const std::size_t c = E::target[e];
                        if (interior[c]) {
                            self(self, c);
                        } else if (!is_literal_node[c]) {
                            bool seen = false;
                            for (std::size_t i = in.begin[k]; i < count; ++i) seen = seen || in.node[i] == c;
                            if (!seen) in.node[count++] = c;
                        }
                    }
                };
                visit(visit, k);
            } else if (!interior[k]) {
                for (std::size_t e = E::begin[k]; e < E::begin[k + 1]; ++e) in.node[count++] = E::target[e];
            }
        }
        in.begin[n] = count;
        return in;
    }
    static constexpr input_lists inputs = make_inputs();

    static constexpr auto make_store() {
        std::array<bool, E::count + 1> store{};
        std::array<bool, n> seen{};
        seen[n - 1] = true;  // the output's adjoint is the seed
        for (std::size_t k = n; k-- > 0;) {
            if (!is_op[k] || interior[k] || !active[k]) continue;
            for (std::size_t j = inputs.begin[k]; j < inputs.begin[k + 1]; ++j) {
                const std::size_t c = inputs.node[j];
                if (!active[c]) continue;
                store[j] = !seen[c];
                seen[c] = true;
            }
        }
        return store;
    }
    static constexpr std::array<bool, E::count + 1> store = make_store();

    static constexpr auto make_needed() {
        std::array<bool, n> needed = kept;
        needed[n - 1] = needed[n - 1] || WantValue;
        for (std::size_t k = 0; k < n; ++k) {  // what the backward pass reads
            if (!is_op[k] || interior[k] || !active[k]) continue;
            const bool reads_inputs = root(k) || traits[k].reads_operands;  // a fused loop recomputes from its inputs
            if (!root(k) && traits[k].reads_result) needed[k] = true;
            if (reads_inputs)
                for (std::size_t j = inputs.begin[k]; j < inputs.begin[k + 1]; ++j) needed[inputs.node[j]] = true;
        }
        for (std::size_t k = n; k-- > 0;)  // and what computing those needs
            if (needed[k] && !interior[k])
                for (std::size_t j = inputs.begin[k]; j < inputs.begin[k + 1]; ++j) needed[inputs.node[j]] = true;
        return needed;
    }
    static constexpr std::array<bool, n> needed = make_needed();

    // Position of node c among the inputs of step k.
    static constexpr std::size_t input_index(std::size_t k, std::size_t c) {
        std::size_t j = inputs.begin[k];
        while (j < inputs.begin[k + 1] && inputs.node[j] != c) ++j;
        return j - inputs.begin[k];
    }
    static constexpr std::size_t input_count(std::size_t k) { return inputs.begin[k + 1] - inputs.begin[k]; }
};

// ---------------------------------------------------------------- the kernel of a fused group

// The scalar expression the loop of root R computes per element: interior
// operands are expanded, every other operand becomes input_leaf<J> (J its
// position among R's inputs), literals stay.
template <class G, class Plan, class T, std::size_t R, class N, std::size_t Index = G::template index_t<N>::value>
struct kernel_operand;
template <class G, class Plan, class T, std::size_t R, class N>
struct kernel_node;
template <class G, class Plan, class T, std::size_t R, class Op, class... Args>
struct kernel_node<G, Plan, T, R, node<Op, Args...>> {
    using type = node<Op, typename kernel_operand<G, Plan, T, R, Args>::type...>;
};
template <class G, class Plan, class T, std::size_t R, class N, std::size_t Index>
struct kernel_operand {
    using type = typename std::conditional_t<
        is_literal<N>::value, std::type_identity<N>,
        std::conditional_t<Plan::interior[Index], kernel_node<G, Plan, T, R, N>,
                           std::type_identity<input_leaf<Plan::input_index(R, Index), T>>>>::type;
};

}  // namespace leibniz
