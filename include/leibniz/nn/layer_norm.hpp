#pragma once
// lz::nn::layer_norm<F>: PyTorch's nn.LayerNorm(F) (eps 1e-5,
// elementwise_affine) on an input [..., F]: each row normalised by its own
// mean and biased variance, the same in training and evaluation.
//   y = (x − μ_row)/√(σ²_row + ε)·weight + bias
//   leaves  "weight" [F] (init 1), "bias" [F] (init 0)

#include <leibniz/nn/batch_norm.hpp>
#include <leibniz/nn/init.hpp>
#include <leibniz/nn/layer.hpp>
#include <leibniz/ops/reshape.hpp>

#include <cstddef>
#include <cstdint>

namespace leibniz::nn {

namespace detail {
template <Shape S, std::size_t F>
constexpr bool check_layer_norm_input() {
    constexpr bool ok = S::rank >= 1 && S::extents[S::rank - 1] == F;
    static_assert(ok, "leibniz::nn::layer_norm<F>: the input's last extent must be F (the input's shape and F are "
                      "the template arguments of check_layer_norm_input)");
    return ok;
}
// S with its last extent 1: a row statistic kept as a column, to broadcast against the rows.
template <Shape S>
struct keep_last_axis {
    template <std::size_t... I>
    static auto make(std::index_sequence<I...>) -> shape<S::extents[I]..., 1>;
    using type = decltype(make(std::make_index_sequence<S::rank - 1>{}));
};
}  // namespace detail

template <std::size_t F>
struct layer_norm_t : layer_base<layer_norm_t<F>> {
    template <fixed_string Prefix, class T>
    using weight = leaf<join_name<Prefix, "weight">(), T, shape<F>, param_kind>;
    template <fixed_string Prefix, class T>
    using bias = leaf<join_name<Prefix, "bias">(), T, shape<F>, param_kind>;

    template <fixed_string Prefix, class M, Expression X>
    static constexpr auto apply(X x) {
        using T = default_scalar_of<X>;
        using S = shape_of<X>;
        if constexpr (poisoned<X>) {
            return poison{};
        } else if constexpr (!detail::check_layer_norm_input<S, F>()) {
            return poison{};
        } else if constexpr (S::rank == 1) {
            const auto centred = x - mean(x);
            return centred / sqrt(mean(centred * centred) + norm_eps{}) * weight<Prefix, T>{} + bias<Prefix, T>{};
        } else {
            using column = typename detail::keep_last_axis<S>::type;
            constexpr std::size_t last = S::rank - 1;
            const auto centred = x - reshape<column>(mean(x, axis<last>));
            const auto variance = reshape<column>(mean(centred * centred, axis<last>));
            return centred / sqrt(variance + norm_eps{}) * weight<Prefix, T>{} + bias<Prefix, T>{};
        }
    }

    template <fixed_string Prefix, class Store>
    static void reset(Store& store, std::uint64_t) {
        using T = typename Store::scalar_type;
        if constexpr (Store::layout::template holds<weight<Prefix, T>>) init::ones(store[weight<Prefix, T>{}]);
        if constexpr (Store::layout::template holds<bias<Prefix, T>>) init::zeros(store[bias<Prefix, T>{}]);
    }
};

template <std::size_t F>
inline constexpr layer_norm_t<F> layer_norm{};

}  // namespace leibniz::nn
