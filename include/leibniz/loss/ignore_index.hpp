#pragma once
// PyTorch's ignore_index for the losses on integer labels (cross_entropy):
// a sample whose label equals it adds nothing to the loss nor to any
// gradient, and 'mean' divides by the samples kept (by Σ w_{y_n} over them
// with class weights). PyTorch's default is −100.
//
//   label_mask<I>(y)        [N]: 1 where y[n] ≠ I, else 0 (the count of 'mean')
//   label_weight<I>(w, y)   [N]: w[y[n]] where y[n] ≠ I, else 0; δw[c] += Σ_{n: y[n] = c} δ[n]
//
// y is an integer leaf; label_mask's scalar type adapts to its neighbours, as
// a literal's does. label_weight checks its labels (in [0, C) or I).

#include <leibniz/ops/gather.hpp>
#include <leibniz/ops/op.hpp>
#include <leibniz/ops/one_hot.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

namespace leibniz::loss {

// PyTorch's default ignore_index.
inline constexpr long long default_ignore_index = -100;

template <long long Ignore>
struct label_mask_op {
    static constexpr std::string_view name = "label_mask";
    static std::string text(const std::string& y) {
        return Ignore == default_ignore_index ? "label_mask(" + y + ")"
                                              : "label_mask(" + y + ", ignore_index " + std::to_string(Ignore) + ")";
    }
    static constexpr op_traits traits{.elementwise = false, .reads_operands = false, .integer_operands = 0b1};
    static constexpr std::string_view vjp_formula = "none (integer labels)";

    template <Shape S>
    using result_shape = S;

    template <class U, class SY, class I, class S>
    static void forward(const tensor_view<U, SY>& out, const tensor_view<I, S>& y) {
        for (std::size_t i = 0; i < y.size(); ++i)
            out.data()[i] = static_cast<long long>(y.data()[i]) == Ignore ? U(0) : U(1);
    }
    // Never called: the one operand is an integer leaf, never active.
    template <std::size_t P, class D, class G, class Y>
    static void vjp(const D&, bool, const G&, const G&, const Y&) {}
};

template <long long Ignore>
struct label_weight_op {
    static constexpr std::string_view name = "label_weight";
    static std::string text(const std::string& w, const std::string& y) {
        std::string t = "label_weight(" + w + ", " + y;
        if constexpr (Ignore != default_ignore_index) t += ", ignore_index " + std::to_string(Ignore);
        return t + ")";
    }
    static constexpr op_traits traits{.elementwise = false, .integer_operands = 0b10};
    static constexpr std::array<std::string_view, 2> vjp_formula{"δ summed per class of b (none for ignored labels)",
                                                                 "none (integer labels)"};

    template <Shape W, Shape Y>
    using result_shape = Y;

    template <class T, class SY, class SW, class I, class S>
    static void forward(const tensor_view<T, SY>& out, const tensor_view<T, SW>& w, const tensor_view<I, S>& y) {
        leibniz::detail::check_indices("leibniz::loss::cross_entropy", y, w.size(), leibniz::detail::classes_axis,
                                       Ignore);
        for (std::size_t i = 0; i < y.size(); ++i) {
            const long long l = static_cast<long long>(y.data()[i]);
            out.data()[i] = l == Ignore ? T(0) : w.data()[static_cast<std::size_t>(l)];
        }
    }
    template <std::size_t P, class D, class G, class W, class I, class S>
    static void vjp(const D& d, bool accumulate, const G& g, const G&, const W& w, const tensor_view<I, S>& y) {
        if constexpr (P == 0) {
            using T = std::remove_cvref_t<decltype(*d.data())>;
            leibniz::detail::check_indices("leibniz::loss::cross_entropy", y, w.size(), leibniz::detail::classes_axis,
                                           Ignore);
            if (!accumulate)
                for (std::size_t c = 0; c < d.size(); ++c) d.data()[c] = T(0);
            for (std::size_t i = 0; i < y.size(); ++i) {
                const long long l = static_cast<long long>(y.data()[i]);
                if (l != Ignore) d.data()[static_cast<std::size_t>(l)] += g.data()[i];
            }
        }
    }
};

namespace detail {
// Class weights [C] and labels of any shape; the shapes are the template arguments.
template <Shape W, Shape Y>
constexpr bool check_label_weight() {
    constexpr bool ok = W::rank == 1 && W::extents[0] != dyn;
    static_assert(ok, "leibniz::loss: class weights are a leaf [C] (lz::var<\"w\", float, lz::shape<10>>) (the "
                      "shapes of the weights and of the labels are the template arguments of check_label_weight)");
    return ok;
}
}  // namespace detail

template <long long Ignore, Expression Y>
constexpr auto label_mask(Y labels) {
    if constexpr (poisoned<Y>) return poison{};
    else return make_node<label_mask_op<Ignore>>(labels);
}

template <long long Ignore, Expression W, Expression Y>
constexpr auto label_weight(W w, Y labels) {
    if constexpr (poisoned<W, Y>) return poison{};
    else if constexpr (detail::check_label_weight<shape_of<W>, shape_of<Y>>())
        return make_node<label_weight_op<Ignore>>(w, labels);
    else return poison{};  // the check's static_assert is the one error
}

}  // namespace leibniz::loss
