// The examples of doc/reference/core.md, one function per section; each
// `// [snippet <part>]` region is shown there, and what main() prints is quoted.
#include <leibniz/leibniz.hpp>

#include <array>
#include <cstdio>
#include <iostream>
#include <string>
#include <tuple>
#include <type_traits>

namespace lz = leibniz;
using namespace lz::literals;

void expressions() {
    // [snippet expressions]
    constexpr auto w = lz::var<"w">;
    constexpr auto f = lz::cos(w * w) + lz::sin(w * w);

    static_assert(lz::Expression<decltype(f)>);
    static_assert(std::is_empty_v<decltype(f)>);  // no data: the expression is its type
    using F = std::remove_cvref_t<decltype(f)>;
    static_assert(std::is_same_v<F::op, lz::add_op>);
    static_assert(lz::graph_of<F>::size == 5);  // w, w*w (once), cos, sin, +
    // [/snippet]
}

void leaves() {
    // [snippet leaves]
    constexpr auto w = lz::var<"w">;                 // double
    constexpr auto s = lz::var<"s", float>;          // float
    constexpr auto b = lz::param<"b", long double>;  // a parameter

    static_assert(std::is_same_v<lz::scalar_of<decltype(s)>, float>);
    static_assert(lz::Leaf<decltype(w)> && !lz::Param<decltype(w)> && lz::Param<decltype(b)>);
    static_assert(lz::shape_of<decltype(w)>::rank == 0);  // scalars are rank-0 tensors
    // [/snippet]
}

void literals() {
    // [snippet literals]
    static_assert(std::is_same_v<decltype(2_c), lz::literal<lz::rational{2, 1}>>);
    static_assert(std::is_same_v<decltype(1e-3_c), lz::literal<lz::rational{1, 1000}>>);
    static_assert(lz::c<2, 4>.value == lz::rational{1, 2});  // normalized
    static_assert(std::is_same_v<decltype(-2_c), lz::literal<lz::rational{-2, 1}>>);
    static_assert(std::is_same_v<decltype(lz::c<0>), const lz::zero_t>);

    constexpr auto x = lz::var<"x", float>;
    static_assert(std::is_same_v<decltype(lz::eval(0.5_c * x, lz::at(x = 3.0f))), float>);  // adapts
    // [/snippet]
}

void environments() {
    // [snippet environments]
    constexpr auto x = lz::var<"x">;
    constexpr auto y = lz::var<"y">;
    constexpr auto f = x * y;

    const auto env = lz::at(x = 2.0, y = 3);  // an int converts exactly to the leaf's type
    std::printf("f = %g\n", lz::eval(f, env));

    // Strict: binding a name f lacks is an error. lz::lenient ignores extras:
    std::printf("x + 1 = %g\n", lz::eval(x + 1_c, lz::lenient(env)));

    // env.with(x = 2.5): a copy with one leaf bound anew, e.g. for a central difference.
    std::printf("f at x = 2.5: %g\n", lz::eval(f, env.with(x = 2.5)));
    const double h = 1e-6;
    std::printf("df/dx = %.6f\n", (lz::eval(f, env.with(x = 2.0 + h)) - lz::eval(f, env.with(x = 2.0 - h))) / (2 * h));
    // [/snippet]
}

void evaluation() {
    // [snippet eval]
    constexpr auto x = lz::var<"x">;
    static_assert(lz::eval(lz::d(x * x * x, x), lz::at(x = 2.0)) == 12.0);  // at compile time
    std::printf("%.6f\n", lz::eval(lz::exp(x) / (1_c + lz::exp(x)), lz::at(x = 0.0)));
    // [/snippet]
}

void reverse_mode() {
    // [snippet grad]
    constexpr auto x = lz::var<"x">;
    constexpr auto w = lz::param<"w">;
    constexpr auto b = lz::param<"b">;
    constexpr auto loss = lz::pow(lz::tanh(w * x + b), 2_c);
    const auto env = lz::at(w = 0.5, b = -0.25, x = 2.0);

    const double dw = lz::grad(loss, w, env);
    const auto [gw, gb] = lz::grad(loss, lz::wrt(w, b), env);  // std::tuple<double, double>
    const auto r = lz::value_and_grad(loss, lz::wrt(w, b), env);  // r.value, r.gradient (the tuple)
    const auto [value, dw_too] = lz::value_and_grad(loss, w, env);  // one leaf: {value, ∂loss/∂w}
    std::printf("dw = %.6f = %.6f = %.6f, db = %.6f = %.6f, loss = %.6f = %.6f\n", dw, gw, dw_too, gb,
                std::get<1>(r.gradient), r.value, value);
    // [/snippet]
}

