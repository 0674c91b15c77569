#pragma once
// Reductions: sum, max, min and log-sum-exp over all elements or over one axis,
// their adjoint rules, and the adjoint of a broadcast (sum over rows).
//
//   sum(x, n)  max(x, n)  min(x, n)  logsumexp(x, n)
//       Over x[0..n). Of nothing (n = 0): 0, −inf, +inf, −inf.
//       max and min propagate NaN (like torch.amax); logsumexp is
//       m + log Σ exp(x − m) with m the maximum, so it never overflows
//       (logsumexp of all −inf is −inf, with a +inf element +inf).
//   sum_axis(x, outer, axis, inner, out, accumulate)   (and max_, min_, logsumexp_axis)
//       x is a row-major tensor viewed as [outer, axis, inner] (inner
//       contiguous): out[o, i] = reduce over a of x[o, a, i]; out is [outer, inner].
//   max_vjp(x, n, y, g, dx, accumulate)                 (and min_vjp)
//       dx_i = g / c where x_i == y, 0 elsewhere; c = #{i : x_i == y}: ties
//       share the gradient evenly (torch.amax / amin).
//   max_axis_vjp(x, outer, axis, inner, y, g, dx, accumulate)   (and min_axis_vjp)
//       The same per (o, i), with y and g of shape [outer, inner].
//   logsumexp_vjp(x, n, y, g, dx, accumulate)           dx = g · exp(x − y)
//   logsumexp_axis_vjp(x, outer, axis, inner, y, g, dx, accumulate)
//   sum_rows(g, rows, cols, out, accumulate)
//       out[c] = Σ_r g[r, c]: the adjoint of a [cols] row broadcast over
//       [rows, cols] (a bias over a batch).
//
// `accumulate` = false overwrites the output and never reads it (NaN or
// garbage there does not leak through); true adds into it. Pointers need no
// alignment; every n is handled (the tail is one partial vector). No heap
// allocation, no exception.
//
// Kernels. float and double run on xsimd batches of the architecture tag
// `Arch` (default: what the translation unit is compiled for); every other
// scalar type — lz::dual<T, N>, long double — runs plain loops (exp and log
// found by argument-dependent lookup: include <leibniz/ops/exp.hpp> and
// <leibniz/ops/log.hpp> for duals). Passing Arch = xsimd::unavailable forces
// the plain loops for float and double too (the tests compare the two).
//
// * sum: four independent vector accumulators hide the add latency (one load
//   and one add per cycle); every 1024·lanes elements they are folded into a
//   running total, so each lane adds at most 256 numbers in sequence — the
//   rounding error grows like (256 + n / (1024·lanes))·ε rather than n·ε.
// * max / min: four accumulators, plus a NaN mask per vector so NaN
//   propagates (x86's max drops a NaN operand).
// * logsumexp: one pass, Σ exp(x − base) against a running base that moves
//   to the largest element seen only when an element exceeds it by a margin,
//   the sum rescaled when it moves (the online form of max-subtraction, at the
//   cost of one compare per vector: rebasing_exp_sum); exp is simd::exp
//   (simd.hpp).
// * *_axis with inner = 1: the contiguous kernel per row. inner > 1: the
//   columns are processed in register blocks of 4 vectors (64 floats on
//   AVX-512) while walking down the axis, so x is read once, in order within
//   each row, and out is written once; sums along the axis are cascaded in
//   runs of 256 rows like sum's lanes. The plain loops cascade their sums the
//   same way (runs of 256).

#include <leibniz/kernels/simd.hpp>  // first: it includes xsimd (see there)
#include <leibniz/kernels/arch.hpp>

#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <type_traits>
#include <utility>

// g++ 12's false -Wuninitialized in its AVX-512 intrinsic headers: see simd.hpp.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace leibniz::kernels {

