#pragma once
// softmax_cross_entropy(logits [..., C], labels [...]), the fused op behind
// lz::loss::cross_entropy on integer labels: each row's loss, in one pass
// over the logits (kernels/cross_entropy.hpp),
//   y[n] = logsumexp(x[n, :]) − (1 − ε)·x[n, label_n] − (ε/C)·Σ_c x[n, c]
// and its adjoint without log_softmax: the notes' (softmax − onehot(y))·δ,
// with label smoothing ε (a literal; PyTorch's label_smoothing):
//   δx[n, c] = δ[n]·(softmax(x[n, :])[c] − (1 − ε)·[c = label_n] − ε/C)
// The mean over the batch (lz::mean of it) gives δ[n] = 1/N: (softmax − onehot)/N.
// A row labelled Ignore (PyTorch's ignore_index, default −100) gives 0 and
// gets no adjoint. A label outside [0, C) and not Ignore is an
// lz::shape_error naming its position and value.

#include <leibniz/kernels/cross_entropy.hpp>
#include <leibniz/ops/axis.hpp>
#include <leibniz/ops/exp.hpp>
#include <leibniz/ops/gather.hpp>
#include <leibniz/ops/log.hpp>
#include <leibniz/ops/op.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace leibniz {

template <rational Smoothing = rational{0, 1}, long long Ignore = -100>
struct softmax_cross_entropy_op {
    static_assert(Smoothing.num >= 0 && Smoothing.num <= Smoothing.den,
                  "leibniz::loss::cross_entropy: label_smoothing must be in [0, 1]");
    static constexpr std::string_view name = "softmax_cross_entropy";
    static std::string text(const std::string& x, const std::string& labels) {
        std::string t = "softmax_cross_entropy(" + x + ", " + labels;
        if constexpr (Smoothing.num != 0) t += ", label_smoothing " + detail::rational_text(Smoothing, false);
        if constexpr (Ignore != -100) t += ", ignore_index " + std::to_string(Ignore);
        return t + ")";
    }
    static constexpr op_traits traits{.elementwise = false, .reads_result = false, .integer_operands = 0b10};
    static constexpr std::array<std::string_view, 2> vjp_formula{
        "δ·(softmax(a) - (1 - ε)·onehot(b) - ε/C), per row", "none (integer labels)"};

    template <Shape X, Shape I>
    using result_shape = typename detail::drop_axis<X, X::rank - 1>::type;

    template <class T>
    static T smoothing() {
        return literal<Smoothing>::template as<T>();
    }

    template <class T, class SY, class SX, class I, class SI>
    static void forward(const tensor_view<T, SY>& y, const tensor_view<T, SX>& x, const tensor_view<I, SI>& labels) {
        const auto l = detail::layout_of(x.extents(), SX::rank - 1);
        detail::check_indices("leibniz::loss::cross_entropy", labels, l.axis, SX::rank - 1, Ignore);
        kernels::softmax_cross_entropy_rows(x.data(), labels.data(), l.outer, l.axis, smoothing<T>(), Smoothing.num != 0,
                                             Ignore, y.data());
    }
    template <std::size_t P, class D, class G, class X, class I, class SI>
    static void vjp(const D& d, bool accumulate, const G& g, const G&, const X& x, const tensor_view<I, SI>& labels) {
        if constexpr (P == 0) {
            using T = std::remove_cvref_t<decltype(*x.data())>;
            const auto l = detail::layout_of(x.extents(), X::shape_type::rank - 1);
            detail::check_indices("leibniz::loss::cross_entropy", labels, l.axis, X::shape_type::rank - 1, Ignore);
            kernels::softmax_cross_entropy_rows_vjp(x.data(), labels.data(), g.data(), l.outer, l.axis, smoothing<T>(),
                                                    Ignore, d.data(), accumulate);
        }
    }
};

namespace detail {
// Logits [..., C] (rank 2 or more) and labels [...], their shape without the last axis.
template <Shape X, Shape I>
constexpr bool check_cross_entropy() {
    constexpr bool ok = pick_shapes_agree<X, I, (X::rank == 0 ? 0 : X::rank - 1)>();
    static_assert(ok, "leibniz::loss::cross_entropy: logits [N, C] and integer labels [N] (the labels' shape is the "
                      "logits' without the last axis) (the shapes of the logits and of the labels are the template "
                      "arguments of check_cross_entropy)");
    return ok;
}
}  // namespace detail

// Each row's softmax cross-entropy: logits [..., C], integer labels [...].
template <rational Smoothing = rational{0, 1}, long long Ignore = -100, Expression X, Expression I>
constexpr auto softmax_cross_entropy(X logits, I labels) {
    if constexpr (poisoned<X, I>) return poison{};  // an operand's check failed, and said so
    else if constexpr (detail::check_cross_entropy<shape_of<X>, shape_of<I>>())
        return make_node<softmax_cross_entropy_op<Smoothing, Ignore>>(logits, labels);
    else return poison{};  // the check's static_assert is the one error
}

}  // namespace leibniz
