#pragma once
// gather(x, lz::axis<K>, idx): x's elements picked along axis K by an integer
// tensor idx of x's rank whose other extents are x's (PyTorch's
// torch.gather(x, K, idx), NumPy's take_along_axis); y has idx's shape:
//   y[i₀, …, i_K, …] = x[i₀, …, idx[i₀, …, i_K, …], …]
//   δx = δ scattered back, added: δx[i₀, …, idx[i₀, …, i_K, …], …] += δ[i₀, …, i_K, …]; idx, an integer leaf, gets none
//
// pick(x, idx[, lz::axis<K>]): one element of x per position of idx along
// axis K (by default the last), idx having x's shape without that axis
// (MXNet's pick; x[arange(N), idx] in PyTorch, take_along_axis(x, idx[:, None], 1)[:, 0] in NumPy).
// pick(logits [N, C], labels [N]) = [logits[n, labels[n]] for n < N], what
// cross-entropy on integer labels reads:
//   y[i, …] = x[i, …, idx[i, …], …]          δx[i, …, idx[i, …], …] += δ[i, …]
//
// An index outside [0, extent of x along K) — negative ones included — is an
// lz::shape_error naming its position, its value and the extent, thrown
// before anything is written or read through it (forward and adjoint alike).

#include <leibniz/ops/axis.hpp>
#include <leibniz/ops/op.hpp>
#include <leibniz/kernels/gather.hpp>
#include <leibniz/tensor/tensor.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace leibniz {

namespace detail {

// The axis argument of check_indices for labels (one_hot): no axis of x, a number of classes.
inline constexpr std::size_t classes_axis = std::size_t(-1);

// Throws lz::shape_error for the first index outside [0, extent): its
// position in idx, its value, and whose extent it is (x's along `axis`, or
// the number of classes). With `skip` (the losses' ignore_index), an index
// equal to it is allowed too.
template <class I, class S>
[[noreturn]] void throw_bad_index(std::string_view call, const tensor_view<I, S>& idx, std::size_t bad,
                                  std::size_t extent, std::size_t axis, std::string_view also) {
    std::array<std::size_t, S::rank> position{};
    for (std::size_t i = S::rank, rest = bad; i-- > 0;) {
        position[i] = rest % idx.extent(i);
        rest /= idx.extent(i);
    }
    throw shape_error(std::string(call) + ": index " + std::to_string(static_cast<long long>(idx.data()[bad])) +
                      " at position " + extents_text(position.data(), S::rank) + " is out of range [0, " +
                      std::to_string(extent) + "), " +
                      (axis == classes_axis ? std::string("the number of classes")
                                            : "the extent of x along axis " + std::to_string(axis)) +
                      std::string(also));
}
template <class I, class S>
void check_indices(std::string_view call, const tensor_view<I, S>& idx, std::size_t extent, std::size_t axis) {
    const std::size_t n = idx.size();
    const std::size_t bad = kernels::first_out_of_range(idx.data(), n, extent);
    if (bad == n) [[likely]]
        return;
    throw_bad_index(call, idx, bad, extent, axis, "");
}
template <class I, class S>
void check_indices(std::string_view call, const tensor_view<I, S>& idx, std::size_t extent, std::size_t axis,
                   long long skip) {
    const std::size_t n = idx.size();
    const std::size_t bad = kernels::first_out_of_range_except(idx.data(), n, extent, skip);
    if (bad == n) [[likely]]
        return;
    throw_bad_index(call, idx, bad, extent, axis, ", and not the ignore_index " + std::to_string(skip));
}

template <Shape X, Shape I, std::size_t K>
constexpr bool gather_shapes_agree() {
    if (X::rank != I::rank || K >= X::rank) return false;
    for (std::size_t d = 0; d < X::rank; ++d)
        if (d != K && X::extents[d] != I::extents[d]) return false;
    return true;
}
// The shapes of x and of the indices, and the axis, are the template arguments of this check.
template <Shape X, Shape I, std::size_t K>
constexpr bool check_gather() {
    constexpr bool ok = gather_shapes_agree<X, I, K>();
    static_assert(ok, "leibniz::gather: the indices must have x's rank, and x's extents on every axis but K (the "
                      "shapes of x and of the indices, and the axis K, are the template arguments of check_gather)");
    return ok;
}

template <Shape X, Shape I, std::size_t K>
constexpr bool pick_shapes_agree() {
    if (X::rank < 2 || K >= X::rank || I::rank + 1 != X::rank) return false;
    for (std::size_t d = 0; d < I::rank; ++d)
        if (I::extents[d] != X::extents[d < K ? d : d + 1]) return false;
    return true;
}
// The shapes of x and of the indices, and the axis, are the template arguments of this check.
template <Shape X, Shape I, std::size_t K>
constexpr bool check_pick() {
    constexpr bool ok = pick_shapes_agree<X, I, K>();
    static_assert(ok, "leibniz::pick: the indices must have x's shape without axis K, and x a rank of 2 or more "
                      "(logits [N, C] and labels [N], along the last axis; labels [N, 1] go to lz::gather(x, "
                      "lz::axis<1>, labels)) (the shapes of x and of the indices, and the axis K, are the template "
                      "arguments of check_pick)");
    return ok;
}

// gather and pick: Picks index positions per [outer, ·, inner] slice (pick: one).
template <std::size_t K, bool Pick>
struct gather_rules {
    static constexpr op_traits traits{.elementwise = false, .integer_operands = 0b10};
    static constexpr std::array<std::string_view, 2> vjp_formula{
        "δ scattered into the shape of a at the indices b, summed where an index repeats", "none (integer indices)"};

