#pragma once
// expm1(a) = exp(a) − 1, accurate for small a.  d/da = exp(a), not y + 1:
// for a ≪ 0, y + 1 cancels (expm1(a) rounds to −1 below a ≈ −37).

#include <leibniz/ops/exp.hpp>

#include <cmath>

namespace leibniz {

struct expm1_op {
    static constexpr std::string_view name = "expm1";
    static constexpr op_traits traits{};

    template <class T>
    static T value(const T& a) {
        using std::expm1;
        if constexpr (detail::batch_exp<T>::available) {
            // xsimd's expm1 on batches scales by 2^k, k = round(a / ln 2), and
            // 2^k overflows once k passes the largest exponent (a > 709.44 in
            // double, 88.38 in float) though e^a − 1 is finite up to 709.78 and
            // 88.72. Above 709 (88) it is (e^(a/2))² − 1 (a/2 is exact).
            using B = base_scalar_t<T>;
            const auto top = a > T(std::is_same_v<B, float> ? B(88) : B(709));
            T y = expm1(a);
            if (any(top)) {
                const T h = detail::exp_of(a * T(B(0.5)));
                y = select(top, h * h - T(B(1)), y);
            }
            return y;
        } else {
            return expm1(a);
        }
    }
    template <class T>
    static T jvp(const T& t, const T&, const T& a) { return t * detail::exp_of(a); }
    template <class T>
    static T vjp(const T& g, const T&, const T& a) { return g * detail::exp_of(a); }
    template <class A>
    static constexpr auto derivative(A) { return node<exp_op, A>{}; }
    static constexpr std::string_view local_derivative = "exp(a)";
};

template <Expression A>
constexpr auto expm1(A a) { return make_node<expm1_op>(a); }

template <class T, std::size_t N>
dual<T, N> expm1(const dual<T, N>& a) { return lift<expm1_op>(a); }

}  // namespace leibniz