namespace detail::reduction {

template <class T>
inline constexpr T quiet_nan = std::numeric_limits<T>::quiet_NaN();

// Whether a value is finite, for any scalar type with subtraction and
// comparison (x − x is NaN exactly for ±inf and NaN).
template <class T>
bool finite(const T& x) noexcept {
    return x - x == T{};
}

// The elements a block of the one-pass exp sums holds: 16 KiB, so softmax's
// rescaling of a block when its base moves reads L1.
template <class T>
inline constexpr std::size_t exp_block = 16384 / sizeof(T);

// ============================================================ portable paths
// Every scalar type; elements `stride` apart (the axis kernels walk columns).

// Σ term(i) for i in [0, n), in runs of 256 added into a total: the rounding
// error grows like (256 + n/256)·ε instead of n·ε, at no cost.
template <class T, class Term>
T blocked_sum(std::size_t n, Term&& term) noexcept {
    constexpr std::size_t run = 256;
    T total{};
    for (std::size_t lo = 0; lo < n; lo += run) {
        const std::size_t hi = std::min(n, lo + run);
        T s = term(lo);
        for (std::size_t i = lo + 1; i < hi; ++i) s = s + term(i);
        total = lo == 0 ? s : total + s;
    }
    return total;
}

template <class T>
T sum_portable(const T* x, std::size_t n, std::size_t stride) noexcept {
    return blocked_sum<T>(n, [&](std::size_t a) -> const T& { return x[a * stride]; });
}

// ∓inf for any scalar type constructible from double (dual<...> included):
// the maximum / minimum of nothing.
template <bool Max, class T>
T extreme_identity() noexcept {
    return T(Max ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity());
}

// The mean of the elements equal to m (m one of them). For numbers that is m
// itself. For dual numbers (forward mode, which takes these portable paths)
// the value is m and the tangents are averaged: at a tie, forward mode splits
// as extreme_vjp_portable splits the adjoint (torch's forward mode does the
// same), so ⟨grad, t⟩ = jvp. m + Σ (x − m) / count keeps m's value exactly;
// at ±inf (x − m would be NaN) the first tied element stays the result.
template <class T>
T tie_mean(const T* x, std::size_t n, std::size_t stride, const T& m) noexcept {
    if constexpr (std::is_arithmetic_v<T>) {
        (void)x, (void)n, (void)stride;
        return m;
    } else {
        std::size_t count = 0;
        for (std::size_t a = 0; a < n; ++a) count += x[a * stride] == m;
        if (count < 2 || !(m - m == T{})) return m;  // no tie, or ±inf (NaN: count is 0)
        T excess{};
        for (std::size_t a = 0; a < n; ++a)
            if (x[a * stride] == m) excess = excess + (x[a * stride] - m);
        return m + excess / T(count);
    }
}

// The maximum (Max) or minimum; NaN is sticky: once met, it is the result.
template <bool Max, class T>
T extreme_portable(const T* x, std::size_t n, std::size_t stride) noexcept {
    if (n == 0) return extreme_identity<Max, T>();
    T m = x[0];
    for (std::size_t a = 1; a < n; ++a) {
        const T& v = x[a * stride];
        const bool better = Max ? v > m : v < m;
        if (better || v != v) m = v;
    }
    return m;
}

// The result of kernels::max / min and their axis forms: the extreme, ties
// averaged (tie_mean). (Log-sum-exp and softmax shift by extreme_portable:
// their results do not depend on the shift's tangent.)
template <bool Max, class T>
T extreme_tied_portable(const T* x, std::size_t n, std::size_t stride) noexcept {
    return n == 0 ? extreme_identity<Max, T>() : tie_mean(x, n, stride, extreme_portable<Max>(x, n, stride));
}

// shift + log Σ exp(x − shift), shift = the maximum when it is finite, else 0
// (all −inf: log 0 = −inf; a +inf element: log inf = +inf; NaN: NaN).
template <class T>
T logsumexp_portable(const T* x, std::size_t n, std::size_t stride) noexcept {
    using std::exp;
    using std::log;
    const T m = extreme_portable<true>(x, n, stride);
    const T shift = finite(m) ? m : T{};
    const T s = blocked_sum<T>(n, [&](std::size_t a) { return exp(x[a * stride] - shift); });
    return shift + log(s);
}

template <class T>
void put(T& out, const T& value, bool accumulate) noexcept {
    out = accumulate ? out + value : value;
}

template <class T>
void extreme_vjp_portable(const T* x, std::size_t n, std::size_t stride, const T& y, const T& g, T* dx,
                          bool accumulate) noexcept {
    std::size_t count = 0;
    for (std::size_t a = 0; a < n; ++a) count += x[a * stride] == y;
    const T share = g / T(count);
    for (std::size_t a = 0; a < n; ++a) put(dx[a * stride], x[a * stride] == y ? share : T{}, accumulate);
}

template <class T>
void logsumexp_vjp_portable(const T* x, std::size_t n, std::size_t stride, const T& y, const T& g, T* dx,
                            bool accumulate) noexcept {
    using std::exp;
    for (std::size_t a = 0; a < n; ++a) put(dx[a * stride], g * exp(x[a * stride] - y), accumulate);
}

// ============================================================ SIMD paths: contiguous

template <class Arch, class T>
T sum_simd(const T* x, std::size_t n) noexcept {
    using B = simd::batch<T, Arch>;
    constexpr std::size_t W = B::size;
    constexpr std::size_t U = 4;                // independent accumulators
    constexpr std::size_t block = 256 * U * W;  // elements per lane chain before folding into `total`
    B total(T(0));
    std::size_t i = 0;
    const std::size_t whole = simd::round_down(n, U * W);
    while (i < whole) {
        const std::size_t end = i + std::min(block, whole - i);
        B a0 = B::load_unaligned(x + i), a1 = B::load_unaligned(x + i + W);
        B a2 = B::load_unaligned(x + i + 2 * W), a3 = B::load_unaligned(x + i + 3 * W);
        for (i += U * W; i < end; i += U * W) {
            a0 += B::load_unaligned(x + i);
            a1 += B::load_unaligned(x + i + W);
            a2 += B::load_unaligned(x + i + 2 * W);
            a3 += B::load_unaligned(x + i + 3 * W);
        }
        total += (a0 + a1) + (a2 + a3);
    }
    for (const std::size_t end = simd::round_down(n, W); i < end; i += W) total += B::load_unaligned(x + i);
    if (i < n) total += simd::load_partial<Arch>(x + i, n - i, T(0));
    return simd::reduce_add(total);
}

template <bool Max, class B>
B pick(const B& a, const B& b) noexcept {
    if constexpr (Max)
        return xsimd::max(a, b);
    else
        return xsimd::min(a, b);
}

// max / min of x[0..n) (∓inf if n = 0). PropagateNan = false skips the NaN mask (the
// max that log-sum-exp and softmax subtract: a NaN reaches their result
// through exp anyway).
template <class Arch, bool Max, bool PropagateNan, class T>
T extreme_simd(const T* x, std::size_t n) noexcept {
    using B = simd::batch<T, Arch>;
    using M = xsimd::batch_bool<T, Arch>;
    constexpr std::size_t W = B::size;
    if (n == 0) return extreme_identity<Max, T>();
    const B first(x[0]);  // neutral: the result is at least as extreme
    B a0 = first, a1 = first, a2 = first, a3 = first;
    M nan(false);
    std::size_t i = 0;
    for (const std::size_t end = simd::round_down(n, 4 * W); i < end; i += 4 * W) {
        const B v0 = B::load_unaligned(x + i), v1 = B::load_unaligned(x + i + W);
        const B v2 = B::load_unaligned(x + i + 2 * W), v3 = B::load_unaligned(x + i + 3 * W);
        a0 = pick<Max>(a0, v0);
        a1 = pick<Max>(a1, v1);
        a2 = pick<Max>(a2, v2);
        a3 = pick<Max>(a3, v3);
        if constexpr (PropagateNan)
            nan = nan | (xsimd::isnan(v0) | xsimd::isnan(v1)) | (xsimd::isnan(v2) | xsimd::isnan(v3));
    }
    for (const std::size_t end = simd::round_down(n, W); i < end; i += W) {
        const B v = B::load_unaligned(x + i);
        a0 = pick<Max>(a0, v);
        if constexpr (PropagateNan) nan = nan | xsimd::isnan(v);
    }
    if (i < n) {
        const B v = simd::load_partial<Arch>(x + i, n - i, x[0]);
        a0 = pick<Max>(a0, v);
        if constexpr (PropagateNan) nan = nan | xsimd::isnan(v);
    }
    if constexpr (PropagateNan) {
        if (xsimd::any(nan) || x[0] != x[0]) return quiet_nan<T>;
    }
    const B a = pick<Max>(pick<Max>(a0, a1), pick<Max>(a2, a3));
    return Max ? simd::reduce_max(a) : simd::reduce_min(a);
}

// y *= c over y[0..n).
template <class Arch, class T>
void scale_simd(T* y, std::size_t n, T c) noexcept {
    using B = simd::batch<T, Arch>;
    constexpr std::size_t W = B::size;
    const B cb(c);
    std::size_t i = 0;
    for (const std::size_t end = simd::round_down(n, 2 * W); i < end; i += 2 * W) {
        (B::load_unaligned(y + i) * cb).store_unaligned(y + i);
        (B::load_unaligned(y + i + W) * cb).store_unaligned(y + i + W);
    }
    for (const std::size_t end = simd::round_down(n, W); i < end; i += W)
        (B::load_unaligned(y + i) * cb).store_unaligned(y + i);
    if (i < n) simd::store_partial<Arch>(y + i, n - i, simd::load_partial<Arch>(y + i, n - i, T(0)) * cb);
}

// How far above the running base an element may lie before the base moves:
// exp(margin) times the longest row stays far from overflow (e^32·2^40 < 2^87
// for float), and the compare costs one instruction per vector.
template <class T>
inline constexpr T rebase_margin = sizeof(T) == sizeof(float) ? T(32) : T(256);

// The result of a one-pass Σ exp(x − base). base is +inf if an element is
// +inf (the pass stops there: the caller decides what that row gives), −inf
// if no element is above −inf; sum is NaN if an element is NaN.
template <class T>
struct rebased_exp_sum {
    T base;
    T sum;
};

// Σ exp(x − base) over x[0..n) in one pass, where base is the largest element
// seen so far, moved only when an element exceeds it by rebase_margin: then
// the sum so far is rescaled by exp(old − new). With Store, y receives
// exp(x − base) as the pass goes, and a move also rescales the current
// block's y (16 KiB: in L1); earlier blocks keep their own base, which
// end_block(offset, length, base) is told after each block of `block`
// elements. x is read once, as a stream the prefetcher follows: a
// block's maximum first, then its exponentials, cost 1.3-1.4× a memcpy
// from memory against 0.9-1.0× for this (Zen 4, 1e6 floats).
template <class Arch, bool Store, class T, class EndBlock>
rebased_exp_sum<T> rebasing_exp_sum(const T* x, std::size_t n, std::size_t block, T* y,
                                    EndBlock&& end_block) noexcept {
    using B = simd::batch<T, Arch>;
    constexpr std::size_t W = B::size;
    constexpr T inf = std::numeric_limits<T>::infinity();
    T base = -inf, total = T(0);  // total: Σ exp(x − base) over the blocks before the current one
    B limit(-inf), shift(T(0));   // shift: base, or 0 while base is −inf (exp(−inf − 0) = 0)
    for (std::size_t lo = 0; lo < n; lo += block) {
        const std::size_t len = std::min(block, n - lo);
        B acc0(T(0)), acc1(T(0));
        // v holds an element above base + margin: move the base to v's maximum.
        auto rebase = [&](const B& v, std::size_t done) {
            const T m = simd::reduce_max(v);
            if (!(m < inf)) return false;  // +inf (or NaN beside it)
            const T factor = base == -inf ? T(0) : std::exp(base - m);
            if constexpr (Store) scale_simd<Arch>(y + lo, done, factor);
            acc0 = acc0 * B(factor);
            acc1 = acc1 * B(factor);
            total *= factor;
            base = m;
            limit = B(m + rebase_margin<T>);
            shift = B(m);
            return true;
        };
        auto exp_of = [&](const B& v, std::size_t i, auto partial, std::size_t count) {
            const B e = simd::exp(v - shift);
            if constexpr (Store) simd::store<Arch, decltype(partial)::value>(y + lo + i, count, e);
            return e;
        };
        bool ok = true;
        std::size_t i = 0;
        for (const std::size_t end = simd::round_down(len, 2 * W); ok && i < end; i += 2 * W) {
            const B v0 = B::load_unaligned(x + lo + i), v1 = B::load_unaligned(x + lo + i + W);
            if (xsimd::any((v0 > limit) || (v1 > limit))) [[unlikely]]
                ok = rebase(xsimd::max(v0, v1), i);
            acc0 += exp_of(v0, i, std::false_type{}, W);
            acc1 += exp_of(v1, i + W, std::false_type{}, W);
        }
        for (; ok && i < len; i += W) {  // a last full vector, then a partial one
            const std::size_t count = std::min(W, len - i);
            // Lanes past the row load −inf: never above the limit. Their exp
            // is taken of 0 and masked off: exp(−inf) goes through denormals,
            // a microcode assist on every row (log_softmax of [1024, 10]
            // floats ran 3.8× slower per row than of [1024, 16]).
            const B v = simd::load_partial<Arch>(x + lo + i, count, -inf);
            if (xsimd::any(v > limit)) ok = rebase(v, i);
            const auto live = simd::lane_index<Arch, T>() < B(T(static_cast<double>(count)));
            acc0 += xsimd::select(live, exp_of(xsimd::select(live, v, shift), i, std::true_type{}, count), B(T(0)));
        }
        if (!ok) return {inf, T(0)};
        total += simd::reduce_add(acc0 + acc1);
        end_block(lo, len, base);
    }
    return {base, total};
}

// log Σ exp(x): base + log(sum); a row with +inf gives +inf, or NaN if it
// also holds NaN (as std::log of the sum would).
template <class Arch, class T>
T logsumexp_simd(const T* x, std::size_t n) noexcept {
    const rebased_exp_sum<T> r =
        rebasing_exp_sum<Arch, false>(x, n, exp_block<T>, static_cast<T*>(nullptr), [](auto...) {});
    if (r.base == std::numeric_limits<T>::infinity()) return extreme_simd<Arch, true, true>(x, n);
    return r.base + std::log(r.sum);
}

template <class Arch, class T>
void extreme_vjp_simd(const T* x, std::size_t n, T y, T g, T* dx, bool accumulate) noexcept {
    using B = simd::batch<T, Arch>;
    constexpr std::size_t W = B::size;
    const B yb(y), one(T(1)), zero(T(0));
    // Count the ties (exact in T up to 2^24 per lane for float).
    B c0(T(0)), c1(T(0));
    std::size_t i = 0;
    for (const std::size_t end = simd::round_down(n, 2 * W); i < end; i += 2 * W) {
        c0 += xsimd::select(B::load_unaligned(x + i) == yb, one, zero);
        c1 += xsimd::select(B::load_unaligned(x + i + W) == yb, one, zero);
    }
    for (const std::size_t end = simd::round_down(n, W); i < end; i += W)
        c0 += xsimd::select(B::load_unaligned(x + i) == yb, one, zero);
    if (i < n) c1 += xsimd::select(simd::load_partial<Arch>(x + i, n - i, quiet_nan<T>) == yb, one, zero);
    const B share(g / simd::reduce_add(c0 + c1));
    auto body = [&](std::size_t j, auto partial, std::size_t count) {
        constexpr bool P = decltype(partial)::value;
        B d = xsimd::select(simd::load<Arch, P>(x + j, count, quiet_nan<T>) == yb, share, zero);
        if (accumulate) d += simd::load<Arch, P>(dx + j, count, T(0));
        simd::store<Arch, P>(dx + j, count, d);
    };
    for (i = 0; i < simd::round_down(n, W); i += W) body(i, std::false_type{}, W);
    if (i < n) body(i, std::true_type{}, n - i);
}

template <class Arch, class T>
void logsumexp_vjp_simd(const T* x, std::size_t n, T y, T g, T* dx, bool accumulate) noexcept {
    using B = simd::batch<T, Arch>;
    constexpr std::size_t W = B::size;
    const B yb(y), gb(g);
    auto body = [&](std::size_t j, auto partial, std::size_t count) {
        constexpr bool P = decltype(partial)::value;
        B d = gb * simd::exp(simd::load<Arch, P>(x + j, count, T(0)) - yb);
        if (accumulate) d += simd::load<Arch, P>(dx + j, count, T(0));
        simd::store<Arch, P>(dx + j, count, d);
    };
    std::size_t i = 0;
    for (const std::size_t end = simd::round_down(n, W); i < end; i += W) body(i, std::false_type{}, W);
    if (i < n) body(i, std::true_type{}, n - i);
}

// ============================================================ SIMD paths: one axis, inner > 1
// Register blocks of columns walk down the axis; see for_each_column_block.

// Rows summed in one run before the run is added to the total (the
// cascade of sum_simd, along the axis).
inline constexpr std::size_t cascade = 256;

template <class Arch, class T>
void sum_axis_simd(const T* x, std::size_t outer, std::size_t axis, std::size_t inner, T* out,
                   bool accumulate) noexcept {
    using B = simd::batch<T, Arch>;
    constexpr std::size_t W = B::size;
    for (std::size_t o = 0; o < outer; ++o) {
        const T* xo = x + o * axis * inner;
        T* oo = out + o * inner;
        simd::for_each_column_block<T, Arch>(inner, [&](std::size_t i, auto nv, auto partial, std::size_t count) {
            constexpr std::size_t V = decltype(nv)::value;
            constexpr bool P = decltype(partial)::value;
            B acc[V];
            B total[V];
            detail::static_for<V>([&](auto v) { total[v] = B(T(0)); });
            // Runs of `cascade` rows, each summed on its own and then added to
            // the total: the error grows like (cascade + axis/cascade)·ε.
            for (std::size_t lo = 0; lo < axis; lo += cascade) {
                detail::static_for<V>([&](auto v) { acc[v] = B(T(0)); });
                for (std::size_t a = lo, hi = std::min(axis, lo + cascade); a < hi; ++a) {
                    const T* row = xo + a * inner + i;
                    detail::static_for<V>([&](auto v) { acc[v] += simd::load<Arch, P>(row + v * W, count, T(0)); });
                }
                detail::static_for<V>([&](auto v) { total[v] += acc[v]; });
            }
            detail::static_for<V>([&](auto v) {
                B r = total[v];
                if (accumulate) r += simd::load<Arch, P>(oo + i + v * W, count, T(0));
                simd::store<Arch, P>(oo + i + v * W, count, r);
            });
        });
    }
}

template <class Arch, bool Max, class T>
void extreme_axis_simd(const T* x, std::size_t outer, std::size_t axis, std::size_t inner, T* out,
                       bool accumulate) noexcept {
    using B = simd::batch<T, Arch>;
    using M = xsimd::batch_bool<T, Arch>;
    constexpr std::size_t W = B::size;
    for (std::size_t o = 0; o < outer; ++o) {
        const T* xo = x + o * axis * inner;
        T* oo = out + o * inner;
        simd::for_each_column_block<T, Arch>(inner, [&](std::size_t i, auto nv, auto partial, std::size_t count) {
            constexpr std::size_t V = decltype(nv)::value;
            constexpr bool P = decltype(partial)::value;
            B acc[V];
            M nan[V];
            detail::static_for<V>([&](auto v) {
                acc[v] = B(extreme_identity<Max, T>());
                nan[v] = M(false);
            });
            for (std::size_t a = 0; a < axis; ++a) {
                const T* row = xo + a * inner + i;
                detail::static_for<V>([&](auto v) {
                    const B e = simd::load<Arch, P>(row + v * W, count, T(0));
                    acc[v] = pick<Max>(acc[v], e);
                    nan[v] = nan[v] | xsimd::isnan(e);
                });
            }
            detail::static_for<V>([&](auto v) {
                B r = xsimd::select(nan[v], B(quiet_nan<T>), acc[v]);
                if (accumulate) r += simd::load<Arch, P>(oo + i + v * W, count, T(0));
                simd::store<Arch, P>(oo + i + v * W, count, r);
            });
        });
    }
}

template <class Arch, class T>
void logsumexp_axis_simd(const T* x, std::size_t outer, std::size_t axis, std::size_t inner, T* out,
                         bool accumulate) noexcept {
    using B = simd::batch<T, Arch>;
    constexpr std::size_t W = B::size;
    for (std::size_t o = 0; o < outer; ++o) {
        const T* xo = x + o * axis * inner;
        T* oo = out + o * inner;
        simd::for_each_column_block<T, Arch>(inner, [&](std::size_t i, auto nv, auto partial, std::size_t count) {
            constexpr std::size_t V = decltype(nv)::value;
            constexpr bool P = decltype(partial)::value;
            B m[V], s[V];
            detail::static_for<V>([&](auto v) { m[v] = B(extreme_identity<true, T>()); });
            for (std::size_t a = 0; a < axis; ++a) {
                const T* row = xo + a * inner + i;
                detail::static_for<V>(
                    [&](auto v) { m[v] = xsimd::max(m[v], simd::load<Arch, P>(row + v * W, count, T(0))); });
            }
            B run[V];
            detail::static_for<V>([&](auto v) {
                m[v] = xsimd::select(m[v] - m[v] == B(T(0)), m[v], B(T(0)));  // the shift: max if finite, else 0
                s[v] = B(T(0));
            });
            for (std::size_t lo = 0; lo < axis; lo += cascade) {  // cascaded as in sum_axis_simd
                detail::static_for<V>([&](auto v) { run[v] = B(T(0)); });
                for (std::size_t a = lo, hi = std::min(axis, lo + cascade); a < hi; ++a) {
                    const T* row = xo + a * inner + i;
                    detail::static_for<V>(
                        [&](auto v) { run[v] += simd::exp(simd::load<Arch, P>(row + v * W, count, T(0)) - m[v]); });
                }
                detail::static_for<V>([&](auto v) { s[v] += run[v]; });
            }
            // shift + log(sum), lane by lane (xsimd::log trips g++ 12's false
            // -Wuninitialized from inside xsimd; one log per column is cheap
            // next to the `axis` exponentials).
            detail::static_for<V>([&](auto v) {
                alignas(64) T lanes[W];
                s[v].store_aligned(lanes);
                for (T& e : lanes) e = std::log(e);
                B r = m[v] + B::load_aligned(lanes);
                if (accumulate) r += simd::load<Arch, P>(oo + i + v * W, count, T(0));
                simd::store<Arch, P>(oo + i + v * W, count, r);
            });
        });
    }
}

template <class Arch, class T>
void extreme_axis_vjp_simd(const T* x, std::size_t outer, std::size_t axis, std::size_t inner, const T* y, const T* g,
                           T* dx, bool accumulate) noexcept {
    using B = simd::batch<T, Arch>;
    constexpr std::size_t W = B::size;
    const B one(T(1)), zero(T(0));
    for (std::size_t o = 0; o < outer; ++o) {
        const T* xo = x + o * axis * inner;
        T* dxo = dx + o * axis * inner;
        simd::for_each_column_block<T, Arch>(inner, [&](std::size_t i, auto nv, auto partial, std::size_t count) {
            constexpr std::size_t V = decltype(nv)::value;
            constexpr bool P = decltype(partial)::value;
            B yv[V], c[V];
            detail::static_for<V>([&](auto v) {
                yv[v] = simd::load<Arch, P>(y + o * inner + i + v * W, count, T(0));
                c[v] = zero;
            });
            for (std::size_t a = 0; a < axis; ++a) {
                const T* row = xo + a * inner + i;
                detail::static_for<V>([&](auto v) {
                    c[v] += xsimd::select(simd::load<Arch, P>(row + v * W, count, T(0)) == yv[v], one, zero);
                });
            }
            // share = g / count (lanes past `count` of a partial block are never stored)
            detail::static_for<V>(
                [&](auto v) { c[v] = simd::load<Arch, P>(g + o * inner + i + v * W, count, T(0)) / c[v]; });
            for (std::size_t a = 0; a < axis; ++a) {
                const T* row = xo + a * inner + i;
                T* drow = dxo + a * inner + i;
                detail::static_for<V>([&](auto v) {
                    B d = xsimd::select(simd::load<Arch, P>(row + v * W, count, T(0)) == yv[v], c[v], zero);
                    if (accumulate) d += simd::load<Arch, P>(drow + v * W, count, T(0));
                    simd::store<Arch, P>(drow + v * W, count, d);
                });
            }
        });
    }
}

template <class Arch, class T>
void logsumexp_axis_vjp_simd(const T* x, std::size_t outer, std::size_t axis, std::size_t inner, const T* y, const T* g,
                             T* dx, bool accumulate) noexcept {
    using B = simd::batch<T, Arch>;
    constexpr std::size_t W = B::size;
    for (std::size_t o = 0; o < outer; ++o) {
        const T* xo = x + o * axis * inner;
        T* dxo = dx + o * axis * inner;
        simd::for_each_column_block<T, Arch>(inner, [&](std::size_t i, auto nv, auto partial, std::size_t count) {
            constexpr std::size_t V = decltype(nv)::value;
            constexpr bool P = decltype(partial)::value;
            B yv[V], gv[V];
            detail::static_for<V>([&](auto v) {
                yv[v] = simd::load<Arch, P>(y + o * inner + i + v * W, count, T(0));
                gv[v] = simd::load<Arch, P>(g + o * inner + i + v * W, count, T(0));
            });
            for (std::size_t a = 0; a < axis; ++a) {
                const T* row = xo + a * inner + i;
                T* drow = dxo + a * inner + i;
                detail::static_for<V>([&](auto v) {
                    B d = gv[v] * simd::exp(simd::load<Arch, P>(row + v * W, count, T(0)) - yv[v]);
                    if (accumulate) d += simd::load<Arch, P>(drow + v * W, count, T(0));
                    simd::store<Arch, P>(drow + v * W, count, d);
                });
            }
        });
    }
}

}  // namespace detail::reduction

