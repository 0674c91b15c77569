#pragma once
// SIMD building blocks of the reduction and softmax kernels (reduce.hpp,
// softmax.hpp), and the streaming copy kernels::copy.
//
//   simd::exp(b)                  e^x on a batch of float or double: ≤ 1.05 ulp
//                                with FMA, ≤ 1.34 ulp without (SSE2), measured
//                                over the whole range; ±inf, NaN, overflow to
//                                +inf and gradual underflow as std::exp.
//   simd::load_partial(p, k, f)   the first k lanes from p[0..k), the others f;
//                                never touches p[k..]. (k < lanes)
//   simd::store_partial(p, k, b)  the first k lanes of b to p[0..k); never
//                                touches p[k..].
//   simd::reduce_max(b), simd::reduce_min(b), simd::reduce_add(b)   over the lanes.
//   copy(y, x, n)                y[0..n) = x[0..n) (destination first, as every kernel).
//
// Architecture dispatch (STYLE: "Kernels dispatch on architecture tags"):
// each helper is a template over the xsimd architecture tag and picks an
// implementation by overloading on `requires_arch<...>`: AVX-512 has masked
// loads and stores (partial vectors in one instruction) and `vscalefps`
// (p·2^k with overflow and denormals handled by the hardware); every other
// instruction set (SSE2 ... AVX2, NEON) takes the `xsimd::generic` overload
// built from plain xsimd operations. The AVX-512 intrinsics are called with
// arguments whose types depend on the template parameters, so a build for
// another instruction set never looks them up.
//
// Why a hand-written exp instead of xsimd::exp: softmax and log-sum-exp spend
// nearly all their arithmetic in exp, and the ops' exp on batches (exp,
// sigmoid, softplus in the fused loops: ops/exp.hpp's detail::exp_of) is this
// one too. xsimd 8.1's float exp takes ~20 vector
// operations (ldexp through an integer conversion, two range selects, and a
// multiply-add pair where AVX-512 has no fused kernel in xsimd); this one takes
// 13 on AVX-512: a clamp (2), the reduction k = round(x·log2 e) by a shifter
// FMA (2), r = x − k·ln 2 in two FMAs (Cody-Waite), a degree-6 minimax
// polynomial in Horner form (6 FMAs) and vscalefps (p·2^k, overflow and
// denormals by the hardware). bench/reduce_bench measures both ("floor" rows);
// test/reduce_softmax_test.cpp checks ≤ 2 ulp over the whole range on every
// instruction set. The double version also avoids xsimd's division.

// GCC 12 reports -Wuninitialized / -Wmaybe-uninitialized inside its own
// AVX-512 intrinsic headers (`__m512 __Y = __Y;` in _mm512_undefined_*,
// passed through by _mm512_max_ps, _mm512_srai_epi64, the reductions ...) once
// they are inlined into a kernel: a known false positive. GCC attributes the
// diagnostic to the intrinsic header's line, so including xsimd (and with it
// the intrinsic headers) first, inside this region, silences exactly those
// lines. Same as <leibniz/core/simd.hpp>.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <xsimd/xsimd.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <leibniz/kernels/arch.hpp>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <type_traits>

// The same false positive, attributed to the kernels below once the
// intrinsic headers were included elsewhere first (e.g. through arch.hpp).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace leibniz::kernels {

