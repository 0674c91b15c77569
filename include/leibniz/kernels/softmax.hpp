#pragma once
// Softmax and log-softmax along the last axis of a row-major [rows, cols]
// tensor, with their adjoint (vjp) rules. (Their tangents need no kernel of
// their own: forward mode runs the forward kernels on dual numbers.)
//
//   softmax_rows(x, rows, cols, y)        y = exp(x − m) / Σ exp(x − m), m = max of the row
//   log_softmax_rows(x, rows, cols, y)    y = (x − m) − log Σ exp(x − m)
//       Max-subtracted: no overflow, no NaN or Inf for any finite input. A row
//       that is all −inf, or holds +inf or NaN, gives NaN (as torch does).
//       y may be x itself (in place); otherwise they must not overlap.
//   softmax_rows_vjp(y, g, rows, cols, dx, accumulate)       dx = y ⊙ (g − Σ g⊙y)
//   log_softmax_rows_vjp(y, g, rows, cols, dx, accumulate)   dx = g − exp(y) · Σ g
//       y is the forward result (softmax, resp. log-softmax); the sums are per row.
//
// `accumulate` = false overwrites dx and never reads it; true adds into it.
// No alignment needed, every extent handled, no heap allocation.
//
// Kernels (float and double on xsimd batches of `Arch`; other scalar types,
// e.g. lz::dual<T, N>, on plain loops — include <leibniz/ops/exp.hpp> and
// <leibniz/ops/log.hpp> for duals' exp and log):
// * softmax, per row, in one pass over x and one over y: y = exp(x − base)
//   stored and summed, where the base is the largest element seen so far,
//   moved only when an element exceeds it by a margin
//   (reduction::rebasing_exp_sum: the running sum and the current 16 KiB
//   block are rescaled when it moves; earlier blocks keep their base). A last
//   pass multiplies each block by exp(base_block − base)/Σ. So x is read once
//   (a stream the prefetcher follows, as in a copy), y written once and
//   read-modified once while it is in cache, and exp runs once per element.
// * log_softmax: the same pass without storing, then y = (x − base) − log Σ:
//   one exp per element.
// * the vjp rules: a dot product or sum per row (four FMA chains), then
//   one elementwise pass.
// Measured and dropped (Zen 4, 1e6 floats, with the earlier max-first
// blocks): two exps per element instead of storing and rescaling (sum, then
// recompute): 1.6× slower on 1000×1000, as exp's arithmetic, not memory,
// bounds rows that fit in cache; software prefetch of the next block during
// the exp loop: no measurable gain; pipelining rows (row r+1's maximum and
// row r−1's scaling inside row r's exp loop): 10% faster with the data in L3,
// 30% slower from memory.

#include <leibniz/kernels/simd.hpp>  // first: it includes xsimd (see there)
#include <leibniz/kernels/arch.hpp>
#include <leibniz/kernels/reduce.hpp>

#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

// g++ 12's false -Wuninitialized in its AVX-512 intrinsic headers: see simd.hpp.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace leibniz::kernels {

