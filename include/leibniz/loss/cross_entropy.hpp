#pragma once
// Cross-entropy and negative log-likelihood, as PyTorch (logits [N, C]; the
// classes along the last axis):
//
// lz::loss::cross_entropy(logits, labels[, weight(w)][, label_smoothing(ε)][, ignore_index<I>][, reduction])
//   ≙ F.cross_entropy(logits, labels, weight=w, label_smoothing=ε, ignore_index=I, reduction=...)
//   * labels an integer leaf [N] (lz::var<"y", std::int32_t, lz::shape<lz::dyn>>):
//       ℓ_n = −w_{y_n}·((1 − ε)·log p_n[y_n]) − (ε/C)·Σ_c w_c·log p_n[c],  p_n = softmax(logits_n)
//     and ℓ_n = 0 where y_n = I (default −100, as PyTorch: such samples count
//     for nothing, gradients included). 'mean' is Σ_n ℓ_n over the number of
//     samples kept, with weights PyTorch's weighted mean Σ_n ℓ_n / Σ_n w_{y_n}
//     over them (0/0, NaN, when every sample is ignored, as PyTorch).
//     Without weights this is the fused op (loss/softmax_cross_entropy.hpp):
//     one pass over the logits, adjoint (softmax − onehot)·δ, no log_softmax.
//   * labels class probabilities [N, C] (floating point):
//       ℓ_n = −Σ_c w_c·t'_nc·log p_n[c],  t' = (1 − ε)·t + ε/C;  'mean' divides by N.
//   w is a leaf [C] the caller binds (its gradient is there if asked for).
//
// lz::loss::nll(log_probs, labels[, weight(w)][, reduction])   ≙ F.nll_loss
//   ℓ_n = −w_{y_n}·log_probs[n, y_n];  'mean' is Σ ℓ_n / Σ w_{y_n} (N without weights).
//   (No ignore_index here: every label must be in [0, C).)

#include <leibniz/loss/ignore_index.hpp>
#include <leibniz/loss/options.hpp>
#include <leibniz/loss/softmax_cross_entropy.hpp>
#include <leibniz/ops/add.hpp>
#include <leibniz/ops/div.hpp>
#include <leibniz/ops/gather.hpp>
#include <leibniz/ops/log_softmax.hpp>
#include <leibniz/ops/mul.hpp>
#include <leibniz/ops/neg.hpp>
#include <leibniz/ops/sub.hpp>
#include <leibniz/ops/sum.hpp>

#include <type_traits>

