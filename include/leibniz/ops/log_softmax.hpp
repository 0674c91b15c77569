#pragma once
// log_softmax(a) along the last axis: yᵢ = aᵢ − logsumexp(a), max-subtracted.
// δa = δ − exp(y)·Σ δ   (per row)

#include <leibniz/ops/softmax.hpp>

namespace leibniz {

struct log_softmax_op {
    static constexpr std::string_view name = "log_softmax";
    static constexpr std::string_view latex_name = "\\log\\operatorname{softmax}";
    static constexpr op_traits traits{.elementwise = false, .reads_result = true, .reads_operands = false};
    static constexpr std::string_view vjp_formula = "δ - exp(y)·Σ δ, per row";

    template <Shape S>
    using result_shape = S;

    template <class T, class S>
    static void forward(const tensor_view<T, S>& y, const tensor_view<T, S>& a) {
        const auto [rows, cols] = detail::rows_and_columns(a);
        kernels::log_softmax_rows(a.data(), rows, cols, y.data());
    }
    template <std::size_t P, class T, class S>
    static void vjp(const tensor_view<T, S>& d, bool accumulate, const tensor_view<T, S>& g, const tensor_view<T, S>& y,
                    const tensor_view<T, S>&) {
        const auto [rows, cols] = detail::rows_and_columns(y);
        kernels::log_softmax_rows_vjp(y.data(), g.data(), rows, cols, d.data(), accumulate);
    }
};

template <Expression A>
constexpr auto log_softmax(A a) {
    if constexpr (poisoned<A>) return poison{};  // an operand's check failed, and said so
    else if constexpr (detail::check_softmax_operand<shape_of<A>>()) return make_node<log_softmax_op>(a);
    else return poison{};  // the check's static_assert is the one error
}

}  // namespace leibniz
