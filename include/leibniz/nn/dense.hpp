#pragma once
// lz::nn::dense<In, Out>: y = x·W + b, PyTorch's nn.Linear(In, Out).
//   leaves  "weight" [In, Out] (PyTorch's Linear.weight is [Out, In]: the
//           transpose, nn/torch_layout.hpp), "bias" [Out]
//   input   [N, In] or [In]; output [N, Out] or [Out]
//   init    PyTorch's: weight U(±1/√In) (kaiming_uniform, a = √5), bias U(±1/√In)
// lz::nn::dense<In, Out, lz::nn::no_bias>: y = x·W (nn.Linear(In, Out, bias=False)).
// The scalar type is the input's.

#include <leibniz/nn/init.hpp>
#include <leibniz/nn/layer.hpp>
#include <leibniz/nn/torch_layout.hpp>
#include <leibniz/ops/add.hpp>
#include <leibniz/ops/matmul.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace leibniz::nn {

inline constexpr bool no_bias = false;

namespace detail {
// The input's shape S and the layer's In are the template arguments.
template <Shape S, std::size_t In>
constexpr bool check_dense_input() {
    constexpr bool ok = (S::rank == 1 || S::rank == 2) && S::extents[S::rank - 1] == In;
    static_assert(ok, "leibniz::nn::dense<In, Out>: the input must be [N, In] or [In] (the input's shape and In are "
                      "the template arguments of check_dense_input)");
    return ok;
}
}  // namespace detail

template <std::size_t In, std::size_t Out, bool Bias = true>
struct dense_t : layer_base<dense_t<In, Out, Bias>> {
    static_assert(In > 0 && Out > 0, "leibniz::nn::dense<In, Out>: the extents must be positive");
    template <fixed_string Prefix, class T>
    using weight = leaf<join_name<Prefix, "weight">(), T, shape<In, Out>, linear_weight_kind>;
    template <fixed_string Prefix, class T>
    using bias = leaf<join_name<Prefix, "bias">(), T, shape<Out>, param_kind>;

    template <fixed_string Prefix, class M, Expression X>
    static constexpr auto apply(X x) {
        using T = default_scalar_of<X>;
        if constexpr (poisoned<X>)
            return poison{};
        else if constexpr (!detail::check_dense_input<shape_of<X>, In>())
            return poison{};
        else if constexpr (Bias)
            return matmul(x, weight<Prefix, T>{}) + bias<Prefix, T>{};
        else
            return matmul(x, weight<Prefix, T>{});
    }

    // nn.Linear.reset_parameters: kaiming_uniform(a = √5) gives U(±1/√In), and the bias U(±1/√In).
    template <fixed_string Prefix, class Store>
    static void reset(Store& store, std::uint64_t seed) {
        using T = typename Store::scalar_type;
        using W = weight<Prefix, T>;
        using B = bias<Prefix, T>;
        if constexpr (Store::layout::template holds<W>)
            init::kaiming_uniform(store, W{}, seed, init::kaiming_options{.a = std::sqrt(5.0)});
        if constexpr (Bias && Store::layout::template holds<B>) {
            const T bound = T(1 / std::sqrt(double(In)));
            init::uniform(store, B{}, seed, -bound, bound);
        }
    }
};

template <std::size_t In, std::size_t Out, bool Bias = true>
inline constexpr dense_t<In, Out, Bias> dense{};

}  // namespace leibniz::nn
