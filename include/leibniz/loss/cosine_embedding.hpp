#pragma once
// lz::loss::cosine_embedding(x1, x2, y[, margin(m)][, reduction])   ≙ F.cosine_embedding_loss
//   x1, x2 [N, D], y [N] holding ±1 (floating point), m = 0 by default:
//     cos_n = Σ_d x1·x2 / √((Σ_d x1² + ε)(Σ_d x2² + ε)),  ε = 1e-12 (PyTorch's)
//     ℓ_n = 1 − cos_n where y = 1, max(0, cos_n − m) where y = −1.

#include <leibniz/loss/options.hpp>
#include <leibniz/ops/add.hpp>
#include <leibniz/ops/compare.hpp>
#include <leibniz/ops/div.hpp>
#include <leibniz/ops/mul.hpp>
#include <leibniz/ops/relu.hpp>
#include <leibniz/ops/sqrt.hpp>
#include <leibniz/ops/sub.hpp>
#include <leibniz/ops/sum.hpp>
#include <leibniz/ops/where.hpp>

namespace leibniz::loss {

template <Expression X1, Expression X2, Expression Y, class... O>
constexpr auto cosine_embedding(X1 x1, X2 x2, Y y, O... options) {
    if constexpr (detail::check_options<"cosine_embedding", detail::takes_options<tags::margin, tags::reduction>,
                                        O...>() &&
                  detail::check_same_shape<"cosine_embedding", shape_of<X1>, shape_of<X2>>()) {
        static_assert(shape_of<X1>::rank == 2 && shape_of<Y>::rank == 1,
                      "leibniz::loss::cosine_embedding: x1, x2 [N, D] and y [N]");
        const auto m = detail::get<tags::margin>(zero_t{}, options...);
        constexpr auto eps = c<1, 1000000000000>;
        const auto prod = leibniz::sum(x1 * x2, axis<1>);
        const auto cos = prod / leibniz::sqrt((leibniz::sum(x1 * x1, axis<1>) + eps) * (leibniz::sum(x2 * x2, axis<1>) + eps));
        return detail::reduce<detail::reduction_of<O...>>(where(y > zero_t{}, one_t{} - cos, relu(cos - m)));
    } else {
        return poison{};
    }
}

}  // namespace leibniz::loss
