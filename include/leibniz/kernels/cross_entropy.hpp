#pragma once
// Softmax cross-entropy on integer labels, fused: the loss of each row of a
// row-major [rows, cols] tensor of logits x, with label smoothing ε, and its
// adjoint, without materialising log_softmax (PyTorch's cross_entropy with
// reduction='none'):
//
//   softmax_cross_entropy_rows(x, labels, rows, cols, ε, ε ≠ 0, ignore, y)
//       y[r] = lse_r − (1 − ε)·x[r, l_r] − (ε/cols)·Σ_c x[r, c],
//       lse_r = m + log Σ_c exp(x[r, c] − m),  m the row's largest
//   softmax_cross_entropy_rows_vjp(x, labels, g, rows, cols, ε, ignore, dx, accumulate)
//       dx[r, c] (+)= g[r]·(softmax(x_r)[c] − (1 − ε)·[c = l_r] − ε/cols)
//   A row whose label is `ignore` (PyTorch's ignore_index) is skipped: y[r] = 0
//   and dx[r, :] (+)= 0, its logits not read.
//
// Per row, forward: a max pass and an exp-and-sum pass (the sum of x in the
// same pass when ε ≠ 0). Backward: a max pass, exp(x − m) written into δx
// while summed, then δx = δx·(g/Σ) − g·ε/cols and the label's share taken off.
// A row that fits one SIMD batch (10 classes in float) does all of it in one
// register. So each exponential is computed once forward and once backward,
// as with log_softmax then pick, but nothing [rows, cols] is stored forward,
// and the backward reads x again instead of a stored log_softmax, a scattered
// adjoint and its row sums. (The softmax kernels' rebasing pass, made for
// long rows, costs more than the row itself for rows of 10: measured.) When
// δx is accumulated into (the logits feed something else too) and a row is
// longer than a batch, δx cannot hold the exponentials: they are computed a
// second time instead.
//
// A row holding +inf or NaN gives NaN. The labels must be in [0, cols) or
// equal `ignore` (the op checks them first). Float and double on xsimd batches of `Arch`; other
// scalar types (lz::dual) on plain loops (include <leibniz/ops/exp.hpp> and
// <leibniz/ops/log.hpp> for duals' exp and log). No heap allocation.

#include <leibniz/kernels/simd.hpp>  // first: it includes xsimd (see there)
#include <leibniz/kernels/arch.hpp>

#include <xsimd/xsimd.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <type_traits>

// g++ 12's false -Wuninitialized in its AVX-512 intrinsic headers: see simd.hpp.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace leibniz::kernels {

