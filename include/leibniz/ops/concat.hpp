#pragma once
// concat(a, b, lz::axis<K>): a and b joined along axis K (default 0); every
// other extent must agree.  δa, δb = the two slices of δ.

#include <leibniz/ops/axis.hpp>
#include <leibniz/ops/op.hpp>
#include <leibniz/kernels/elementwise.hpp>
#include <leibniz/tensor/tensor.hpp>

namespace leibniz {

namespace detail {
template <Shape A, Shape B, std::size_t K>
constexpr bool check_concat() {
    bool ok = A::rank == B::rank && K < A::rank;
    if (ok) {
        for (std::size_t i = 0; i < A::rank; ++i)
            if (i != K && A::extents[i] != B::extents[i]) ok = false;
        if (A::extents[K] == dyn || B::extents[K] == dyn) ok = false;
    }
    return ok;
}
// The shapes and the axis are the template arguments of this check.
template <Shape A, Shape B, std::size_t K>
constexpr bool report_concat() {
    constexpr bool ok = check_concat<A, B, K>();
    static_assert(ok, "leibniz::concat: the operands' extents must agree except along the axis, which must be "
                      "static (the shapes A, B and the axis K are the template arguments of report_concat)");
    return ok;
}
template <Shape A, Shape B, std::size_t K>
struct concat_shape {
    template <std::size_t... I>
    static auto make(std::index_sequence<I...>) -> shape<(I == K ? A::extents[I] + B::extents[I] : A::extents[I])...>;
    using type = decltype(make(std::make_index_sequence<A::rank>{}));
};
}  // namespace detail

template <std::size_t K>
struct concat_op {
    static constexpr std::string_view name = "concat";
    static constexpr op_traits traits{.elementwise = false, .reads_operands = false};
    static constexpr std::array<std::string_view, 2> vjp_formula{"δ[first slice along the axis]", "δ[second slice along the axis]"};

    template <Shape A, Shape B>
    using result_shape = typename detail::concat_shape<A, B, K>::type;

    // Rows of the [outer, axis·inner] view: a contributes its axis extent, then b.
    template <class T, class SY, class SA, class SB>
    static void forward(const tensor_view<T, SY>& y, const tensor_view<T, SA>& a, const tensor_view<T, SB>& b) {
        const auto la = detail::layout_of(a.extents(), K), lb = detail::layout_of(b.extents(), K);
        const std::size_t ra = la.axis * la.inner, rb = lb.axis * lb.inner;
        for (std::size_t o = 0; o < la.outer; ++o) {
            kernels::copy(y.data() + o * (ra + rb), a.data() + o * ra, ra, false);
            kernels::copy(y.data() + o * (ra + rb) + ra, b.data() + o * rb, rb, false);
        }
    }
    template <std::size_t P, class T, class SD, class SY, class SA, class SB>
    static void vjp(const tensor_view<T, SD>& d, bool accumulate, const tensor_view<T, SY>& g, const tensor_view<T, SY>&,
                    const tensor_view<T, SA>& a, const tensor_view<T, SB>& b) {
        const auto la = detail::layout_of(a.extents(), K), lb = detail::layout_of(b.extents(), K);
        const std::size_t ra = la.axis * la.inner, rb = lb.axis * lb.inner;
        for (std::size_t o = 0; o < la.outer; ++o) {
            if constexpr (P == 0)
                kernels::copy(d.data() + o * ra, g.data() + o * (ra + rb), ra, accumulate);
            else
                kernels::copy(d.data() + o * rb, g.data() + o * (ra + rb) + ra, rb, accumulate);
        }
    }
};

template <Expression A, Expression B, std::size_t K = 0>
constexpr auto concat(A a, B b, axis_t<K> = {}) {
    if constexpr (poisoned<A, B>) return poison{};  // an operand's check failed, and said so
    else if constexpr (detail::report_concat<shape_of<A>, shape_of<B>, K>()) return make_node<concat_op<K>>(a, b);
    else return poison{};  // the check's static_assert is the one error
}

}  // namespace leibniz
