#pragma once
// cos(a).  d/da = −sin(a). (sin and cos refer to each other: the rules that
// need sin are defined in sin.hpp, which this header includes at its end.)

#include <leibniz/ops/op.hpp>

#include <cmath>

namespace leibniz {

struct cos_op {
    static constexpr std::string_view name = "cos";
    static constexpr std::string_view latex_name = "\\cos";
    static constexpr op_traits traits{};

    template <class T>
    static T value(const T& a) { using std::cos; return cos(a); }
    template <class T>
    static T jvp(const T& t, const T& y, const T& a);
    template <class T>
    static T vjp(const T& g, const T& y, const T& a);
    template <class A>
    static constexpr auto derivative(A);
    static constexpr std::string_view local_derivative = "-sin(a)";
};

template <Expression A>
constexpr auto cos(A a) { return make_node<cos_op>(a); }

template <class T, std::size_t N>
dual<T, N> cos(const dual<T, N>& a) { return lift<cos_op>(a); }

}  // namespace leibniz

#include <leibniz/ops/sin.hpp>
