#pragma once
// softmax(a) along the last axis: yᵢ = exp(aᵢ − max a) / Σⱼ exp(aⱼ − max a),
// max-subtracted so it never overflows.   δa = y ⊙ (δ − Σ δ⊙y)   (per row)

#include <leibniz/ops/op.hpp>
#include <leibniz/kernels/softmax.hpp>
#include <leibniz/tensor/tensor.hpp>

namespace leibniz {

namespace detail {
template <Shape S>
constexpr bool check_softmax_operand() {
    static_assert(S::rank > 0, "leibniz::softmax / log_softmax: the operand must be a tensor (rank > 0); they run "
                               "along its last axis");
    return S::rank > 0;
}
// A [rows × cols] view of a tensor, cols the last extent.
template <class V>
std::pair<std::size_t, std::size_t> rows_and_columns(const V& v) {
    const std::size_t cols = v.extent(V::rank - 1);
    return {cols == 0 ? 0 : v.size() / cols, cols};
}
}  // namespace detail

struct softmax_op {
    static constexpr std::string_view name = "softmax";
    static constexpr std::string_view latex_name = "\\operatorname{softmax}";
    static constexpr op_traits traits{.elementwise = false, .reads_result = true, .reads_operands = false};
    static constexpr std::string_view vjp_formula = "y ⊙ (δ - Σ δ⊙y), per row";

    template <Shape S>
    using result_shape = S;

    template <class T, class S>
    static void forward(const tensor_view<T, S>& y, const tensor_view<T, S>& a) {
        const auto [rows, cols] = detail::rows_and_columns(a);
        kernels::softmax_rows(a.data(), rows, cols, y.data());
    }
    template <std::size_t P, class T, class S>
    static void vjp(const tensor_view<T, S>& d, bool accumulate, const tensor_view<T, S>& g, const tensor_view<T, S>& y,
                    const tensor_view<T, S>&) {
        const auto [rows, cols] = detail::rows_and_columns(y);
        kernels::softmax_rows_vjp(y.data(), g.data(), rows, cols, d.data(), accumulate);
    }
};

template <Expression A>
constexpr auto softmax(A a) {
    if constexpr (poisoned<A>) return poison{};  // an operand's check failed, and said so
    else if constexpr (detail::check_softmax_operand<shape_of<A>>()) return make_node<softmax_op>(a);
    else return poison{};  // the check's static_assert is the one error
}

}  // namespace leibniz
