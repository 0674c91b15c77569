#pragma once
// What every layer of lz::nn shares: the modes, the layer protocol, and the
// names of its leaves.
//
// A layer is an empty type (a value such as lz::nn::dense<784, 128>) that
// turns an input expression into an output expression: it holds nothing; its
// parameters are `param` leaves (and its state `buffer` leaves) named from the
// prefix it is applied under, as PyTorch's state dict names them:
//
//   template <lz::fixed_string Prefix, class Mode, lz::Expression X>
//   static constexpr auto apply(X x);          // the output; leaves "Prefix.weight", ...
//   template <lz::fixed_string Prefix, class Store>
//   static void reset(Store& store, std::uint64_t seed);   // PyTorch's default initialisation of the
//                                                         // leaves the store holds (default: nothing)
//   template <lz::fixed_string Prefix, class Mode, lz::Expression X>
//   static constexpr auto running_stats(X x);  // a std::tuple of the running statistics a training
//                                             // step folds in (batch_norm.hpp; default: none)
//
// A layer is also callable: `layer(x)` (training mode) or `layer(x,
// lz::nn::evaluation)` applies it with an empty prefix ("weight", "bias", as
// a lone PyTorch module's state dict), and `lz::nn::named<"fc1">(layer)` gives
// its leaves the prefix "fc1.". lz::nn::sequential numbers its layers "0",
// "1", ... as torch.nn.Sequential does.

#include <leibniz/core/expr.hpp>
#include <leibniz/core/fixed_string.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>

namespace leibniz::nn {

// ---------------------------------------------------------------- modes

// Training or evaluation is a compile-time choice (DESIGN §5): the two give two
// expressions over the same parameter leaves. Dropout draws its mask and batch
// norm uses the batch's statistics in training; in evaluation dropout is the
// identity and batch norm reads its running statistics.
struct training_t {};
struct evaluation_t {};
inline constexpr training_t training{};
inline constexpr evaluation_t evaluation{};

template <class M>
concept Mode = std::same_as<M, training_t> || std::same_as<M, evaluation_t>;

template <class M>
inline constexpr bool is_training = std::same_as<M, training_t>;

// ---------------------------------------------------------------- names

// "Prefix.Name", or "Name" under an empty prefix.
template <fixed_string Prefix, fixed_string Name>
constexpr auto join_name() {
    if constexpr (Prefix.size() == 0)
        return Name;
    else
        return Prefix + "." + Name;
}

// The prefix of child I of a container ("0", "1", ... at the top; "2.0" inside child 2).
template <fixed_string Prefix, std::size_t I>
constexpr auto child_prefix() {
    return join_name<Prefix, to_fixed_string<I>()>();
}

// ---------------------------------------------------------------- the protocol

struct layer_tag {};

template <class L>
concept Layer = std::derived_from<std::remove_cvref_t<L>, layer_tag> && std::is_empty_v<std::remove_cvref_t<L>>;

// The base of every layer D: makes it callable on an expression, and gives
// the defaults of the optional members (no initialisation, no running statistics).
template <class D>
struct layer_base : layer_tag {
    // (Not on a literal: function_layer's call with literals binds arguments.)
    template <Expression X, Mode M = training_t>
        requires(!Literal<X>)
    constexpr auto operator()(X x, M = {}) const {
        return D::template apply<"", M>(x);
    }
    template <fixed_string Prefix, class Store>
    static void reset(Store&, std::uint64_t) {}
    template <fixed_string Prefix, class M, Expression X>
    static constexpr std::tuple<> running_stats(X) {
        return {};
    }
};

// A function of an expression as a layer without parameters: the activations
// (lz::nn::relu), and any captureless lambda given to lz::nn::sequential.
// `lz::nn::leaky_relu(0.2_c)` binds the function's further (literal) arguments.
template <class F>
struct function_layer : layer_base<function_layer<F>> {
    static_assert(std::is_empty_v<F> && std::is_default_constructible_v<F>,
                  "leibniz::nn: a function used as a layer must be stateless (a captureless lambda or an empty "
                  "function object); parameters are leaves (lz::param), not captured values");
    template <fixed_string Prefix, class M, Expression X>
    static constexpr auto apply(X x) {
        return F{}(x);
    }
    using layer_base<function_layer<F>>::operator();
    // The function with its further arguments bound: leaky_relu(0.2_c).
    template <Literal A, Literal... More>
    constexpr auto operator()(A, More...) const;
};

namespace detail {
template <class F, class... A>
struct bound_function {
    template <Expression X>
    constexpr auto operator()(X x) const {
        return F{}(x, A{}...);
    }
};
}  // namespace detail

template <class F>
template <Literal A, Literal... More>
constexpr auto function_layer<F>::operator()(A, More...) const {
    return function_layer<detail::bound_function<F, A, More...>>{};
}

// lz::nn::from_function(f): a stateless function of an expression as a layer.
template <class F>
constexpr function_layer<F> from_function(F) {
    return {};
}

// A layer as given, or a function made one (what sequential takes).
template <class L>
constexpr auto as_layer(L l) {
    if constexpr (Layer<L>)
        return l;
    else
        return from_function(l);
}

// lz::nn::named<"encoder">(layer): the layer's leaves under "encoder." (its
// attribute name in a PyTorch module), e.g. to mix a layer into a raw
// expression beside others of its kind.
template <fixed_string Name, Layer L>
struct named_layer : layer_base<named_layer<Name, L>> {
    template <fixed_string Prefix, class M, Expression X>
    static constexpr auto apply(X x) {
        return L::template apply<join_name<Prefix, Name>(), M>(x);
    }
    template <fixed_string Prefix, class Store>
    static void reset(Store& store, std::uint64_t seed) {
        L::template reset<join_name<Prefix, Name>()>(store, seed);
    }
    template <fixed_string Prefix, class M, Expression X>
    static constexpr auto running_stats(X x) {
        return L::template running_stats<join_name<Prefix, Name>(), M>(x);
    }
};
template <fixed_string Name, Layer L>
constexpr named_layer<Name, L> named(L) {
    return {};
}

}  // namespace leibniz::nn
