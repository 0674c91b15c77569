#pragma once
// one_hot<K>(y): integer labels y of shape S as rows of K zeros and a one, of
// shape [S..., K] (torch.nn.functional.one_hot(y, K), which is int64 there;
// here floating point, to compute with):
//   out[i…, c] = 1 if c = y[i…] else 0          y, an integer leaf, gets no adjoint
// Its scalar type adapts to the expression it meets, as a literal's does (a
// float expression makes it float; alone it is double); one_hot<K, float>(y)
// fixes it. A label outside [0, K) — negative ones included — is an
// lz::shape_error naming its position, its value and K.

#include <leibniz/ops/gather.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace leibniz {

namespace detail {
// S with one more axis of extent K.
template <Shape S, std::size_t K>
struct append_axis {
    template <std::size_t... I>
    static auto make(std::index_sequence<I...>) -> shape<S::extents[I]..., K>;
    using type = decltype(make(std::make_index_sequence<S::rank>{}));
};

// The scalar type an op states (node<Op, ...>::scalar_type reads it), or none: void adapts.
template <class T>
struct stated_scalar {
    using scalar_type = T;
};
template <>
struct stated_scalar<void> {};

// The number of classes K, the scalar type T and the labels' shape are the template arguments of this check.
template <std::size_t K, class T, Shape S>
constexpr bool check_one_hot() {
    constexpr bool ok = K > 0 && S::rank > 0 && (std::is_void_v<T> || std::is_floating_point_v<T>);
    static_assert(ok, "leibniz::one_hot<K, T>: takes K >= 1 classes, labels of rank 1 or more (e.g. "
                      "lz::var<\"y\", std::int32_t, lz::shape<lz::dyn>>) and a floating-point T (or none: it adapts) "
                      "(K, T and the labels' shape are the template arguments of check_one_hot)");
    return ok;
}
}  // namespace detail

template <std::size_t K, class T = void>
struct one_hot_op : detail::stated_scalar<T> {
    static constexpr std::string_view name = "one_hot";
    static std::string text(const std::string& y) { return "one_hot(" + y + ", " + std::to_string(K) + ")"; }
    static constexpr op_traits traits{.elementwise = false, .reads_operands = false, .integer_operands = 0b1};
    static constexpr std::string_view vjp_formula = "none (integer labels)";

    template <Shape S>
    using result_shape = typename detail::append_axis<S, K>::type;

    template <class U, class SY, class I, class S>
    static void forward(const tensor_view<U, SY>& out, const tensor_view<I, S>& y) {
        detail::check_indices("leibniz::one_hot", y, K, detail::classes_axis);
        kernels::one_hot(y.data(), y.size(), K, out.data());
    }
    // Never called: the one operand is an integer leaf, never active.
    template <std::size_t P, class D, class G, class Y>
    static void vjp(const D&, bool, const G&, const G&, const Y&) {}
};

// lz::one_hot<K>(y), lz::one_hot<K, float>(y): y an integer leaf.
template <std::size_t K, class T = void, Expression Y>
constexpr auto one_hot(Y y) {
    if constexpr (poisoned<Y>) return poison{};  // an operand's check failed, and said so
    else if constexpr (detail::check_one_hot<K, T, shape_of<Y>>()) return make_node<one_hot_op<K, T>>(y);
    else return poison{};  // the check's static_assert is the one error
}

}  // namespace leibniz
