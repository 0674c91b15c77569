#pragma once
// erf(a) = 2/√π ∫₀ᵃ exp(−s²) ds.  d/da = 2/√π·exp(−a²). (On SIMD batches
// xsimd::erf; gelu's rules use it.)

#include <leibniz/ops/exp.hpp>
#include <leibniz/ops/mul.hpp>
#include <leibniz/ops/neg.hpp>
#include <leibniz/ops/op.hpp>

#include <cmath>

namespace leibniz {

struct erf_op {
    static constexpr std::string_view name = "erf";
    static constexpr std::string_view latex_name = "\\operatorname{erf}";
    static constexpr op_traits traits{};
    static constexpr double two_over_sqrt_pi = 1.1283791670955125739;

    template <class T>
    static T value(const T& a) { using std::erf; return erf(a); }
    template <class T>
    static T slope(const T& a) { return detail::constant<T>(two_over_sqrt_pi) * detail::exp_of(-(a * a)); }
    template <class T>
    static T jvp(const T& t, const T&, const T& a) { return t * slope(a); }
    template <class T>
    static T vjp(const T& g, const T&, const T& a) { return g * slope(a); }
    template <class A>
    static constexpr auto derivative(A a) { return c<1128379167095512574, 1000000000000000000> * exp(-(a * a)); }
    static constexpr std::string_view local_derivative = "2/√π·exp(-a²)";
};

template <Expression A>
constexpr auto erf(A a) { return make_node<erf_op>(a); }

template <class T, std::size_t N>
dual<T, N> erf(const dual<T, N>& a) { return lift<erf_op>(a); }

}  // namespace leibniz