namespace detail::softmax_rows_impl {

using reduction::finite;
using reduction::put;

// ============================================================ portable paths

template <class T>
void softmax_portable(const T* x, std::size_t n, T* y) noexcept {
    using std::exp;
    if (n == 0) return;
    const T m = reduction::extreme_portable<true>(x, n, 1);
    if (!finite(m)) {
        for (std::size_t i = 0; i < n; ++i) y[i] = m - m;  // NaN
        return;
    }
    const T s = reduction::blocked_sum<T>(n, [&](std::size_t i) -> const T& { return y[i] = exp(x[i] - m); });
    const T inv = T(1) / s;
    for (std::size_t i = 0; i < n; ++i) y[i] = y[i] * inv;
}

template <class T>
void log_softmax_portable(const T* x, std::size_t n, T* y) noexcept {
    using std::exp;
    using std::log;
    if (n == 0) return;
    const T m = reduction::extreme_portable<true>(x, n, 1);
    if (!finite(m)) {
        for (std::size_t i = 0; i < n; ++i) y[i] = m - m;  // NaN
        return;
    }
    const T ls = log(reduction::blocked_sum<T>(n, [&](std::size_t i) { return exp(x[i] - m); }));
    for (std::size_t i = 0; i < n; ++i) y[i] = (x[i] - m) - ls;
}

// dx = y ⊙ (g − Σ g⊙y)
template <class T>
void softmax_vjp_portable(const T* y, const T* g, std::size_t n, T* dx, bool accumulate) noexcept {
    const T d = reduction::blocked_sum<T>(n, [&](std::size_t i) { return g[i] * y[i]; });
    for (std::size_t i = 0; i < n; ++i) put(dx[i], y[i] * (g[i] - d), accumulate);
}

// dx = g − exp(y) · Σ g
template <class T>
void log_softmax_vjp_portable(const T* y, const T* g, std::size_t n, T* dx, bool accumulate) noexcept {
    using std::exp;
    const T s = reduction::sum_portable(g, n, 1);
    for (std::size_t i = 0; i < n; ++i) put(dx[i], g[i] - exp(y[i]) * s, accumulate);
}

// ============================================================ SIMD paths

template <class Arch, class T>
void fill_simd(T* y, std::size_t n, T value) noexcept {
    for (std::size_t i = 0; i < n; ++i) y[i] = value;
}

// Σ a⊙b over [0, n): four FMA chains.
template <class Arch, class T>
T dot_simd(const T* a, const T* b, std::size_t n) noexcept {
    using B = simd::batch<T, Arch>;
    constexpr std::size_t W = B::size;
    B s0(T(0)), s1(T(0)), s2(T(0)), s3(T(0));
    std::size_t i = 0;
    for (const std::size_t end = simd::round_down(n, 4 * W); i < end; i += 4 * W) {
        s0 = detail::fma(B::load_unaligned(a + i), B::load_unaligned(b + i), s0);
        s1 = detail::fma(B::load_unaligned(a + i + W), B::load_unaligned(b + i + W), s1);
        s2 = detail::fma(B::load_unaligned(a + i + 2 * W), B::load_unaligned(b + i + 2 * W), s2);
        s3 = detail::fma(B::load_unaligned(a + i + 3 * W), B::load_unaligned(b + i + 3 * W), s3);
    }
    for (const std::size_t end = simd::round_down(n, W); i < end; i += W)
        s0 = detail::fma(B::load_unaligned(a + i), B::load_unaligned(b + i), s0);
    if (i < n)
        s1 = detail::fma(simd::load_partial<Arch>(a + i, n - i, T(0)), simd::load_partial<Arch>(b + i, n - i, T(0)), s1);
    return simd::reduce_add((s0 + s1) + (s2 + s3));
}

// Runs body(i, Partial, count) over [0, n) in full vectors, then one partial.
template <class T, class Arch, class Body>
void for_each_vector(std::size_t n, Body&& body) {
    constexpr std::size_t W = simd::batch<T, Arch>::size;
    std::size_t i = 0;
    for (const std::size_t end = simd::round_down(n, W); i < end; i += W) body(i, std::false_type{}, W);
    if (i < n) body(i, std::true_type{}, n - i);
}

// The most blocks a row is cut into: the running maximum of each is kept on
// the stack (2 KiB for double). Longer rows get longer blocks.
inline constexpr std::size_t max_blocks = 256;

template <class T, class Arch>
std::size_t block_length(std::size_t n) noexcept {
    constexpr std::size_t W = simd::batch<T, Arch>::size;
    const std::size_t block = reduction::exp_block<T>;
    if (n <= block * max_blocks) return block;
    return ((n + max_blocks - 1) / max_blocks + W - 1) / W * W;
}

template <class Arch, class T>
void softmax_row_simd(const T* x, std::size_t n, T* y) noexcept {
    const std::size_t block = block_length<T, Arch>(n);
    T block_base[max_blocks];  // the base each block's exponentials are relative to
    std::size_t b = 0;
    const auto r = reduction::rebasing_exp_sum<Arch, true>(
        x, n, block, y, [&](std::size_t, std::size_t, T base) { block_base[b++] = base; });
    // +inf or NaN anywhere, or no element above −inf: NaN.
    if (!finite(r.base) || !finite(r.sum)) return fill_simd<Arch>(y, n, reduction::quiet_nan<T>);
    const T inv = T(1) / r.sum;
    // Block k holds exp(x − base_k) (0 where base_k is −inf: factor 0).
    for (std::size_t k = 0, lo = 0; k < b; ++k, lo += block)
        reduction::scale_simd<Arch>(y + lo, std::min(block, n - lo), std::exp(block_base[k] - r.base) * inv);
}

template <class Arch, class T>
void log_softmax_row_simd(const T* x, std::size_t n, T* y) noexcept {
    using B = simd::batch<T, Arch>;
    const auto r = reduction::rebasing_exp_sum<Arch, false>(x, n, reduction::exp_block<T>, static_cast<T*>(nullptr),
                                                            [](auto...) {});
    if (!finite(r.base) || !finite(r.sum)) return fill_simd<Arch>(y, n, reduction::quiet_nan<T>);
    const B m(r.base), ls(std::log(r.sum));
    for_each_vector<T, Arch>(n, [&](std::size_t i, auto partial, std::size_t count) {
        constexpr bool P = decltype(partial)::value;
        simd::store<Arch, P>(y + i, count, (simd::load<Arch, P>(x + i, count, T(0)) - m) - ls);
    });
}

template <class Arch, class T>
void softmax_vjp_row_simd(const T* y, const T* g, std::size_t n, T* dx, bool accumulate) noexcept {
    using B = simd::batch<T, Arch>;
    const B d(dot_simd<Arch>(g, y, n));
    for_each_vector<T, Arch>(n, [&](std::size_t i, auto partial, std::size_t count) {
        constexpr bool P = decltype(partial)::value;
        B r = simd::load<Arch, P>(y + i, count, T(0)) * (simd::load<Arch, P>(g + i, count, T(0)) - d);
        if (accumulate) r += simd::load<Arch, P>(dx + i, count, T(0));
        simd::store<Arch, P>(dx + i, count, r);
    });
}

template <class Arch, class T>
void log_softmax_vjp_row_simd(const T* y, const T* g, std::size_t n, T* dx, bool accumulate) noexcept {
    using B = simd::batch<T, Arch>;
    const B s(reduction::sum_simd<Arch>(g, n));
    for_each_vector<T, Arch>(n, [&](std::size_t i, auto partial, std::size_t count) {
        constexpr bool P = decltype(partial)::value;
        B r = detail::fma(-simd::exp(simd::load<Arch, P>(y + i, count, T(0))), s, simd::load<Arch, P>(g + i, count, T(0)));
        if (accumulate) r += simd::load<Arch, P>(dx + i, count, T(0));
        simd::store<Arch, P>(dx + i, count, r);
    });
}

}  // namespace detail::softmax_rows_impl

