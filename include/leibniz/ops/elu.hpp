#pragma once
// elu(a, α) = a for a > 0, else α·(exp(a) − 1); α a literal, 1 by default
// (torch.nn.ELU). d/da = 1 for a > 0, else α·exp(a) (from the input, as
// PyTorch's F.elu backward: y + α would cancel for a ≪ 0). At 0: α.

#include <leibniz/ops/compare.hpp>
#include <leibniz/ops/exp.hpp>
#include <leibniz/ops/expm1.hpp>
#include <leibniz/ops/mul.hpp>
#include <leibniz/ops/op.hpp>
#include <leibniz/ops/where.hpp>

namespace leibniz {

template <rational Alpha>
struct elu_op {
    static constexpr std::string_view name = "elu";
    static std::string text(const std::string& a) { return "elu(" + a + ", " + detail::rational_text(Alpha, false) + ")"; }
    static constexpr op_traits traits{};

    template <class T>
    static T value(const T& a) {
        using std::expm1;
        return select(a > T(0), a, literal<Alpha>::template as<T>() * expm1(a));
    }
    template <class T>
    static T slope(const T& a) { return select(a > T(0), T(1), literal<Alpha>::template as<T>() * detail::exp_of(a)); }
    template <class T>
    static T jvp(const T& t, const T&, const T& a) { return t * slope(a); }
    template <class T>
    static T vjp(const T& g, const T&, const T& a) { return g * slope(a); }
    template <class A>
    static constexpr auto derivative(A a) {
        if constexpr (Alpha == rational{1, 1})
            return where(a > zero_t{}, one_t{}, exp(a));
        else
            return where(a > zero_t{}, one_t{}, literal<Alpha>{} * exp(a));
    }
    static constexpr std::string_view local_derivative = "[a > 0] + α·exp(a)·[a ≤ 0]";
};

template <Expression A, Literal S = one_t>
constexpr auto elu(A a, S = {}) { return make_node<elu_op<S::value>>(a); }

}  // namespace leibniz
