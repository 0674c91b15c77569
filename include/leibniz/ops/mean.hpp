#pragma once
// mean(a): Σᵢ aᵢ / n.                      δa = δ/n (broadcast)
// mean(a, lz::axis<K>): the mean over axis K. δa = δ/n_K broadcast along axis K

#include <leibniz/ops/axis.hpp>
#include <leibniz/ops/op.hpp>
#include <leibniz/kernels/elementwise.hpp>
#include <leibniz/kernels/reduce.hpp>
#include <leibniz/tensor/tensor.hpp>

namespace leibniz {

struct mean_op {
    static constexpr std::string_view name = "mean";
    static std::string latex(const std::string& a) { return "\\overline{" + a + "}"; }
    static constexpr op_traits traits{.elementwise = false, .reduces = reduction::mean, .reads_operands = false};
    static constexpr std::string_view vjp_formula = "δ/n, copied to every element";

    template <Shape S>
    using result_shape = shape<>;

    template <class T, class S>
    static void forward(T& y, const tensor_view<T, S>& a) {
        y = kernels::sum(a.data(), a.size()) / T(static_cast<base_scalar_t<T>>(a.size()));
    }
    template <std::size_t P, class T, class S>
    static void vjp(const tensor_view<T, S>& d, bool accumulate, const T& g, const T&, const tensor_view<T, S>& a) {
        kernels::fill(d.data(), d.size(), g / T(static_cast<base_scalar_t<T>>(a.size())), accumulate);
    }
};

template <std::size_t K>
struct mean_axis_op {
    static constexpr std::string_view name = "mean";
    static std::string text(const std::string& a) { return "mean(" + a + ", axis " + std::to_string(K) + ")"; }
    static constexpr op_traits traits{.elementwise = false, .reads_operands = false};
    static constexpr std::string_view vjp_formula = "δ/n, copied along the axis";

    template <Shape S>
    using result_shape = typename detail::drop_axis<S, K>::type;

    template <class T, class SY, class S>
    static void forward(const tensor_view<T, SY>& y, const tensor_view<T, S>& a) {
        const auto l = detail::layout_of(a.extents(), K);
        kernels::sum_axis(a.data(), l.outer, l.axis, l.inner, y.data(), false);
        kernels::scaled_copy(y.data(), y.data(), y.size(), T(1) / T(static_cast<base_scalar_t<T>>(l.axis)), false);
    }
    template <std::size_t P, class T, class S, class SY>
    static void vjp(const tensor_view<T, S>& d, bool accumulate, const tensor_view<T, SY>& g, const tensor_view<T, SY>&,
                    const tensor_view<T, S>& a) {
        const auto l = detail::layout_of(a.extents(), K);
        const T scale = T(1) / T(static_cast<base_scalar_t<T>>(l.axis));
        for (std::size_t o = 0; o < l.outer; ++o)
            for (std::size_t i = 0; i < l.axis; ++i)
                kernels::scaled_copy(d.data() + (o * l.axis + i) * l.inner, g.data() + o * l.inner, l.inner, scale,
                                     accumulate);
    }
};

template <Expression A>
constexpr auto mean(A a) {
    if constexpr (poisoned<A>) return poison{};  // an operand's check failed, and said so
    else if constexpr (detail::check_reducible<shape_of<A>>()) return make_node<mean_op>(a);
    else return poison{};  // the check's static_assert is the one error
}
template <Expression A, std::size_t K>
constexpr auto mean(A a, axis_t<K>) {
    if constexpr (poisoned<A>) return poison{};  // an operand's check failed, and said so
    else if constexpr (detail::check_axis<shape_of<A>, K>()) return make_node<mean_axis_op<K>>(a);
    else return poison{};  // the check's static_assert is the one error
}

// Along the only axis of a vector: the whole reduction, a rank-0 result.
template <Expression A>
    requires(shape_of<A>::rank == 1)
constexpr auto mean(A a, axis_t<0>) {
    return mean(a);
}

// lz::mean(e, 1): one error of ours, asking for lz::axis<1>.
template <Expression A, runtime_number S>
constexpr poison mean(A, S) {
    if constexpr (!poisoned<A>) detail::reject_runtime_axis<S>();
    return {};
}

}  // namespace leibniz
