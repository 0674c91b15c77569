#pragma once
// lz::loss::l1(input, target[, reduction])   ≙ F.l1_loss (MAE): ℓ = |input − target|.
// At input = target the adjoint is 0 (sign(0) = 0), PyTorch's.

#include <leibniz/loss/options.hpp>
#include <leibniz/ops/abs.hpp>
#include <leibniz/ops/sub.hpp>

namespace leibniz::loss {

template <Expression A, Expression B, class... O>
constexpr auto l1(A input, B target, O...) {
    if constexpr (detail::check_options<"l1", detail::takes_options<tags::reduction>, O...>() &&
                  detail::check_same_shape<"l1", shape_of<A>, shape_of<B>>())
        return detail::reduce<detail::reduction_of<O...>>(leibniz::abs(input - target));
    else
        return poison{};
}

}  // namespace leibniz::loss
