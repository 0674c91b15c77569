#pragma once
// min(a, b).  ∂/∂a = 1 where a < b, 0 where a > b, and ½ at a tie — PyTorch's
// convention for torch.minimum.

#include <leibniz/ops/compare.hpp>
#include <leibniz/ops/op.hpp>
#include <leibniz/ops/simplify.hpp>
#include <leibniz/ops/where.hpp>

namespace leibniz {

namespace detail {
// [a < b] + ½·[a = b]: the share of a in min(a, b).
template <class T>
constexpr T min_share(const T& a, const T& b) {
    return select(a < b, T(1), select(a == b, T(0.5), T(0)));
}
}  // namespace detail

struct min_op {
    static constexpr std::string_view name = "min";
    static constexpr std::string_view latex_name = "\\min";
    static constexpr op_traits traits{};

    template <class T>
    static constexpr T value(const T& a, const T& b) { return select(b < a || b != b, b, a); }  // NaN propagates
    template <std::size_t P, class T>
    static constexpr T jvp(const T& t, const T&, const T& a, const T& b) {
        return P == 0 ? t * detail::min_share(a, b) : t * detail::min_share(b, a);
    }
    template <std::size_t P, class T>
    static constexpr T vjp(const T& g, const T&, const T& a, const T& b) {
        if constexpr (P == 0)
            return select(a < b, g, select(a == b, g * T(0.5), T(0)));
        else
            return select(b < a, g, select(a == b, g * T(0.5), T(0)));
    }
    // [a < b] + ½[a == b] (the operands swapped for P = 1), as an expression.
    template <std::size_t P, class A, class B>
    static constexpr auto partial(A a, B b) {
        if constexpr (P == 0)
            return simplified_add(where(a < b, one_t{}, zero_t{}), simplified_mul(c<1, 2>, where(a == b, one_t{}, zero_t{})));
        else
            return simplified_add(where(b < a, one_t{}, zero_t{}), simplified_mul(c<1, 2>, where(b == a, one_t{}, zero_t{})));
    }
    static constexpr std::array<std::string_view, 2> local_derivative{"[a < b] + ½[a = b]", "[b < a] + ½[a = b]"};
};

template <Expression A, Expression B>
constexpr auto min(A a, B b) { return make_node<min_op>(a, b); }
// lz::min(e, 0.5), lz::min(0.0, e), lz::min(e, 1): one error of ours (see reject_min_max_operand).
template <Expression A, runtime_number S>
constexpr poison min(A, S) {
    if constexpr (!poisoned<A>) detail::reject_min_max_operand<S>();
    return {};
}
template <runtime_number S, Expression A>
constexpr poison min(S, A) {
    if constexpr (!poisoned<A>) detail::reject_runtime_number<S>();
    return {};
}

}  // namespace leibniz
