#pragma once
// Architecture-tag plumbing shared by the kernels in kernels/.
//
// Kernels follow xsimd's own pattern: the instruction set is a *type*
// (xsimd::sse2, xsimd::avx2, xsimd::avx512bw, ...), the architectures derive
// from each other (avx512bw -> ... -> avx512f -> generic, avx2 -> avx ->
// generic, sse4_2 -> ... -> sse2 -> generic), and an arch-specific choice is an
// overload taking `requires_arch<X>`: overload resolution picks the most
// derived base of the tag passed in. There is no #ifdef in a kernel: which tag
// is passed is decided by the compiler flags of the *consumer* through
// xsimd::default_arch (SSE2 only without -march on x86-64; AVX-512 with
// -march=native on Zen 4).
//
// Every kernel has a portable path: scalar types without a SIMD register
// (lz::dual<T, N>, long double, ...) and builds where xsimd found no
// instruction set (default_arch is xsimd::unavailable) take plain loops.

#include <xsimd/xsimd.hpp>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

// Forces inlining of the small lambdas and helpers a register-blocked kernel
// is built from: one k-step that is *called* rather than inlined keeps its
// accumulators in memory, and g++ does not inline a lambda called several
// times. Put after a lambda's parameter list or before a function's return
// type. (GCC and Clang spelling; other compilers decide for themselves.)
//
// LEIBNIZ_FLATTEN on a kernel function inlines every call in it, xsimd's own
// functions included: g++ -O2 leaves xsimd::swizzle and xsimd::select as calls
// inside a large unrolled body otherwise.
// (Defined once, in config.hpp, which the sweeps use for the same reason.)
#include <leibniz/config.hpp>

// Kernel headers put their code between LEIBNIZ_KERNELS_BEGIN and
// LEIBNIZ_KERNELS_END. g++ 12 reports -Wuninitialized / -Wmaybe-uninitialized
// on the `_mm512_undefined_*()` pass-through operand of AVX-512 intrinsics
// (permutexvar, extractf64x4, ...) once xsimd's swizzle or hadd is inlined
// into a kernel: a false positive that -Werror turns into a build failure.
// The pragmas change no generated code.
#if defined(__GNUC__) && !defined(__clang__)
#define LEIBNIZ_KERNELS_BEGIN                                 \
    _Pragma("GCC diagnostic push")                            \
    _Pragma("GCC diagnostic ignored \"-Wuninitialized\"")     \
    _Pragma("GCC diagnostic ignored \"-Wmaybe-uninitialized\"")  \
    _Pragma("GCC diagnostic ignored \"-Waggressive-loop-optimizations\"")
#define LEIBNIZ_KERNELS_END _Pragma("GCC diagnostic pop")
#else
#define LEIBNIZ_KERNELS_BEGIN
#define LEIBNIZ_KERNELS_END
#endif

