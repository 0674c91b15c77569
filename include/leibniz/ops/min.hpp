#pragma once
// min(a, b).  ∂/∂a = 1 where a < b, 0 where a > b, and ½ at a tie — PyTorch's
// convention for torch.minimum.

#include <leibniz/ops/op.hpp>

namespace leibniz {

namespace detail {
// [a < b] + ½·[a = b]: the share of a in min(a, b).
template <class T>
constexpr T min_share(const T& a, const T& b) {
    return select(a < b, T(1), select(a == b, T(0.5), T(0)));
}
}  // namespace detail

template <std::size_t P>
struct min_share_op {
    static constexpr std::string_view name = P == 0 ? "min_share_a" : "min_share_b";
    // [a < b] + ½[a = b] (for P = 0; the operands swap for P = 1)
    static std::string text(const std::string& a, const std::string& b) {
        const std::string& p = P == 0 ? a : b;
        const std::string& q = P == 0 ? b : a;
        return "([" + p + " < " + q + "] + [" + p + " = " + q + "]/2)";
    }
    static std::string latex(const std::string& a, const std::string& b) {
        const std::string& p = P == 0 ? a : b;
        const std::string& q = P == 0 ? b : a;
        return "\\left([" + p + " < " + q + "] + \\tfrac{1}{2}[" + p + " = " + q + "]\\right)";
    }
    static constexpr op_traits traits{.linear = true, .reads_operands = false};

    template <class T>
    static constexpr T value(const T& a, const T& b) { return P == 0 ? detail::min_share(a, b) : detail::min_share(b, a); }
    template <std::size_t Q, class T>
    static constexpr T jvp(const T&, const T&, const T&, const T&) { return T(0); }
    template <std::size_t Q, class T>
    static constexpr T vjp(const T&, const T&, const T&, const T&) { return T(0); }
    template <std::size_t Q, class A, class B>
    static constexpr auto partial(A, B) { return zero_t{}; }
    static constexpr std::array<std::string_view, 2> local_derivative{"0", "0"};
};

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
    template <std::size_t P, class A, class B>
    static constexpr auto partial(A, B) { return node<min_share_op<P>, A, B>{}; }
    static constexpr std::array<std::string_view, 2> local_derivative{"[a < b] + ½[a = b]", "[b < a] + ½[a = b]"};
};

template <Expression A, Expression B>
constexpr auto min(A a, B b) { return make_node<min_op>(a, b); }

}  // namespace leibniz
