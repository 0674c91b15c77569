#pragma once
// Powers.
//   pow(a, 3_c)  a literal exponent r:  d/da = r·a^(r−1). Integer exponents are
//                repeated products (exact, constexpr); r = 1/2 is sqrt.
//   pow(a, b)    a general exponent:    ∂/∂a = b·a^(b−1),  ∂/∂b = a^b·log(a).
// PyTorch's conventions where a formula meets 0·inf: ∂/∂a is 0 where b = 0
// (a^0 = 1 is flat in a, also at a = 0), and ∂/∂b is 0 where a = 0 and b ≥ 0
// (log(0) would give NaN). The two partials are ops of their own
// (pow_partial_op<0>, <1>), so d(pow(a, b), b) keeps the same conventions
// as grad and jvp, and differentiates again.

#include <leibniz/ops/log.hpp>
#include <leibniz/ops/op.hpp>
#include <leibniz/ops/simplify.hpp>

#include <cmath>
#include <type_traits>

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
    static constexpr T jvp(const T& t, const T&, const T& a) { return t * local(a); }
    template <class T>
    static constexpr T vjp(const T& g, const T&, const T& a) { return g * local(a); }
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

private:
    template <class T>
    static constexpr T local(const T& a) {  // r·a^(r−1); a^0 is flat, also at a = 0
        if constexpr (R == rational{0, 1})
            return T(0);
        else
            return literal<R>::template as<T>() * detail::literal_power<R - rational{1, 1}>(a);
    }
};

struct pow_op;


// The partial derivatives of pow(a, b), as ops: P = 0 is ∂/∂a = b·a^(b−1),
// P = 1 is ∂/∂b = a^b·log(a), each 0 where PyTorch says so (see the top).
template <std::size_t P>
struct pow_partial_op {
    static constexpr std::string_view name = P == 0 ? "pow_partial_a" : "pow_partial_b";
    static constexpr int precedence = precedence::multiplicative;
    static constexpr std::array<int, 2> operand_precedence =
        P == 0 ? std::array<int, 2>{precedence::power + 1, precedence::multiplicative}
               : std::array<int, 2>{precedence::power + 1, precedence::power};
    // a and b as their contexts need them, bare_a and bare_b unparenthesised
    // (inside log(…) and ^(… − 1)): (w + b)^x*log(w + b).
    static std::string text(const std::string& a, const std::string& b, const std::string& bare_a,
                            const std::string& bare_b) {
        std::string s;
        if constexpr (P == 0) {
            s = b;
            s += "*";
            s += a;
            s += "^(";
            s += bare_b;
            s += " - 1)";
        } else {
            s = a;
            s += "^";
            s += b;
            s += "*log(";
            s += bare_a;
            s += ")";
        }
        return s;
    }
    static std::string latex(const std::string& a, const std::string& b, const std::string& bare_a,
                             const std::string& bare_b) {
        if constexpr (P == 0)
            return detail::infix(b, " \\cdot ", a) + "^{" + bare_b + " - 1}";
        else
            return a + "^{" + b + "} \\cdot \\log\\left(" + bare_a + "\\right)";
    }
    static constexpr op_traits traits{.reads_result = P == 1};

