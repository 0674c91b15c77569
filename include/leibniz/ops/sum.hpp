#pragma once
// sum(a): Σᵢ aᵢ, a scalar.                δa = δ (broadcast)
// sum(a, lz::axis<K>): the sum over axis K.  δa = δ broadcast along axis K

#include <leibniz/ops/axis.hpp>
#include <leibniz/ops/op.hpp>
#include <leibniz/kernels/elementwise.hpp>
#include <leibniz/kernels/reduce.hpp>
#include <leibniz/tensor/tensor.hpp>

namespace leibniz {

struct sum_op {
    static constexpr std::string_view name = "sum";
    static std::string latex(const std::string& a) { return "\\sum " + a; }
    static constexpr op_traits traits{.elementwise = false, .reduces = reduction::sum, .reads_operands = false};
    static constexpr std::string_view vjp_formula = "δ, copied to every element";

    template <Shape S>
    using result_shape = shape<>;

    template <class T, class S>
    static void forward(T& y, const tensor_view<T, S>& a) {
        y = kernels::sum(a.data(), a.size());
    }
    template <std::size_t P, class T, class S>
    static void vjp(const tensor_view<T, S>& d, bool accumulate, const T& g, const T&, const tensor_view<T, S>&) {
        kernels::fill(d.data(), d.size(), g, accumulate);
    }
};

template <std::size_t K>
struct sum_axis_op {
    static constexpr std::string_view name = "sum";
    static std::string text(const std::string& a) { return "sum(" + a + ", axis " + std::to_string(K) + ")"; }
    static std::string latex(const std::string& a) { return "\\sum_{" + std::to_string(K) + "} " + a; }
    static constexpr op_traits traits{.elementwise = false, .reads_operands = false};
    static constexpr std::string_view vjp_formula = "δ, copied along the axis";

    template <Shape S>
    using result_shape = typename detail::drop_axis<S, K>::type;

    template <class T, class SY, class S>
    static void forward(const tensor_view<T, SY>& y, const tensor_view<T, S>& a) {
        const auto l = detail::layout_of(a.extents(), K);
        kernels::sum_axis(a.data(), l.outer, l.axis, l.inner, y.data(), false);
    }
    template <std::size_t P, class T, class S, class SY>
    static void vjp(const tensor_view<T, S>& d, bool accumulate, const tensor_view<T, SY>& g, const tensor_view<T, SY>&,
                    const tensor_view<T, S>& a) {
        const auto l = detail::layout_of(a.extents(), K);
        for (std::size_t o = 0; o < l.outer; ++o)
            for (std::size_t i = 0; i < l.axis; ++i)
                kernels::copy(d.data() + (o * l.axis + i) * l.inner, g.data() + o * l.inner, l.inner, accumulate);
    }
};

template <Expression A>
constexpr auto sum(A a) {
    if constexpr (poisoned<A>) return poison{};  // an operand's check failed, and said so
    else if constexpr (detail::check_reducible<shape_of<A>>()) return make_node<sum_op>(a);
    else return poison{};  // the check's static_assert is the one error
}
template <Expression A, std::size_t K>
constexpr auto sum(A a, axis_t<K>) {
    if constexpr (poisoned<A>) return poison{};  // an operand's check failed, and said so
    else if constexpr (detail::check_axis<shape_of<A>, K>()) return make_node<sum_axis_op<K>>(a);
    else return poison{};  // the check's static_assert is the one error
}

// Along the only axis of a vector: the whole reduction, a rank-0 result.
template <Expression A>
    requires(shape_of<A>::rank == 1)
constexpr auto sum(A a, axis_t<0>) {
    return sum(a);
}

// lz::sum(e, 1): one error of ours, asking for lz::axis<1>.
template <Expression A, runtime_number S>
constexpr poison sum(A, S) {
    if constexpr (!poisoned<A>) detail::reject_runtime_axis<S>();
    return {};
}

}  // namespace leibniz
