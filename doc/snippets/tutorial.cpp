// The code of doc/tutorial-chain-rule.md, one function per step; each
// `// [snippet <part>]` region is shown in the tutorial, and what main() prints
// is quoted there.
// [snippet preamble]
#include <leibniz/leibniz.hpp>

namespace lz = leibniz;
using namespace lz::literals;  // 2_c, 0.5_c, 1e-3_c
// [/snippet]

#include <cstdio>
#include <iostream>
#include <string>
#include <type_traits>

void leaves() {
    // [snippet leaves]
    constexpr auto w = lz::var<"w">;         // a leaf: the variable w, a double
    constexpr auto x = lz::var<"x", float>;  // the variable x, a float
    constexpr auto b = lz::param<"b">;       // a parameter: a leaf that training collects

    static_assert(std::is_empty_v<decltype(w)>);  // a leaf holds no value...
    static_assert(!std::is_same_v<decltype(w), decltype(lz::var<"v">)>);  // ...its name is its type
    std::cout << lz::to_string(w) << ' ' << lz::to_string(x) << ' ' << lz::to_string(b) << '\n';
    // [/snippet]
}

void literals() {
    // [snippet literals]
    constexpr auto w = lz::var<"w">;
    static_assert(std::is_same_v<decltype(2_c), lz::literal<lz::rational{2, 1}>>);
    static_assert(std::is_same_v<decltype(0.5_c), lz::literal<lz::rational{1, 2}>>);  // exact
    static_assert(lz::c<1, 2>.value == lz::rational{1, 2});
    static_assert(std::is_same_v<decltype(-2_c), lz::literal<lz::rational{-2, 1}>>);

    constexpr auto f = 0.5_c * w * w - 2_c * w + 1e-3_c;
    std::cout << lz::to_string(f) << '\n';
    // [/snippet]
}

void expressions() {
    // [snippet expressions]
    constexpr auto w = lz::var<"w">;
    constexpr auto y = lz::pow(w, 2_c);  // y = w²
    constexpr auto p = lz::cos(y);       // p = cos(y)
    constexpr auto q = lz::sin(y);       // q = sin(y)
    constexpr auto o = p + q;            // o = K(p, q) = p + q

    // o's type is node<add_op, node<cos_op, Y>, node<sin_op, Y>> with Y the type of y:
    // the two uses of y are one type, so one node of the graph.
    static_assert(lz::graph_of<decltype(o)>::size == 5);  // w, y, p, q, o
    std::cout << lz::to_string(o) << '\n' << lz::to_latex(o) << '\n';
    // [/snippet]
}

void evaluate() {
    // [snippet eval]
    constexpr auto w = lz::var<"w">;
    constexpr auto o = lz::cos(lz::pow(w, 2_c)) + lz::sin(lz::pow(w, 2_c));
    const double value = lz::eval(o, lz::at(w = 0.7));
    std::printf("o(0.7) = %.10f\n", value);

    // With only arithmetic ops, evaluation is constexpr.
    static_assert(lz::eval(lz::pow(w, 3_c) - 2_c * w, lz::at(w = 2.0)) == 4.0);
    // [/snippet]
}

void reverse() {
    // [snippet grad]
    constexpr auto w = lz::var<"w">;
    constexpr auto o = lz::cos(lz::pow(w, 2_c)) + lz::sin(lz::pow(w, 2_c));
    const auto env = lz::at(w = 0.7);

    const double dw = lz::grad(o, w, env);               // one leaf: the number
    const auto [dw_too] = lz::grad(o, lz::wrt(w), env);  // lz::wrt(...): a std::tuple
    const auto [value, slope] = lz::value_and_grad(o, w, env);  // one leaf: {value, do/dw}
    std::printf("do/dw = %.10f = %.10f; o = %.10f, do/dw = %.10f\n", dw, dw_too, value, slope);
    // [/snippet]
}

void symbolic() {
    // [snippet d]
    constexpr auto w = lz::var<"w">;
    constexpr auto x = lz::var<"x">;
    constexpr auto o = lz::cos(lz::pow(w, 2_c)) + lz::sin(lz::pow(w, 2_c));
    constexpr auto do_dw = lz::d(o, w);  // an expression, like o
    std::cout << lz::to_string(do_dw) << '\n' << lz::to_latex(do_dw) << '\n';
    std::printf("at w = 0.7: %.10f\n", lz::eval(do_dw, lz::at(w = 0.7)));

    // Simplified while it is built, so equal derivatives are equal types:
    static_assert(std::is_same_v<decltype(lz::d(w * w, w)), decltype(2_c * w)>);
    static_assert(std::is_same_v<decltype(lz::d(7_c, w)), lz::zero_t>);
    std::cout << lz::to_string(lz::d((x + 5_c) * (x - 2_c), x)) << '\n';

    // A derivative can lose leaves: d(x·w, x) = w. Evaluating it at a point
    // that also binds x needs a lenient environment.
    const auto env = lz::at(x = 3.0, w = 0.5);
    std::printf("d(x*w, x) = %s = %g\n", lz::to_string(lz::d(x * w, x)).c_str(),
                lz::eval(lz::d(x * w, x), lz::lenient(env)));
    // [/snippet]
}

