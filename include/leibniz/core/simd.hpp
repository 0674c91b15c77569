#pragma once
// The engine's glue to the kernels' SIMD vocabulary (kernels/simd.hpp): what
// an expression's rules need to run on xsimd batches inside the fused loops.
// xsimd picks the instruction set the consumer compiles for
// (xsimd::default_arch); nothing here forces architecture flags.

#include <leibniz/core/expr.hpp>
#include <leibniz/kernels/simd.hpp>  // includes xsimd inside its warning guard (see there)

#include <type_traits>

namespace leibniz {

// A batch's element type, for the rules that build constants from it.
template <class T, class A>
struct base_scalar<xsimd::batch<T, A>> {
    using type = T;
};

// The ops' e^x on batches of float and double is the kernels' exp (see
// detail::batch_exp in core/expr.hpp): exp, sigmoid, softplus and expm1's
// rules in the fused loops run on it.
template <class T, class A>
    requires std::is_same_v<T, float> || std::is_same_v<T, double>
struct detail::batch_exp<xsimd::batch<T, A>> {
    static constexpr bool available = true;
    static xsimd::batch<T, A> apply(const xsimd::batch<T, A>& a) { return kernels::simd::exp<A>(a); }
};


}  // namespace leibniz