// ============================================================ public kernels

template <class T, class Arch = default_arch>
void softmax_rows(const T* x, std::size_t rows, std::size_t cols, T* y) noexcept {
    namespace d = detail::softmax_rows_impl;
    for (std::size_t r = 0; r < rows; ++r) {
        if constexpr (simd_path<T, Arch>)
            d::softmax_row_simd<Arch>(x + r * cols, cols, y + r * cols);
        else
            d::softmax_portable(x + r * cols, cols, y + r * cols);
    }
}

template <class T, class Arch = default_arch>
void log_softmax_rows(const T* x, std::size_t rows, std::size_t cols, T* y) noexcept {
    namespace d = detail::softmax_rows_impl;
    for (std::size_t r = 0; r < rows; ++r) {
        if constexpr (simd_path<T, Arch>)
            d::log_softmax_row_simd<Arch>(x + r * cols, cols, y + r * cols);
        else
            d::log_softmax_portable(x + r * cols, cols, y + r * cols);
    }
}

template <class T, class Arch = default_arch>
void softmax_rows_vjp(const T* y, const T* g, std::size_t rows, std::size_t cols, T* dx, bool accumulate) noexcept {
    namespace d = detail::softmax_rows_impl;
    for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t o = r * cols;
        if constexpr (simd_path<T, Arch>)
            d::softmax_vjp_row_simd<Arch>(y + o, g + o, cols, dx + o, accumulate);
        else
            d::softmax_vjp_portable(y + o, g + o, cols, dx + o, accumulate);
    }
}

template <class T, class Arch = default_arch>
void log_softmax_rows_vjp(const T* y, const T* g, std::size_t rows, std::size_t cols, T* dx, bool accumulate) noexcept {
    namespace d = detail::softmax_rows_impl;
    for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t o = r * cols;
        if constexpr (simd_path<T, Arch>)
            d::log_softmax_vjp_row_simd<Arch>(y + o, g + o, cols, dx + o, accumulate);
        else
            d::log_softmax_vjp_portable(y + o, g + o, cols, dx + o, accumulate);
    }
}

}  // namespace leibniz::kernels

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