namespace simd {

template <class T, class Arch>
using batch = xsimd::batch<T, Arch>;

// n rounded down to a multiple of m. Loops run `for (i < round_down(n, m))`
// rather than `for (n - i >= m)`: g++ cannot bound the latter's trip count
// and warns (-Waggressive-loop-optimizations) once n is a known constant.
constexpr std::size_t round_down(std::size_t n, std::size_t m) noexcept { return n - n % m; }

// ------------------------------------------------------------ exp constants

template <class T>
struct exp_constants;

// Coefficients: minimax (relative error) polynomials for e^r on
// [-ln2/2, ln2/2], computed by a Remez exchange in 50-digit arithmetic
// (mpmath); the constant and linear coefficients round to exactly 1.
template <>
struct exp_constants<float> {
    // Inputs are clamped to [lo, hi] first: e^lo rounds to 0, e^hi to +inf,
    // and NaN passes through the clamp.
    static constexpr float lo = -104.0f;
    static constexpr float hi = 89.0f;
    static constexpr float log2e = 1.44269504088896341f;
    // ln 2 = ln2_hi + ln2_lo, ln2_hi with 15 significant bits: k·ln2_hi and
    // x − k·ln2_hi are exact without FMA (SSE2) for every k in range (fdlibm).
    static constexpr float ln2_hi = 6.9314575195e-01f;
    static constexpr float ln2_lo = 1.4286067653e-06f;
    static constexpr float shifter = 12582912.0f;  // 1.5·2^23: t + shifter rounds t to an integer
    static constexpr int mantissa_bits = 23;
    static constexpr std::int32_t one_bits = 0x3F800000;  // the bits of 1.0f
    static constexpr float poly[] = {0.00138368440344533964924763f,
                                     0.008374815815593165424739494f,
                                     0.04166822563036630810018503f,
                                     0.1666642017089362550910734f,
                                     0.4999999207936424938700288f,
                                     1.0f,
                                     1.0f};  // c6 ... c0, max relative error 1.9e-9
};

template <>
struct exp_constants<double> {
    static constexpr double lo = -746.0;
    static constexpr double hi = 710.0;
    static constexpr double log2e = 1.4426950408889634074;
    static constexpr double ln2_hi = 6.93147180369123816490e-01;  // 32 significant bits (fdlibm)
    static constexpr double ln2_lo = 1.90821492927058770002e-10;
    static constexpr double shifter = 6755399441055744.0;  // 1.5·2^52
    static constexpr int mantissa_bits = 52;
    static constexpr std::int64_t one_bits = 0x3FF0000000000000;  // the bits of 1.0
    static constexpr double poly[] = {2.499588395474794573606783e-8,
                                      2.763245673168173868079772e-7,
                                      2.755761779687783632270546e-6,
                                      2.480148603143007751125154e-5,
                                      1.984126943764292262894099e-4,
                                      1.388888895173786077370871e-3,
                                      8.333333333557150166980815e-3,
                                      4.166666666649056924813909e-2,
                                      1.666666666666617182441284e-1,
                                      5.000000000000018014337713e-1,
                                      1.0,
                                      1.0};  // c11 ... c0, max relative error 3.1e-18
};

// p·2^k for integral-valued k with |k| ≤ 2·(max exponent): two
// multiplications by powers of two assembled in the exponent bits, so that
// results in the overflow and denormal ranges round as one multiplication by
// 2^k would.
template <class Arch, class T>
LEIBNIZ_ALWAYS_INLINE inline batch<T, Arch> scale_pow2(const batch<T, Arch>& p, const batch<T, Arch>& k, requires_arch<xsimd::generic>) noexcept {
    using B = batch<T, Arch>;
    using c = exp_constants<T>;
    using I = batch<xsimd::as_integer_t<T>, Arch>;
    const B shifter(c::shifter);
    const B t1 = detail::fma(k, B(T(0.5)), shifter);  // k1 + shifter, k1 = round(k / 2)
    const B t2 = (k - (t1 - shifter)) + shifter;      // k2 + shifter, k2 = k − k1
    // The low bits of t + shifter hold the integer: shifted into the exponent
    // field they give k·2^mantissa_bits (mod 2^bits); adding 1.0's bits biases it.
    const B s1 = xsimd::bitwise_cast<B>((xsimd::bitwise_cast<I>(t1) << c::mantissa_bits) + I(c::one_bits));
    const B s2 = xsimd::bitwise_cast<B>((xsimd::bitwise_cast<I>(t2) << c::mantissa_bits) + I(c::one_bits));
    return (p * s1) * s2;
}

// AVX-512: vscalefps / vscalefpd computes p·2^floor(k) in one instruction.
template <class Arch, class T>
LEIBNIZ_ALWAYS_INLINE inline batch<T, Arch> scale_pow2(const batch<T, Arch>& p, const batch<T, Arch>& k, requires_arch<xsimd::avx512f>) noexcept {
    if constexpr (std::is_same_v<T, float>)
        return _mm512_scalef_ps(p, k);
    else
        return _mm512_scalef_pd(p, k);
}

// e^x, lane by lane. Always inlined: the fused loops' bodies are flattened
// only when they are their own function, and an exp left out of line costs
// a call per vector.
template <class Arch, class T>
LEIBNIZ_ALWAYS_INLINE inline batch<T, Arch> exp(batch<T, Arch> x) noexcept {
    using B = batch<T, Arch>;
    using c = exp_constants<T>;
    // Clamp with the constant first: x86's max/min return the second operand
    // when either is NaN, so NaN survives the clamp (on ARM both propagate NaN).
    x = xsimd::min(B(c::hi), xsimd::max(B(c::lo), x));
    const B shifter(c::shifter);
    const B t = detail::fma(x, B(c::log2e), shifter);  // round(x·log2 e) + shifter
    const B k = t - shifter;
    B r = detail::fma(k, B(-c::ln2_hi), x);  // r = x − k·ln 2, |r| ≤ ln2/2
    r = detail::fma(k, B(-c::ln2_lo), r);
    B p(c::poly[0]);
    detail::static_for<std::size(c::poly) - 1>([&](auto i) { p = detail::fma(p, r, B(c::poly[i + 1])); });
    return scale_pow2<Arch>(p, k, Arch{});
}

// ln x for float lanes holding positive normal numbers (a row's Σ exp, ≥ 1,
// in the cross-entropy kernel); NaN and +inf pass through. Cephes' logf:
// x = m·2^e with m in [√½, √2), then a degree-8 polynomial in m − 1; about
// 1 ulp. (xsimd::log is avoided: it trips g++ 12's false -Wuninitialized.)
template <class Arch>
LEIBNIZ_ALWAYS_INLINE inline batch<float, Arch> log_positive(batch<float, Arch> x) noexcept {
    using B = batch<float, Arch>;
    using I = batch<std::int32_t, Arch>;
    static constexpr float poly[] = {7.0376836292e-2f,  -1.1514610310e-1f, 1.1676998740e-1f,
                                     -1.2420140846e-1f, 1.4249322787e-1f,  -1.6668057665e-1f,
                                     2.0000714765e-1f,  -2.4999993993e-1f, 3.3333331174e-1f};
    const I bits = xsimd::bitwise_cast<I>(x);
    B e = xsimd::to_float((bits >> 23) - I(126));                                   // x = m·2^e
    B m = xsimd::bitwise_cast<B>((bits & I(0x007fffff)) | I(0x3f000000));           // m in [½, 1)
    const auto low = m < B(0.707106781186547524f);
    e = xsimd::select(low, e - B(1.0f), e);
    m = xsimd::select(low, m + m, m) - B(1.0f);                                     // m − 1 in [√½ − 1, √2 − 1)
    const B z = m * m;
    B p(poly[0]);
    detail::static_for<std::size(poly) - 1>([&](auto i) { p = detail::fma(p, m, B(poly[i + 1])); });
    B y = p * m * z;
    y = detail::fma(e, B(-2.12194440e-4f), y);
    y = detail::fma(z, B(-0.5f), y);
    const B r = detail::fma(e, B(0.693359375f), m + y);  // ln 2 = 0.693359375 − 2.12194440e-4
    return xsimd::select(x < B(std::numeric_limits<float>::infinity()), r, x);  // NaN and +inf as they are
}

// ------------------------------------------------------------ partial vectors

// 0, 1, 2, … in the lanes of a batch.
template <class Arch, class T>
batch<T, Arch> lane_index() noexcept {
    static constexpr T indices[64] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                                      16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
                                      32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
                                      48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63};
    static_assert(batch<T, Arch>::size <= 64);
    return batch<T, Arch>::load_unaligned(indices);
}

