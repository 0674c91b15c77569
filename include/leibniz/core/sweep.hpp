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

#include <leibniz/config.hpp>
#include <leibniz/core/reverse.hpp>
#include <leibniz/core/bind_tensor.hpp>
#include <leibniz/core/simd.hpp>
#include <leibniz/tensor/tensor.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

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

// ---------------------------------------------------------------- tapes

struct unused_slot {};  // an interior node: never stored

template <class Plan, std::size_t K, class Node, class T>
using tensor_slot_t = std::conditional_t<Plan::interior[K], unused_slot,
                                         std::conditional_t<(shape_of<Node>::rank == 0), T, tensor_view<T, shape_of<Node>>>>;

template <class G, class Plan, class T>
struct tensor_tape_for;
template <class... Nodes, class Plan, class T>
struct tensor_tape_for<graph<boost::mp11::mp_list<Nodes...>>, Plan, T> {
    template <std::size_t... K>
    static auto make(std::index_sequence<K...>)
        -> detail::slots_impl<std::index_sequence<K...>, tensor_slot_t<Plan, K, Nodes, T>...>;
    using type = decltype(make(std::index_sequence_for<Nodes...>{}));
};
template <class G, class Plan, class T>
using tensor_tape = typename tensor_tape_for<G, Plan, T>::type;

// ---------------------------------------------------------------- run-time extents

namespace detail {

// The batch extent: every dyn extent of every bound leaf must agree.
template <class G, class Env>
std::size_t batch_extent(const Env& env) {
    std::size_t batch = 0;
    std::string_view first;  // the leaf that set the batch; a view of its static name, so nothing allocates
    [&]<class... Nodes>(boost::mp11::mp_list<Nodes...>) {
        (void)std::initializer_list<int>{([&] {
             if constexpr (is_leaf<Nodes>::value && shape_of<Nodes>::rank > 0) {
                 const auto& view = env.template get<Nodes>();
                 for (std::size_t i = 0; i < shape_of<Nodes>::rank; ++i) {
                     if (shape_of<Nodes>::extents[i] != dyn) continue;
                     const std::size_t e = view.extent(i);
                     if (first.empty()) {
                         batch = e;
                         first = Nodes::name.view();
                     } else if (e != batch) {
                         throw shape_error("leibniz: leaf \"" + std::string(Nodes::name.view()) +
                                           "\" has batch (dyn) extent " + std::to_string(e) + ", but leaf \"" + std::string(first) +
                                           "\" has " + std::to_string(batch));
                     }
                 }
             }
         }(), 0)...};
    }(typename G::nodes{});
    return batch;
}

template <Shape S>
extents_of<S> extents_with_batch(std::size_t batch) {
    extents_of<S> e;
    for (std::size_t i = 0; i < S::rank; ++i) e.values[i] = S::extents[i] == dyn ? batch : S::extents[i];
    return e;
}

inline std::size_t round_up(std::size_t bytes) { return (bytes + tensor_alignment - 1) / tensor_alignment * tensor_alignment; }

}  // namespace detail

// Bytes of workspace a sweep needs: a value buffer for every stored op node of
// rank > 0 and, with adjoints, an adjoint buffer for every active stored node.
template <class G, class Plan, class T>
std::size_t tensor_bytes(std::size_t batch, bool adjoints) {
    std::size_t bytes = 0;
    [&]<class... Nodes>(boost::mp11::mp_list<Nodes...>) {
        [&]<std::size_t... K>(std::index_sequence<K...>) {
            (void)std::initializer_list<int>{([&] {
                 if constexpr (shape_of<Nodes>::rank > 0 && !Plan::interior[K]) {
                     const std::size_t size = detail::extents_with_batch<shape_of<Nodes>>(batch).size() * sizeof(T);
                     if (is_node<Nodes>::value) bytes += detail::round_up(size);
                     if (adjoints && Plan::reverse::active[K]) bytes += detail::round_up(size);
                 }
             }(), 0)...};
        }(std::index_sequence_for<Nodes...>{});
    }(typename G::nodes{});
    return bytes;
}

