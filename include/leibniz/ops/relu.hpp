#pragma once
// relu(a) = max(a, 0).  d/da = 1 for a > 0, else 0 — at the kink a = 0 the
// derivative is 0, PyTorch's convention. The adjoint is a select, never a
// product with 0 or 1 (DESIGN §4); like PyTorch's threshold_backward, a NaN
// input passes its adjoint through. The value keeps a NaN, and is written for
// each compiler's best code: with g++ on the adjoint's condition (a <= 0), so
// that one branch serves both; with clang as 0 > a ? 0 : a, which is x86's
// maxsd exactly and one instruction, where the other form went through a
// flag, a general register and a mask register (clang's net gradient 1.07×
// the hand-written one, 1.00× now; g++'s would be 1.025× in instructions
// with this form). They differ only at −0: clang's gives −0, as PyTorch
// does, g++'s +0.
#include <leibniz/ops/compare.hpp>
#include <leibniz/ops/op.hpp>
#include <leibniz/ops/where.hpp>

namespace leibniz {

// step(a) = [a > 0]: 1 for a > 0, else 0 — relu's derivative, as an expression.
template <Expression A>
constexpr auto step(A a) { return where(a > zero_t{}, one_t{}, zero_t{}); }

struct relu_op {
    static constexpr std::string_view name = "relu";
    static constexpr std::string_view latex_name = "\\operatorname{ReLU}";
    static constexpr op_traits traits{};

    template <class T>
    static constexpr T value(const T& a) {
#if defined(__clang__)
        return select(T(0) > a, T(0), a);  // maxsd(0, a)
#else
        return select(a <= T(0), T(0), a);  // the adjoint's condition: one branch for both
#endif
    }
    template <class T>
    static constexpr T jvp(const T& t, const T&, const T& a) { return select(a <= T(0), T(0), t); }
    template <class T>
    static constexpr T vjp(const T& g, const T&, const T& a) { return select(a <= T(0), T(0), g); }
    template <class A>
    static constexpr auto derivative(A a) { return step(a); }
    static constexpr std::string_view local_derivative = "[a > 0]";
};

template <Expression A>
constexpr auto relu(A a) { return make_node<relu_op>(a); }

}  // namespace leibniz