// The low `count` bits set, as the mask register type of batch_bool<T, Arch>.
template <class T, class Arch>
auto low_lanes_mask(std::size_t count) noexcept {
    using mask = typename xsimd::batch_bool<T, Arch>::register_type;
    return static_cast<mask>((std::uint64_t{1} << count) - 1u);
}

template <class Arch, class T>
batch<T, Arch> load_partial(const T* p, std::size_t count, T fill, requires_arch<xsimd::generic>) noexcept {
    constexpr std::size_t W = batch<T, Arch>::size;
    alignas(64) T buffer[W];
    for (std::size_t i = 0; i < W; ++i) buffer[i] = i < count ? p[i] : fill;
    return batch<T, Arch>::load_aligned(buffer);
}

template <class Arch, class T>
batch<T, Arch> load_partial(const T* p, std::size_t count, T fill, requires_arch<xsimd::avx512f>) noexcept {
    const batch<T, Arch> f(fill);
    if constexpr (std::is_same_v<T, float>)
        return _mm512_mask_loadu_ps(f, low_lanes_mask<T, Arch>(count), p);
    else
        return _mm512_mask_loadu_pd(f, low_lanes_mask<T, Arch>(count), p);
}

template <class Arch, class T>
void store_partial(T* p, std::size_t count, const batch<T, Arch>& v, requires_arch<xsimd::generic>) noexcept {
    constexpr std::size_t W = batch<T, Arch>::size;
    alignas(64) T buffer[W];
    v.store_aligned(buffer);
    for (std::size_t i = 0; i < count; ++i) p[i] = buffer[i];
}