// Scratch memory for ops that need it (a matrix product packs panels): the
// largest need of any op in the graph, shared, placed after the buffers.
// An op states `template <class T> static std::size_t scratch_bytes(extents...)`.
template <class Op, class T, class... Args>
constexpr bool uses_scratch =
    requires { Op::template scratch_bytes<T>(detail::extents_with_batch<shape_of<Args>>(0)...); };

template <class G, class T>
std::size_t scratch_bytes(std::size_t batch) {
    std::size_t bytes = 0;
    [&]<class... Nodes>(boost::mp11::mp_list<Nodes...>) {
        (void)std::initializer_list<int>{([&] {
             if constexpr (is_node<Nodes>::value) {
                 [&]<class Op, class... Args>(node<Op, Args...>*) {
                     if constexpr (uses_scratch<Op, T, Args...>)
                         bytes = std::max(bytes, Op::template scratch_bytes<T>(
                                                     detail::extents_with_batch<shape_of<Args>>(batch)...));
                 }(static_cast<Nodes*>(nullptr));
             }
         }(), 0)...};
    }(typename G::nodes{});
    return detail::round_up(bytes);
}

// Points the tensor slots of the tapes at workspace memory and the leaves'
// slots at their bindings.
template <class G, class Plan, class T, class Tape, class Env>
void lay_out(Tape& values, Tape* adjoints, const Env& env, std::byte* memory, std::size_t batch) {
    [&]<class... Nodes>(boost::mp11::mp_list<Nodes...>) {
        [&]<std::size_t... K>(std::index_sequence<K...>) {
            (void)std::initializer_list<int>{([&] {
                 if constexpr (shape_of<Nodes>::rank > 0 && !Plan::interior[K]) {
                     using S = shape_of<Nodes>;
                     const auto extents = detail::extents_with_batch<S>(batch);
                     const std::size_t bytes = detail::round_up(extents.size() * sizeof(T));
                     if constexpr (is_leaf<Nodes>::value) {
                         const auto& bound = env.template get<Nodes>();
                         // Values of leaves are read, never written: the view is const in spirit.
                         get<K>(values) = tensor_view<T, S>(const_cast<T*>(bound.data()), extents);
                     } else {
                         get<K>(values) = tensor_view<T, S>(reinterpret_cast<T*>(memory), extents);
                         memory += bytes;
                     }
                     if constexpr (Plan::reverse::active[K]) {
                         if (adjoints) {
                             get<K>(*adjoints) = tensor_view<T, S>(reinterpret_cast<T*>(memory), extents);
                             memory += bytes;
                         }
                     }
                 }
             }(), 0)...};
        }(std::index_sequence_for<Nodes...>{});
    }(typename G::nodes{});
}

// What every step of a tensor sweep may need besides the tapes.
struct sweep_context {
    std::span<std::byte> scratch;  // for ops that state scratch_bytes
    std::size_t batch = 0;         // the run-time (dyn) extent
};

// ---------------------------------------------------------------- fused groups

