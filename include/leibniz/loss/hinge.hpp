#pragma once
// Margin losses on labels y = ±1 (floating-point leaves holding ±1):
//
// lz::loss::hinge(x, y[, margin(m)][, reduction])
//   ℓ = max(0, m − y·x), m = 1 by default: the SVM (and Keras) hinge loss of
//   the notes' catalogue. PyTorch has no function of this form; it is
//   torch.clamp(m - y * x, min=0) reduced.
// lz::loss::hinge_embedding(x, y[, margin(m)][, reduction])   ≙ F.hinge_embedding_loss
//   ℓ = x where y = 1, max(0, m − x) where y = −1 (m = 1 by default).
// lz::loss::margin_ranking(x1, x2, y[, margin(m)][, reduction])   ≙ F.margin_ranking_loss
//   ℓ = max(0, −y·(x1 − x2) + m), m = 0 by default.
// At the kink (an argument of max exactly 0) the adjoint is 0, relu's
// convention; PyTorch's clamp passes it there. Inputs exactly at a kink are
// the only place the two differ.

#include <leibniz/loss/options.hpp>
#include <leibniz/ops/compare.hpp>
#include <leibniz/ops/mul.hpp>
#include <leibniz/ops/neg.hpp>
#include <leibniz/ops/relu.hpp>
#include <leibniz/ops/sub.hpp>
#include <leibniz/ops/where.hpp>

namespace leibniz::loss {

template <Expression X, Expression Y, class... O>
constexpr auto hinge(X x, Y y, O... options) {
    if constexpr (detail::check_options<"hinge", detail::takes_options<tags::margin, tags::reduction>, O...>() &&
                  detail::check_same_shape<"hinge", shape_of<X>, shape_of<Y>>()) {
        const auto m = detail::get<tags::margin>(one_t{}, options...);
        return detail::reduce<detail::reduction_of<O...>>(relu(m - y * x));
    } else {
        return poison{};
    }
}

template <Expression X, Expression Y, class... O>
constexpr auto hinge_embedding(X x, Y y, O... options) {
    if constexpr (detail::check_options<"hinge_embedding", detail::takes_options<tags::margin, tags::reduction>,
                                        O...>() &&
                  detail::check_same_shape<"hinge_embedding", shape_of<X>, shape_of<Y>>()) {
        const auto m = detail::get<tags::margin>(one_t{}, options...);
        return detail::reduce<detail::reduction_of<O...>>(where(y > zero_t{}, x, relu(m - x)));
    } else {
        return poison{};
    }
}

template <Expression X1, Expression X2, Expression Y, class... O>
constexpr auto margin_ranking(X1 x1, X2 x2, Y y, O... options) {
    if constexpr (detail::check_options<"margin_ranking", detail::takes_options<tags::margin, tags::reduction>,
                                        O...>() &&
                  detail::check_same_shape<"margin_ranking", shape_of<X1>, shape_of<X2>>() &&
                  detail::check_same_shape<"margin_ranking", shape_of<X1>, shape_of<Y>>()) {
        const auto m = detail::get<tags::margin>(zero_t{}, options...);
        return detail::reduce<detail::reduction_of<O...>>(relu(m - y * (x1 - x2)));
    } else {
        return poison{};
    }
}

}  // namespace leibniz::loss
