#pragma once
// lz::loss::mse(input, target[, reduction])   ≙ F.mse_loss: ℓ = (input − target)².

#include <leibniz/loss/options.hpp>
#include <leibniz/ops/mul.hpp>
#include <leibniz/ops/sub.hpp>

namespace leibniz::loss {

template <Expression A, Expression B, class... O>
constexpr auto mse(A input, B target, O...) {
    if constexpr (detail::check_options<"mse", detail::takes_options<tags::reduction>, O...>() &&
                  detail::check_same_shape<"mse", shape_of<A>, shape_of<B>>()) {
        const auto d = input - target;
        return detail::reduce<detail::reduction_of<O...>>(d * d);
    } else {
        return poison{};
    }
}

}  // namespace leibniz::loss
