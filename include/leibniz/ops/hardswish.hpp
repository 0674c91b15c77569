#pragma once
// hardswish(a) = a·clamp(a + 3, 0, 6)/6 (torch.nn.Hardswish): 0 for a ≤ −3,
// a for a ≥ 3. d/da, as PyTorch's backward: 0 for a < −3, a/3 + ½ for
// −3 ≤ a ≤ 3, 1 above (so −½ at −3 and 1.5 at 3, the inner branch's values).

#include <leibniz/ops/add.hpp>
#include <leibniz/ops/compare.hpp>
#include <leibniz/ops/mul.hpp>
#include <leibniz/ops/neg.hpp>
#include <leibniz/ops/op.hpp>
#include <leibniz/ops/where.hpp>

namespace leibniz {

struct hardswish_op {
    static constexpr std::string_view name = "hardswish";
    static constexpr op_traits traits{};

    template <class T>
    static T value(const T& a) {
        const T s = a + T(3);
        return a * select(s < T(0), T(0), select(s > T(6), T(6), s)) / T(6);
    }
    template <class T>
    static T slope(const T& a) {
        return select(a < T(-3), T(0), select(a > T(3), T(1), a / T(3) + detail::constant<T>(0.5)));
    }
    template <class T>
    static T jvp(const T& t, const T&, const T& a) { return t * slope(a); }
    template <class T>
    static T vjp(const T& g, const T&, const T& a) {
        return select(a < T(-3), T(0), select(a > T(3), g, g * (a / T(3) + detail::constant<T>(0.5))));
    }
    template <class A>
    static constexpr auto derivative(A a) {
        return where(a < -c<3>, zero_t{}, where(a > c<3>, one_t{}, c<1, 3> * a + c<1, 2>));
    }
    static constexpr std::string_view local_derivative = "0 for a < -3, a/3 + 1/2 for -3 ≤ a ≤ 3, 1 for a > 3";
};

template <Expression A>
constexpr auto hardswish(A a) { return make_node<hardswish_op>(a); }

template <class T, std::size_t N>
dual<T, N> hardswish(const dual<T, N>& a) { return lift<hardswish_op>(a); }

}  // namespace leibniz
