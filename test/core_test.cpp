// Core behaviour (acceptance criterion 6): shared subexpressions are computed
// once, a leaf on two paths gets the sum of both, the order of lz::wrt, value
// and grad from one sweep, d() composes, lenient environments, integer
// bindings, single-leaf grad, params, printing.
#define BOOST_TEST_MODULE core
#include <boost/test/unit_test.hpp>

#include <leibniz/leibniz.hpp>

#include <cmath>
#include <string>
#include <type_traits>

namespace lz = leibniz;
using namespace lz::literals;

// ---------------------------------------------------------------- an instrumented op
// (in a named namespace: its members that no sweep reads, like `traits`, must
// not count as unused)
namespace core_test {

// sq(a) = a², built like the ops in include/leibniz/ops, with a counter of
// value() calls: every sweep must call it once per distinct node.
struct counting_square_op {
    static inline int calls = 0;
    static constexpr std::string_view name = "sq";
    static constexpr lz::op_traits traits{};

    template <class T>
    static constexpr T value(const T& a) {
        ++calls;
        return a * a;
    }
    template <class T>
    static constexpr T jvp(const T& t, const T&, const T& a) { return T(2) * a * t; }
    template <class T>
    static constexpr T vjp(const T& g, const T&, const T& a) { return T(2) * a * g; }
    template <class A>
    static constexpr auto derivative(A a) { return lz::simplified_mul(2_c, a); }
    static constexpr std::string_view local_derivative = "2a";
};

template <lz::Expression A>
constexpr auto sq(A a) { return lz::make_node<counting_square_op>(a); }

}  // namespace core_test

