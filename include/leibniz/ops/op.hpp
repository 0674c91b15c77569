#pragma once
// What every op header needs: the node machinery, dual numbers (for the
// forward-mode overloads an op defines from its tangent rule), printing.
//
// An op is a struct with, side by side (DESIGN §3):
//   name / text / latex          how it prints (text(a, b, bare_a, bare_b) also gets the
//                                operands unparenthesised, to write one in two contexts)
//   traits                       elementwise? a reduction? what its backward rule reads
//   value(a, ...)                the value (on numbers, dual numbers and SIMD batches)
//   jvp(t, y, a) / jvp<P>(...)   tangent rule: the output tangent from operand P's tangent t
//   vjp(g, y, a) / vjp<P>(...)   adjoint rule: operand P's share of the output adjoint g
//   derivative(a) / partial<P>   the symbolic derivative, as an expression
//   local_derivative             the text of ∂y/∂operand, for explain (a, b: operands; y: result)
// A tensor op (traits.elementwise == false) instead has
//   result_shape<S...>           its shape rule, with a readable failure
//   forward(y, a, ...)           the value, through kernels/, into y
//   vjp<P>(δa, accumulate, δ, y, a, ...)   operand P's adjoint: stored, or added when accumulate
//   vjp_formula                  the text of the adjoint rule over δ, a, b, y, for explain
// y is the op's own value, passed so rules like exp's (δ·y) reuse it.
// The concepts lz::ElementwiseOp and lz::TensorOp (core/op_protocol.hpp) state
// these lists exactly; make_node checks them and names a missing member.

#include <leibniz/config.hpp>
#include <leibniz/core/dual.hpp>
#include <leibniz/core/expr.hpp>
#include <leibniz/core/print.hpp>

#include <array>
#include <string>
#include <string_view>

namespace leibniz {

// select(c, a, b): a where c holds, else b. Piecewise rules are written with
// it, never with `?:`, so the same rule runs on numbers, on dual numbers and
// on SIMD batches (where argument-dependent lookup finds xsimd::select).
template <class C, class T>
    requires std::same_as<C, bool>
constexpr T select(C condition, const T& if_true, const T& if_false) {
    return condition ? if_true : if_false;
}

namespace detail {
// The adjoint a mask (a comparison) passes to its operands: −0, the exact
// additive identity (x + −0 = x for every x, −0 and NaN included), so the
// sweep's `δa += −0` changes nothing and the compiler drops it, where a +0
// would stay (−0 + 0 is +0).
template <class T>
constexpr T no_adjoint() {
    return -T(0);
}

// A constant in an op's rule, in the rule's number type T (a number, a dual
// number or a SIMD batch): rounded once to T's base type, so float rules
// compute in float.
template <class T>
constexpr T constant(double v) {
    return T(static_cast<base_scalar_t<T>>(v));
}

inline std::string infix(const std::string& a, std::string_view op, const std::string& b) {
    std::string s = a;
    s += op;
    s += b;
    return s;
}
}  // namespace detail

}  // namespace leibniz
