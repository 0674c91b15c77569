#pragma once
// reshape<S>(a): the same elements in row-major order, with shape S.  δa = δ, reshaped back.
// flatten(a): [n₀, n₁, ...] → [n₀·n₁·...]; with a run-time batch extent first,
// [dyn, n₁, ...] → [dyn, n₁·...] (the batch is kept, as Keras' Flatten does).
// A leading dyn extent may be reshaped only to a shape that also leads with dyn.

#include <leibniz/ops/op.hpp>
#include <leibniz/kernels/elementwise.hpp>
#include <leibniz/tensor/tensor.hpp>

namespace leibniz {

namespace detail {
template <Shape S>
constexpr std::size_t static_size_after_batch() {
    std::size_t n = 1;
    for (std::size_t i = 0; i < S::rank; ++i)
        if (S::extents[i] != dyn) n *= S::extents[i];
    return n;
}
template <Shape S>
constexpr bool leads_with_dyn() {
    return S::rank > 0 && S::extents[0] == dyn;
}
// The operand's shape From and the requested shape To are the template arguments.
template <Shape From, Shape To>
constexpr bool check_reshape() {
    constexpr bool dyn_ok = leads_with_dyn<From>() == leads_with_dyn<To>() &&
                            (dynamic_extent_count<From>() <= 1) && (dynamic_extent_count<To>() <= 1) &&
                            (!leads_with_dyn<From>() || dynamic_extent_count<From>() == 1);
    static_assert(dyn_ok, "leibniz::reshape: a run-time (dyn) extent may only lead both shapes (the shapes are the "
                          "template arguments From and To of check_reshape)");
    constexpr bool size_ok = static_size_after_batch<From>() == static_size_after_batch<To>();
    static_assert(size_ok, "leibniz::reshape: the shapes hold different numbers of elements (the shapes are the "
                           "template arguments From and To of check_reshape)");
    return dyn_ok && size_ok;
}
template <Shape S>
struct flattened {
    using type = std::conditional_t<leads_with_dyn<S>(), shape<dyn, static_size_after_batch<S>()>,
                                    shape<static_size_after_batch<S>()>>;
};
}  // namespace detail

template <Shape To>
struct reshape_op {
    static constexpr std::string_view name = "reshape";
    static constexpr op_traits traits{.elementwise = false, .reads_operands = false};
    static constexpr std::string_view vjp_formula = "δ, reshaped";

    template <Shape S>
    using result_shape = To;

    template <class T, class S>
    static void forward(const tensor_view<T, To>& y, const tensor_view<T, S>& a) {
        kernels::copy(y.data(), a.data(), a.size(), false);
    }
    template <std::size_t P, class T, class S>
    static void vjp(const tensor_view<T, S>& d, bool accumulate, const tensor_view<T, To>& g, const tensor_view<T, To>&,
                    const tensor_view<T, S>&) {
        kernels::copy(d.data(), g.data(), g.size(), accumulate);
    }
};

template <Shape To, Expression A>
constexpr auto reshape(A a) {
    if constexpr (poisoned<A>) return poison{};  // an operand's check failed, and said so
    else if constexpr (detail::check_reshape<shape_of<A>, To>()) return make_node<reshape_op<To>>(a);
    else return poison{};  // the check's static_assert is the one error
}

template <Expression A>
constexpr auto flatten(A a) {
    return reshape<typename detail::flattened<shape_of<A>>::type>(a);
}

}  // namespace leibniz