    template <class T>
    static T value(const T& a, const T& b) {
        using std::log;
        using std::pow;
        if constexpr (P == 0)
            return select(b == T(0), T(0), b * pow(a, b - T(1)));
        else
            return of_power(pow(a, b), a, b);
    }
    // ∂/∂b given y = a^b: the rule of pow's own adjoint, which has y at hand.
    template <class T>
    static T of_power(const T& y, const T& a, const T& b) {
        using std::log;
        return select(a == T(0) && b >= T(0), T(0), y * log(a));
    }
    template <std::size_t Q, class T>
    static T jvp(const T& t, const T& y, const T& a, const T& b) { return t * local<Q>(y, a, b); }
    template <std::size_t Q, class T>
    static T vjp(const T& g, const T& y, const T& a, const T& b) { return g * local<Q>(y, a, b); }
    template <std::size_t Q, class A, class B>
    static constexpr auto partial(A, B b) {
        using b1 = decltype(simplified_sub(b, one_t{}));
        if constexpr (P == 0 && Q == 0)  // b·(b−1)·a^(b−2)
            return simplified_mul(b, node<pow_partial_op<0>, A, b1>{});
        else if constexpr (P == 0)  // a^(b−1) + b·a^(b−1)·log(a)
            return simplified_add(node<pow_op, A, b1>{}, simplified_mul(b, node<pow_partial_op<1>, A, b1>{}));
        else if constexpr (Q == 0)  // b·a^(b−1)·log(a) + a^(b−1)
            return simplified_add(simplified_mul(node<pow_partial_op<0>, A, B>{}, node<log_op, A>{}),
                                  node<pow_op, A, b1>{});
        else  // a^b·log(a)²
            return simplified_mul(node<pow_partial_op<1>, A, B>{}, node<log_op, A>{});
    }
    static constexpr std::array<std::string_view, 2> local_derivative =
        P == 0 ? std::array<std::string_view, 2>{"b·(b-1)·a^(b-2)", "a^(b-1)·(1 + b·log(a))"}
               : std::array<std::string_view, 2>{"a^(b-1)·(1 + b·log(a))", "y·log(a)"};

private:
    template <std::size_t Q, class T>
    static T local(const T& y, const T& a, const T& b) {
        using std::log;
        using std::pow;
        if constexpr (P == 0 && Q == 0)
            return b * pow_partial_op<0>::value(a, b - T(1));
        else if constexpr (P == 0)
            return pow(a, b - T(1)) + b * pow_partial_op<1>::value(a, b - T(1));
        else if constexpr (Q == 0)
            return pow_partial_op<0>::value(a, b) * log(a) + pow(a, b - T(1));
        else
            return select(a == T(0) && b >= T(0), T(0), y * log(a));
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
    static constexpr auto partial(A, B) { return node<pow_partial_op<P>, A, B>{}; }
    static constexpr std::array<std::string_view, 2> local_derivative{"b·a^(b-1)", "a^b·log(a) = y·log(a)"};

private:
    template <std::size_t P, class T>
    static T local(const T& y, const T& a, const T& b) {
        if constexpr (P == 0)
            return pow_partial_op<0>::value(a, b);
        else
            return pow_partial_op<1>::of_power(y, a, b);
    }
};

template <Expression A, Expression B>
constexpr auto pow(A a, B b) {
    if constexpr (is_literal<B>::value)
        return make_node<pow_literal_op<B::value>>(a);
    else
        return make_node<pow_op>(a, b);
}

namespace detail {
template <class S>
constexpr void reject_runtime_exponent() {
    static_assert(dependent_false<S>,
                  "leibniz::pow: a run-time integer exponent cannot appear in an expression; write it as a "
                  "literal, lz::pow(e, 2_c) (or lz::c<N>), or as a named lz::var bound in lz::at(...)");
}
}  // namespace detail

// lz::pow(e, 2), lz::pow(e, 2.0), lz::pow(2.0, e): one error of ours each.
template <Expression A, runtime_number S>
constexpr poison pow(A, S) {
    if constexpr (poisoned<A>) return {};
    else if constexpr (std::is_integral_v<S>) detail::reject_runtime_exponent<S>();
    else detail::reject_runtime_number<S>();
    return {};
}
template <runtime_number S, Expression A>
constexpr poison pow(S, A) {
    if constexpr (!poisoned<A>) detail::reject_runtime_number<S>();
    return {};
}

template <class T, std::size_t N>
dual<T, N> pow(const dual<T, N>& a, const dual<T, N>& b) { return lift<pow_op>(a, b); }
template <class T, std::size_t N, class S>
    requires(!is_dual_v<S>)
dual<T, N> pow(const dual<T, N>& a, const S& b) { return lift<pow_op>(a, dual<T, N>(b)); }

}  // namespace leibniz
