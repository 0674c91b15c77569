#pragma once
// lz::axis<K>: which axis a reduction runs over (sum(x, lz::axis<1>)), and the
// [outer, axis, inner] view of a row-major tensor that reduction kernels take.

#include <leibniz/tensor/shape.hpp>

#include <array>
#include <cstddef>
#include <utility>

namespace leibniz {

template <std::size_t K>
struct axis_t {
    static constexpr std::size_t value = K;
};
template <std::size_t K>
inline constexpr axis_t<K> axis{};

namespace detail {

// The shape and the axis are the template arguments of this check.
template <Shape S, std::size_t K>
constexpr bool check_axis() {
    constexpr bool ok = K < S::rank;
    static_assert(ok, "leibniz: reducing an axis the operand does not have (the operand's shape S and the axis K "
                      "are the template arguments of check_axis)");
    return ok;
}

// S without axis K.
template <Shape S, std::size_t K>
struct drop_axis {
    template <std::size_t... I>
    static auto make(std::index_sequence<I...>) -> shape<S::extents[I < K ? I : I + 1]...>;
    using type = decltype(make(std::make_index_sequence<S::rank - 1>{}));
};

// lz::sum(e, 1): the axis of a reduction is a type, lz::axis<K>.
template <class S>
constexpr void reject_runtime_axis() {
    static_assert(dependent_false<S>,
                  "leibniz: the axis of a reduction must be a compile-time constant: write lz::axis<K>, e.g. "
                  "lz::sum(e, lz::axis<1>) (the same for mean, max, min and logsumexp)");
}

// A whole-tensor reduction needs a tensor (the shape is the template argument).
template <Shape S>
constexpr bool check_reducible() {
    static_assert(S::rank > 0, "leibniz: reducing a scalar: sum/mean/max/min/logsumexp take a tensor (rank > 0)");
    return S::rank > 0;
}

struct axis_layout {
    std::size_t outer = 1, axis = 1, inner = 1;
};

template <class Extents>
axis_layout layout_of(const Extents& e, std::size_t k) {
    axis_layout l;
    for (std::size_t i = 0; i < k; ++i) l.outer *= e[i];
    l.axis = e[k];
    for (std::size_t i = k + 1; i < e.size(); ++i) l.inner *= e[i];
    return l;
}

}  // namespace detail
}  // namespace leibniz
