#pragma once
// The loop of a fused elementwise group: the forward sweep (core/sweep.hpp)
// of the group's kernel — its subexpression, with the group's inputs as
// leaves — run on SIMD batches (xsimd) or, for other scalar types, on single
// numbers, over every element of the root; backward, the kernel recomputed in
// registers and the reverse sweep seeded with the root's adjoint. Broadcast
// inputs move through cursors (input_cursor); a sum or mean of the group
// accumulates inside the same loop. A loop is a function of its kernel, its
// shape and its inputs' slot types only: identical layers share it.

#include <leibniz/config.hpp>
#include <leibniz/core/simd.hpp>
#include <leibniz/core/sweep.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <tuple>

namespace leibniz {

// ---------------------------------------------------------------- fused groups

namespace detail {

// The inputs of a fused group as seen by its kernel: loaded values by position.
template <class B, std::size_t N>
struct group_inputs {
    std::array<B, N + 1> loaded;
    template <class Leaf>
    [[nodiscard]] LEIBNIZ_ALWAYS_INLINE const B& get() const {
        return loaded[input_position<Leaf>::value];
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

// Whether an input of shape In is more than one value: not a number, and not
// a static shape of ones ([1], [1, 1]).
template <Shape In>
constexpr bool not_one_value() {
    bool ones = true;
    for (std::size_t d = 0; d < In::rank; ++d) ones = ones && In::extents[d] == 1;
    return !ones;
}

// The shape a tape slot holds: a number's, or a view's.
template <class V>
struct slot_shape {
    using type = shape<>;
};
template <class T, class S>
struct slot_shape<tensor_view<T, S>> {
    using type = S;
};

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

template <class Kernel, class T, class LoopShape, reduction Reduce>
struct fused_loop {
    using KG = graph_of<Kernel>;
    static constexpr std::size_t rank = LoopShape::rank;
    using cursor = detail::input_cursor<rank>;
    using extents_array = std::array<std::size_t, rank + 1>;

    // Whether each input is read contiguously along a row (else broadcast).
    template <class... In>
    static constexpr std::array<bool, sizeof...(In) + 1> contiguous{
        detail::row_contiguous<typename detail::slot_shape<std::remove_cvref_t<In>>::type, LoopShape>()..., false};

    // Whether each input is contiguous over the whole loop, read as one run of
    // n elements: every input but a single value (a number, or a static shape
    // of ones) must then have the loop's n elements (checked at run time).
    template <class... In>
    static constexpr std::array<bool, sizeof...(In) + 1> flat_contiguous{
        detail::not_one_value<typename detail::slot_shape<std::remove_cvref_t<In>>::type>()..., false};
    template <class... In>
    struct row_flags {
        static constexpr auto value = contiguous<In...>;
    };
    template <class... In>
    struct whole_flags {
        static constexpr auto value = flat_contiguous<In...>;
    };
    // The flags of a run over the whole loop: the rows' own type when they are
    // the same flags, so the loop body is instantiated once.
    template <class... In>
    using flat_flags = std::conditional_t<flat_contiguous<In...> == contiguous<In...>, row_flags<In...>,
                                          whole_flags<In...>>;

    // Calls run(Flags{}, base, L) over the loop: once, over all n elements as
    // one row, when the inputs allow (a 2-4-1 network's [4, 1] output, or
    // relu on [64, 10], becomes one run of whole batches instead of rows of
    // 1 or 10, each ending in a partial batch); else row by row.
    template <class RowFlags, class FlatFlags, std::size_t N, class Run>
    LEIBNIZ_ALWAYS_INLINE static void for_each_run(std::array<cursor, N + 1>& c, const extents_array& out,
                                                   std::size_t n, Run run) {
        if constexpr (rank >= 2) {
            bool flat = n > (out[rank - 1]);  // more than one row
            for (std::size_t i = 0; i < N; ++i) flat = flat && (!FlatFlags::value[i] || c[i].size == n);
            if (flat) {
                for (std::size_t i = 0; i < N; ++i) c[i].base = 0;
                run(FlatFlags{}, std::size_t{0}, n);
                return;
            }
        }
        for_each_row<N>(c, out, n, [&](std::size_t base, std::size_t L) LEIBNIZ_ALWAYS_INLINE { run(RowFlags{}, base, L); });
    }

    template <class... In>
    LEIBNIZ_ALWAYS_INLINE static void set_cursors(std::array<cursor, sizeof...(In) + 1>& c, const extents_array& out,
                                                  const In&... in) {
        std::size_t i = 0;
        (detail::set_cursor<rank>(c[i++], in, out), ...);
    }

    // A row's last `count` < W elements, on a whole batch: the missing lanes
    // read 0 and what they compute is never stored or summed (partial_* below).
    template <class B, class P>
    LEIBNIZ_ALWAYS_INLINE static B load_part(const P* p, std::size_t count) {
        return kernels::simd::load_partial<typename B::arch_type>(p, count, P(0));
    }
    // v with the lanes from `count` on zeroed (Partial), else v. (A function of
    // its own: clang 14 checks the discarded branch of an `if constexpr` in a
    // lambda nested in a generic lambda, and B is a number for lz::dual.)
    template <bool Partial, class B>
    LEIBNIZ_ALWAYS_INLINE static B first_lanes(const B& v, std::size_t count) {
        if constexpr (Partial) {
            using Arch = typename B::arch_type;
            return xsimd::select(kernels::simd::lane_index<Arch, T>() < B(T(static_cast<base_scalar_t<T>>(count))), v,
                                 B(T(0)));
        } else {
            (void)count;
            return v;
        }
    }
    // Partial: count elements from col (a row's tail on a batch), else a whole V.
    template <class V, bool Partial>
    LEIBNIZ_ALWAYS_INLINE static V load_at(const T* p, std::size_t count) {
        if constexpr (Partial)
            return load_part<V>(p, count);
        else
            return kernels::simd::load<V>(p);
    }
    template <class V, bool Partial>
    LEIBNIZ_ALWAYS_INLINE static void store_at(T* p, std::size_t count, const V& v) {
        if constexpr (Partial)
            kernels::simd::store_partial<typename V::arch_type>(p, count, v);
        else
            kernels::simd::store(p, v);
    }

    template <class B, std::size_t N, bool Partial = false>
    LEIBNIZ_ALWAYS_INLINE static detail::group_inputs<B, N> load(const std::array<cursor, N + 1>& c,
                                                                 const std::array<bool, N + 1>& contiguous,
                                                                 std::size_t col, std::size_t count = 0) {
        detail::group_inputs<B, N> in;
        for (std::size_t i = 0; i < N; ++i)
            in.loaded[i] = contiguous[i]
                               ? load_at<B, Partial>(static_cast<const T*>(c[i].data) + c[i].base + col, count)
                               : kernels::simd::broadcast<B>(*(static_cast<const T*>(c[i].data) + c[i].base));
        return in;
    }

    // Calls row(base, columns) once per row, with every cursor's base set for it.
    template <std::size_t N, class Row>
    LEIBNIZ_ALWAYS_INLINE static void for_each_row(std::array<cursor, N + 1>& c, const extents_array& out,
                                                   std::size_t n, Row row) {
        const std::size_t L = rank == 0 ? 1 : out[rank - 1];
        if (L == 0) return;
        extents_array index{};
        for (std::size_t r = 0; r < n / L; ++r) {
            for (std::size_t i = 0; i < N; ++i) {
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

    static extents_array loop_extents(std::size_t batch) {
        const auto e = detail::extents_with_batch<LoopShape>(batch);
        extents_array out{};
        for (std::size_t d = 0; d < rank; ++d) out[d] = e[d];
        return out;
    }
    static std::size_t count(const extents_array& e) {
        std::size_t n = 1;
        for (std::size_t d = 0; d < rank; ++d) n *= e[d];
        return n;
    }
    static constexpr bool bit(std::uint64_t mask, std::size_t j) { return ((mask >> j) & 1u) != 0; }

    static T reduction_scale(std::size_t n) {
        if constexpr (Reduce == reduction::mean)
            return T(1) / T(static_cast<base_scalar_t<T>>(n));
        else
            return T(1);
    }

    // Forward: out = the kernel at every element (or, for a fused reduction,
    // their sum or mean). Everything is inlined into the loop (LEIBNIZ_FLATTEN),
    // so the per-element tapes and the input cursors live in registers.
    template <class Out, class... In>
    LEIBNIZ_FLATTEN static void forward(Out& out, std::size_t batch, const In&... in) {
        constexpr std::size_t N = sizeof...(In);
        using plan = sweep_plan<KG, wrt_t<>, true>;
        const auto extents = loop_extents(batch);
        const std::size_t n = count(extents);
        std::array<cursor, N + 1> c;
        set_cursors(c, extents, in...);
        using B = kernels::simd::batch_for<T>;
        constexpr std::size_t W = kernels::simd::width<B>;
        B total = kernels::simd::broadcast<B>(T(0));
        for_each_run<row_flags<In...>, flat_flags<In...>, N>(c, extents, n, [&]<class Flags>(Flags, std::size_t base, std::size_t L) LEIBNIZ_ALWAYS_INLINE {
            constexpr auto contiguous_in = Flags::value;
            const std::size_t vector_end = L - L % W;
            std::size_t col = 0;
            for (; col < vector_end; col += W) {
                tape<KG, plan, B> kt;  // every slot read is written first: no zeroing
                forward_sweep<KG, plan, B>(kt, load<B, N>(c, contiguous_in, col), sweep_context{});
                if constexpr (Reduce != reduction::none)
                    total = total + get<KG::size - 1>(kt);
                else
                    kernels::simd::store(out.data() + base + col, get<KG::size - 1>(kt));
            }
            // The row's tail on one batch with partial loads and stores (W = 1:
            // the loop above did every element). A row of 1 to W − 1 elements
            // (a 2-4-1 network's [4, 4]) is all tail: no scalar loop, no libm.
            if constexpr (W > 1) {
                if (col < L) {
                    const std::size_t k = L - col;
                    tape<KG, plan, B> kt;
                    forward_sweep<KG, plan, B>(kt, load<B, N, true>(c, contiguous_in, col, k), sweep_context{});
                    if constexpr (Reduce != reduction::none)
                        total = total + first_lanes<true>(get<KG::size - 1>(kt), k);
                    else
                        store_at<B, true>(out.data() + base + col, k, get<KG::size - 1>(kt));
                }
            }
        });
        if constexpr (Reduce != reduction::none) out = kernels::simd::reduce_add(total) * reduction_scale(n);
    }

    // The active inputs, as the kernel's wrt.
    template <std::uint64_t Active, class Seq>
    struct active_inputs;
    template <std::uint64_t Active, std::size_t... J>
    struct active_inputs<Active, std::index_sequence<J...>> {
        using type = boost::mp11::mp_append<wrt_t<>, std::conditional_t<((Active >> J) & 1u) != 0,
                                                                          wrt_t<input_leaf<J, T>>, wrt_t<>>...>;
    };

    // Backward: per element, recompute the kernel in registers, run its reverse
    // sweep from the root's adjoint (`seed`: δ of the root, or, for a fused
    // reduction, δ of the sum, times 1/n for a mean; SeedIsOne: that δ is the
    // constant 1, and the compiler drops the multiplications by it), and hand
    // each active input (bit J of Active) its share. An input read contiguously
    // receives its shares in place (stored when this group is its first
    // contributor — bit J of Store — and it is not broadcast, else added); an
    // input broadcast along the row sums its shares in registers and adds the
    // row's total to its one element. Broadcast inputs are zeroed first when
    // this group is their first contributor.
    template <std::uint64_t Active, std::uint64_t Store, bool SeedIsOne, class Seed, class... In, class... A>
    LEIBNIZ_FLATTEN static void backward(const Seed& seed, std::size_t batch, std::tuple<In...> in,
                                         std::tuple<A...> adjoints) {
        constexpr std::size_t N = sizeof...(In);
        using plan = sweep_plan<KG, typename active_inputs<Active, std::make_index_sequence<N>>::type, false>;
        const auto extents = loop_extents(batch);
        const std::size_t n = count(extents);
        std::array<cursor, N + 1> c;
        std::apply([&](const auto&... v) { set_cursors(c, extents, v...); }, in);
        auto seed_at = [&]<class V, bool Partial>(std::size_t offset, std::size_t count) LEIBNIZ_ALWAYS_INLINE {
            if constexpr (Reduce != reduction::none && SeedIsOne)
                return kernels::simd::broadcast<V>(reduction_scale(n));
            else if constexpr (Reduce != reduction::none)
                return kernels::simd::broadcast<V>(seed * reduction_scale(n));
            else
                return load_at<V, Partial>(seed.data() + offset, count);
        };
        using B = kernels::simd::batch_for<T>;
        constexpr std::size_t W = kernels::simd::width<B>;

        std::array<T*, N + 1> target;  // each active input's adjoint (set below)
        [&]<std::size_t... J>(std::index_sequence<J...>) LEIBNIZ_ALWAYS_INLINE {
            (([&] {
                 if constexpr (bit(Active, J)) {
                     auto& d = std::get<J>(adjoints);
                     if constexpr (std::is_same_v<std::remove_cvref_t<decltype(d)>, T>) {  // a number
                         if constexpr (bit(Store, J)) d = T(0);
                         target[J] = &d;
                     } else {
                         // summed over (broadcast, or smaller than the loop), or the loop is empty
                         if ((!contiguous<In...>[J] || d.size() < n || n == 0) && bit(Store, J))
                             std::fill_n(d.data(), d.size(), T(0));
                         target[J] = d.data();
                     }
                 }
             }()),
             ...);
        }(std::make_index_sequence<N>{});
        if (n == 0) return;

        for_each_run<row_flags<In...>, flat_flags<In...>, N>(c, extents, n, [&]<class Flags>(Flags, std::size_t base, std::size_t L) LEIBNIZ_ALWAYS_INLINE {
            constexpr auto contiguous_in = Flags::value;
            std::array<B, N + 1> row_sum{};
            // Partial: the row's last `count` < W elements on one batch; the
            // missing lanes' shares are neither stored nor summed.
            auto element = [&]<bool Partial>(std::size_t col, std::size_t count) LEIBNIZ_ALWAYS_INLINE {
                tape<KG, plan, B> kt;
                forward_sweep<KG, plan, B>(kt, load<B, N, Partial>(c, contiguous_in, col, count),
                                           sweep_context{});  // only what δ reads
                tape<KG, plan, B> ka;  // store-first: no adjoint is read before it is written
                reverse_sweep<KG, plan, B>(kt, ka, seed_at.template operator()<B, Partial>(base + col, count),
                                           sweep_context{});
                [&]<std::size_t... J>(std::index_sequence<J...>) LEIBNIZ_ALWAYS_INLINE {
                    (([&] {
                         if constexpr (bit(Active, J)) {
                             const B& share = get<KG::template index_t<input_leaf<J, T>>::value>(ka);
                             if constexpr (!contiguous_in[J]) {
                                 row_sum[J] = row_sum[J] + first_lanes<Partial>(share, count);
                             } else {
                                 T* p = target[J] + c[J].base + col;
                                 if (c[J].size == n && bit(Store, J))
                                     store_at<B, Partial>(p, count, share);
                                 else
                                     store_at<B, Partial>(p, count, load_at<B, Partial>(p, count) + share);
                             }
                         }
                     }()),
                     ...);
                }(std::make_index_sequence<N>{});
            };
            const std::size_t vector_end = L - L % W;
            std::size_t col = 0;
            for (; col < vector_end; col += W) element.template operator()<false>(col, W);
            if constexpr (W > 1)  // the tail on one batch (W = 1: the loop above did every element)
                if (col < L) element.template operator()<true>(col, L - col);
            [&]<std::size_t... J>(std::index_sequence<J...>) LEIBNIZ_ALWAYS_INLINE {  // each broadcast input's row total
                (([&] {
                     if constexpr (bit(Active, J) && !contiguous_in[J])
                         target[J][c[J].base] += kernels::simd::reduce_add(row_sum[J]);
                 }()),
                 ...);
            }(std::make_index_sequence<N>{});
        });
    }
};

}  // namespace leibniz