// ============================================================ public kernels

template <class T, class Arch = default_arch>
T sum(const T* x, std::size_t n) noexcept {
    if constexpr (simd_path<T, Arch>)
        return detail::reduction::sum_simd<Arch>(x, n);
    else
        return detail::reduction::sum_portable(x, n, 1);
}

template <class T, class Arch = default_arch>
T max(const T* x, std::size_t n) noexcept {
    if constexpr (simd_path<T, Arch>)
        return detail::reduction::extreme_simd<Arch, true, true>(x, n);
    else
        return detail::reduction::extreme_tied_portable<true>(x, n, 1);
}

template <class T, class Arch = default_arch>
T min(const T* x, std::size_t n) noexcept {
    if constexpr (simd_path<T, Arch>)
        return detail::reduction::extreme_simd<Arch, false, true>(x, n);
    else
        return detail::reduction::extreme_tied_portable<false>(x, n, 1);
}

template <class T, class Arch = default_arch>
T logsumexp(const T* x, std::size_t n) noexcept {
    if constexpr (simd_path<T, Arch>)
        return detail::reduction::logsumexp_simd<Arch>(x, n);
    else
        return detail::reduction::logsumexp_portable(x, n, 1);
}

// The axis kernels: with inner == 1 the contiguous kernel per row, with
// inner > 1 the register-blocked one; the portable path per (o, i).
template <class T, class Arch = default_arch>
void sum_axis(const T* x, std::size_t outer, std::size_t axis, std::size_t inner, T* out, bool accumulate) noexcept {
    namespace r = detail::reduction;
    if constexpr (simd_path<T, Arch>) {
        if (inner > 1) return r::sum_axis_simd<Arch>(x, outer, axis, inner, out, accumulate);
        for (std::size_t o = 0; o < outer; ++o) r::put(out[o], r::sum_simd<Arch>(x + o * axis, axis), accumulate);
    } else {
        for (std::size_t o = 0; o < outer; ++o)
            for (std::size_t i = 0; i < inner; ++i)
                r::put(out[o * inner + i], r::sum_portable(x + o * axis * inner + i, axis, inner), accumulate);
    }
}

