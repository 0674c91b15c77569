#pragma once
// lz::nn::batch_norm1d<F>: PyTorch's nn.BatchNorm1d(F) (eps 1e-5, momentum
// 0.1, affine, track_running_stats) on an input [N, F] or [N, F, L] (L
// static: a sequence of L per sample and channel).
//   training    y = (x − μ_B)/√(σ²_B + ε)·weight + bias, μ_B and σ²_B the
//               batch's mean and biased variance per feature (over N, and
//               over L on [N, F, L]: the N·L values of the channel)
//   evaluation  y = (x − running_mean)/√(running_var + ε)·weight + bias
//   leaves      params "weight" [F] (init 1), "bias" [F] (init 0);
//               buffers "running_mean" [F] (init 0), "running_var" [F] (init 1)
//
// The running statistics are state beside the expression (DESIGN §1): a
// training step returns the batch statistics as auxiliary outputs and folds
// them in afterwards with lz::assign, as PyTorch does inside forward():
//   running_mean ← (1 − 0.1)·running_mean + 0.1·μ_B
//   running_var  ← (1 − 0.1)·running_var  + 0.1·σ²_B·m/(m − 1)   (the unbiased variance; m = N, or N·L)
//
//   constexpr auto stats = net.running_stats(x);                 // the statistics of every batch norm
//   auto r = lz::value_and_grad(lz::nn::with_running_stats(loss, stats), params, env, ws);
//   lz::nn::update_running_stats(stats, buffers, r.aux, batch);  // after the step
//
// (PyTorch's num_batches_tracked is not kept: it only matters for momentum=None.)

#include <leibniz/core/assign.hpp>
#include <leibniz/core/bind.hpp>
#include <leibniz/core/reverse.hpp>
#include <leibniz/nn/layer.hpp>
#include <leibniz/ops/add.hpp>
#include <leibniz/ops/div.hpp>
#include <leibniz/ops/mean.hpp>
#include <leibniz/ops/mul.hpp>
#include <leibniz/ops/reshape.hpp>
#include <leibniz/ops/sqrt.hpp>
#include <leibniz/ops/sub.hpp>
#include <leibniz/tensor/tensor.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

namespace leibniz::nn {

// PyTorch's defaults for the normalisations.
using norm_eps = literal<rational{1, 100000}>;       // 1e-5
using norm_momentum = literal<rational{1, 10}>;      // 0.1

// One running statistic: the buffer it lives in and the expression of the
// batch's value (a subexpression of the training loss). Unbiased: the
// batch's (biased) variance is scaled by N/(N − 1) when folded in.
// PerSample: the values each sample gives a feature (L on [N, F, L]), so the
// batch holds N·PerSample.
template <class Buffer, class Batch, bool Unbiased, std::size_t PerSample = 1>
struct running_stat {
    using buffer = Buffer;
    using batch = Batch;
    static constexpr bool unbiased = Unbiased;
    static constexpr std::size_t per_sample = PerSample;
};

namespace detail {
template <Shape S, std::size_t F>
constexpr bool check_batch_norm_input() {
    constexpr bool ok = (S::rank == 2 || (S::rank == 3 && S::extents[2] != dyn)) && S::extents[1] == F;
    static_assert(ok, "leibniz::nn::batch_norm1d<F>: the input must be [N, F] or [N, F, L], L static (the input's "
                      "shape and F are the template arguments of check_batch_norm_input)");
    return ok;
}
// The values per sample and feature: L of [N, F, L], 1 of [N, F].
template <Shape S>
constexpr std::size_t per_sample() {
    if constexpr (S::rank == 3)
        return S::extents[2];
    else
        return 1;
}
}  // namespace detail

template <std::size_t F>
struct batch_norm1d_t : layer_base<batch_norm1d_t<F>> {
    template <fixed_string Prefix, class T>
    using weight = leaf<join_name<Prefix, "weight">(), T, shape<F>, param_kind>;
    template <fixed_string Prefix, class T>
    using bias = leaf<join_name<Prefix, "bias">(), T, shape<F>, param_kind>;
    template <fixed_string Prefix, class T>
    using running_mean = leaf<join_name<Prefix, "running_mean">(), T, shape<F>, buffer_kind>;
    template <fixed_string Prefix, class T>
    using running_var = leaf<join_name<Prefix, "running_var">(), T, shape<F>, buffer_kind>;

    // A per-feature [F] vector laid along the input's axis 1: as it is
    // against [N, F], as [F, 1] against [N, F, L].
    template <Shape S, Expression V>
    static constexpr auto along_features(V v) {
        if constexpr (S::rank == 3)
            return reshape<shape<F, 1>>(v);
        else
            return v;
    }
    // The mean over every axis but the features' (N, and L of [N, F, L]): [F].
    template <Expression X>
    static constexpr auto feature_mean(X x) {
        if constexpr (shape_of<X>::rank == 3)
            return mean(mean(x, axis<2>), axis<0>);
        else
            return mean(x, axis<0>);
    }
    // The batch's mean and biased variance per feature, [F].
    template <Expression X>
    static constexpr auto batch_mean(X x) {
        return feature_mean(x);
    }
    template <Expression X>
    static constexpr auto batch_var(X x) {
        const auto centred = x - along_features<shape_of<X>>(batch_mean(x));
        return feature_mean(centred * centred);
    }