void forward() {
    // [snippet dual]
    using dual = lz::dual<double>;                 // a value and one tangent
    const dual w = dual::variable(0.7, 0);         // w = 0.7, dw/dw = 1
    const dual y = w * w;                          // (0.49, 2w·1)
    const dual o = lz::cos(y) + lz::sin(y);        // (o, do/dw)
    std::cout << "o = " << o << '\n';              // value + [tangents]ε
    // [/snippet]

    // [snippet jvp]
    constexpr auto v = lz::var<"v">;
    constexpr auto f = lz::cos(lz::pow(v, 2_c)) + lz::sin(lz::pow(v, 2_c));
    const auto r = lz::jvp(f, lz::at(v = 0.7), lz::tangent(v = 1.0));
    std::printf("jvp: value %.10f, tangent %.10f\n", r.value, r.tangent);

    // A dual number bound to a leaf: the same forward sweep, by hand.
    const auto seeded = lz::eval(f, lz::at(v = lz::dual<double>::variable(0.7, 0)));
    std::printf("eval on a dual: %.10f + %.10fε\n", seeded.v, seeded.d[0]);

    // Every partial derivative in one forward sweep, on dual<double, 2>:
    constexpr auto a = lz::var<"a">;
    constexpr auto b = lz::var<"b">;
    const auto j = lz::jacobian(a * lz::exp(b), lz::wrt(a, b), lz::at(a = 2.0, b = 0.0));
    std::printf("jacobian of a·exp(b) at (2, 0): [%g, %g]\n", j[0], j[1]);
    // [/snippet]
}

void second() {
    // [snippet hessian]
    constexpr auto w = lz::var<"w">;
    constexpr auto o = lz::cos(lz::pow(w, 2_c)) + lz::sin(lz::pow(w, 2_c));
    const auto env = lz::at(w = 0.7);
    const auto h = lz::hessian(o, lz::wrt(w), env);  // std::array<std::array<double, 1>, 1>
    constexpr auto second = lz::d(lz::d(o, w), w);
    std::printf("hessian %.10f, d(d(o, w), w) %.10f\n", h[0][0], lz::eval(second, env));

    constexpr auto x = lz::var<"x">;
    constexpr auto y = lz::var<"y">;
    const auto hxy = lz::hessian(x * x * y, lz::wrt(x, y), lz::at(x = 2.0, y = 3.0));
    std::printf("hessian of x²y at (2, 3): [[%g, %g], [%g, %g]]\n", hxy[0][0], hxy[0][1], hxy[1][0], hxy[1][1]);
    // [/snippet]
}

void network() {
    // [snippet network]
    constexpr auto x = lz::var<"x">;      // the input
    constexpr auto t = lz::var<"t">;      // the target
    constexpr auto w1 = lz::param<"w1">;  // the parameters
    constexpr auto b1 = lz::param<"b1">;
    constexpr auto w2 = lz::param<"w2">;
    constexpr auto b2 = lz::param<"b2">;
    constexpr auto loss = lz::pow(lz::sigmoid(w2 * lz::relu(w1 * x + b1) + b2) - t, 2_c);

    const auto env = lz::at(x = 1.5, t = 1.0, w1 = 0.8, b1 = -0.2, w2 = 1.3, b2 = 0.1);
    const auto [dw1, db1, dw2, db2] = lz::grad(loss, lz::wrt(w1, b1, w2, b2), env);
    std::printf("L = %s = %.6f\n", lz::to_string(loss).c_str(), lz::eval(loss, env));
    std::printf("∇L = (%.6f, %.6f, %.6f, %.6f)\n", dw1, db1, dw2, db2);
    // [/snippet]
}

void drawing() {
    // [snippet dot]
    constexpr auto w = lz::var<"w">;
    constexpr auto o = lz::cos(lz::pow(w, 2_c)) + lz::sin(lz::pow(w, 2_c));
    std::cout << lz::to_dot(o, lz::wrt(w), lz::at(w = 0.7));
    // [/snippet]
}

int main() {
    leaves();
    literals();
    expressions();
    evaluate();
    reverse();
    symbolic();
    forward();
    second();
    network();
    drawing();
}
