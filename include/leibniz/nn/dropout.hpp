#pragma once
// lz::nn::dropout(0.5_c): PyTorch's nn.Dropout(p). Training: x·mask/(1 − p),
// mask ~ Bernoulli(1 − p) drawn by lz::dropout (ops/bernoulli.hpp) from the
// random key (default lz::nn::rng, i.e. lz::random_key<"rng">, bound per call
// to {seed, step}), the mask's stream named "<prefix>.mask" so two dropout
// layers draw independently. Evaluation: the identity.

#include <leibniz/nn/layer.hpp>
#include <leibniz/ops/bernoulli.hpp>

namespace leibniz::nn {

// The key the dropout layers read unless given another.
inline constexpr auto rng = random_key<"rng">;

template <rational P, class Key>
struct dropout_t : layer_base<dropout_t<P, Key>> {
    static_assert(P.num >= 0 && P.num < P.den, "leibniz::nn::dropout: p must be in [0, 1)");
    template <fixed_string Prefix, class M, Expression X>
    static constexpr auto apply(X x) {
        if constexpr (is_training<M>)
            return leibniz::dropout<join_name<Prefix, "mask">()>(x, Key{}, literal<P>{});
        else
            return x;
    }
};

template <Literal P, Expression Key = std::remove_const_t<decltype(rng)>>
constexpr dropout_t<P::value, Key> dropout(P, Key = {}) {
    return {};
}

}  // namespace leibniz::nn