template <class T, class Arch = default_arch>
void max_axis(const T* x, std::size_t outer, std::size_t axis, std::size_t inner, T* out, bool accumulate) noexcept {
    namespace r = detail::reduction;
    if constexpr (simd_path<T, Arch>) {
        if (inner > 1) return r::extreme_axis_simd<Arch, true>(x, outer, axis, inner, out, accumulate);
        for (std::size_t o = 0; o < outer; ++o)
            r::put(out[o], r::extreme_simd<Arch, true, true>(x + o * axis, axis), accumulate);
    } else {
        for (std::size_t o = 0; o < outer; ++o)
            for (std::size_t i = 0; i < inner; ++i)
                r::put(out[o * inner + i], r::extreme_tied_portable<true>(x + o * axis * inner + i, axis, inner),
                       accumulate);
    }
}

template <class T, class Arch = default_arch>
void min_axis(const T* x, std::size_t outer, std::size_t axis, std::size_t inner, T* out, bool accumulate) noexcept {
    namespace r = detail::reduction;
    if constexpr (simd_path<T, Arch>) {
        if (inner > 1) return r::extreme_axis_simd<Arch, false>(x, outer, axis, inner, out, accumulate);
        for (std::size_t o = 0; o < outer; ++o)
            r::put(out[o], r::extreme_simd<Arch, false, true>(x + o * axis, axis), accumulate);
    } else {
        for (std::size_t o = 0; o < outer; ++o)
            for (std::size_t i = 0; i < inner; ++i)
                r::put(out[o * inner + i], r::extreme_tied_portable<false>(x + o * axis * inner + i, axis, inner),
                       accumulate);
    }
}

