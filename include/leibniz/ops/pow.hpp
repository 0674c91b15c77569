#pragma once
// Powers.
//   pow(a, 3_c)  a literal exponent r:  d/da = r·a^(r−1). Integer exponents are
//                repeated products (exact, constexpr); r = 1/2 is sqrt.
//   pow(a, b)    a general exponent:    ∂/∂a = b·a^(b−1),  ∂/∂b = a^b·log(a);
//                ∂/∂b is 0 where a = 0 and b ≥ 0, PyTorch's convention (a^b
//                is flat in b there; log(0) would give NaN).

#include <leibniz/ops/log.hpp>
#include <leibniz/ops/op.hpp>

#include <cmath>

namespace leibniz {

namespace detail {
// a^R for a literal R, by the cheapest exact route.
template <rational R, class T>
constexpr T literal_power(const T& a) {
    if constexpr (R.den == 1) {
        constexpr std::intmax_t n = R.num < 0 ? -R.num : R.num;
        T result = T(1);
        T base = a;
        for (std::intmax_t k = n; k > 0; k >>= 1) {  // square and multiply
            if (k & 1) result = result * base;
            if (k > 1) base = base * base;
        }
        if constexpr (R.num < 0)
            return T(1) / result;
        else
            return result;
    } else if constexpr (R == rational{1, 2}) {
        using std::sqrt;
        return sqrt(a);
    } else {
        using std::pow;
        return pow(a, literal<R>::template as<T>());
    }
}
}  // namespace detail

template <rational R>
struct pow_literal_op {
    static constexpr std::string_view name = "pow";
    static constexpr int precedence = precedence::power;
    static constexpr std::array<int, 1> operand_precedence{precedence::power + 1};
    static std::string text(const std::string& a) {
        const std::string r = detail::rational_text(R, false);
        return a + "^" + (R.den == 1 && R.num >= 0 ? r : "(" + r + ")");
    }
    static std::string latex(const std::string& a) { return a + "^{" + detail::rational_text(R, true) + "}"; }
    static constexpr op_traits traits{};

    template <class T>
    static constexpr T value(const T& a) { return detail::literal_power<R>(a); }
    template <class T>
    static constexpr T jvp(const T& t, const T&, const T& a) {
        return t * (literal<R>::template as<T>() * detail::literal_power<R - rational{1, 1}>(a));
    }
    template <class T>
    static constexpr T vjp(const T& g, const T&, const T& a) {
        return g * (literal<R>::template as<T>() * detail::literal_power<R - rational{1, 1}>(a));
    }
    template <class A>
    static constexpr auto derivative(A a) {
        constexpr rational r1 = R - rational{1, 1};
        if constexpr (r1 == rational{0, 1})
            return one_t{};
        else if constexpr (r1 == rational{1, 1})
            return simplified_mul(literal<R>{}, a);
        else
            return simplified_mul(literal<R>{}, node<pow_literal_op<r1>, A>{});
    }
    static std::string local_derivative_text() {  // r·a^(r−1), with r written out
        const rational r1 = R - rational{1, 1};
        const std::string r = detail::rational_text(R, false);
        if (r1 == rational{0, 1}) return "1";
        if (r1 == rational{1, 1}) return r + "·a";
        return r + "·a^" + (r1.den == 1 && r1.num > 0 ? detail::rational_text(r1, false) : "(" + detail::rational_text(r1, false) + ")");
    }
};

struct pow_op {
    static constexpr std::string_view name = "pow";
    static constexpr int precedence = precedence::power;
    static constexpr std::array<int, 2> operand_precedence{precedence::power + 1, precedence::power};
    static std::string text(const std::string& a, const std::string& b) { return a + "^" + b; }
    static std::string latex(const std::string& a, const std::string& b) { return a + "^{" + b + "}"; }
    static constexpr op_traits traits{.reads_result = true};

    template <class T>
    static T value(const T& a, const T& b) { using std::pow; return pow(a, b); }
    template <std::size_t P, class T>
    static T jvp(const T& t, const T& y, const T& a, const T& b) { return t * local<P>(y, a, b); }
    template <std::size_t P, class T>
    static T vjp(const T& g, const T& y, const T& a, const T& b) { return g * local<P>(y, a, b); }
    template <std::size_t P, class A, class B>
    static constexpr auto partial(A, B b) {
        if constexpr (P == 0)
            return simplified_mul(b, node<pow_op, A, decltype(simplified_sub(b, one_t{}))>{});
        else
            return simplified_mul(node<pow_op, A, B>{}, node<log_op, A>{});
    }
    static constexpr std::array<std::string_view, 2> local_derivative{"b·a^(b-1)", "a^b·log(a) = y·log(a)"};

private:
    template <std::size_t P, class T>
    static T local(const T& y, const T& a, const T& b) {
        using std::log;
        using std::pow;
        if constexpr (P == 0)
            return b * pow(a, b - T(1));
        else
            return select(a == T(0) && b >= T(0), T(0), y * log(a));
    }
};

template <Expression A, Expression B>
constexpr auto pow(A a, B b) {
    if constexpr (is_literal<B>::value)
        return make_node<pow_literal_op<B::value>>(a);
    else
        return make_node<pow_op>(a, b);
}

template <class T, std::size_t N>
dual<T, N> pow(const dual<T, N>& a, const dual<T, N>& b) { return lift<pow_op>(a, b); }
template <class T, std::size_t N, class S>
    requires(!is_dual_v<S>)
dual<T, N> pow(const dual<T, N>& a, const S& b) { return lift<pow_op>(a, dual<T, N>(b)); }

}  // namespace leibniz

#include <leibniz/ops/simplify.hpp>