namespace detail {

// The inputs of a fused group as seen by its kernel: loaded values by leaf.
template <class Inputs, class B>
struct group_inputs;
template <class... L, class B>
struct group_inputs<boost::mp11::mp_list<L...>, B> {
    std::array<B, sizeof...(L)> loaded;
    template <class Leaf>
    [[nodiscard]] const B& get() const {
        return loaded[boost::mp11::mp_find<boost::mp11::mp_list<L...>, Leaf>::value];
    }
};

// Where a fused group reads one input, NumPy-style: the input's extents are
// aligned with the output's trailing extents; along a dimension where the
// input has extent 1 (or lacks the dimension) its stride is 0. The loop runs
// over rows (all output dimensions but the last); within a row an input is
// either contiguous (stride 1) or one broadcast value (stride 0), which the
// shapes decide at compile time (row_contiguous).
// (No member initialisers: set_cursor sets every member, on every call.)
template <std::size_t Rank>
struct input_cursor {
    const void* data;
    std::size_t size;
    std::array<std::size_t, Rank + 1> stride;  // per output dimension, in elements
    std::size_t base;                          // offset of the current row
};

// Whether an input of shape In is read contiguously along the rows of a loop
// of shape Out, or is one value broadcast along each row: a scalar, or a last
// extent of 1 against a loop's that is not the literal 1. (Where the loop's
// last extent is dyn and turns out to be 1, reading the one element as a
// broadcast is the same.)
template <Shape In, Shape Out>
constexpr bool row_contiguous() {
    if constexpr (In::rank == 0 || Out::rank == 0)
        return In::rank > 0;
    else
        return !(In::extents[In::rank - 1] == 1 && Out::extents[Out::rank - 1] != 1);
}

template <class T>
struct is_tensor_view : std::false_type {};
template <class T, class S>
struct is_tensor_view<tensor_view<T, S>> : std::true_type {};

// Sets c (in place: the cursors are set up on every call) for reading `value`.
template <std::size_t Rank, class V>
void set_cursor(input_cursor<Rank>& c, const V& value, const std::array<std::size_t, Rank + 1>& out) {
    c.stride = {};
    c.base = 0;
    if constexpr (!is_tensor_view<V>::value) {  // a scalar: one value, broadcast everywhere
        c.data = &value;
        c.size = 1;
    } else {
        using S = typename V::shape_type;
        c.data = value.data();
        c.size = value.size();
        std::size_t stride = 1;
        for (std::size_t i = 0; i < S::rank; ++i) {  // from the last dimension backwards
            const std::size_t in_dim = S::rank - 1 - i, out_dim = Rank - 1 - i;
            const std::size_t e = value.extent(in_dim);
            c.stride[out_dim] = (e == 1 && out[out_dim] != 1) ? 0 : stride;
            stride *= e;
        }
    }
}

}  // namespace detail

template <class G, class Plan, class T, std::size_t R>
struct fused_group {
    using root = boost::mp11::mp_at_c<typename G::nodes, R>;
    // A fused sum or mean runs the loop of its operand and reduces in registers.
    static constexpr bool reduces = Plan::reduces[R];
    using looped = typename std::conditional_t<reduces, boost::mp11::mp_front<typename root::operands>, root>;
    using kernel = typename kernel_node<G, Plan, T, looped>::type;
    using KG = graph_of<kernel>;
    using inputs = leaves_of<kernel>;  // all input leaves
    static constexpr std::size_t input_count = boost::mp11::mp_size<inputs>::value;
    static constexpr std::array<std::size_t, input_count + 1> input_node = []<class... L>(boost::mp11::mp_list<L...>) {
        return std::array<std::size_t, input_count + 1>{detail::input_index<L>::value..., 0};
    }(inputs{});

    static constexpr std::size_t rank = shape_of<looped>::rank;
    using cursor = detail::input_cursor<rank>;
    using cursor_array = std::array<cursor, input_count + 1>;
    static constexpr std::array<bool, input_count + 1> contiguous = []<std::size_t... I>(std::index_sequence<I...>) {
        return std::array<bool, input_count + 1>{
            detail::row_contiguous<shape_of<boost::mp11::mp_at_c<typename G::nodes, input_node[I]>>,
                                   shape_of<looped>>()...,
            false};
    }(std::make_index_sequence<input_count>{});