template <class T, class Arch = default_arch>
void logsumexp_axis(const T* x, std::size_t outer, std::size_t axis, std::size_t inner, T* out,
                    bool accumulate) noexcept {
    namespace r = detail::reduction;
    if constexpr (simd_path<T, Arch>) {
        if (inner > 1) return r::logsumexp_axis_simd<Arch>(x, outer, axis, inner, out, accumulate);
        for (std::size_t o = 0; o < outer; ++o) r::put(out[o], r::logsumexp_simd<Arch>(x + o * axis, axis), accumulate);
    } else {
        for (std::size_t o = 0; o < outer; ++o)
            for (std::size_t i = 0; i < inner; ++i)
                r::put(out[o * inner + i], r::logsumexp_portable(x + o * axis * inner + i, axis, inner), accumulate);
    }
}

template <class T, class Arch = default_arch>
void max_vjp(const T* x, std::size_t n, std::type_identity_t<T> y, std::type_identity_t<T> g, T* dx,
             bool accumulate) noexcept {
    if constexpr (simd_path<T, Arch>)
        detail::reduction::extreme_vjp_simd<Arch>(x, n, y, g, dx, accumulate);
    else
        detail::reduction::extreme_vjp_portable(x, n, 1, y, g, dx, accumulate);
}

// The rule is the same as max_vjp's: the elements equal to the result share g.
template <class T, class Arch = default_arch>
void min_vjp(const T* x, std::size_t n, std::type_identity_t<T> y, std::type_identity_t<T> g, T* dx,
             bool accumulate) noexcept {
    max_vjp<T, Arch>(x, n, y, g, dx, accumulate);
}

