#pragma once
// hardsigmoid(a) = clamp(a + 3, 0, 6)/6 (torch.nn.Hardsigmoid): 0 for a ≤ −3,
// 1 for a ≥ 3. d/da = 1/6 on (−3, 3), else 0 — 0 at ±3, PyTorch's.

#include <leibniz/ops/abs.hpp>
#include <leibniz/ops/compare.hpp>
#include <leibniz/ops/op.hpp>
#include <leibniz/ops/where.hpp>

namespace leibniz {

struct hardsigmoid_op {
    static constexpr std::string_view name = "hardsigmoid";
    static constexpr op_traits traits{};

    // clamp(a + 3, 0, 6)/6, as PyTorch rounds it
    template <class T>
    static T value(const T& a) {
        const T s = a + T(3);
        return select(s < T(0), T(0), select(s > T(6), T(6), s)) / T(6);
    }
    template <class T>
    static T slope(const T& a) { return select(a > T(-3), select(a < T(3), T(1) / T(6), T(0)), T(0)); }
    template <class T>
    static T jvp(const T& t, const T&, const T& a) { return t * slope(a); }
    template <class T>
    static T vjp(const T& g, const T&, const T& a) { return select(a > T(-3), select(a < T(3), g / T(6), T(0)), T(0)); }
    template <class A>
    static constexpr auto derivative(A a) { return where(abs(a) < c<3>, c<1, 6>, zero_t{}); }
    static constexpr std::string_view local_derivative = "[|a| < 3]/6";
};

template <Expression A>
constexpr auto hardsigmoid(A a) { return make_node<hardsigmoid_op>(a); }

template <class T, std::size_t N>
dual<T, N> hardsigmoid(const dual<T, N>& a) { return lift<hardsigmoid_op>(a); }

}  // namespace leibniz
