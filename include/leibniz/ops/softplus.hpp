#pragma once
// softplus(a) = log(1 + exp(a)).  d/da = sigmoid(a).
// Computed as max(a, 0) + log1p(exp(−|a|)): no overflow for any a. (PyTorch
// switches to a linear branch past a threshold of 20; this form is exact there.)
//
// softplus(a, β[, threshold]) is PyTorch's F.softplus(a, beta, threshold)
// (threshold 20 by default), literals both: log1p(exp(β·a))/β, and a itself
// where β·a > threshold. d/da = σ(β·a), and 1 past the threshold.

#include <leibniz/ops/sigmoid.hpp>

#include <cmath>

namespace leibniz {

struct softplus_op {
    static constexpr std::string_view name = "softplus";
    static constexpr op_traits traits{};

    template <class T>
    static T value(const T& a) {
        using std::log1p;  // |a| as a select: the rule runs on dual numbers too (mish's adjoint, in hvp)
        return select(a > T(0), a, T(0)) + log1p(detail::exp_of(select(a > T(0), -a, a)));
    }
    template <class T>
    static T jvp(const T& t, const T&, const T& a) { return t * logistic(a); }
    template <class T>
    static T vjp(const T& g, const T&, const T& a) { return g * logistic(a); }
    template <class A>
    static constexpr auto derivative(A) { return node<sigmoid_op, A>{}; }
    static constexpr std::string_view local_derivative = "σ(a)";
};

template <Expression A>
constexpr auto softplus(A a) { return make_node<softplus_op>(a); }

template <class T, std::size_t N>
dual<T, N> softplus(const dual<T, N>& a) { return lift<softplus_op>(a); }

template <rational Beta, rational Threshold>
struct softplus_beta_op {
    static_assert(Beta.num != 0, "leibniz::softplus: beta must not be 0");
    static constexpr std::string_view name = "softplus";
    static std::string text(const std::string& a) {
        return "softplus(" + a + ", beta " + detail::rational_text(Beta, false) + ", threshold " +
               detail::rational_text(Threshold, false) + ")";
    }
    static constexpr op_traits traits{};

    template <class T>
    static T value(const T& a) {
        using std::log1p;
        const T t = a * literal<Beta>::template as<T>();
        return select(t > literal<Threshold>::template as<T>(), a, log1p(detail::exp_of(t)) / literal<Beta>::template as<T>());
    }
    template <class T>
    static T slope(const T& a) {
        const T t = a * literal<Beta>::template as<T>();
        return select(t > literal<Threshold>::template as<T>(), T(1), logistic(t));
    }
    template <class T>
    static T jvp(const T& t, const T&, const T& a) { return t * slope(a); }
    template <class T>
    static T vjp(const T& g, const T&, const T& a) { return g * slope(a); }
    template <class A>
    static constexpr auto derivative(A a) {
        return where(literal<Beta>{} * a > literal<Threshold>{}, one_t{}, sigmoid(literal<Beta>{} * a));
    }
    static constexpr std::string_view local_derivative = "σ(β·a), 1 where β·a > threshold";
};

// softplus(a, 2_c), softplus(a, 2_c, 10_c): PyTorch's beta and threshold.
template <Expression A, Literal B, Literal Th = decltype(c<20>)>
constexpr auto softplus(A a, B, Th = {}) { return make_node<softplus_beta_op<B::value, Th::value>>(a); }

}  // namespace leibniz
