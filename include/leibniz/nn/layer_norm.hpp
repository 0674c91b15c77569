#pragma once
// lz::nn::layer_norm<F>: PyTorch's nn.LayerNorm(F) (eps 1e-5,
// elementwise_affine) on an input [..., F]: each row normalised by its own
// mean and biased variance, the same in training and evaluation.
//   y = (x − μ_row)/√(σ²_row + ε)·weight + bias
//   leaves  "weight" [F] (init 1), "bias" [F] (init 0)
// lz::nn::layer_norm<F1, F2, ...>: nn.LayerNorm((F1, F2, ...)) on [..., F1, F2, ...]:
// the statistics over the last axes together (their F1·F2·... values), weight
// and bias [F1, F2, ...].

#include <leibniz/nn/batch_norm.hpp>
#include <leibniz/nn/init.hpp>
#include <leibniz/nn/layer.hpp>
#include <leibniz/ops/reshape.hpp>

#include <cstddef>
#include <cstdint>

namespace leibniz::nn {

namespace detail {
template <Shape S, std::size_t... F>
constexpr bool check_layer_norm_input() {
    constexpr std::size_t k = sizeof...(F);
    constexpr std::size_t f[] = {F...};
    constexpr bool ok = [&] {
        if (S::rank < k) return false;
        for (std::size_t i = 0; i < k; ++i)
            if (S::extents[S::rank - k + i] != f[i]) return false;
        return true;
    }();
    static_assert(ok, "leibniz::nn::layer_norm<F...>: the input's last extents must be F... (the input's shape and "
                      "F... are the template arguments of check_layer_norm_input)");
    return ok;
}
// S with its last K axes merged into one of N values.
template <Shape S, std::size_t K, std::size_t N>
struct merge_last_axes {
    template <std::size_t... I>
    static auto make(std::index_sequence<I...>) -> shape<S::extents[I]..., N>;
    using type = decltype(make(std::make_index_sequence<S::rank - K>{}));
};
// S with its last extent 1: a row statistic kept as a column, to broadcast against the rows.
template <Shape S>
struct keep_last_axis {
    template <std::size_t... I>
    static auto make(std::index_sequence<I...>) -> shape<S::extents[I]..., 1>;
    using type = decltype(make(std::make_index_sequence<S::rank - 1>{}));
};
}  // namespace detail

template <std::size_t... F>
struct layer_norm_t : layer_base<layer_norm_t<F...>> {
    static_assert(sizeof...(F) >= 1, "leibniz::nn::layer_norm<F...>: give the normalised shape, one extent or more");
    template <fixed_string Prefix, class T>
    using weight = leaf<join_name<Prefix, "weight">(), T, shape<F...>, param_kind>;
    template <fixed_string Prefix, class T>
    using bias = leaf<join_name<Prefix, "bias">(), T, shape<F...>, param_kind>;

    template <fixed_string Prefix, class M, Expression X>
    static constexpr auto apply(X x) {
        using T = default_scalar_of<X>;
        using S = shape_of<X>;
        if constexpr (poisoned<X>) {
            return poison{};
        } else if constexpr (!detail::check_layer_norm_input<S, F...>()) {
            return poison{};
        } else if constexpr (sizeof...(F) > 1) {
            // The last axes merged into one row, normalised as layer_norm<F1·F2·...>, laid back.
            using rows = typename detail::merge_last_axes<S, sizeof...(F), (F * ...)>::type;
            using column = typename detail::keep_last_axis<rows>::type;
            constexpr std::size_t last = rows::rank - 1;
            const auto flat = reshape<rows>(x);
            const auto centred = [&] {
                if constexpr (rows::rank == 1)
                    return flat - mean(flat);
                else
                    return flat - reshape<column>(mean(flat, axis<last>));
            }();
            const auto normalised = [&] {
                if constexpr (rows::rank == 1)
                    return centred / sqrt(mean(centred * centred) + norm_eps{});
                else
                    return centred / sqrt(reshape<column>(mean(centred * centred, axis<last>)) + norm_eps{});
            }();
            return reshape<S>(normalised) * weight<Prefix, T>{} + bias<Prefix, T>{};
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

template <std::size_t... F>
inline constexpr layer_norm_t<F...> layer_norm{};

}  // namespace leibniz::nn
