#pragma once
// The loop of a fused elementwise group: the scalar forward sweep of the
// group's subexpression (core/eval.hpp), with the group's inputs as leaves,
// run on SIMD batches (xsimd) or, for other scalar types, on single numbers,
// over every element of the root; backward, the group recomputed in registers
// and the scalar reverse sweep (core/reverse.hpp) seeded with the root's
// adjoint. Broadcast inputs move through cursors (input_cursor); a sum or
// mean of the group accumulates inside the same loop.

#include <leibniz/config.hpp>
#include <leibniz/core/simd.hpp>
#include <leibniz/core/tape_layout.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <initializer_list>

namespace leibniz {

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
                forward_sweep_needed<KG, V, kernel_plan>(kt, load<V>(c, col));  // only what δ reads
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

}  // namespace leibniz