namespace leibniz::loss {

namespace detail {

template <Shape X>
constexpr std::size_t classes() {
    constexpr std::size_t c = X::rank == 0 ? 0 : X::extents[X::rank - 1];
    static_assert(X::rank >= 2 && c != dyn, "leibniz::loss: the classes are the last axis of the logits, of rank 2 "
                                            "or more, and their number is static (lz::shape<lz::dyn, 10>)");
    return c;
}

// Per-row losses ℓ_n weighted by w_{y_n}: reduced as PyTorch, 'mean' dividing by Σ w_{y_n}.
template <class R, class L, class WY>
constexpr auto reduce_weighted(L per_row, WY wy) {
    if constexpr (std::is_same_v<R, reduction::mean_t>)
        return leibniz::sum(per_row) / leibniz::sum(wy);
    else
        return reduce<R>(per_row);
}

// A floating-point target of the labels' shape ([N] for logits [N, C]) is a
// label vector of the wrong scalar type, not class probabilities: said so.
// The loss's name and the shapes of the logits and of the target are the
// template arguments.
template <fixed_string Loss, Shape X, Shape Y>
constexpr bool check_integer_labels() {
    constexpr bool ok = Y::rank + 1 != X::rank;
    static_assert(ok, "leibniz::loss::cross_entropy: labels [N] are an integer leaf (lz::var<\"y\", std::int32_t, "
                      "lz::shape<lz::dyn>>); a floating-point target holds class probabilities, of the logits' shape");
    return ok;
}

// ignore_index takes integer labels (PyTorch's is for class indices only).
template <bool Given>
constexpr bool check_no_ignore_index() {
    static_assert(!Given, "leibniz::loss::cross_entropy: ignore_index applies to integer labels, not to class "
                          "probabilities");
    return !Given;
}

}  // namespace detail

template <Expression X, Expression Y, class... O>
constexpr auto cross_entropy(X logits, Y labels, O... options) {
    if constexpr (!loss::detail::check_options<"cross_entropy",
                                               loss::detail::takes_options<tags::weight, tags::label_smoothing,
                                                                           tags::ignore_index, tags::reduction>,
                                               O...>()) {
        return poison{};
    } else {
        using R = loss::detail::reduction_of<O...>;
        constexpr rational eps = decltype(loss::detail::get<tags::label_smoothing>(zero_t{}, options...))::value;
        constexpr std::size_t C = loss::detail::classes<shape_of<X>>();
        constexpr auto last = axis<shape_of<X>::rank - 1>;
        constexpr bool weighted = loss::detail::has<tags::weight, O...>;
        constexpr long long ignore =
            decltype(loss::detail::get<tags::ignore_index>(std::integral_constant<long long, default_ignore_index>{},
                                                           options...))::value;
        if constexpr (is_integer_scalar<scalar_of<Y>>) {
            if constexpr (!weighted) {
                const auto per_row = softmax_cross_entropy<eps, ignore>(logits, labels);
                if constexpr (std::is_same_v<R, reduction::mean_t>)
                    return leibniz::sum(per_row) / leibniz::sum(label_mask<ignore>(labels));  // over the kept
                else
                    return loss::detail::reduce<R>(per_row);
            } else {
                const auto w = loss::detail::get<tags::weight>(0, options...);
                const auto wy = label_weight<ignore>(w, labels);  // 0 where ignored
                if constexpr (eps.num == 0) {
                    return loss::detail::reduce_weighted<R>(wy * softmax_cross_entropy<eps, ignore>(logits, labels), wy);
                } else {
                    const auto smooth = -leibniz::sum(log_softmax(logits) * w, last) * label_mask<ignore>(labels);
                    return loss::detail::reduce_weighted<R>(
                        literal<rational{1, 1} - eps>{} * (wy * softmax_cross_entropy<rational{0, 1}, ignore>(logits, labels)) +
                            literal<eps / rational{static_cast<std::intmax_t>(C), 1}>{} * smooth,
                        wy);
                }
            }
        } else if constexpr (!loss::detail::check_no_ignore_index<loss::detail::has<tags::ignore_index, O...>>()) {
            return poison{};  // ignore_index with class probabilities: its check said so
        } else if constexpr (!loss::detail::check_integer_labels<"cross_entropy", shape_of<X>, shape_of<Y>>()) {
            return poison{};  // a floating-point target of the labels' shape: its check said so
        } else if constexpr (!loss::detail::check_same_shape<"cross_entropy", shape_of<X>, shape_of<Y>>()) {
            return poison{};  // class probabilities have the logits' shape
        } else {
            const auto t = [&] {
                if constexpr (eps.num == 0)
                    return labels;
                else
                    return literal<rational{1, 1} - eps>{} * labels + literal<eps / rational{static_cast<std::intmax_t>(C), 1}>{};
            }();
            const auto terms = [&] {
                if constexpr (weighted)
                    return t * log_softmax(logits) * loss::detail::get<tags::weight>(0, options...);
                else
                    return t * log_softmax(logits);
            }();
            return loss::detail::reduce<R>(-leibniz::sum(terms, last));
        }
    }
}

template <Expression X, Expression Y, class... O>
constexpr auto nll(X log_probs, Y labels, O... options) {
    if constexpr (!detail::check_options<"nll", detail::takes_options<tags::weight, tags::reduction>, O...>()) {
        return poison{};
    } else if constexpr (!is_integer_scalar<scalar_of<Y>>) {
        static_assert(is_integer_scalar<scalar_of<Y>>, "leibniz::loss::nll: the labels are an integer leaf "
                                                       "(lz::var<\"y\", std::int32_t, lz::shape<lz::dyn>>)");
        return poison{};  // the one error
    } else {
        using R = detail::reduction_of<O...>;
        const auto per_row = -pick(log_probs, labels);
        if constexpr (detail::has<tags::weight, O...>) {
            const auto wy = gather(detail::get<tags::weight>(0, options...), axis<0>, labels);
            return detail::reduce_weighted<R>(wy * per_row, wy);
        } else {
            return detail::reduce<R>(per_row);
        }
    }
}

}  // namespace leibniz::loss