LEIBNIZ_KERNELS_BEGIN
namespace leibniz::kernels {

// The instruction set a kernel uses unless told otherwise: the best one the
// translation unit is compiled for.
using default_arch = xsimd::default_arch;

// An overload parameter selecting an architecture and everything derived from
// it (xsimd's idiom): `f(requires_arch<xsimd::avx512f>)` is taken for avx512f,
// avx512cd, avx512dq and avx512bw; `f(requires_arch<xsimd::generic>)` for all.
template <class Arch>
using requires_arch = xsimd::kernel::requires_arch<Arch>;

// Whether the kernels take their SIMD path for scalar type T on architecture
// Arch: T is float or double and Arch is an instruction set this translation
// unit can use and that has registers for T.
template <class T, class Arch>
inline constexpr bool simd_path =
    (std::is_same_v<T, float> || std::is_same_v<T, double>)&&Arch::supported() &&
    xsimd::types::has_simd_register<T, Arch>::value;

// Lanes of one SIMD register of T on Arch (1 on the portable path).
template <class T, class Arch>
inline constexpr std::size_t simd_width = [] {
    if constexpr (simd_path<T, Arch>)
        return xsimd::batch<T, Arch>::size;
    else
        return std::size_t{1};
}();

// Whether xsimd 8.1 implements swizzle (a compile-time permutation of the
// lanes) of float and double batches on Arch: on x86 from SSE2 up (xsimd::avx
// and xsimd::avx512f do not derive from xsimd::sse2, hence three overloads);
// not on NEON, which takes the scalar paths that need no permutation.
constexpr bool has_swizzle(requires_arch<xsimd::generic>) noexcept { return false; }
constexpr bool has_swizzle(requires_arch<xsimd::sse2>) noexcept { return true; }
constexpr bool has_swizzle(requires_arch<xsimd::avx>) noexcept { return true; }
constexpr bool has_swizzle(requires_arch<xsimd::avx512f>) noexcept { return true; }

namespace detail {

// a·b + c in one rounding where the instruction set has FMA: the multiply-add
// every kernel should call instead of xsimd::fma. xsimd 8.1's xsimd::fma fuses
// on the fma3 and NEON architectures but has no AVX-512 kernel: it falls back
// to a multiply and an add, which g++ contracts again but clang does not (half
// the FMA throughput). The avx512f overloads fill that gap; they exist only
// when the translation unit is compiled for AVX-512, like xsimd's own arch
// kernels.
template <class T, class Arch>
LEIBNIZ_ALWAYS_INLINE inline xsimd::batch<T, Arch> fma(const xsimd::batch<T, Arch>& a, const xsimd::batch<T, Arch>& b,
                                                       const xsimd::batch<T, Arch>& c,
                                                       requires_arch<xsimd::generic>) noexcept {
    return xsimd::fma(a, b, c);
}
#if XSIMD_WITH_AVX512F
template <class Arch>
LEIBNIZ_ALWAYS_INLINE inline xsimd::batch<float, Arch> fma(const xsimd::batch<float, Arch>& a,
                                                           const xsimd::batch<float, Arch>& b,
                                                           const xsimd::batch<float, Arch>& c,
                                                           requires_arch<xsimd::avx512f>) noexcept {
    return _mm512_fmadd_ps(a, b, c);
}
template <class Arch>
LEIBNIZ_ALWAYS_INLINE inline xsimd::batch<double, Arch> fma(const xsimd::batch<double, Arch>& a,
                                                            const xsimd::batch<double, Arch>& b,
                                                            const xsimd::batch<double, Arch>& c,
                                                            requires_arch<xsimd::avx512f>) noexcept {
    return _mm512_fmadd_pd(a, b, c);
}
#endif
template <class T, class Arch>
LEIBNIZ_ALWAYS_INLINE inline xsimd::batch<T, Arch> fma(const xsimd::batch<T, Arch>& a, const xsimd::batch<T, Arch>& b,
                                                       const xsimd::batch<T, Arch>& c) noexcept {
    return fma(a, b, c, Arch{});
}

// static_for<N>(f): f(std::integral_constant<std::size_t, 0>{}), ..., f(<N-1>).
// Guarantees the unrolling that register-blocked kernels depend on (a plain
// loop over a constant bound is unrolled at -O3 but not always at -O2), and
// gives every step a compile-time index so arrays of batches stay in registers.
template <std::size_t N, class F>
LEIBNIZ_ALWAYS_INLINE constexpr void static_for(F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) LEIBNIZ_ALWAYS_INLINE {
        (f(std::integral_constant<std::size_t, I>{}), ...);
    }(std::make_index_sequence<N>{});
}

// transpose(rows): the W×W block held in W batches of W lanes (row i in
// rows[i]) becomes its transpose, in place. log2(W) stages; stage h swaps
// element (i, c) with (i^h, c^h) wherever bit h of i and bit h of c differ —
// the stages commute and together swap every (i, c) with (c, i). Each stage is
// W swizzles by the lane pattern c^h and W selects on bit h of c.
// Requires has_swizzle(Arch{}). Flattened, so xsimd's swizzle is inlined here
// (inside LEIBNIZ_KERNELS_BEGIN/END) even when the caller is not.
template <class T, class Arch, std::size_t W>
LEIBNIZ_FLATTEN inline void transpose(xsimd::batch<T, Arch> (&rows)[W]) noexcept {
    static_assert(W == xsimd::batch<T, Arch>::size, "leibniz::kernels::detail::transpose: one row per lane");
    using index = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
    using index_batch = xsimd::batch<index, Arch>;
    static_for<std::bit_width(W) - 1>([&](auto level) LEIBNIZ_ALWAYS_INLINE {
        constexpr std::size_t h = std::size_t{1} << level;
        const auto flip = []<std::size_t... C>(std::index_sequence<C...>) {
            return xsimd::batch_constant<index_batch, static_cast<index>(C ^ h)...>{};
        }(std::make_index_sequence<W>{});
        const auto high = []<std::size_t... C>(std::index_sequence<C...>) {
            return xsimd::batch_bool<T, Arch>{((C & h) != 0)...};
        }(std::make_index_sequence<W>{});
        static_for<W>([&](auto i) LEIBNIZ_ALWAYS_INLINE {
            if constexpr ((i & h) == 0) {
                const auto lo = rows[i], hi = rows[i + h];
                rows[i] = xsimd::select(high, xsimd::swizzle(hi, flip), lo);
                rows[i + h] = xsimd::select(high, hi, xsimd::swizzle(lo, flip));
            }
        });
    });
}

}  // namespace detail

}  // namespace leibniz::kernels
LEIBNIZ_KERNELS_END
