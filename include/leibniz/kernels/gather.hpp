#pragma once
// Indexing kernels: picking elements along an axis by integer indices, its
// adjoint (a scatter-add), and one-hot rows. A tensor is seen as
// [outer, axis, inner], row-major (ops/axis.hpp); the indices have the
// layout of the result, [outer, picks, inner]. The kernels trust their
// indices: the op checks them first with first_out_of_range (and throws).
// Any element type (float, double, dual numbers); any integer index type.

#include <leibniz/kernels/elementwise.hpp>

#include <cstddef>
#include <type_traits>

namespace leibniz::kernels {

// The position of the first index outside [0, extent), or n when every one is inside.
template <class I>
std::size_t first_out_of_range(const I* idx, std::size_t n, std::size_t extent) noexcept {
    static_assert(std::is_integral_v<I>, "leibniz::kernels::first_out_of_range: indices are integers");
    for (std::size_t i = 0; i < n; ++i) {
        if constexpr (std::is_signed_v<I>)
            if (idx[i] < 0) return i;
        if (static_cast<std::make_unsigned_t<I>>(idx[i]) >= extent) return i;
    }
    return n;
}

// The same, an index equal to `skip` counting as inside (PyTorch's ignore_index).
template <class I>
std::size_t first_out_of_range_except(const I* idx, std::size_t n, std::size_t extent, long long skip) noexcept {
    static_assert(std::is_integral_v<I>, "leibniz::kernels::first_out_of_range_except: indices are integers");
    for (std::size_t i = 0; i < n; ++i) {
        if (static_cast<long long>(idx[i]) == skip) continue;
        if constexpr (std::is_signed_v<I>)
            if (idx[i] < 0) return i;
        if (static_cast<std::make_unsigned_t<I>>(idx[i]) >= extent) return i;
    }
    return n;
}

// y[o, p, i] = x[o, idx[o, p, i], i]: x is [outer, axis, inner], idx and y are [outer, picks, inner].
template <class T, class I>
void gather_axis(const T* x, const I* idx, T* y, std::size_t outer, std::size_t axis, std::size_t picks,
                 std::size_t inner) noexcept {
    for (std::size_t o = 0; o < outer; ++o) {
        const T* xo = x + o * axis * inner;
        for (std::size_t p = 0; p < picks; ++p) {
            const std::size_t row = (o * picks + p) * inner;
            for (std::size_t i = 0; i < inner; ++i)
                y[row + i] = xo[static_cast<std::size_t>(idx[row + i]) * inner + i];
        }
    }
}

// dx[o, idx[o, p, i], i] += g[o, p, i] (an index met twice adds twice); dx is
// zeroed first unless accumulate.
template <class T, class I>
void scatter_add_axis(const T* g, const I* idx, T* dx, std::size_t outer, std::size_t axis, std::size_t picks,
                      std::size_t inner, bool accumulate) noexcept {
    if (!accumulate) fill(dx, outer * axis * inner, T(0), false);
    for (std::size_t o = 0; o < outer; ++o) {
        T* dxo = dx + o * axis * inner;
        for (std::size_t p = 0; p < picks; ++p) {
            const std::size_t row = (o * picks + p) * inner;
            for (std::size_t i = 0; i < inner; ++i) {
                T& target = dxo[static_cast<std::size_t>(idx[row + i]) * inner + i];
                target = target + g[row + i];
            }
        }
    }
}

// y[r, c] = 1 if c == idx[r] else 0, for n rows of `classes` columns.
template <class T, class I>
void one_hot(const I* idx, std::size_t n, std::size_t classes, T* y) noexcept {
    fill(y, n * classes, T(0), false);
    for (std::size_t r = 0; r < n; ++r) y[r * classes + static_cast<std::size_t>(idx[r])] = T(1);
}

}  // namespace leibniz::kernels
