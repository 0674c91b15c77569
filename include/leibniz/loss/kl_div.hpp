#pragma once
// lz::loss::kl_div(input, target[, log_target<true>][, reduction])   ≙ F.kl_div(input, target, reduction=..., log_target=...)
//   input holds log-probabilities (PyTorch's convention), target probabilities
//   (or log-probabilities with log_target<true>):
//     ℓ = t·(log t − input) (0 where t = 0, torch.xlogy's convention)
//     ℓ = exp(t)·(t − input)              with log_target<true>
//   reduction: mean (PyTorch's default: over every element, which is not the
//   KL divergence), batchmean (Σ ℓ / N, N the first extent: the KL divergence
//   per sample, what PyTorch recommends), sum, none.

#include <leibniz/loss/options.hpp>
#include <leibniz/ops/compare.hpp>
#include <leibniz/ops/div.hpp>
#include <leibniz/ops/exp.hpp>
#include <leibniz/ops/log.hpp>
#include <leibniz/ops/mul.hpp>
#include <leibniz/ops/sub.hpp>
#include <leibniz/ops/sum.hpp>
#include <leibniz/ops/where.hpp>

namespace leibniz::loss {

namespace detail {
// e summed over every axis but the first.
template <class E>
constexpr auto sum_trailing(E e) {
    if constexpr (shape_of<E>::rank <= 1)
        return e;
    else
        return sum_trailing(leibniz::sum(e, axis<shape_of<E>::rank - 1>));
}
}  // namespace detail

template <Expression X, Expression T, class... O>
constexpr auto kl_div(X input, T target, O... options) {
    if constexpr (detail::check_options<"kl_div", detail::takes_options<tags::log_target, tags::reduction>, O...>() &&
                  detail::check_same_shape<"kl_div", shape_of<X>, shape_of<T>>()) {
        using R = detail::reduction_of<O...>;
        const auto pointwise = [&] {
            if constexpr (decltype(detail::get<tags::log_target>(std::false_type{}, options...))::value)
                return leibniz::exp(target) * (target - input);
            else
                return where(target > zero_t{}, target * leibniz::log(target), zero_t{}) - target * input;
        }();
        if constexpr (std::is_same_v<R, reduction::batchmean_t>) {
            static_assert(shape_of<X>::rank >= 1, "leibniz::loss::kl_div: batchmean needs a batch axis");
            return leibniz::mean(detail::sum_trailing(pointwise));  // Σ ℓ / N
        } else {
            return detail::reduce<R>(pointwise);
        }
    } else {
        return poison{};
    }
}

}  // namespace leibniz::loss
