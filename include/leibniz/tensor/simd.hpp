#pragma once
// The few SIMD operations the tensor sweeps need, on xsimd batches for float
// and double and on plain numbers for every other scalar type (dual numbers)
// and for loop tails — so one loop body serves both. xsimd picks the
// instruction set the consumer compiles for (xsimd::default_arch); nothing
// here forces architecture flags.

#include <leibniz/core/expr.hpp>

// GCC 12 reports -W(maybe-)uninitialized inside its own AVX-512 intrinsic
// headers once xsimd's exp/log are inlined (a known false positive: the
// intrinsics pass _mm512_undefined_* through masked operations). GCC tracks
// diagnostic pragmas by source location, so including xsimd — and with it the
// intrinsic headers — inside this region silences exactly those lines.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <xsimd/xsimd.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <leibniz/tensor/kernels/arch.hpp>

#include <cstddef>
#include <type_traits>

namespace leibniz {

template <class T, class A>
struct base_scalar<xsimd::batch<T, A>> {
    using type = T;
};

namespace simd {

// Whether loops over T run on xsimd batches: the kernels' own trait
// (kernels::simd_path — float and double, when the target has registers for
// them), so the fused loops and the kernels take the same path for every T.
template <class T>
inline constexpr bool enabled = kernels::simd_path<T, kernels::default_arch>;

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

template <class T>
T reduce_add(const T& value) {
    return value;
}
template <class T, class A>
T reduce_add(const xsimd::batch<T, A>& value) {
    return xsimd::hadd(value);
}

}  // namespace simd
}  // namespace leibniz