template <class T, class Arch = default_arch>
void max_axis_vjp(const T* x, std::size_t outer, std::size_t axis, std::size_t inner, const T* y, const T* g, T* dx,
                  bool accumulate) noexcept {
    namespace r = detail::reduction;
    if constexpr (simd_path<T, Arch>) {
        if (inner > 1) return r::extreme_axis_vjp_simd<Arch>(x, outer, axis, inner, y, g, dx, accumulate);
        for (std::size_t o = 0; o < outer; ++o)
            r::extreme_vjp_simd<Arch>(x + o * axis, axis, y[o], g[o], dx + o * axis, accumulate);
    } else {
        for (std::size_t o = 0; o < outer; ++o)
            for (std::size_t i = 0; i < inner; ++i) {
                const std::size_t base = o * axis * inner + i;
                r::extreme_vjp_portable(x + base, axis, inner, y[o * inner + i], g[o * inner + i], dx + base,
                                        accumulate);
            }
    }
}

template <class T, class Arch = default_arch>
void min_axis_vjp(const T* x, std::size_t outer, std::size_t axis, std::size_t inner, const T* y, const T* g, T* dx,
                  bool accumulate) noexcept {
    max_axis_vjp<T, Arch>(x, outer, axis, inner, y, g, dx, accumulate);
}