namespace detail::cross_entropy_impl {

template <class T>
struct row_sums {
    T max, exp_sum, sum;
};

// The row's largest element, Σ exp(x − max) and (With_sum) Σ x.
template <class T>
row_sums<T> row_portable(const T* x, std::size_t n, bool with_sum) {
    using std::exp;
    T m = x[0];
    for (std::size_t i = 1; i < n; ++i) m = x[i] > m ? x[i] : m;
    T s(0), total(0);
    for (std::size_t i = 0; i < n; ++i) {
        s = s + exp(x[i] - m);
        if (with_sum) total = total + x[i];
    }
    return {m, s, total};
}

// The row's largest element (−inf for an empty row).
template <class Arch, class T>
T row_max(const T* x, std::size_t n) noexcept {
    using B = simd::batch<T, Arch>;
    constexpr std::size_t W = B::size;
    constexpr T lowest = -std::numeric_limits<T>::infinity();
    const std::size_t full = simd::round_down(n, W);
    B mv(lowest);
    for (std::size_t i = 0; i < full; i += W) mv = xsimd::max(mv, B::load_unaligned(x + i));
    if (full < n) mv = xsimd::max(mv, simd::load_partial<Arch>(x + full, n - full, lowest));
    return simd::reduce_max(mv);
}

template <class Arch, class T>
row_sums<T> row_simd(const T* x, std::size_t n, bool with_sum) noexcept {
    using B = simd::batch<T, Arch>;
    constexpr std::size_t W = B::size;
    const std::size_t full = simd::round_down(n, W);
    const T m = row_max<Arch>(x, n);
    const B mb(m);
    B s(T(0)), total(T(0));
    for (std::size_t i = 0; i < full; i += W) {
        const B v = B::load_unaligned(x + i);
        s += simd::exp<Arch>(v - mb);
        if (with_sum) total += v;
    }
    if (full < n) {
        // The missing lanes hold m, and their exp(0) is masked off: exp of a
        // large negative number is a denormal, which costs a microcode assist
        // (measured: the filler −inf made rows of 10 floats 10× slower).
        const B v = simd::load_partial<Arch>(x + full, n - full, m);
        s += xsimd::select(simd::lane_index<Arch, T>() < B(T(static_cast<double>(n - full))), simd::exp<Arch>(v - mb), B(T(0)));
        if (with_sum) total += simd::load_partial<Arch>(x + full, n - full, T(0));
    }
    return {m, simd::reduce_add(s), with_sum ? simd::reduce_add(total) : T(0)};
}

// A row of n ≤ W elements in one batch: its largest element m and
// exp(x − m) (0 in the missing lanes, which hold m before the exp: exp of a
// large negative filler would be a denormal, see row_simd).
template <class Arch, class T>
struct short_row {
    simd::batch<T, Arch> x, e;
    T max;
    short_row(const T* p, std::size_t n) noexcept {
        using B = simd::batch<T, Arch>;
        const auto lanes = simd::lane_index<Arch, T>() < B(T(static_cast<double>(n)));
        x = simd::load_partial<Arch>(p, n, -std::numeric_limits<T>::infinity());
        max = simd::reduce_max(x);
        const B mb(max);
        x = xsimd::select(lanes, x, B(T(0)));
        e = xsimd::select(lanes, simd::exp<Arch>(xsimd::select(lanes, x, mb) - mb), B(T(0)));
    }
};

template <class T, class Arch>
row_sums<T> row(const T* x, std::size_t n, bool with_sum) noexcept {
    if constexpr (simd_path<T, Arch>) {
        if (n <= simd::batch<T, Arch>::size) {
            const short_row<Arch, T> r(x, n);
            return {r.max, simd::reduce_add(r.e), with_sum ? simd::reduce_add(r.x) : T(0)};
        }
        return row_simd<Arch>(x, n, with_sum);
    } else {
        return row_portable(x, n, with_sum);
    }
}

// d (+)= exp(x − m)·scale − shift
template <class Arch, class T>
void scaled_exp_simd(const T* x, std::size_t n, T m, T scale, T shift, T* d, bool accumulate) noexcept {
    using B = simd::batch<T, Arch>;
    constexpr std::size_t W = B::size;
    const B mb(m), sb(scale), hb(shift);
    const std::size_t full = simd::round_down(n, W);
    for (std::size_t i = 0; i < full; i += W) {
        B r = simd::exp<Arch>(B::load_unaligned(x + i) - mb) * sb - hb;
        if (accumulate) r += B::load_unaligned(d + i);
        r.store_unaligned(d + i);
    }
    if (full < n) {
        const std::size_t k = n - full;
        B r = simd::exp<Arch>(simd::load_partial<Arch>(x + full, k, m) - mb) * sb - hb;  // exp(0) in the missing lanes
        if (accumulate) r += simd::load_partial<Arch>(d + full, k, T(0));
        simd::store_partial<Arch>(d + full, k, r);
    }
}

template <class T>
void scaled_exp_portable(const T* x, std::size_t n, T m, T scale, T shift, T* d, bool accumulate) {
    using std::exp;
    for (std::size_t i = 0; i < n; ++i) {
        const T r = exp(x[i] - m) * scale - shift;
        d[i] = accumulate ? d[i] + r : r;
    }
}

// One row's adjoint on SIMD batches, before the label's share:
// d (+)= softmax(x)·g − shift.
template <class Arch, class T>
void row_vjp_simd(const T* x, std::size_t n, T g, T shift, T* d, bool accumulate) noexcept {
    using B = simd::batch<T, Arch>;
    constexpr std::size_t W = B::size;
    if (n <= W) {
        const short_row<Arch, T> r(x, n);
        B out = r.e * B(g / simd::reduce_add(r.e)) - B(shift);
        if (accumulate) out += simd::load_partial<Arch>(d, n, T(0));
        simd::store_partial<Arch>(d, n, out);
        return;
    }
    if (accumulate) {  // d holds adjoints already: the exponentials twice
        const auto s = row_simd<Arch>(x, n, false);
        scaled_exp_simd<Arch>(x, n, s.max, g / s.exp_sum, shift, d, true);
        return;
    }
    const std::size_t full = simd::round_down(n, W);
    const T m = row_max<Arch>(x, n);
    const B mb(m);
    B s(T(0));
    for (std::size_t i = 0; i < full; i += W) {
        const B e = simd::exp<Arch>(B::load_unaligned(x + i) - mb);
        s += e;
        e.store_unaligned(d + i);
    }
    if (full < n) {  // the missing lanes hold the max: exp(0), masked off (see row_simd)
        const B e = xsimd::select(simd::lane_index<Arch, T>() < B(T(static_cast<double>(n - full))),
                                  simd::exp<Arch>(simd::load_partial<Arch>(x + full, n - full, m) - mb), B(T(0)));
        s += e;
        simd::store_partial<Arch>(d + full, n - full, e);
    }
    const B scale(g / simd::reduce_add(s)), hb(shift);
    for (std::size_t i = 0; i < full; i += W) (B::load_unaligned(d + i) * scale - hb).store_unaligned(d + i);
    if (full < n) simd::store_partial<Arch>(d + full, n - full, simd::load_partial<Arch>(d + full, n - full, T(0)) * scale - hb);
}

}  // namespace detail::cross_entropy_impl

