// doc/reference/ops.md, "Writing an op": an operation defined outside the
// library, in a user's namespace, used by every part of leibniz.
#include <leibniz/leibniz.hpp>

#include <cstdio>
#include <string_view>

namespace lz = leibniz;
using namespace lz::literals;

// [snippet op]
namespace mine {

// softsign(a) = a / (1 + |a|).  d/da = 1 / (1 + |a|)².
struct softsign_op {
    static constexpr std::string_view name = "softsign";  // prints as softsign(...)
    static constexpr lz::op_traits traits{};              // elementwise; vjp reads the operand

    template <class T>
    static constexpr T value(const T& a) { return a / (T(1) + magnitude(a)); }
    // Tangent rule (forward mode): the output tangent from the operand's tangent t.
    template <class T>
    static constexpr T jvp(const T& t, const T& /*y*/, const T& a) { return t * slope(a); }
    // Adjoint rule (reverse mode): the operand's share of the output's adjoint g.
    template <class T>
    static constexpr T vjp(const T& g, const T& /*y*/, const T& a) { return g * slope(a); }
    // The derivative as an expression, for lz::d.
    template <class A>
    static constexpr auto derivative(A a) { return 1_c / lz::pow(1_c + lz::abs(a), 2_c); }
    // The text of ∂y/∂a for lz::explain (a: the operand, y: the result).
    static constexpr std::string_view local_derivative = "1/(1 + |a|)²";

private:
    template <class T>
    static constexpr T magnitude(const T& a) { return a < T(0) ? -a : a; }
    template <class T>
    static constexpr T slope(const T& a) { return T(1) / ((T(1) + magnitude(a)) * (T(1) + magnitude(a))); }
};

// The builder, for expressions...
template <lz::Expression A>
constexpr auto softsign(A a) { return lz::make_node<softsign_op>(a); }
// ...and for dual numbers (forward mode, jvp, hessian), from the tangent rule.
template <class T, std::size_t N>
lz::dual<T, N> softsign(const lz::dual<T, N>& a) { return lz::lift<softsign_op>(a); }

}  // namespace mine
// [/snippet]

int main() {
    // [snippet use]
    constexpr auto x = lz::var<"x">;
    constexpr auto f = mine::softsign(x * x);
    const auto env = lz::at(x = 0.5);
    std::printf("f = %s, df/dx = %s\n", lz::to_string(f).c_str(), lz::to_string(lz::d(f, x)).c_str());
    std::printf("grad %g, d %g, jvp %g, hessian %g\n", lz::grad(f, x, env), lz::eval(lz::d(f, x), env),
                lz::jvp(f, env, lz::tangent(x = 1.0)).tangent, lz::hessian(f, lz::wrt(x), env)[0][0]);
    // [/snippet]
}
