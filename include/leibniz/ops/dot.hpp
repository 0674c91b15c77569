#pragma once
// dot(a, b) = Σᵢ aᵢ·bᵢ for two vectors of one length.  δa = δ·b,  δb = δ·a

#include <leibniz/ops/op.hpp>
#include <leibniz/kernels/elementwise.hpp>
#include <leibniz/core/simd.hpp>
#include <leibniz/tensor/tensor.hpp>

namespace leibniz {

namespace detail {
template <Shape A, Shape B>
constexpr bool check_dot() {
    constexpr bool ok = A::rank == 1 && B::rank == 1 && A::extents[0] == B::extents[0] && A::extents[0] != dyn;
    static_assert(ok, "leibniz::dot: operands must be vectors of one static length (the shapes are the template "
                      "arguments A and B of check_dot)");
    return ok;
}
}  // namespace detail

struct dot_op {
    static constexpr std::string_view name = "dot";
    static std::string latex(const std::string& a, const std::string& b) { return a + " \\cdot " + b; }
    static constexpr op_traits traits{.elementwise = false};
    static constexpr std::array<std::string_view, 2> vjp_formula{"δ·b", "δ·a"};

    template <Shape A, Shape B>
    using result_shape = shape<>;

    template <class T, class S>
    static void forward(T& y, const tensor_view<T, S>& a, const tensor_view<T, S>& b) {
        using B = kernels::simd::batch_for<T>;
        constexpr std::size_t W = kernels::simd::width<B>;
        const std::size_t n = a.size();
        B acc0 = kernels::simd::broadcast<B>(T(0)), acc1 = acc0;
        const std::size_t vector_end = n - n % (2 * W);
        std::size_t i = 0;
        for (; i < vector_end; i += 2 * W) {  // two accumulators hide the add latency
            acc0 = acc0 + kernels::simd::load<B>(a.data() + i) * kernels::simd::load<B>(b.data() + i);
            acc1 = acc1 + kernels::simd::load<B>(a.data() + i + W) * kernels::simd::load<B>(b.data() + i + W);
        }
        T total = kernels::simd::reduce_add(acc0 + acc1);
        for (; i < n; ++i) total = total + a.data()[i] * b.data()[i];
        y = total;
    }
    template <std::size_t P, class T, class S>
    static void vjp(const tensor_view<T, S>& d, bool accumulate, const T& g, const T&, const tensor_view<T, S>& a,
                    const tensor_view<T, S>& b) {
        kernels::scaled_copy(d.data(), (P == 0 ? b : a).data(), d.size(), g, accumulate);
    }
};

template <Expression A, Expression B>
constexpr auto dot(A a, B b) {
    if constexpr (poisoned<A, B>) return poison{};  // an operand's check failed, and said so
    else if constexpr (detail::check_dot<shape_of<A>, shape_of<B>>()) return make_node<dot_op>(a, b);
    else return poison{};  // the check's static_assert is the one error
}

}  // namespace leibniz
