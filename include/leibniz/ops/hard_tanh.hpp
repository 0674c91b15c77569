#pragma once
// hard_tanh(a) = clamp(a, −1, 1).  d/da = 1 for −1 < a < 1, else 0 — 0 at
// the corners a = ±1, PyTorch's convention (Hardtanh's backward is strict).
// The symbolic derivative is where(|a| < 1, 1, 0), printed [|a| < 1].

#include <leibniz/ops/abs.hpp>
#include <leibniz/ops/compare.hpp>
#include <leibniz/ops/op.hpp>
#include <leibniz/ops/where.hpp>

namespace leibniz {

struct hard_tanh_op {
    static constexpr std::string_view name = "hard_tanh";
    static constexpr op_traits traits{};

    template <class T>
    static constexpr T value(const T& a) { return select(a < T(-1), T(-1), select(a > T(1), T(1), a)); }
    template <class T>
    static constexpr T jvp(const T& t, const T&, const T& a) { return select(a > T(-1) && a < T(1), t, T(0)); }
    template <class T>
    static constexpr T vjp(const T& g, const T&, const T& a) { return select(a > T(-1) && a < T(1), g, T(0)); }
    template <class A>
    static constexpr auto derivative(A a) { return where(abs(a) < one_t{}, one_t{}, zero_t{}); }
    static constexpr std::string_view local_derivative = "[-1 < a < 1]";
};

template <Expression A>
constexpr auto hard_tanh(A a) { return make_node<hard_tanh_op>(a); }

}  // namespace leibniz
