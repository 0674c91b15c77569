#pragma once
// sin(a).  d/da = cos(a).
// cos(a).  d/da = −sin(a).
// Each is the other's derivative, so the two ops share this header (cos.hpp
// includes it): side by side, with no include cycle between two headers.

#include <leibniz/ops/op.hpp>
#include <leibniz/ops/simplify.hpp>

#include <cmath>

namespace leibniz {

struct sin_op;

struct cos_op {
    static constexpr std::string_view name = "cos";
    static constexpr std::string_view latex_name = "\\cos";
    static constexpr op_traits traits{};

    template <class T>
    static T value(const T& a) { using std::cos; return cos(a); }
    template <class T>
    static T jvp(const T& t, const T&, const T& a) { using std::sin; return -(t * sin(a)); }
    template <class T>
    static T vjp(const T& g, const T&, const T& a) { using std::sin; return -(g * sin(a)); }
    template <class A>
    static constexpr auto derivative(A) { return simplified_neg(node<sin_op, A>{}); }
    static constexpr std::string_view local_derivative = "-sin(a)";
};

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

template <Expression A>
constexpr auto cos(A a) { return make_node<cos_op>(a); }

template <class T, std::size_t N>
dual<T, N> cos(const dual<T, N>& a) { return lift<cos_op>(a); }

}  // namespace leibniz
