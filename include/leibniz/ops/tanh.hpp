#pragma once
// tanh(a).  d/da = 1 − tanh²(a) = 1 − y².

#include <leibniz/ops/op.hpp>
#include <leibniz/ops/simplify.hpp>

#include <cmath>

namespace leibniz {

struct tanh_op {
    static constexpr std::string_view name = "tanh";
    static constexpr std::string_view latex_name = "\\tanh";
    static constexpr op_traits traits{.reads_result = true, .reads_operands = false};

    template <class T>
    static T value(const T& a) { using std::tanh; return tanh(a); }
    template <class T>
    static constexpr T jvp(const T& t, const T& y, const T&) { return t * (T(1) - y * y); }
    template <class T>
    static constexpr T vjp(const T& g, const T& y, const T&) { return g * (T(1) - y * y); }
    template <class A>
    static constexpr auto derivative(A) {
        return simplified_sub(one_t{}, simplified_mul(node<tanh_op, A>{}, node<tanh_op, A>{}));
    }
    static constexpr std::string_view local_derivative = "1 - tanh²(a) = 1 - y²";
};

template <Expression A>
constexpr auto tanh(A a) { return make_node<tanh_op>(a); }

template <class T, std::size_t N>
dual<T, N> tanh(const dual<T, N>& a) { return lift<tanh_op>(a); }

}  // namespace leibniz
