#pragma once
// logsumexp(a) = log Σᵢ exp(aᵢ), computed max-subtracted (never overflows);
// logsumexp(a, lz::axis<K>) along axis K.   δa = δ·exp(a − y) = δ·softmax(a)

#include <leibniz/ops/axis.hpp>
#include <leibniz/ops/op.hpp>
#include <leibniz/kernels/reduce.hpp>
#include <leibniz/tensor/tensor.hpp>

namespace leibniz {

struct logsumexp_op {
    static constexpr std::string_view name = "logsumexp";
    static std::string latex(const std::string& a) { return "\\log\\sum\\exp " + a; }
    static constexpr op_traits traits{.elementwise = false, .reads_result = true};
    static constexpr std::string_view vjp_formula = "δ·exp(a - y)";

    template <Shape S>
    using result_shape = shape<>;

    template <class T, class S>
    static void forward(T& y, const tensor_view<T, S>& a) {
        y = kernels::logsumexp(a.data(), a.size());
    }
    template <std::size_t P, class T, class S>
    static void vjp(const tensor_view<T, S>& d, bool accumulate, const T& g, const T& y, const tensor_view<T, S>& a) {
        kernels::logsumexp_vjp(a.data(), a.size(), y, g, d.data(), accumulate);
    }
};

template <std::size_t K>
struct logsumexp_axis_op {
    static constexpr std::string_view name = "logsumexp";
    static std::string text(const std::string& a) { return "logsumexp(" + a + ", axis " + std::to_string(K) + ")"; }
    static constexpr op_traits traits{.elementwise = false, .reads_result = true};
    static constexpr std::string_view vjp_formula = "δ·exp(a - y), along the axis";

    template <Shape S>
    using result_shape = typename detail::drop_axis<S, K>::type;

    template <class T, class SY, class S>
    static void forward(const tensor_view<T, SY>& y, const tensor_view<T, S>& a) {
        const auto l = detail::layout_of(a.extents(), K);
        kernels::logsumexp_axis(a.data(), l.outer, l.axis, l.inner, y.data(), false);
    }
    template <std::size_t P, class T, class S, class SY>
    static void vjp(const tensor_view<T, S>& d, bool accumulate, const tensor_view<T, SY>& g, const tensor_view<T, SY>& y,
                    const tensor_view<T, S>& a) {
        const auto l = detail::layout_of(a.extents(), K);
        kernels::logsumexp_axis_vjp(a.data(), l.outer, l.axis, l.inner, y.data(), g.data(), d.data(), accumulate);
    }
};

template <Expression A>
constexpr auto logsumexp(A a) {
    if constexpr (poisoned<A>) return poison{};  // an operand's check failed, and said so
    else if constexpr (detail::check_reducible<shape_of<A>>()) return make_node<logsumexp_op>(a);
    else return poison{};  // the check's static_assert is the one error
}
template <Expression A, std::size_t K>
constexpr auto logsumexp(A a, axis_t<K>) {
    if constexpr (poisoned<A>) return poison{};  // an operand's check failed, and said so
    else if constexpr (detail::check_axis<shape_of<A>, K>()) return make_node<logsumexp_axis_op<K>>(a);
    else return poison{};  // the check's static_assert is the one error
}

// Along the only axis of a vector: the whole reduction, a rank-0 result.
template <Expression A>
    requires(shape_of<A>::rank == 1)
constexpr auto logsumexp(A a, axis_t<0>) {
    return logsumexp(a);
}

// lz::logsumexp(e, 1): one error of ours, asking for lz::axis<1>.
template <Expression A, runtime_number S>
constexpr poison logsumexp(A, S) {
    if constexpr (!poisoned<A>) detail::reject_runtime_axis<S>();
    return {};
}

}  // namespace leibniz