    template <class Tape>
    static void set_cursors(cursor_array& c, const Tape& values, const std::array<std::size_t, rank + 1>& out) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (detail::set_cursor<rank>(c[I], get<input_node[I]>(values), out), ...);
        }(std::make_index_sequence<input_count>{});
    }

    template <class B>
    static detail::group_inputs<inputs, B> load(const cursor_array& c, std::size_t col) {
        detail::group_inputs<inputs, B> in;
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            ((in.loaded[I] = contiguous[I]
                                 ? kernels::simd::load<B>(static_cast<const T*>(c[I].data) + c[I].base + col)
                                 : kernels::simd::broadcast<B>(*(static_cast<const T*>(c[I].data) + c[I].base))),
             ...);
        }(std::make_index_sequence<input_count>{});
        return in;
    }

    // Calls row(columns) once per row, with every cursor's base set for it.
    template <class Row>
    static void for_each_row(cursor_array& c, const std::array<std::size_t, rank + 1>& out, std::size_t n, Row row) {
        const std::size_t L = rank == 0 ? 1 : out[rank - 1];
        if (L == 0) return;
        std::array<std::size_t, rank + 1> index{};
        for (std::size_t r = 0; r < n / L; ++r) {
            for (std::size_t i = 0; i < input_count; ++i) {
                std::size_t base = 0;
                for (std::size_t d = 0; d + 1 < rank; ++d) base += index[d] * c[i].stride[d];
                c[i].base = base;
            }
            row(r * L, L);
            for (std::size_t d = rank - 1; d-- > 0;) {  // next row: increment the leading multi-index
                if (++index[d] < out[d]) break;
                index[d] = 0;
            }
        }
    }


    static std::array<std::size_t, rank + 1> loop_extents(std::size_t batch) {
        const auto e = detail::extents_with_batch<shape_of<looped>>(batch);
        std::array<std::size_t, rank + 1> out{};
        for (std::size_t d = 0; d < rank; ++d) out[d] = e[d];
        return out;
    }
    static std::size_t count(const std::array<std::size_t, rank + 1>& e) {
        std::size_t n = 1;
        for (std::size_t d = 0; d < rank; ++d) n *= e[d];
        return n;
    }
    static T reduction_scale(std::size_t n) {
        if constexpr (reduces && reduction_of<root>() == reduction::mean)
            return T(1) / T(static_cast<base_scalar_t<T>>(n));
        else
            return T(1);
    }

    // Each fused loop is one function with everything inlined (LEIBNIZ_FLATTEN),
    // so the per-element tapes and the input cursors live in registers.
    template <class Tape>
    LEIBNIZ_FLATTEN LEIBNIZ_ALWAYS_INLINE static void forward(Tape& values, std::size_t batch) {
        const auto extents = loop_extents(batch);
        const std::size_t n = count(extents);
        cursor_array c;
        set_cursors(c, values, extents);
        using B = kernels::simd::batch_for<T>;
        constexpr std::size_t W = kernels::simd::width<B>;
        B total = kernels::simd::broadcast<B>(T(0));
        T tail = T(0);
        for_each_row(c, extents, n, [&](std::size_t base, std::size_t L) {
            const std::size_t vector_end = L - L % W;
            std::size_t col = 0;
            for (; col < vector_end; col += W) {
                tape<KG, B> kt;  // every slot read is written first: no zeroing
                forward_sweep<KG, B>(kt, load<B>(c, col));
                if constexpr (reduces)
                    total = total + get<KG::size - 1>(kt);
                else
                    kernels::simd::store(get<R>(values).data() + base + col, get<KG::size - 1>(kt));
            }
            if constexpr (W > 1) {  // the tail in numbers (W = 1: the loop above did every element)
                for (; col < L; ++col) {
                    tape<KG, T> kt;
                    forward_sweep<KG, T>(kt, load<T>(c, col));
                    if constexpr (reduces)
                        tail = tail + get<KG::size - 1>(kt);
                    else
                        get<R>(values).data()[base + col] = get<KG::size - 1>(kt);
                }
            }
        });
        if constexpr (reduces) get<R>(values) = (kernels::simd::reduce_add(total) + tail) * reduction_scale(n);
    }

    // The active inputs, as the kernel's wrt.
    template <class L>
    struct is_active_input : std::bool_constant<Plan::reverse::active[detail::input_index<L>::value]> {};
    using active_inputs = boost::mp11::mp_copy_if<inputs, is_active_input>;
    using kernel_plan = reverse_plan<KG, boost::mp11::mp_rename<active_inputs, wrt_t>>;

    // Backward: per element, recompute the group in registers, run its reverse
    // sweep from the root's adjoint, and hand each active input its share.
    // An input read contiguously receives its shares in place (stored when this
    // group is its first contributor and it is not broadcast, else added); an
    // input broadcast along the row sums its shares in registers and adds the
    // row's total to its one element. Broadcast inputs are zeroed first when
    // this group is their first contributor.
    template <class Tape>
    LEIBNIZ_FLATTEN LEIBNIZ_ALWAYS_INLINE static void backward(const Tape& values, Tape& adjoints, std::size_t batch) {
        const auto extents = loop_extents(batch);
        const std::size_t n = count(extents);
        cursor_array c;
        set_cursors(c, values, extents);
        // The adjoint each element's reverse sweep starts from: δ of the root,
        // or, for a fused reduction, δ of the sum (times 1/n for a mean). When
        // the sum is f itself, δ is the constant 1, and the compiler drops the
        // multiplications by it.
        auto seed = [&]<class V>(std::size_t offset) {
            if constexpr (reduces && R == G::size - 1)
                return kernels::simd::broadcast<V>(reduction_scale(n));
            else if constexpr (reduces)
                return kernels::simd::broadcast<V>(get<R>(adjoints) * reduction_scale(n));
            else
                return kernels::simd::load<V>(get<R>(adjoints).data() + offset);
        };
        using B = kernels::simd::batch_for<T>;
        constexpr std::size_t W = kernels::simd::width<B>;

        std::array<T*, input_count + 1> target;  // each active input's adjoint, at its row base (set below)
        [&]<class... A>(boost::mp11::mp_list<A...>) {
            (void)std::initializer_list<int>{([&] {
                 constexpr std::size_t node = detail::input_index<A>::value;
                 constexpr std::size_t i = boost::mp11::mp_find<inputs, A>::value;
                 auto& d = get<node>(adjoints);
                 if constexpr (shape_of<boost::mp11::mp_at_c<typename G::nodes, node>>::rank == 0) {
                     if constexpr (Plan::template group_stores<R, node>()) d = T(0);
                     target[i] = &d;
                 } else {
                     // summed over (broadcast, or smaller than the loop), or the loop is empty
                     if ((!contiguous[i] || d.size() < n || n == 0) && Plan::template group_stores<R, node>())
                         std::fill_n(d.data(), d.size(), T(0));
                     target[i] = d.data();
                 }
             }(), 0)...};
        }(active_inputs{});
        if (n == 0) return;

        for_each_row(c, extents, n, [&](std::size_t base, std::size_t L) {
            std::array<B, input_count + 1> row_sum{};
            std::array<T, input_count + 1> row_tail{};
            auto element = [&]<class V>(std::size_t col, std::array<V, input_count + 1>& sums) {
                tape<KG, V> kt;
                forward_sweep_needed<KG, V, kernel_plan::needed>(kt, load<V>(c, col));  // only what δ reads
                tape<KG, V> ka;  // store-first: no adjoint is read before it is written
                detail::reverse_sweep<KG, kernel_plan, V>(kt, ka, seed.template operator()<V>(base + col));
                [&]<class... A>(boost::mp11::mp_list<A...>) {
                    (([&] {
                         constexpr std::size_t node = detail::input_index<A>::value;
                         constexpr std::size_t i = boost::mp11::mp_find<inputs, A>::value;
                         const V& share = get<KG::template index<A>>(ka);
                         if constexpr (!contiguous[i]) {
                             sums[i] = sums[i] + share;
                         } else {
                             T* p = target[i] + c[i].base + col;
                             if (c[i].size == n && Plan::template group_stores<R, node>())
                                 kernels::simd::store(p, share);
                             else
                                 kernels::simd::store(p, kernels::simd::load<V>(p) + share);
                         }
                     }()),
                     ...);
                }(active_inputs{});
            };
            const std::size_t vector_end = L - L % W;
            std::size_t col = 0;
            for (; col < vector_end; col += W) element.template operator()<B>(col, row_sum);
            if constexpr (W > 1)  // the tail in numbers (W = 1: the loop above did every element)
                for (; col < L; ++col) element.template operator()<T>(col, row_tail);
            [&]<class... A>(boost::mp11::mp_list<A...>) {  // the row's total of each broadcast input
                (([&] {
                     constexpr std::size_t i = boost::mp11::mp_find<inputs, A>::value;
                     if constexpr (!contiguous[i])
                         target[i][c[i].base] += kernels::simd::reduce_add(row_sum[i]) + row_tail[i];
                 }()),
                 ...);
            }(active_inputs{});
        });
    }
};

// ---------------------------------------------------------------- the sweeps

namespace detail {

template <class T, class V>
T to_scalar(const V& v) {
    return T(v);
}

template <class Op, std::size_t P, class... V>
constexpr bool has_tensor_vjp = requires { &Op::template vjp<P, V...>; };

}  // namespace detail

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
