#pragma once
// celu(a, α) = a for a > 0, else α·(exp(a/α) − 1); α a literal, 1 by
// default (torch.nn.CELU). d/da = 1 for a > 0, else exp(a/α).

#include <leibniz/ops/compare.hpp>
#include <leibniz/ops/exp.hpp>
#include <leibniz/ops/expm1.hpp>
#include <leibniz/ops/mul.hpp>
#include <leibniz/ops/op.hpp>
#include <leibniz/ops/where.hpp>

namespace leibniz {

template <rational Alpha>
struct celu_op {
    static_assert(Alpha.num != 0, "leibniz::celu: alpha must not be 0");
    static constexpr std::string_view name = "celu";
    static std::string text(const std::string& a) { return "celu(" + a + ", " + detail::rational_text(Alpha, false) + ")"; }
    static constexpr op_traits traits{};
    static constexpr rational inverse = rational{1, 1} / Alpha;

    template <class T>
    static T value(const T& a) {
        using std::expm1;
        return select(a > T(0), a, literal<Alpha>::template as<T>() * expm1(a * literal<inverse>::template as<T>()));
    }
    template <class T>
    static T slope(const T& a) { return select(a > T(0), T(1), detail::exp_of(a * literal<inverse>::template as<T>())); }
    template <class T>
    static T jvp(const T& t, const T&, const T& a) { return t * slope(a); }
    template <class T>
    static T vjp(const T& g, const T&, const T& a) { return g * slope(a); }
    template <class A>
    static constexpr auto derivative(A a) { return where(a > zero_t{}, one_t{}, exp(literal<inverse>{} * a)); }
    static constexpr std::string_view local_derivative = "[a > 0] + exp(a/α)·[a ≤ 0]";
};

template <Expression A, Literal S = one_t>
constexpr auto celu(A a, S = {}) { return make_node<celu_op<S::value>>(a); }

}  // namespace leibniz
