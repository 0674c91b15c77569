#pragma once
// lz::loss::poisson_nll(input, target[, log_input<false>][, full<true>][, eps(ε)][, reduction])
//   ≙ F.poisson_nll_loss(input, target, log_input=True, full=False, eps=1e-8, reduction='mean')
//     ℓ = exp(input) − target·input               (log_input, the default)
//     ℓ = input − target·log(input + ε)           (log_input<false>)
//   full<true> adds Stirling's term where target > 1:
//     target·log(target) − target + ½·log(2π·target)

#include <leibniz/loss/options.hpp>
#include <leibniz/ops/add.hpp>
#include <leibniz/ops/compare.hpp>
#include <leibniz/ops/exp.hpp>
#include <leibniz/ops/log.hpp>
#include <leibniz/ops/mul.hpp>
#include <leibniz/ops/sub.hpp>
#include <leibniz/ops/where.hpp>

namespace leibniz::loss {

template <Expression X, Expression T, class... O>
constexpr auto poisson_nll(X input, T target, O... options) {
    if constexpr (detail::check_options<"poisson_nll",
                                        detail::takes_options<tags::log_input, tags::full, tags::eps, tags::reduction>,
                                        O...>() &&
                  detail::check_same_shape<"poisson_nll", shape_of<X>, shape_of<T>>()) {
        using R = detail::reduction_of<O...>;
        constexpr bool log_in = decltype(detail::get<tags::log_input>(std::true_type{}, options...))::value;
        constexpr bool full_term = decltype(detail::get<tags::full>(std::false_type{}, options...))::value;
        const auto base = [&] {
            if constexpr (log_in)
                return leibniz::exp(input) - target * input;
            else
                return input - target * leibniz::log(input + detail::get<tags::eps>(c<1, 100000000>, options...));
        }();
        if constexpr (full_term) {
            // ½·log(2π) to 18 digits: 0.918938533204672742
            constexpr auto half_log_2pi = c<918938533204672742, 1000000000000000000>;
            const auto stirling = target * leibniz::log(target) - target + c<1, 2> * leibniz::log(target) + half_log_2pi;
            return detail::reduce<R>(base + where(target > one_t{}, stirling, zero_t{}));
        } else {
            return detail::reduce<R>(base);
        }
    } else {
        return poison{};
    }
}

}  // namespace leibniz::loss