    template <class T, class SY, class SX, class I, class SI>
    static void forward(const tensor_view<T, SY>& y, const tensor_view<T, SX>& x, const tensor_view<I, SI>& idx) {
        const auto l = layout_of(x.extents(), K);
        check_indices(Pick ? "leibniz::pick" : "leibniz::gather", idx, l.axis, K);
        kernels::gather_axis(x.data(), idx.data(), y.data(), l.outer, l.axis, Pick ? 1 : idx.extent(K), l.inner);
    }
    // δx by scatter-add; the indices (an integer leaf) are never active, so P is 0
    // when the sweep calls it. They are checked again: when nothing reads y,
    // the forward step does not run.
    template <std::size_t P, class D, class G, class X, class I, class SI>
    static void vjp(const D& d, bool accumulate, const G& g, const G&, const X& x, const tensor_view<I, SI>& idx) {
        if constexpr (P == 0) {
            const auto l = layout_of(x.extents(), K);
            check_indices(Pick ? "leibniz::pick" : "leibniz::gather", idx, l.axis, K);
            kernels::scatter_add_axis(g.data(), idx.data(), d.data(), l.outer, l.axis, Pick ? 1 : idx.extent(K),
                                      l.inner, accumulate);
        }
    }
};

}  // namespace detail

template <std::size_t K>
struct gather_op : detail::gather_rules<K, false> {
    static constexpr std::string_view name = "gather";
    static std::string text(const std::string& x, const std::string& idx) {
        return "gather(" + x + ", axis " + std::to_string(K) + ", " + idx + ")";
    }
    template <Shape X, Shape I>
    using result_shape = I;
};

template <std::size_t K>
struct pick_op : detail::gather_rules<K, true> {
    static constexpr std::string_view name = "pick";
    static std::string text(const std::string& x, const std::string& idx) {
        return "pick(" + x + ", " + idx + ", axis " + std::to_string(K) + ")";
    }
    template <Shape X, Shape I>
    using result_shape = typename detail::drop_axis<X, K>::type;
};

// lz::gather(x, lz::axis<K>, idx): idx an integer leaf (lz::var<"i", std::int64_t, S>).
template <Expression X, std::size_t K, Expression I>
constexpr auto gather(X x, axis_t<K>, I idx) {
    if constexpr (poisoned<X, I>) return poison{};  // an operand's check failed, and said so
    else if constexpr (detail::check_gather<shape_of<X>, shape_of<I>, K>()) return make_node<gather_op<K>>(x, idx);
    else return poison{};  // the check's static_assert is the one error
}

// lz::pick(x, idx, lz::axis<K>): idx an integer leaf of x's shape without axis K.
template <Expression X, Expression I, std::size_t K>
constexpr auto pick(X x, I idx, axis_t<K>) {
    if constexpr (poisoned<X, I>) return poison{};  // an operand's check failed, and said so
    else if constexpr (detail::check_pick<shape_of<X>, shape_of<I>, K>()) return make_node<pick_op<K>>(x, idx);
    else return poison{};  // the check's static_assert is the one error
}

// lz::pick(x, idx): along x's last axis (logits [N, C], labels [N]).
template <Expression X, Expression I>
constexpr auto pick(X x, I idx) {
    return pick(x, idx, axis<(shape_of<X>::rank == 0 ? 0 : shape_of<X>::rank - 1)>);
}

namespace detail {
template <class S>
constexpr void reject_runtime_gather_axis() {
    static_assert(dependent_false<S>, "leibniz::gather: the axis must be a compile-time constant: write "
                                      "lz::gather(x, lz::axis<1>, idx) for torch.gather(x, 1, idx)");
}
}  // namespace detail

// lz::gather(x, 1, idx): one error of ours, asking for lz::axis<1>.
template <Expression X, runtime_number S, Expression I>
constexpr poison gather(X, S, I) {
    if constexpr (!poisoned<X, I>) detail::reject_runtime_gather_axis<S>();
    return {};
}

}  // namespace leibniz
