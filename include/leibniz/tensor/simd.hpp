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

#include <leibniz/ops/exp.hpp>
#include <leibniz/tensor/kernels/arch.hpp>
#include <leibniz/tensor/kernels/simd.hpp>

#include <cstddef>
#include <type_traits>

namespace leibniz {

template <class T, class A>
struct base_scalar<xsimd::batch<T, A>> {
    using type = T;
};

// The ops' e^x on batches of float and double is the kernels' exp (see
// detail::batch_exp in ops/exp.hpp): exp, sigmoid, softplus and expm1's rules
// in the fused loops run on it.
template <class T, class A>
    requires std::is_same_v<T, float> || std::is_same_v<T, double>
struct detail::batch_exp<xsimd::batch<T, A>> {
    static constexpr bool available = true;
    static xsimd::batch<T, A> apply(const xsimd::batch<T, A>& a) { return kernels::vec::exp<A>(a); }
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