template <class T, class Arch = default_arch>
void logsumexp_vjp(const T* x, std::size_t n, std::type_identity_t<T> y, std::type_identity_t<T> g, T* dx,
                   bool accumulate) noexcept {
    if constexpr (simd_path<T, Arch>)
        detail::reduction::logsumexp_vjp_simd<Arch>(x, n, y, g, dx, accumulate);
    else
        detail::reduction::logsumexp_vjp_portable(x, n, 1, y, g, dx, accumulate);
}

template <class T, class Arch = default_arch>
void logsumexp_axis_vjp(const T* x, std::size_t outer, std::size_t axis, std::size_t inner, const T* y, const T* g,
                        T* dx, bool accumulate) noexcept {
    namespace r = detail::reduction;
    if constexpr (simd_path<T, Arch>) {
        if (inner > 1) return r::logsumexp_axis_vjp_simd<Arch>(x, outer, axis, inner, y, g, dx, accumulate);
        for (std::size_t o = 0; o < outer; ++o)
            r::logsumexp_vjp_simd<Arch>(x + o * axis, axis, y[o], g[o], dx + o * axis, accumulate);
    } else {
        for (std::size_t o = 0; o < outer; ++o)
            for (std::size_t i = 0; i < inner; ++i) {
                const std::size_t base = o * axis * inner + i;
                r::logsumexp_vjp_portable(x + base, axis, inner, y[o * inner + i], g[o * inner + i], dx + base,
                                          accumulate);
            }
    }
}

// out[c] = Σ_r g[r, c] (g is [rows, cols]).
template <class T, class Arch = default_arch>
void sum_rows(const T* g, std::size_t rows, std::size_t cols, T* out, bool accumulate) noexcept {
    sum_axis<T, Arch>(g, 1, rows, cols, out, accumulate);
}

}  // namespace leibniz::kernels

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
