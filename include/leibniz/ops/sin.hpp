#pragma once
// sin(a).  d/da = cos(a).

#include <leibniz/ops/cos.hpp>

#include <cmath>

namespace leibniz {

struct sin_op {
    static constexpr std::string_view name = "sin";
    static constexpr std::string_view latex_name = "\\sin";
    static constexpr op_traits traits{};

    template <class T>
    static T value(const T& a) { using std::sin; return sin(a); }
    template <class T>
    static T jvp(const T& t, const T&, const T& a) { using std::cos; return t * cos(a); }
    template <class T>
    static T vjp(const T& g, const T&, const T& a) { using std::cos; return g * cos(a); }
    template <class A>
    static constexpr auto derivative(A) { return node<cos_op, A>{}; }
    static constexpr std::string_view local_derivative = "cos(a)";
};

template <Expression A>
constexpr auto sin(A a) { return make_node<sin_op>(a); }

template <class T, std::size_t N>
dual<T, N> sin(const dual<T, N>& a) { return lift<sin_op>(a); }

// cos's rules need sin: defined here, once sin_op exists.
template <class T>
T cos_op::jvp(const T& t, const T&, const T& a) { using std::sin; return -(t * sin(a)); }
template <class T>
T cos_op::vjp(const T& g, const T&, const T& a) { using std::sin; return -(g * sin(a)); }
template <class A>
constexpr auto cos_op::derivative(A) { return simplified_neg(node<sin_op, A>{}); }

}  // namespace leibniz

#include <leibniz/ops/simplify.hpp>
