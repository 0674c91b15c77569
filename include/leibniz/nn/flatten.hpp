#pragma once
// lz::nn::flatten: [N, d1, d2, ...] → [N, d1·d2·...], PyTorch's nn.Flatten()
// (start_dim = 1). N may be the run-time batch; the other extents are static.

#include <leibniz/nn/layer.hpp>
#include <leibniz/ops/reshape.hpp>

#include <cstddef>

namespace leibniz::nn {

namespace detail {
template <Shape S>
constexpr bool check_flatten() {
    constexpr bool ok = [] {
        if (S::rank < 2) return false;
        for (std::size_t k = 1; k < S::rank; ++k)
            if (S::extents[k] == dyn) return false;
        return true;
    }();
    static_assert(ok, "leibniz::nn::flatten: the input must be [N, d1, ...] with static d1, ... (its shape is the "
                      "template argument of check_flatten)");
    return ok;
}
template <Shape S>
constexpr std::size_t trailing_size() {
    std::size_t n = 1;
    for (std::size_t k = 1; k < S::rank; ++k) n *= S::extents[k];
    return n;
}
}  // namespace detail

struct flatten_t : layer_base<flatten_t> {
    template <fixed_string Prefix, class M, Expression X>
    static constexpr auto apply(X x) {
        using S = shape_of<X>;
        if constexpr (poisoned<X>)
            return poison{};
        else if constexpr (!detail::check_flatten<S>())
            return poison{};
        else if constexpr (S::rank == 2)
            return x;
        else
            return reshape<shape<S::extents[0], detail::trailing_size<S>()>>(x);
    }
};
inline constexpr flatten_t flatten{};

}  // namespace leibniz::nn