    template <fixed_string Prefix, class M, Expression X>
    static constexpr auto apply(X x) {
        using T = default_scalar_of<X>;
        if constexpr (poisoned<X>) {
            return poison{};
        } else if constexpr (!detail::check_batch_norm_input<shape_of<X>, F>()) {
            return poison{};
        } else if constexpr (is_training<M>) {
            using S = shape_of<X>;
            return (x - along_features<S>(batch_mean(x))) / along_features<S>(sqrt(batch_var(x) + norm_eps{})) *
                       along_features<S>(weight<Prefix, T>{}) +
                   along_features<S>(bias<Prefix, T>{});
        } else {
            using S = shape_of<X>;
            return (x - along_features<S>(running_mean<Prefix, T>{})) /
                       along_features<S>(sqrt(running_var<Prefix, T>{} + norm_eps{})) *
                       along_features<S>(weight<Prefix, T>{}) +
                   along_features<S>(bias<Prefix, T>{});
        }
    }

    template <fixed_string Prefix, class M, Expression X>
    static constexpr auto running_stats(X x) {
        using T = default_scalar_of<X>;
        if constexpr (is_training<M> && !poisoned<X>)
            return std::tuple<
                running_stat<running_mean<Prefix, T>, decltype(batch_mean(x)), false, detail::per_sample<shape_of<X>>()>,
                running_stat<running_var<Prefix, T>, decltype(batch_var(x)), true, detail::per_sample<shape_of<X>>()>>{};
        else
            return std::tuple<>{};
    }

    template <fixed_string Prefix, class Store>
    static void reset(Store& store, std::uint64_t) {
        using T = typename Store::scalar_type;
        fill_if_held<weight<Prefix, T>>(store, T(1));
        fill_if_held<bias<Prefix, T>>(store, T(0));
        fill_if_held<running_mean<Prefix, T>>(store, T(0));
        fill_if_held<running_var<Prefix, T>>(store, T(1));
    }

private:
    template <class L, class Store, class T>
    static void fill_if_held(Store& store, T value) {
        if constexpr (Store::layout::template holds<L>) {
            auto view = store[L{}];
            for (std::size_t i = 0; i < view.size(); ++i) view.data()[i] = value;
        }
    }
};

template <std::size_t F>
inline constexpr batch_norm1d_t<F> batch_norm1d{};

// ---------------------------------------------------------------- folding the statistics in

// lz::nn::with_running_stats(loss, stats, extra...): the loss with the batch
// statistics (then `extra`) as auxiliary outputs: lz::with_aux(loss, μ_B, σ²_B, ..., extra...).
template <Expression L, class... S, Expression... Extra>
constexpr auto with_running_stats(L loss, std::tuple<S...>, Extra... extra) {
    static_assert(sizeof...(S) + sizeof...(Extra) > 0,
                  "leibniz::nn::with_running_stats: the network has no running statistics (no batch norm in training "
                  "mode) and no other auxiliary output was given");
    return with_aux(loss, typename S::batch{}..., extra...);
}

namespace detail {
template <class Aux, std::size_t I>
decltype(auto) aux_at(const Aux& aux) {
    if constexpr (requires { std::tuple_size<Aux>::value; })
        return std::get<I>(aux);
    else
        return (aux);  // a single auxiliary output
}

template <class Stat, class Store, class View>
void fold_running_stat(Store& store, const View& batch, std::size_t n) {
    using B = typename Stat::buffer;
    using T = typename B::scalar_type;
    constexpr auto running = B{};
    constexpr auto value = var<"leibniz.nn.batch", T, shape_of<B>>;
    constexpr auto scale = var<"leibniz.nn.scale", T>;
    const double m = double(n) * double(Stat::per_sample);  // the values per feature in the batch
    const T s = Stat::unbiased ? T(m / (m - 1)) : T(1);
    auto target = store[running];
    const tensor_view<const T, shape_of<B>> current(target.data(), leibniz::detail::extents_of<shape_of<B>>{});
    assign(target, (one_t{} - norm_momentum{}) * running + norm_momentum{} * scale * value,
           at(running = current, value = batch, scale = s));
}
}  // namespace detail

// lz::nn::update_running_stats(stats, buffers, aux, n): folds the batch
// statistics of a training step (the first auxiliary outputs of
// with_running_stats, in stats' order) into the running statistics of the
// buffer store, with PyTorch's momentum 0.1; n is the batch size N (N ≥ 2:
// the unbiased variance divides by N − 1, by N·L − 1 on [N, F, L]). One
// lz::assign per statistic: no allocation.
template <class... S, class Store, class Aux>
void update_running_stats(std::tuple<S...>, Store& store, const Aux& aux, std::size_t n) {
    constexpr std::size_t per_sample = sizeof...(S) == 0 ? 1 : std::min({std::size_t(-1), S::per_sample...});
    if (n * per_sample < 2)
        throw std::invalid_argument("leibniz::nn::update_running_stats: a batch of " + std::to_string(n) +
                                    " sample(s) has no unbiased variance (PyTorch raises the same error in training: "
                                    "\"Expected more than 1 value per channel\")");
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (detail::fold_running_stat<S>(store, detail::aux_at<Aux, I>(aux), n), ...);
    }(std::index_sequence_for<S...>{});
}

}  // namespace leibniz::nn
