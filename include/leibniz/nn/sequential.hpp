#pragma once
// lz::nn::sequential(layers...): PyTorch's nn.Sequential. Applied to an
// expression it gives one expression (the layers applied in order), whose
// leaves are named as PyTorch's state dict names them: layer I's "I.weight",
// "I.bias", "I.running_mean", ... (a sequential inside a sequential: "2.0.weight";
// a child given a name, lz::nn::named<"head">(layer), is "head.weight" in
// place of its number, as in nn.Sequential(OrderedDict(...))).
//
//   constexpr auto net = lz::nn::sequential(lz::nn::dense<784, 128>, lz::nn::relu, lz::nn::dense<128, 10>);
//   constexpr auto logits = net(x);                          // training mode: "0.weight", "0.bias", "2.weight", "2.bias"
//   constexpr auto scores = net(x, lz::nn::evaluation);      // the same parameter leaves
//   lz::parameters params{logits};
//   lz::nn::init::torch_default(net, params, seed);
//
// A layer is anything of nn/layer.hpp's protocol, or a captureless lambda of
// an expression (counted as a layer, as an activation module is in PyTorch).
// The result is an ordinary expression: it mixes with raw ones (net(x) + x,
// lz::mean(net(x)), net(lz::tanh(x))).

#include <leibniz/nn/layer.hpp>

#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>

namespace leibniz::nn {

namespace detail {
template <class L>
struct is_named : std::false_type {};
template <fixed_string Name, class L>
struct is_named<named_layer<Name, L>> : std::true_type {};

// The prefix child I applies its own name to: "I" (nn.Sequential's numbering),
// or, for a named child, the container's prefix, to which it adds its name
// (nn.Sequential(OrderedDict(...)): "encoder.0.weight").
template <fixed_string Prefix, std::size_t I, class L>
constexpr auto prefix_of_child() {
    if constexpr (is_named<L>::value)
        return Prefix;
    else
        return child_prefix<Prefix, I>();
}
}  // namespace detail

template <class... L>
struct sequential_t : layer_base<sequential_t<L...>> {
    static constexpr std::size_t size = sizeof...(L);

    template <fixed_string Prefix, class M, Expression X>
    static constexpr auto apply(X x) {
        if constexpr (sizeof...(L) == 0)
            return x;
        else
            return chain<Prefix, M, 0, L...>(x);
    }

    template <fixed_string Prefix, class Store>
    static void reset(Store& store, std::uint64_t seed) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (L::template reset<detail::prefix_of_child<Prefix, I, L>()>(store, seed), ...);
        }(std::index_sequence_for<L...>{});
    }

    // The running statistics of every layer that keeps some (batch norm in
    // training mode), in layer order: a std::tuple of nn::running_stat.
    template <fixed_string Prefix, class M, Expression X>
    static constexpr auto running_stats(X x) {
        if constexpr (sizeof...(L) == 0)
            return std::tuple<>{};
        else
            return stats_chain<Prefix, M, 0, L...>(x);
    }
    // net.running_stats(x): those of the training expression net(x).
    template <Expression X>
    constexpr auto running_stats(X x) const {
        return running_stats<"", training_t>(x);
    }

private:
    template <fixed_string Prefix, class M, std::size_t I, class First, class... Rest, class X>
    static constexpr auto chain(X x) {
        const auto y = First::template apply<detail::prefix_of_child<Prefix, I, First>(), M>(x);
        if constexpr (sizeof...(Rest) == 0)
            return y;
        else
            return chain<Prefix, M, I + 1, Rest...>(y);
    }
    template <fixed_string Prefix, class M, std::size_t I, class First, class... Rest, class X>
    static constexpr auto stats_chain(X x) {
        const auto mine = First::template running_stats<detail::prefix_of_child<Prefix, I, First>(), M>(x);
        if constexpr (sizeof...(Rest) == 0)
            return mine;
        else
            return std::tuple_cat(
                mine, stats_chain<Prefix, M, I + 1, Rest...>(
                          First::template apply<detail::prefix_of_child<Prefix, I, First>(), M>(x)));
    }
};

template <class... L>
constexpr auto sequential(L... layers) {
    return sequential_t<decltype(as_layer(layers))...>{};
}

}  // namespace leibniz::nn
