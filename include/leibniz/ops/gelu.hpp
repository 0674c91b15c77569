#pragma once
// gelu(a) = a·Φ(a) = ½a·(1 + erf(a/√2)), exact (PyTorch's default), and
// gelu(a, lz::tanh_approximation) = ½a·(1 + tanh(√(2/π)·(a + 0.044715a³)))
// (PyTorch's approximate='tanh'). Their derivatives, as PyTorch's backward:
//   exact:  Φ(a) + a·φ(a) = ½(1 + erf(a/√2)) + a·exp(−a²/2)/√(2π)
//   tanh:   ½(1 + t) + ½a·(1 − t²)·√(2/π)·(1 + 3·0.044715a²),  t = tanh(√(2/π)(a + 0.044715a³))

#include <leibniz/ops/add.hpp>
#include <leibniz/ops/erf.hpp>
#include <leibniz/ops/exp.hpp>
#include <leibniz/ops/mul.hpp>
#include <leibniz/ops/neg.hpp>
#include <leibniz/ops/op.hpp>
#include <leibniz/ops/sub.hpp>
#include <leibniz/ops/tanh.hpp>

#include <cmath>

namespace leibniz {

struct gelu_op {
    static constexpr std::string_view name = "gelu";
    static constexpr op_traits traits{};
    static constexpr double sqrt_half = 0.70710678118654752440;           // 1/√2
    static constexpr double inv_sqrt_2pi = 0.39894228040143267794;        // 1/√(2π)

    template <class T>
    static T value(const T& a) {
        using std::erf;
        const T half = detail::constant<T>(0.5);
        return half * a * (T(1) + erf(a * detail::constant<T>(sqrt_half)));
    }
    template <class T>
    static T slope(const T& a) {
        using std::erf;
        const T half = detail::constant<T>(0.5);
        const T cdf = half * (T(1) + erf(a * detail::constant<T>(sqrt_half)));
        const T pdf = detail::constant<T>(inv_sqrt_2pi) * detail::exp_of(-half * a * a);
        return cdf + a * pdf;
    }
    template <class T>
    static T jvp(const T& t, const T&, const T& a) { return t * slope(a); }
    template <class T>
    static T vjp(const T& g, const T&, const T& a) { return g * slope(a); }
    template <class A>
    static constexpr auto derivative(A a) {
        return c<1, 2> * (one_t{} + erf(c<707106781186547524, 1000000000000000000> * a)) +
               a * (c<398942280401432678, 1000000000000000000> * exp(-(c<1, 2> * (a * a))));
    }
    static constexpr std::string_view local_derivative = "Φ(a) + a·φ(a) = ½(1 + erf(a/√2)) + a·exp(-a²/2)/√(2π)";
};

struct gelu_tanh_op {
    static constexpr std::string_view name = "gelu_tanh";
    static constexpr op_traits traits{};
    static constexpr double beta = 0.79788456080286535588;  // √(2/π)
    static constexpr double kappa = 0.044715;

    template <class T>
    static T inner_tanh(const T& a) {
        using std::tanh;
        return tanh(detail::constant<T>(beta) * (a + detail::constant<T>(kappa) * (a * a * a)));
    }
    template <class T>
    static T value(const T& a) {
        return detail::constant<T>(0.5) * a * (T(1) + inner_tanh(a));
    }
    template <class T>
    static T slope(const T& a) {
        const T t = inner_tanh(a), half = detail::constant<T>(0.5);
        const T left = half * (T(1) + t);
        const T right = half * a * (T(1) - t * t) * detail::constant<T>(beta) *
                        (T(1) + detail::constant<T>(3 * kappa) * (a * a));
        return left + right;
    }
    template <class T>
    static T jvp(const T& t, const T&, const T& a) { return t * slope(a); }
    template <class T>
    static T vjp(const T& g, const T&, const T& a) { return g * slope(a); }
    template <class A>
    static constexpr auto derivative(A a) {
        constexpr auto b = c<797884560802865356, 1000000000000000000>;
        const auto t = tanh(b * (a + c<44715, 1000000> * (a * a * a)));
        return c<1, 2> * (one_t{} + t) +
               c<1, 2> * a * (one_t{} - t * t) * b * (one_t{} + c<134145, 1000000> * (a * a));
    }
    static constexpr std::string_view local_derivative =
        "½(1 + t) + ½a(1 - t²)·√(2/π)(1 + 0.134145a²), t = tanh(√(2/π)(a + 0.044715a³))";
};

// The tag of gelu's tanh approximation: lz::gelu(a, lz::tanh_approximation).
struct tanh_approximation_t {};
inline constexpr tanh_approximation_t tanh_approximation{};

template <Expression A>
constexpr auto gelu(A a) { return make_node<gelu_op>(a); }
template <Expression A>
constexpr auto gelu(A a, tanh_approximation_t) { return make_node<gelu_tanh_op>(a); }

template <class T, std::size_t N>
dual<T, N> gelu(const dual<T, N>& a) { return lift<gelu_op>(a); }
template <class T, std::size_t N>
dual<T, N> gelu(const dual<T, N>& a, tanh_approximation_t) { return lift<gelu_tanh_op>(a); }

}  // namespace leibniz
