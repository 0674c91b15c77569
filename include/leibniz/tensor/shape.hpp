#pragma once
// Static extents. A leaf carries a `shape<...>`; rank 0 is a scalar. `dyn`
// marks an extent bound at run time (the leading batch extent).

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

namespace leibniz {

inline constexpr std::size_t dyn = static_cast<std::size_t>(-1);

template <std::size_t... Extents>
struct shape {
    static constexpr std::size_t rank = sizeof...(Extents);
    static constexpr std::array<std::size_t, rank> extents{Extents...};
    static constexpr bool is_static = ((Extents != dyn) && ...);
    // Number of elements; only meaningful when is_static.
    static constexpr std::size_t size = (std::size_t{1} * ... * (Extents == dyn ? 1 : Extents));
};

template <class S>
struct is_shape : std::false_type {};
template <std::size_t... E>
struct is_shape<shape<E...>> : std::true_type {};

template <class S>
concept Shape = is_shape<S>::value;

using scalar_shape = shape<>;

namespace detail {

// NumPy broadcasting: align trailing extents; equal, or one of them 1 (or dyn
// against dyn). Returns rank 0 extents plus an "ok" flag.
template <Shape A, Shape B>
struct broadcast_rule {
    static constexpr std::size_t rank = A::rank > B::rank ? A::rank : B::rank;

    static constexpr auto compute() {
        struct result {
            std::array<std::size_t, rank> extents{};
            bool ok = true;
        } r;
        for (std::size_t i = 0; i < rank; ++i) {
            // i counts from the trailing end
            const std::size_t a = i < A::rank ? A::extents[A::rank - 1 - i] : 1;
            const std::size_t b = i < B::rank ? B::extents[B::rank - 1 - i] : 1;
            std::size_t e = 0;
            if (a == b)
                e = a;
            else if (a == 1)
                e = b;
            else if (b == 1)
                e = a;
            else
                r.ok = false;
            r.extents[rank - 1 - i] = e;
        }
        return r;
    }
    static constexpr auto value = compute();

    template <std::size_t... I>
    static auto make(std::index_sequence<I...>) -> shape<value.extents[I]...>;
    using type = decltype(make(std::make_index_sequence<rank>{}));
};

template <class... T>
inline constexpr bool dependent_false = false;

}  // namespace detail

// Shapes that cannot be broadcast name both shapes in the error (they appear
// as the template arguments of this check).
template <Shape A, Shape B>
constexpr bool check_broadcastable() {
    static_assert(detail::broadcast_rule<A, B>::value.ok,
                  "leibniz: shapes cannot be broadcast together (trailing extents must be equal or 1); "
                  "the two shapes are the template arguments A and B of check_broadcastable");
    return detail::broadcast_rule<A, B>::value.ok;
}

template <Shape A, Shape B>
using broadcast_shape = typename detail::broadcast_rule<A, B>::type;

}  // namespace leibniz