template <class T, class I, class Arch = default_arch>
void softmax_cross_entropy_rows(const T* x, const I* labels, std::size_t rows, std::size_t cols,
                                std::type_identity_t<T> smoothing, bool smooth, long long ignore, T* y) noexcept {
    using std::log;
    namespace d = detail::cross_entropy_impl;
    const T keep = T(1) - smoothing, spread = smoothing / T(static_cast<double>(cols));
    // y[r] = (max − (1 − ε)·x[r, l] − (ε/cols)·Σx) + log Σ exp(x − max)
    const auto base = [&](std::size_t r, const d::row_sums<T>& s) {
        T b = s.max - keep * x[r * cols + static_cast<std::size_t>(labels[r])];
        return smooth ? b - spread * s.sum : b;
    };
    const auto ignored = [&](std::size_t r) { return static_cast<long long>(labels[r]) == ignore; };
    if constexpr (simd_path<T, Arch> && std::is_same_v<T, float>) {
        // The logarithms of W rows in one batch (a scalar logf per row was a
        // quarter of the forward and backward at 10 classes: measured).
        using B = simd::batch<T, Arch>;
        constexpr std::size_t W = B::size;
        for (std::size_t r0 = 0; r0 < rows; r0 += W) {
            const std::size_t n = rows - r0 < W ? rows - r0 : W;
            alignas(64) T bases[W], sums[W];
            for (std::size_t i = 0; i < W; ++i) {
                bases[i] = T(0), sums[i] = T(1);  // an ignored or missing row: 0 + log 1
                if (i < n && !ignored(r0 + i)) {
                    const auto s = d::row<T, Arch>(x + (r0 + i) * cols, cols, smooth);
                    bases[i] = base(r0 + i, s), sums[i] = s.exp_sum;
                }
            }
            simd::store_partial<Arch>(y + r0, n, B::load_aligned(bases) + simd::log_positive<Arch>(B::load_aligned(sums)));
        }
    } else {
        for (std::size_t r = 0; r < rows; ++r) {
            if (ignored(r)) {
                y[r] = T(0);
                continue;
            }
            const auto s = d::row<T, Arch>(x + r * cols, cols, smooth);
            y[r] = base(r, s) + log(s.exp_sum);
        }
    }
}

template <class T, class I, class Arch = default_arch>
void softmax_cross_entropy_rows_vjp(const T* x, const I* labels, const T* g, std::size_t rows, std::size_t cols,
                                    std::type_identity_t<T> smoothing, long long ignore, T* dx,
                                    bool accumulate) noexcept {
    namespace d = detail::cross_entropy_impl;
    const T keep = T(1) - smoothing, spread = smoothing / T(static_cast<double>(cols));
    for (std::size_t r = 0; r < rows; ++r) {
        const T* row = x + r * cols;
        T* out = dx + r * cols;
        if (static_cast<long long>(labels[r]) == ignore) {
            if (!accumulate)
                for (std::size_t c = 0; c < cols; ++c) out[c] = T(0);
            continue;
        }
        const T gr = g[r];
        if constexpr (simd_path<T, Arch>) {
            d::row_vjp_simd<Arch>(row, cols, gr, gr * spread, out, accumulate);
        } else {
            const auto s = d::row_portable(row, cols, false);
            d::scaled_exp_portable(row, cols, s.max, gr / s.exp_sum, gr * spread, out, accumulate);
        }
        const std::size_t l = static_cast<std::size_t>(labels[r]);
        out[l] = out[l] - gr * keep;
    }
}

}  // namespace leibniz::kernels

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
