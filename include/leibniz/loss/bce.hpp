#pragma once
// Binary cross-entropy, as PyTorch computes it.
//
// lz::loss::bce(p, t[, weight(w)][, reduction])   ≙ F.binary_cross_entropy(p, t, weight=w, reduction=...)
//   ℓ = −w·(t·max(log p, −100) + (1 − t)·max(log(1 − p), −100)), p a probability.
//   The logs are clamped at −100 as PyTorch does, so p = 0 or 1 gives a finite
//   loss; the adjoint is PyTorch's too: δp = δ·w·(p − t)/max(p(1 − p), 1e-12)
//   (the derivative of the unclamped formula, bounded), an op of its own
//   (bce_op), since the derivative of the clamped expression would be 0 there.
//
// lz::loss::bce_with_logits(x, t[, weight(w)][, pos_weight(pw)][, reduction])
//   ≙ F.binary_cross_entropy_with_logits(x, t, weight=w, pos_weight=pw, reduction=...)
//   ℓ = w·((1 − t)·x + (1 + (pw − 1)·t)·softplus(−x)), stable for every x
//   (softplus is max(·, 0) + log1p(exp(−|·|)), PyTorch's formula): no NaN or
//   Inf at ±1e4. pw broadcasts along the last axis (one per class).

#include <leibniz/loss/options.hpp>
#include <leibniz/ops/add.hpp>
#include <leibniz/ops/log.hpp>
#include <leibniz/ops/log1p.hpp>
#include <leibniz/ops/max.hpp>
#include <leibniz/ops/mul.hpp>
#include <leibniz/ops/neg.hpp>
#include <leibniz/ops/op.hpp>
#include <leibniz/ops/softplus.hpp>
#include <leibniz/ops/sub.hpp>

#include <array>
#include <cmath>
#include <string_view>

namespace leibniz {

// bce(p, t) elementwise: −(t·max(log p, −100) + (1 − t)·max(log1p(−p), −100)).
struct bce_op {
    static constexpr std::string_view name = "bce";
    static constexpr op_traits traits{};

    template <class T>
    static T clamped_log(const T& a) {
        using std::log;
        const T l = log(a);
        return select(l < T(-100), T(-100), l);
    }
    template <class T>
    static T clamped_log1m(const T& a) {
        using std::log1p;
        const T l = log1p(-a);
        return select(l < T(-100), T(-100), l);
    }
    template <class T>
    static T value(const T& p, const T& t) {
        return (t - T(1)) * clamped_log1m(p) - t * clamped_log(p);
    }
    template <class T>
    static T slope_p(const T& p, const T& t) {
        // PyTorch's EPSILON is the float 1e-12 (9.99999996e-13), in double too.
        const T eps = T(static_cast<double>(1e-12f)), v = p * (T(1) - p);
        return (p - t) / select(v < eps, eps, v);
    }
    template <class T>
    static T slope_t(const T& p) {
        return clamped_log1m(p) - clamped_log(p);
    }
    template <std::size_t P, class T>
    static T jvp(const T& d, const T&, const T& p, const T& t) {
        if constexpr (P == 0) return d * slope_p(p, t); else return d * slope_t(p);
    }
    template <std::size_t P, class T>
    static T vjp(const T& g, const T&, const T& p, const T& t) {
        if constexpr (P == 0) return g * slope_p(p, t); else return g * slope_t(p);
    }
    template <std::size_t P, class A, class B>
    static constexpr auto partial(A p, B t) {
        if constexpr (P == 0)
            return (p - t) / leibniz::max(p * (one_t{} - p), literal<rational{1, 1000000000000}>{});
        else
            return leibniz::max(log1p(-p), -literal<rational{100, 1}>{}) -
                   leibniz::max(leibniz::log(p), -literal<rational{100, 1}>{});
    }
    static constexpr std::array<std::string_view, 2> local_derivative{
        "(a - b)/max(a(1 - a), 1e-12)", "max(log(1 - a), -100) - max(log a, -100)"};
};

template <Expression P, Expression T>
constexpr auto bce_elementwise(P p, T t) { return make_node<bce_op>(p, t); }

template <class T, std::size_t N>
dual<T, N> bce_elementwise(const dual<T, N>& p, const dual<T, N>& t) { return lift<bce_op>(p, t); }

namespace loss {

template <Expression P, Expression T, class... O>
constexpr auto bce(P p, T t, O... options) {
    if constexpr (detail::check_options<"bce", detail::takes_options<tags::weight, tags::reduction>, O...>() &&
                  detail::check_same_shape<"bce", shape_of<P>, shape_of<T>>()) {
        using R = detail::reduction_of<O...>;
        if constexpr (detail::has<tags::weight, O...>)
            return detail::reduce<R>(detail::get<tags::weight>(0, options...) * bce_elementwise(p, t));
        else
            return detail::reduce<R>(bce_elementwise(p, t));
    } else {
        return poison{};
    }
}

template <Expression X, Expression T, class... O>
constexpr auto bce_with_logits(X x, T t, O... options) {
    if constexpr (detail::check_options<"bce_with_logits",
                                        detail::takes_options<tags::weight, tags::pos_weight, tags::reduction>,
                                        O...>() &&
                  detail::check_same_shape<"bce_with_logits", shape_of<X>, shape_of<T>>()) {
        using R = detail::reduction_of<O...>;
        const auto per_element = [&] {
            if constexpr (detail::has<tags::pos_weight, O...>) {
                const auto pw = detail::get<tags::pos_weight>(0, options...);
                return (one_t{} - t) * x + (one_t{} + (pw - one_t{}) * t) * softplus(-x);
            } else {
                return (one_t{} - t) * x + softplus(-x);
            }
        }();
        if constexpr (detail::has<tags::weight, O...>)
            return detail::reduce<R>(detail::get<tags::weight>(0, options...) * per_element);
        else
            return detail::reduce<R>(per_element);
    } else {
        return poison{};
    }
}

}  // namespace loss

}  // namespace leibniz
