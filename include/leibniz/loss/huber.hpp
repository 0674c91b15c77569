#pragma once
// Huber and smooth L1, as PyTorch (z = |input − target|):
//
// lz::loss::huber(input, target[, delta(δ)][, reduction])   ≙ F.huber_loss(..., delta=δ), δ = 1 by default
//   ℓ = ½z² for z < δ, else δ·(z − ½δ)
// lz::loss::smooth_l1(input, target[, beta(β)][, reduction]) ≙ F.smooth_l1_loss(..., beta=β), β = 1 by default
//   ℓ = ½z²/β for z < β, else z − ½β;  β = 0 is the L1 loss.
// (huber with δ is δ·smooth_l1 with β = δ.) δ and β are literals: delta(2_c).

#include <leibniz/loss/l1.hpp>
#include <leibniz/ops/abs.hpp>
#include <leibniz/ops/compare.hpp>
#include <leibniz/ops/mul.hpp>
#include <leibniz/ops/sub.hpp>
#include <leibniz/ops/where.hpp>

namespace leibniz::loss {

template <Expression A, Expression B, class... O>
constexpr auto huber(A input, B target, O... options) {
    if constexpr (detail::check_options<"huber", detail::takes_options<tags::delta, tags::reduction>, O...>() &&
                  detail::check_same_shape<"huber", shape_of<A>, shape_of<B>>()) {
        constexpr auto dl = decltype(detail::get<tags::delta>(one_t{}, options...)){};
        constexpr auto half_dl = literal<decltype(dl)::value * rational{1, 2}>{};
        static_assert(decltype(dl)::value.num > 0, "leibniz::loss::huber: delta must be positive");
        const auto d = input - target;
        const auto z = leibniz::abs(d);
        return detail::reduce<detail::reduction_of<O...>>(where(z < dl, c<1, 2> * (d * d), dl * (z - half_dl)));
    } else {
        return poison{};
    }
}

template <Expression A, Expression B, class... O>
constexpr auto smooth_l1(A input, B target, O... options) {
    if constexpr (detail::check_options<"smooth_l1", detail::takes_options<tags::beta, tags::reduction>, O...>() &&
                  detail::check_same_shape<"smooth_l1", shape_of<A>, shape_of<B>>()) {
        constexpr auto b = decltype(detail::get<tags::beta>(one_t{}, options...)){};
        constexpr rational beta_value = decltype(b)::value;
        static_assert(beta_value.num >= 0, "leibniz::loss::smooth_l1: beta must not be negative");
        if constexpr (beta_value.num == 0) {
            return l1(input, target, option<tags::reduction, detail::reduction_of<O...>>{});
        } else {
            const auto d = input - target;
            const auto z = leibniz::abs(d);
            return detail::reduce<detail::reduction_of<O...>>(
                where(z < b, literal<rational{1, 2} / beta_value>{} * (d * d), z - literal<beta_value * rational{1, 2}>{}));
        }
    } else {
        return poison{};
    }
}

}  // namespace leibniz::loss
