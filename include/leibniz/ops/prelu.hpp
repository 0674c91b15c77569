#pragma once
// prelu(a, w) = a for a > 0, else w·a, the slope w an operand: a learnable
// leaf, one number or one per channel (torch.nn.PReLU(num_parameters),
// initialised to 0.25 there: the layer that makes the leaf does that).
// ∂/∂a = 1 for a > 0, else w;  ∂/∂w = 0 for a > 0, else a (at a = 0: w and
// a = 0, PyTorch's). A per-channel slope [C] applies along axis 1, as
// PyTorch's PReLU(C) does: against [N, C] as it is, against [N, C, L, ...]
// laid as [C, 1, ...] (a reshape, so its gradient comes back as [C]); any
// other slope shape broadcasts as NumPy does. Its gradient is summed over
// the broadcast axes, as the engine does for every broadcast operand.

#include <leibniz/ops/compare.hpp>
#include <leibniz/ops/op.hpp>
#include <leibniz/ops/reshape.hpp>
#include <leibniz/ops/where.hpp>

#include <array>
#include <cstddef>
#include <utility>

namespace leibniz {

struct prelu_op {
    static constexpr std::string_view name = "prelu";
    static constexpr op_traits traits{};

    template <class T>
    static T value(const T& a, const T& w) { return select(a > T(0), a, w * a); }
    template <std::size_t P, class T>
    static T jvp(const T& t, const T&, const T& a, const T& w) {
        if constexpr (P == 0) return select(a > T(0), t, t * w); else return select(a > T(0), T(0), t * a);
    }
    template <std::size_t P, class T>
    static T vjp(const T& g, const T&, const T& a, const T& w) {
        if constexpr (P == 0) return select(a > T(0), g, g * w); else return select(a > T(0), T(0), g * a);
    }
    template <std::size_t P, class A, class W>
    static constexpr auto partial(A a, W w) {
        if constexpr (P == 0) return where(a > zero_t{}, one_t{}, w); else return where(a > zero_t{}, zero_t{}, a);
    }
    static constexpr std::array<std::string_view, 2> local_derivative{"[a > 0] + b·[a ≤ 0]", "a·[a ≤ 0]"};
};

namespace detail {
// [C] followed by Ones ones: a channel vector laid along axis 1 of a higher-rank input.
template <std::size_t C, std::size_t Ones>
struct channel_column {
    template <std::size_t... I>
    static auto make(std::index_sequence<I...>) -> shape<C, (void(I), std::size_t{1})...>;
    using type = decltype(make(std::make_index_sequence<Ones>{}));
};
}  // namespace detail

template <Expression A, Expression W>
constexpr auto prelu(A a, W w) {
    using SA = shape_of<A>;
    using SW = shape_of<W>;
    if constexpr (SA::rank >= 3 && SW::rank == 1 && !poisoned<A, W>) {
        if constexpr (SW::extents[0] > 1 && SW::extents[0] == SA::extents[1])  // a slope per channel, on axis 1
            return make_node<prelu_op>(a, reshape<typename detail::channel_column<SW::extents[0], SA::rank - 2>::type>(w));
        else
            return make_node<prelu_op>(a, w);
    } else {
        return make_node<prelu_op>(a, w);
    }
}

template <class T, std::size_t N>
dual<T, N> prelu(const dual<T, N>& a, const dual<T, N>& w) { return lift<prelu_op>(a, w); }

}  // namespace leibniz