template <class Arch, class T>
void store_partial(T* p, std::size_t count, const batch<T, Arch>& v, requires_arch<xsimd::avx512f>) noexcept {
    if constexpr (std::is_same_v<T, float>)
        _mm512_mask_storeu_ps(p, low_lanes_mask<T, Arch>(count), v);
    else
        _mm512_mask_storeu_pd(p, low_lanes_mask<T, Arch>(count), v);
}

// The entry points: the overload for Arch.
template <class Arch, class T>
batch<T, Arch> load_partial(const T* p, std::size_t count, T fill) noexcept {
    return load_partial<Arch>(p, count, fill, Arch{});
}
template <class Arch, class T>
void store_partial(T* p, std::size_t count, const batch<T, Arch>& v) noexcept {
    store_partial<Arch>(p, count, v, Arch{});
}

// A full vector (Partial = false, count ignored) or the first `count` lanes
// (Partial = true): lets one loop body serve the main part and the tail.
template <class Arch, bool Partial, class T>
batch<T, Arch> load(const T* p, std::size_t count, T fill) noexcept {
    if constexpr (Partial)
        return load_partial<Arch>(p, count, fill);
    else
        return batch<T, Arch>::load_unaligned(p);
}
template <class Arch, bool Partial, class T>
void store(T* p, std::size_t count, const batch<T, Arch>& v) noexcept {
    if constexpr (Partial)
        store_partial<Arch>(p, count, v);
    else
        v.store_unaligned(p);
}

// Walks the columns [0, inner) of a row in blocks: f(i, V, Partial, count)
// for blocks of V = 4 full vectors, then V = 1 full vectors, then at most one
// partial vector of `count` lanes. V and Partial are std::integral_constants.
template <class T, class Arch, class F>
void for_each_column_block(std::size_t inner, F&& f) {
    constexpr std::size_t W = batch<T, Arch>::size;
    std::size_t i = 0;
    for (const std::size_t end = simd::round_down(inner, 4 * W); i < end; i += 4 * W)
        f(i, std::integral_constant<std::size_t, 4>{}, std::false_type{}, W);
    for (const std::size_t end = simd::round_down(inner, W); i < end; i += W)
        f(i, std::integral_constant<std::size_t, 1>{}, std::false_type{}, W);
    if (i < inner) f(i, std::integral_constant<std::size_t, 1>{}, std::true_type{}, inner - i);
}