namespace {

using core_test::counting_square_op;
using core_test::sq;

constexpr auto w = lz::var<"w">;
constexpr auto x = lz::var<"x">;
constexpr auto b = lz::var<"b">;

// Calls of value() made by f().
template <class F>
int calls_during(F f) {
    counting_square_op::calls = 0;
    f();
    return counting_square_op::calls;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_subexpression_used_twice_is_computed_once) {
    const auto f = sq(x) + sq(x) * sq(x);  // x² + x⁴
    static_assert(lz::graph_of<decltype(f)>::size == 4);  // x, sq(x), sq·sq, +
    const auto env = lz::at(x = 1.5);
    const double v = 1.5 * 1.5 + std::pow(1.5, 4);
    const double dv = 2 * 1.5 + 4 * std::pow(1.5, 3);
    const double d2v = 2 + 12 * 1.5 * 1.5;

    double r = 0;
    BOOST_TEST(calls_during([&] { r = lz::eval(f, env); }) == 1);
    BOOST_TEST(r == v);
    BOOST_TEST(calls_during([&] { r = lz::grad(f, x, env); }) == 1);
    BOOST_TEST(r == dv);
    BOOST_TEST(calls_during([&] { r = lz::value_and_grad(f, lz::wrt(x), env).value; }) == 1);
    BOOST_TEST(r == v);
    BOOST_TEST(calls_during([&] { r = lz::jvp(f, env, lz::tangent(x = 1.0)).tangent; }) == 1);
    BOOST_TEST(r == dv);
    BOOST_TEST(calls_during([&] { r = lz::jacobian(f, lz::wrt(x), env)[0]; }) == 1);
    BOOST_TEST(r == dv);
    BOOST_TEST(calls_during([&] { r = lz::hessian(f, lz::wrt(x), env)[0][0]; }) == 1);
    BOOST_TEST(r == d2v);
    // The symbolic derivative 2x + 2·(sq(x)·2x) still holds sq(x) once.
    const auto df = lz::d(f, x);
    BOOST_TEST(calls_during([&] { r = lz::eval(df, env); }) == 1);
    BOOST_TEST(r == dv);
    // Printing evaluates nothing.
    BOOST_TEST(calls_during([&] { (void)lz::to_string(f); }) == 0);
    BOOST_TEST(lz::to_string(f) == "sq(x) + sq(x)*sq(x)");
}

BOOST_AUTO_TEST_CASE(shared_subexpressions_are_one_node) {
    const auto u = lz::sin(w * x);
    const auto f = u * u + u;
    static_assert(lz::graph_of<decltype(f)>::size == 6);  // w, x, w·x, sin, u·u, +
    // Equal types are equal nodes, however they were spelled.
    static_assert(lz::graph_of<decltype(lz::sin(w * x) * lz::sin(w * x))>::size == 5);
    static_assert(lz::graph_of<decltype(w * x + x * w)>::size == 5);  // w·x and x·w differ
    const double s = std::sin(0.3 * 2.0);
    BOOST_TEST(lz::eval(f, lz::at(w = 0.3, x = 2.0)) == s * s + s);
}

BOOST_AUTO_TEST_CASE(a_leaf_on_two_paths_receives_the_sum) {
    // The notes' example: o = cos(w²) + sin(w²), dO/dw = −2w·sin(w²) + 2w·cos(w²).
    const auto o = lz::cos(w * w) + lz::sin(w * w);
    for (double v : {-1.7, -0.3, 0.0, 0.4, 1.0, 2.5}) {
        const auto env = lz::at(w = v);
        const double expected = -2 * v * std::sin(v * v) + 2 * v * std::cos(v * v);
        const double tol = 1e-15 * (1 + std::abs(expected));
        BOOST_TEST(std::abs(lz::grad(o, w, env) - expected) <= tol, "grad at " << v);
        BOOST_TEST(std::abs(lz::jvp(o, env, lz::tangent(w = 1.0)).tangent - expected) <= tol, "jvp at " << v);
        BOOST_TEST(std::abs(lz::eval(lz::d(o, w), env) - expected) <= tol, "eval(d) at " << v);
    }
    BOOST_TEST(lz::to_string(o) == "cos(w*w) + sin(w*w)");
    // A leaf used directly twice: d(w·w)/dw = 2w.
    BOOST_TEST(lz::grad(w * w, w, lz::at(w = 3.0)) == 6.0);
    // Three paths of different depth: w + w·x + sin(w).
    const auto f = w + w * x + lz::sin(w);
    BOOST_TEST(lz::grad(f, w, lz::at(w = 0.5, x = 4.0)) == 1.0 + 4.0 + std::cos(0.5));
}

BOOST_AUTO_TEST_CASE(structured_bindings_follow_wrt) {
    const auto f = w * w * x + 3_c * b;  // ∂w = 2wx, ∂x = w², ∂b = 3
    const auto env = lz::at(w = 3.0, x = 2.0, b = -1.0);
    {
        auto [dw, dx] = lz::grad(f, lz::wrt(w, x), env);
        BOOST_TEST(dw == 12.0);
        BOOST_TEST(dx == 9.0);
    }
    {
        auto [dx, dw] = lz::grad(f, lz::wrt(x, w), env);
        BOOST_TEST(dx == 9.0);
        BOOST_TEST(dw == 12.0);
    }
    {
        auto [db, dw, dx] = lz::grad(f, lz::wrt(b, w, x), env);
        BOOST_TEST(db == 3.0);
        BOOST_TEST(dw == 12.0);
        BOOST_TEST(dx == 9.0);
    }
    {
        auto [v, g] = lz::value_and_grad(f, lz::wrt(x, b), env);
        BOOST_TEST(v == 15.0);
        BOOST_TEST(std::get<0>(g) == 9.0);
        BOOST_TEST(std::get<1>(g) == 3.0);
    }
    {
        const auto j = lz::jacobian(f, lz::wrt(x, b, w), env);
        BOOST_TEST(j[0] == 9.0);
        BOOST_TEST(j[1] == 3.0);
        BOOST_TEST(j[2] == 12.0);
        const auto h = lz::hessian(f, lz::wrt(x, w), env);  // [[0, 2w], [2w, 2x]]
        BOOST_TEST(h[0][0] == 0.0);
        BOOST_TEST(h[0][1] == 6.0);
        BOOST_TEST(h[1][0] == 6.0);
        BOOST_TEST(h[1][1] == 4.0);
    }
    // One leaf: a plain number, not a tuple.
    static_assert(std::is_same_v<decltype(lz::grad(f, w, env)), double>);
    BOOST_TEST(lz::grad(f, w, env) == 12.0);
    // A leaf that is not differentiated gets nothing; one in an inactive branch gets its own share only.
    BOOST_TEST(lz::grad(f, b, env) == 3.0);
}

BOOST_AUTO_TEST_CASE(value_and_grad_value_equals_eval) {
    const auto f = lz::sigmoid(w * x + b) * lz::log1p(w * w) - lz::relu(x - b);
    for (double v : {-2.0, -0.5, 0.25, 1.0, 3.0}) {
        const auto env = lz::at(w = v, x = 0.5 - v, b = 0.1 * v);
        const auto r = lz::value_and_grad(f, lz::wrt(w, x, b), env);
        const double e = lz::eval(f, env);
        BOOST_TEST(std::abs(r.value - e) <= 1e-15 * std::abs(e),
                   "value_and_grad value " << r.value << " vs eval " << e);
        const auto g = lz::grad(f, lz::wrt(w, x, b), env);
        BOOST_TEST(std::abs(std::get<0>(r.gradient) - std::get<0>(g)) <= 1e-15 * (1 + std::abs(std::get<0>(g))));
        BOOST_TEST(std::abs(std::get<1>(r.gradient) - std::get<1>(g)) <= 1e-15 * (1 + std::abs(std::get<1>(g))));
        BOOST_TEST(std::abs(std::get<2>(r.gradient) - std::get<2>(g)) <= 1e-15 * (1 + std::abs(std::get<2>(g))));
        BOOST_TEST(lz::jvp(f, env, lz::tangent(w = 1.0)).value == r.value);
    }
}

BOOST_AUTO_TEST_CASE(d_composes) {
    // x³: 3x², 6x, 6, 0.
    const auto f = x * x * x;
    const auto d1 = lz::d(f, x);
    const auto d2 = lz::d(d1, x);
    const auto d3 = lz::d(d2, x);
    const auto d4 = lz::d(d3, x);
    static_assert(std::is_same_v<decltype(d3), const lz::literal<lz::rational{6, 1}>>);
    static_assert(std::is_same_v<decltype(d4), const lz::zero_t>);
    for (double v : {-2.0, -0.5, 0.0, 1.5, 4.0}) {
        const auto env = lz::at(x = v);
        BOOST_TEST(lz::eval(d1, env) == 3 * v * v);
        BOOST_TEST(lz::eval(d2, env) == 6 * v);
        BOOST_TEST(lz::eval(d3, lz::lenient(env)) == 6.0);
        BOOST_TEST(lz::hessian(f, lz::wrt(x), env)[0][0] == 6 * v);
    }
    // sin: cos, −sin, −cos, sin.
    const auto s1 = lz::d(lz::sin(x), x);
    const auto s2 = lz::d(s1, x);
    const auto s3 = lz::d(s2, x);
    const auto s4 = lz::d(s3, x);
    static_assert(std::is_same_v<decltype(s1), const decltype(lz::cos(x))>);
    static_assert(std::is_same_v<decltype(s2), const decltype(-lz::sin(x))>);
    static_assert(std::is_same_v<decltype(s4), const decltype(lz::sin(x))>);
    for (double v : {-2.0, -0.5, 0.0, 1.5, 4.0}) {
        const auto env = lz::at(x = v);
        BOOST_TEST(lz::eval(s1, env) == std::cos(v));
        BOOST_TEST(lz::eval(s2, env) == -std::sin(v));
        BOOST_TEST(lz::eval(s3, env) == -std::cos(v));
        BOOST_TEST(lz::eval(s4, env) == std::sin(v));
    }
    // Mixed partials commute: ∂²(w²x³)/∂w∂x = ∂²/∂x∂w = 6wx².
    const auto g = w * w * x * x * x;
    const auto env = lz::at(w = 1.5, x = -2.0);
    BOOST_TEST(lz::eval(lz::d(lz::d(g, w), x), env) == 6 * 1.5 * 4.0);
    BOOST_TEST(lz::eval(lz::d(lz::d(g, x), w), env) == 6 * 1.5 * 4.0);
    // And grad of a derivative: the reverse mode of d(f) is the second derivative.
    BOOST_TEST(lz::grad(lz::d(g, w), x, env) == 6 * 1.5 * 4.0);
}

BOOST_AUTO_TEST_CASE(lenient_environment_ignores_extra_bindings) {
    const auto f = w * x + b;
    const auto env = lz::at(w = 2.0, x = 3.0, b = 4.0);
    // d(f, w) = x: no longer contains w or b (a node records them: f's strict env works too).
    static_assert(std::is_same_v<lz::without_domain<decltype(lz::d(f, w))>, std::remove_const_t<decltype(x)>>);
    BOOST_TEST(lz::eval(lz::d(f, w), lz::lenient(env)) == 3.0);
    BOOST_TEST(lz::eval(lz::d(f, b), lz::lenient(env)) == 1.0);  // a literal
    BOOST_TEST(lz::eval(w, lz::lenient(env)) == 2.0);
    BOOST_TEST(lz::grad(w * w, w, lz::lenient(env)) == 4.0);
    BOOST_TEST(lz::jvp(w * w, lz::lenient(env), lz::tangent(w = 1.0)).tangent == 4.0);
    BOOST_TEST(lz::hessian(w * w * x, lz::wrt(w), lz::lenient(env))[0][0] == 6.0);
    // lenient() of a lenient env is lenient.
    BOOST_TEST(lz::eval(x, lz::lenient(lz::lenient(env))) == 3.0);
}

BOOST_AUTO_TEST_CASE(integer_binding) {
    const auto env = lz::at(w = 3, x = -2);  // converted to the leaves' double
    static_assert(std::is_same_v<decltype(lz::eval(w * x, env)), double>);
    BOOST_TEST(lz::eval(w * w * x, env) == -18.0);
    BOOST_TEST(lz::grad(w * w * x, w, env) == -12.0);
    BOOST_TEST(lz::jvp(w * x, env, lz::tangent(w = 1)).tangent == -2.0);  // an integer tangent, too
    constexpr auto wf = lz::var<"w", float>;
    static_assert(std::is_same_v<decltype(lz::eval(wf * wf, lz::at(wf = 2))), float>);
    BOOST_TEST(lz::eval(wf * wf, lz::at(wf = 2)) == 4.0f);
    BOOST_TEST(lz::grad(wf * wf, wf, lz::at(wf = 2)) == 4.0f);
}

BOOST_AUTO_TEST_CASE(literals_and_leaves) {
    constexpr auto p = lz::param<"p">;
    static_assert(lz::Param<decltype(p)>);
    static_assert(!lz::Param<decltype(w)>);
    const auto f = 3_c * p * p - 0.5_c * w + lz::c<1, 4> + -2_c * w * p;
    const auto env = lz::at(p = 2.0, w = 4.0);
    BOOST_TEST(lz::eval(f, env) == 12.0 - 2.0 + 0.25 - 16.0);
    auto [dp, dw] = lz::grad(f, lz::wrt(p, w), env);
    BOOST_TEST(dp == 12.0 - 8.0);
    BOOST_TEST(dw == -0.5 - 4.0);
    // The leaf itself, and a literal-only expression.
    BOOST_TEST(lz::grad(w, w, lz::at(w = 7.0)) == 1.0);
    BOOST_TEST(lz::eval(2_c * 3_c + 1_c, lz::at()) == 7.0);
    BOOST_TEST(lz::eval(1e-3_c, lz::at()) == 1e-3);
    // A leaf bound as dual carries its tangent through eval.
    using D = lz::dual<double, 2>;
    const D r = lz::eval(w * x, lz::at(w = D::variable(3.0, 0), x = D::variable(5.0, 1)));
    BOOST_TEST(r.v == 15.0);
    BOOST_TEST(r.d[0] == 5.0);
    BOOST_TEST(r.d[1] == 3.0);
}

BOOST_AUTO_TEST_CASE(printing) {
    BOOST_TEST(lz::to_string(3_c * x * x) == "3*x*x");
    BOOST_TEST(lz::to_string(lz::d(x * x * x, x)) == "3*x*x");
    BOOST_TEST(lz::to_string(lz::sigmoid(w * x + b)) == "sigmoid(w*x + b)");
    BOOST_TEST(lz::to_latex(lz::sigmoid(w * x + b)) == "\\sigma\\left(w \\cdot x + b\\right)");
    BOOST_TEST(lz::to_string((w + x) * b) == "(w + x)*b");
    BOOST_TEST(lz::to_string(w - (x - b)) == "w - (x - b)");
    // pow's partials are ops of their own (for PyTorch's conventions at a = 0) that print as the formulas
    BOOST_TEST(lz::to_string(lz::d(lz::pow(w, x), w)) == "x*w^(x - 1)");
    BOOST_TEST(lz::to_string(lz::d(lz::pow(w, x), x)) == "w^x*log(w)");
    BOOST_TEST(lz::to_string(lz::d(lz::pow(w + b, x), x)) == "(w + b)^x*log(w + b)");
    BOOST_TEST(lz::to_string(lz::d(lz::pow(w, x + b), w)) == "(x + b)*w^(x + b - 1)");
    BOOST_TEST(lz::to_string(lz::d(lz::pow((w + b) * (w - b), x), x)) == "((w + b)*(w - b))^x*log((w + b)*(w - b))");
    BOOST_TEST(lz::to_latex(lz::d(lz::pow(w + b, x), x)) ==
               "\\left(w + b\\right)^{x} \\cdot \\log\\left(w + b\\right)");
    BOOST_TEST(lz::to_latex(lz::d(lz::pow(w, x), x)) == "w^{x} \\cdot \\log\\left(w\\right)");
    BOOST_TEST(lz::to_latex(lz::d(lz::pow(w, x), w)) == "x \\cdot w^{x - 1}");
}

// A leaf named twice in lz::wrt(w, w) gets both positions, in grad as in
// jacobian and hessian (forward mode seeds every position where it appears).
BOOST_AUTO_TEST_CASE(repeated_leaf_in_wrt) {
    const auto f = w * w * x;  // ∂w = 2wx = 12, ∂²w = 2x = 4
    const auto env = lz::at(w = 3.0, x = 2.0);
    const auto [g0, g1] = lz::grad(f, lz::wrt(w, w), env);
    BOOST_TEST(g0 == 12.0);
    BOOST_TEST(g1 == 12.0);
    const auto j = lz::jacobian(f, lz::wrt(w, w), env);
    BOOST_TEST(j[0] == 12.0);
    BOOST_TEST(j[1] == 12.0);
    const auto h = lz::hessian(f, lz::wrt(w, w), env);
    BOOST_TEST(h[0][0] == 4.0);
    BOOST_TEST(h[1][0] == 4.0);
    BOOST_TEST(h[0][1] == 4.0);
    BOOST_TEST(h[1][1] == 4.0);
}

// Names compose at compile time (core/fixed_string.hpp), as a layer naming
// its parameters "0.weight", "0.bias", ... needs.
BOOST_AUTO_TEST_CASE(names_concatenate_and_format_integers_at_compile_time) {
    static_assert(lz::to_fixed_string<0>().view() == "0");
    static_assert(lz::to_fixed_string<7>().view() == "7");
    static_assert(lz::to_fixed_string<10>().view() == "10");
    static_assert(lz::to_fixed_string<4096>().view() == "4096");
    static_assert((lz::to_fixed_string<12>() + ".weight").view() == "12.weight");
    static_assert(("layer" + lz::to_fixed_string<3>()).view() == "layer3");
    static_assert((lz::fixed_string("a") + lz::fixed_string("") + lz::fixed_string("bc")).view() == "abc");
    constexpr auto w = lz::param<lz::to_fixed_string<0>() + ".weight", double, lz::shape<2, 3>>;
    constexpr auto same = lz::param<"0.weight", double, lz::shape<2, 3>>;
    static_assert(std::is_same_v<decltype(w), decltype(same)>);
    BOOST_TEST(lz::to_string(w) == "0.weight");
}

// A derivative keeps its function's domain (core/domain.hpp): d(f, x)
// evaluates in f's own strict environment even when it lost some of f's
// leaves; binding a name in neither stays a compile error (the
// derivative_foreign_binding_fail compile-fail test).
BOOST_AUTO_TEST_CASE(derivative_evaluates_in_its_functions_environment) {
    constexpr auto y = lz::var<"y">;
    const auto env = lz::at(x = 2.0, y = 3.0);
    // d(x·y, x) = y: x is gone, the environment binds it anyway
    const auto f = x * y;
    BOOST_TEST(lz::eval(f, env) == 6.0);
    BOOST_TEST(lz::eval(lz::d(f, x), env) == 3.0);
    BOOST_TEST(lz::eval(lz::d(f, y), env) == 2.0);
    BOOST_TEST(lz::to_string(lz::d(f, x)) == "y");  // prints as before
    BOOST_TEST(lz::eval(lz::d(f, x), lz::at(y = 5.0)) == 5.0);  // a lost leaf need not be bound
    // a constant derivative: d(sin(x) + y, y) = 1, evaluated where f is
    const auto g = lz::sin(x) + y;
    BOOST_TEST(lz::to_string(lz::d(g, y)) == "1");
    BOOST_TEST(lz::eval(lz::d(g, y), env) == 1.0);
    BOOST_TEST(lz::eval(lz::d(g, x), env) == std::cos(2.0));
    // nested: d(d(x²y, x), y) = 2x, then d(·, x) = 2 — every one in f's environment
    const auto h = x * x * y;
    BOOST_TEST(lz::eval(lz::d(lz::d(h, x), y), env) == 4.0);
    BOOST_TEST(lz::eval(lz::d(lz::d(lz::d(h, x), y), x), env) == 2.0);
    BOOST_TEST(lz::to_string(lz::d(lz::d(lz::d(h, x), y), x)) == "2");
    // composed with more: the domain is kept inside a larger expression
    BOOST_TEST(lz::eval(lz::d(f, x) * x + 1_c, env) == 7.0);
    BOOST_TEST(lz::to_string(lz::d(x * y, x) * (x + y)) == "y*(x + y)");
    BOOST_TEST(lz::to_string((x + y) * lz::d(x * (x + y), y)) == "(x + y)*x");
    BOOST_TEST(lz::to_string(lz::d(x * (x + y), x) * y) == "(x + y + x)*y");
    // every entry point: grad, value_and_grad, jvp, in f's environment
    BOOST_TEST(lz::grad(lz::d(h, x), y, env) == 4.0);
    BOOST_TEST(lz::value_and_grad(lz::d(h, x), y, env).value == 12.0);
    BOOST_TEST(lz::jvp(lz::d(f, x), env, lz::tangent(y = 1.0)).tangent == 1.0);
    // float
    constexpr auto u = lz::var<"u", float>;
    constexpr auto v = lz::var<"v", float>;
    const auto fenv = lz::at(u = 1.5f, v = 2.0f);
    BOOST_TEST(lz::eval(lz::d(u * v, u), fenv) == 2.0f);
    BOOST_TEST(lz::eval(lz::d(u + v, v), fenv) == 1.0f);
    // a derivative that kept every leaf is the bare expression, as before
    static_assert(std::is_same_v<decltype(lz::d(x * x, x)), decltype(2_c * x)>);
    // in a tensor expression (d itself takes scalar expressions): t·∂(x·y)/∂x
    // = t·y, elementwise over t, evaluated and differentiated where f is
    constexpr auto t = lz::var<"t", double, lz::shape<3>>;
    const lz::tensor<double, lz::shape<3>> ts{1.0, -2.0, 0.5};
    const auto tenv = lz::at(t = ts, x = 2.0, y = 3.0);
    const auto scaled = lz::eval(t * lz::d(f, x), tenv);
    const auto dsum = lz::grad(lz::sum(t * lz::d(f, x)), t, tenv);
    for (std::size_t i = 0; i < 3; ++i) {
        BOOST_TEST(scaled(i) == 3.0 * ts(i));
        BOOST_TEST(dsum(i) == 3.0);
    }
}
