#pragma once
// Architecture-tag plumbing shared by the kernels in tensor/kernels/.
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

#include <cstddef>
#include <type_traits>
#include <utility>

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

namespace detail {

// static_for<N>(f): f(std::integral_constant<std::size_t, 0>{}), ..., f(<N-1>).
// Guarantees the unrolling that register-blocked kernels depend on (a plain
// loop over a constant bound is unrolled at -O3 but not always at -O2), and
// gives every step a compile-time index so arrays of batches stay in registers.
template <std::size_t N, class F>
constexpr void static_for(F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (f(std::integral_constant<std::size_t, I>{}), ...);
    }(std::make_index_sequence<N>{});
}

}  // namespace detail

}  // namespace leibniz::kernels
