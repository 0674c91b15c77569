#pragma once
// tan(a).  d/da = 1 + tan²(a) = 1 + y².

#include <leibniz/ops/op.hpp>
#include <leibniz/ops/simplify.hpp>

#include <cmath>

namespace leibniz {

struct tan_op {
    static constexpr std::string_view name = "tan";
    static constexpr std::string_view latex_name = "\\tan";
    static constexpr op_traits traits{.reads_result = true, .reads_operands = false};

    template <class T>
    static T value(const T& a) { using std::tan; return tan(a); }
    template <class T>
    static constexpr T jvp(const T& t, const T& y, const T&) { return t * (T(1) + y * y); }
    template <class T>
    static constexpr T vjp(const T& g, const T& y, const T&) { return g * (T(1) + y * y); }
    template <class A>
    static constexpr auto derivative(A) {
        return simplified_add(one_t{}, simplified_mul(node<tan_op, A>{}, node<tan_op, A>{}));
    }
    static constexpr std::string_view local_derivative = "1 + tan²(a) = 1 + y²";
};

template <Expression A>
constexpr auto tan(A a) { return make_node<tan_op>(a); }

template <class T, std::size_t N>
dual<T, N> tan(const dual<T, N>& a) { return lift<tan_op>(a); }

}  // namespace leibniz