// ------------------------------------------------------------ horizontal reductions

template <class T, class Arch>
T reduce_add(const batch<T, Arch>& v) noexcept {
    return xsimd::hadd(v);
}

// Largest lane (NaN lanes are skipped unless lane 0 is NaN; the kernels track
// NaN separately where it matters).
template <class T, class Arch>
T reduce_max(const batch<T, Arch>& v) noexcept {
    alignas(64) T lanes[batch<T, Arch>::size];
    v.store_aligned(lanes);
    T m = lanes[0];
    for (T e : lanes) m = e > m ? e : m;
    return m;
}

template <class T, class Arch>
T reduce_min(const batch<T, Arch>& v) noexcept {
    alignas(64) T lanes[batch<T, Arch>::size];
    v.store_aligned(lanes);
    T m = lanes[0];
    for (T e : lanes) m = e < m ? e : m;
    return m;
}

// ------------------------------------------------------------ loop vocabulary
// What a loop written once for every scalar type needs: xsimd batches for
// float and double (when the target has registers for them), plain numbers for
// every other type (dual numbers) and for loop tails. The engine's fused loops
// and the elementwise kernels are written with these.

// Whether loops over T run on xsimd batches: the kernels' own trait, so the
// fused loops and the kernels take the same path for every T.
template <class T>
inline constexpr bool enabled = simd_path<T, default_arch>;

// The batch a loop over T runs on: an xsimd batch, or T itself.
template <class T>
using batch_for = std::conditional_t<enabled<T>, xsimd::batch<T>, T>;

template <class B>
inline constexpr std::size_t width = 1;
template <class T, class A>
inline constexpr std::size_t width<xsimd::batch<T, A>> = xsimd::batch<T, A>::size;

template <class B, class T>
B load(const T* p) {
    if constexpr (std::is_same_v<B, T>)
        return *p;
    else
        return B::load_unaligned(p);
}

template <class B, class T>
B broadcast(const T& value) {
    return B(value);
}

template <class T>
void store(T* p, const T& value) {
    *p = value;
}
template <class T, class A>
void store(T* p, const xsimd::batch<T, A>& value) {
    value.store_unaligned(p);
}

// A plain number is its own sum over lanes (the batch overload is above).
template <class T>
T reduce_add(const T& value) {
    return value;
}

}  // namespace simd

// ------------------------------------------------------------ copy

// y[0..n) = x[0..n), destination first like every kernel. The ranges must not overlap. A plain streaming copy:
// four vectors in flight per iteration, ordinary (cache-allocating) stores,
// since the copy is usually read again soon; the benchmark baseline of the
// reductions (bench/reduce_bench.cpp).
template <class T, class Arch = default_arch>
void copy(T* y, const T* x, std::size_t n) noexcept {
    if constexpr (simd_path<T, Arch>) {
        using B = simd::batch<T, Arch>;
        constexpr std::size_t W = B::size;
        std::size_t i = 0;
        for (const std::size_t end = simd::round_down(n, 4 * W); i < end; i += 4 * W) {
            const B a = B::load_unaligned(x + i);
            const B b = B::load_unaligned(x + i + W);
            const B c = B::load_unaligned(x + i + 2 * W);
            const B d = B::load_unaligned(x + i + 3 * W);
            a.store_unaligned(y + i);
            b.store_unaligned(y + i + W);
            c.store_unaligned(y + i + 2 * W);
            d.store_unaligned(y + i + 3 * W);
        }
        for (const std::size_t end = simd::round_down(n, W); i < end; i += W)
            B::load_unaligned(x + i).store_unaligned(y + i);
        if (i < n) simd::store_partial<Arch>(y + i, n - i, simd::load_partial<Arch>(x + i, n - i, T(0)));
    } else {
        for (std::size_t i = 0; i < n; ++i) y[i] = x[i];
    }
}

}  // namespace leibniz::kernels

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