void forward_mode() {
    // [snippet forward]
    constexpr auto x = lz::var<"x">;
    constexpr auto y = lz::var<"y">;
    constexpr auto f = x * x * y + lz::sin(y);
    const auto env = lz::at(x = 2.0, y = 0.5);

    const auto r = lz::jvp(f, env, lz::tangent(x = 1.0, y = 2.0));  // ∇f·(1, 2)
    std::array<double, 2> j = lz::jacobian(f, lz::wrt(x, y), env);
    std::array<std::array<double, 2>, 2> h = lz::hessian(f, lz::wrt(x, y), env);
    std::printf("jvp %g %g | jacobian %g %g | hessian %g %g %g %g\n", r.value, r.tangent, j[0], j[1], h[0][0],
                h[0][1], h[1][0], h[1][1]);
    // [/snippet]
}

void duals() {
    // [snippet dual]
    using d2 = lz::dual<double, 2>;  // a value and two tangents
    const d2 x = d2::variable(2.0, 0);
    const d2 y = d2::variable(0.5, 1);
    const d2 f = x * x * y + lz::sin(y);  // the same f, without an expression
    std::cout << f << '\n';               // "f.v + [f.d[0], f.d[1]]ε"

    // Nested: dual<dual<double>> carries a second derivative.
    using dd = lz::dual<lz::dual<double>>;
    const dd t{lz::dual<double>::variable(2.0, 0), {lz::dual<double>{1.0}}};
    const dd cube = t * t * t;
    std::printf("t³ = %g, (t³)' = %g, (t³)'' = %g\n", cube.v.v, cube.d[0].v, cube.d[0].d[0]);
    // [/snippet]
}

void symbolic() {
    // [snippet d]
    constexpr auto w = lz::var<"w">;
    constexpr auto x = lz::var<"x">;
    static_assert(std::is_same_v<decltype(lz::d(w * w, w)), decltype(2_c * w)>);
    static_assert(std::is_same_v<decltype(lz::d(x, w)), lz::zero_t>);
    static_assert(std::is_same_v<decltype(lz::d(w, w)), lz::one_t>);

    std::cout << lz::to_string(lz::d(lz::exp(3_c * w), w)) << '\n'      // literals first, folded
              << lz::to_string(lz::d(lz::log(w) + w / x, w)) << '\n'    // 1/x for ∂(w/x)/∂w
              << lz::to_string(lz::d(lz::d(lz::pow(w, 3_c), w), w)) << '\n';  // d composes
    // [/snippet]

    // [snippet d_domain]
    constexpr auto y = lz::var<"y">;
    const auto f = x * y;
    const auto env = lz::at(x = 2.0, y = 3.0);  // f's environment
    std::printf("f = %g, df/dx = %g, df/dy = %g, d(sin(x) + y)/dy = %g, d(df/dx)/dy = %g\n", lz::eval(f, env),
                lz::eval(lz::d(f, x), env), lz::eval(lz::d(f, y), env), lz::eval(lz::d(lz::sin(x) + y, y), env),
                lz::eval(lz::d(lz::d(f, x), y), env));
    std::cout << lz::to_string(lz::d(f, x)) << '\n';  // y, printed as before
    static_assert(std::is_same_v<lz::without_domain<decltype(lz::d(f, x))>, std::remove_const_t<decltype(y)>>);
    // lz::eval(lz::d(f, x), lz::at(x = 2.0, y = 3.0, z = 1.0)): a compile error, z is in neither
    // [/snippet]
}

void printing() {
    // [snippet printing]
    constexpr auto w = lz::var<"w">;
    constexpr auto x = lz::var<"x">;
    constexpr auto f = lz::sigmoid(w * x - 1_c) / (1_c + lz::abs(x));
    std::cout << lz::to_string(f) << '\n' << lz::to_latex(f) << '\n';
    std::cout << lz::explain(lz::sigmoid(w * x), lz::wrt(w), lz::at(w = 0.5, x = 2.0));
    // [/snippet]
}

int main() {
    expressions();
    leaves();
    literals();
    environments();
    evaluation();
    reverse_mode();
    forward_mode();
    duals();
    symbolic();
    printing();
}
