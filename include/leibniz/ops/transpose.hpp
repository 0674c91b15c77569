#pragma once
// transpose(A): [m×n] → [n×m].  δA = δᵀ

#include <leibniz/ops/op.hpp>
#include <leibniz/kernels/elementwise.hpp>
#include <leibniz/tensor/tensor.hpp>

namespace leibniz {

namespace detail {
template <Shape S>
struct transposed;
template <std::size_t M, std::size_t N>
struct transposed<shape<M, N>> {
    using type = shape<N, M>;
};
template <Shape S>
constexpr bool check_transpose() {
    static_assert(S::rank == 2, "leibniz::transpose: the operand must be a matrix (its shape is the template "
                                "argument of check_transpose)");
    return S::rank == 2;
}
}  // namespace detail

struct transpose_op {
    static constexpr std::string_view name = "transpose";
    static std::string text(const std::string& a) { return a + "ᵀ"; }
    static std::string latex(const std::string& a) { return a + "^{\\top}"; }
    static constexpr int precedence = precedence::atom - 1;
    static constexpr std::array<int, 1> operand_precedence{precedence::atom};
    static constexpr op_traits traits{.elementwise = false, .reads_operands = false};
    static constexpr std::string_view vjp_formula = "δᵀ";

    template <Shape S>
    using result_shape = typename detail::transposed<S>::type;

    template <class T, class SY, class S>
    static void forward(const tensor_view<T, SY>& y, const tensor_view<T, S>& a) {
        kernels::transpose(y.data(), a.data(), a.extent(0), a.extent(1), false);
    }
    template <std::size_t P, class T, class S, class SY>
    static void vjp(const tensor_view<T, S>& d, bool accumulate, const tensor_view<T, SY>& g, const tensor_view<T, SY>&,
                    const tensor_view<T, S>&) {
        kernels::transpose(d.data(), g.data(), g.extent(0), g.extent(1), accumulate);
    }
};

template <Expression A>
constexpr auto transpose(A a) {
    if constexpr (poisoned<A>) return poison{};  // an operand's check failed, and said so
    else if constexpr (detail::check_transpose<shape_of<A>>()) return make_node<transpose_op>(a);
    else return poison{};  // the check's static_assert is the one error
}

}  // namespace leibniz
