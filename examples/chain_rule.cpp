// The chain rule, typed: the worked examples of the course notes on
// computational graphs (seed notes 001, "Chain Rule in Computational Graphs",
// "Multivariate Chain Rule" and "PRACTICE"), computed by leibniz.
//
// For every function this program prints
//   - the function, and its derivative as a formula (text and LaTeX): the
//     derivative is a new expression, built at compile time by lz::d;
//   - the derivative's value three independent ways: the formula evaluated,
//     the reverse sweep lz::grad (backpropagation), and a central finite
//     difference of the function itself;
//   - the notes' own answer, where the notes give one.
// Every comparison must agree to a relative error of 1e-7, or the program
// exits with status 1 (it runs under CTest as example_chain_rule).
//
// Build and run it with `scripts/demo`. The walk-through is
// doc/tutorial-chain-rule.md.

#include <leibniz/leibniz.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

namespace lz = leibniz;
using namespace lz::literals;  // 2_c, 0.5_c: numbers that are part of an expression's type

// ============================================================================
//  The checks. Skip on a first reading: main() below is the lesson.
// ============================================================================

constexpr double tolerance = 1e-7;  // largest relative error accepted
int checks = 0;
int failures = 0;

// Relative error of `value` against `reference`: |value − reference| / max(|value|, |reference|).
double relative_error(double value, double reference) {
    const double scale = std::fmax(std::fabs(value), std::fabs(reference));
    return scale == 0.0 ? 0.0 : std::fabs(value - reference) / scale;
}

// The parts, one after the other, as one string.
template <class... Parts>
std::string concat(const Parts&... parts) {
    std::string text;
    ((text += parts), ...);
    return text;
}

// `label`, padded to a column (counting characters, not UTF-8 bytes).
std::string padded(std::string_view label, std::size_t column = 42) {
    std::size_t width = 0;
    for (char ch : label) width += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
    return concat(label, std::string(width < column ? column - width : 1, ' '));
}

void show(std::string_view label, double value) {
    std::printf("    %s% .10f\n", padded(label).c_str(), value);
}

// Prints `label  value` and compares value with reference.
void check(std::string_view label, double value, double reference) {
    const double error = relative_error(value, reference);
    const bool ok = error <= tolerance;
    ++checks;
    if (!ok) ++failures;
    std::printf("    %s% .10f   relative error %.1e  %s\n", padded(label).c_str(), value, error, ok ? "ok" : "FAILED");
}

void heading(const char* title, const char* notes) { std::printf("\n%s\n  (the notes: %s)\n", title, notes); }

// A point is a tuple of bindings, e.g. std::tuple{x = 1.5, y = 0.9}. Each
// binding (what `x = 1.5` makes) has the leaf's type, `leaf_type`, and a `value`.
template <class... B>
auto environment(const std::tuple<B...>& point) {
    return std::apply([](const B&... b) { return lz::at(b...); }, point);
}

template <class... B>
std::string point_text(const std::tuple<B...>& point) {
    std::string text;
    auto append = [&](std::string name, double value) {
        char number[32];
        std::snprintf(number, sizeof number, "%g", value);
        text += concat(text.empty() ? "" : ", ", name, " = ", number);
    };
    std::apply([&](const B&... b) { (append(lz::to_string(typename B::leaf_type{}), b.value), ...); }, point);
    return text;
}

// The central finite difference (f(v + h) − f(v − h)) / 2h along the leaf L,
// every other binding held fixed: the derivative from its definition, with
// no automatic differentiation at all. Its error is O(h²) from the Taylor
// series plus O(ε/h) from rounding; h = 1e-5 keeps both near 1e-10.
template <lz::Expression F, lz::Leaf L, class... B>
double central_difference(F f, L, const std::tuple<B...>& point) {
    constexpr double h = 1e-5;
    auto f_moved_by = [&](double step) {
        return std::apply([&](B... b) {
            auto move = [&]<class Binding>(Binding binding) {
                if constexpr (std::is_same_v<typename Binding::leaf_type, L>) binding.value += step;
                return binding;
            };
            return lz::eval(f, lz::at(move(b)...));
        }, point);
    };
    return (f_moved_by(h) - f_moved_by(-h)) / (2 * h);
}

// Prints f and its value at the point.
template <lz::Expression F, class... B>
void show_function(std::string_view name, F f, const std::tuple<B...>& point) {
    std::printf("  %s= %s\n", padded(name, 8).c_str(), lz::to_string(f).c_str());
    std::printf("  at %s:\n", point_text(point).c_str());
    show(name, lz::eval(f, environment(point)));
}

// ∂f/∂leaf at the point: the formula lz::d(f, leaf), then its value by lz::grad,
// checked against the formula evaluated and against finite differences.
// Returns the lz::grad value.
template <lz::Expression F, lz::Leaf L, class... B>
double partial(std::string_view name, F f, L leaf, const std::tuple<B...>& point) {
    const std::string ratio = concat("∂", name, "/∂", lz::to_string(leaf));
    const auto derivative = lz::d(f, leaf);  // an expression, like f
    std::printf("  %s= %s\n", padded(ratio, 8).c_str(), lz::to_string(derivative).c_str());
    std::printf("  %s  %s\n", padded("LaTeX", 8).c_str(), lz::to_latex(derivative).c_str());

    const auto env = environment(point);
    const double reverse = lz::grad(f, leaf, env);  // one forward and one backward sweep
    show(concat("lz::grad(", name, ", ", lz::to_string(leaf), ", env)"), reverse);
    // The derivative may have lost some of f's leaves (∂(x − 3 + 2y)/∂x = 1):
    // lz::lenient lets the environment bind names the expression lacks.
    check(concat("lz::eval(lz::d(", name, ", ", lz::to_string(leaf), "), env)"), lz::eval(derivative, lz::lenient(env)),
          reverse);
    check("finite difference", central_difference(f, leaf, point), reverse);
    return reverse;
}

// ============================================================================
//  The lesson
// ============================================================================

int main() {
    std::printf("leibniz %d.%d.%d: the chain rule, typed (examples/chain_rule.cpp)\n", lz::version_major,
                lz::version_minor, lz::version_patch);
    std::printf("Each derivative is computed by lz::grad and compared with its formula lz::d(f, w)\n"
                "evaluated and with a central finite difference; a relative error above %.0e fails.\n",
                tolerance);

    // ------------------------------------------------------------------------
    // (a) Two nodes in a chain: f(g(w)) with f = g = sigmoid.
    //     Notes, "Illustrative Example": f(g(w)) = 1/(1 + exp[−1/(1 + exp(−w))]),
    //     "computing its derivative with respect to w is already non-trivial".
    //     The chain rule: ∂f/∂w = ∂f/∂g · ∂g/∂w = σ'(g)·σ'(w), with σ' = σ(1 − σ).
    // ------------------------------------------------------------------------
    {
        heading("(a) Two sigmoids in a chain: f(w) = sigmoid(sigmoid(w))", "\"Illustrative Example\"");

        // A leaf: the variable w, a double. Its name is part of its type, and it
        // holds no value; values are bound at a point, lz::at(w = 0.7).
        constexpr auto w = lz::var<"w">;
        // An expression is a type too: f has no data members, only a type.
        constexpr auto f = lz::sigmoid(lz::sigmoid(w));
        const auto point = std::tuple{w = 0.7};

        show_function("f", f, point);
        const double dw = partial("f", f, w, point);

        // By hand, with the notes' rule σ'(a) = σ(a)(1 − σ(a)) applied at both nodes:
        const double g = 1 / (1 + std::exp(-0.7));  // g(w) = σ(w)
        const double s = 1 / (1 + std::exp(-g));    // f(g) = σ(g)
        check("by hand: σ(g)(1 − σ(g))·σ(w)(1 − σ(w))", s * (1 - s) * g * (1 - g), dw);
    }

    // ------------------------------------------------------------------------
    // (b) Two paths from w to o (notes, "Multivariate Chain Rule", Figure 3.3):
    //     y = w², p = cos(y), q = sin(y), o = K(p, q) = p + q.
    //     w reaches o along two paths, through p and through q, and the
    //     multivariable chain rule adds the paths' products:
    //       ∂o/∂w = ∂K/∂p · g'(y) · f'(w) + ∂K/∂q · h'(y) · f'(w)
    //             = 1 · (−sin(y)) · 2w   + 1 · cos(y) · 2w
    //             = −2w·sin(w²) + 2w·cos(w²)
    // ------------------------------------------------------------------------
    {
        heading("(b) Two paths: o = K(p, q) = p + q, p = cos(w²), q = sin(w²)", "\"Multivariate Chain Rule\"");

        constexpr auto w = lz::var<"w">;
        constexpr auto y = lz::pow(w, 2_c);  // 2_c: the literal 2, part of the type
        constexpr auto p = lz::cos(y);
        constexpr auto q = lz::sin(y);
        constexpr auto o = p + q;
        // p and q both contain the node y = w². Equal subexpressions have equal
        // types, so the graph holds y once: four nodes w, y, p, q, plus o.
        static_assert(lz::graph_of<decltype(o)>::size == 5);

        const auto point = std::tuple{w = 0.7};
        show_function("o", o, point);
        const double dw = partial("o", o, w, point);
        check("notes: −2w·sin(w²) + 2w·cos(w²)", -2 * 0.7 * std::sin(0.49) + 2 * 0.7 * std::cos(0.49), dw);

        // The same derivative by forward mode: a dual number carries a value and
        // a tangent (v, v'); every op maps (a, a') to (op(a), op'(a)·a'). Seeding
        // w' = 1 makes the output's tangent do/dw. lz::jvp does this for you...
        const auto env = lz::at(w = 0.7);
        const auto forward = lz::jvp(o, env, lz::tangent(w = 1.0));
        check("lz::jvp(o, env, tangent(w = 1)).tangent", forward.tangent, dw);
        // ...and a dual number can be bound to a leaf directly:
        const auto dual = lz::eval(o, lz::at(w = lz::dual<double>::variable(0.7, 0)));
        check("lz::eval(o, at(w = dual(0.7, 1))).d[0]", dual.d[0], dw);

        // The second derivative, two ways: the derivative of the derivative (d composes),
        // and lz::hessian, forward over reverse: the reverse sweep run on dual numbers.
        constexpr auto second = lz::d(lz::d(o, w), w);
        std::printf("  ∂²o/∂w² = %s\n", lz::to_string(second).c_str());
        const double h = lz::hessian(o, lz::wrt(w), env)[0][0];
        show("lz::hessian(o, wrt(w), env)", h);
        check("lz::eval(lz::d(lz::d(o, w), w), env)", lz::eval(second, env), h);
        check("finite difference of ∂o/∂w", central_difference(lz::d(o, w), w, point), h);

        // The backward pass, node by node: δ(n) = ∂o/∂n. y feeds both p and q,
        // so δ(y) is the sum of what p and q pass back (the notes' sum over paths).
        std::printf("\n  lz::explain(o, lz::wrt(w), lz::at(w = 0.7)):\n\n%s", lz::explain(o, lz::wrt(w), env).c_str());
    }

    // ------------------------------------------------------------------------
    // (c) The product rule, from the notes' PRACTICE table:
    //       cos(x)·sin(x)  →  −sin²(x) + cos²(x)
    //       (x + 5)(x − 2) →  (x + 5) + (x − 2) = 2x + 3
    //     mul's derivative rule is the product rule: ∂(a·b)/∂a = b, ∂(a·b)/∂b = a.
    //     lz::d simplifies as it builds (0·e → 0, 1·e → e, literals folded) but does
    //     not expand products, so (x + 5)(x − 2) prints as (x − 2) + (x + 5).
    // ------------------------------------------------------------------------
    {
        heading("(c) The product rule", "PRACTICE / ANSWERS");
        constexpr auto x = lz::var<"x">;
        const auto point = std::tuple{x = 0.8};

        constexpr auto f = lz::cos(x) * lz::sin(x);
        show_function("f", f, point);
        const double dx = partial("f", f, x, point);
        check("notes: −sin²(x) + cos²(x)", -std::sin(0.8) * std::sin(0.8) + std::cos(0.8) * std::cos(0.8), dx);

        constexpr auto g = (x + 5_c) * (x - 2_c);
        std::printf("\n");
        show_function("g", g, point);
        check("notes: 2x + 3", 2 * 0.8 + 3, partial("g", g, x, point));
    }

    // ------------------------------------------------------------------------
    // (d) The rest of the PRACTICE table: partial derivatives.
    //     The notes' ANSWERS give none for the first two rows, and their
    //     first row reads 2x⁴ − 7y⁰ + z + 5, a typo for the question's
    //     2x⁴ − 7y²⁰ + z + 5. The true partials are
    //       2x⁴ − 7y²⁰ + z + 5:  ∂/∂x = 8x³, ∂/∂y = −140y¹⁹, ∂/∂z = 1
    //       x − 3 + 2y:          ∂/∂x = 1,   ∂/∂y = 2
    //       7:                   0 (the notes: "constant derivative is zero")
    //       9x:                  9
    // ------------------------------------------------------------------------
    {
        heading("(d) Partial derivatives: the rest of the PRACTICE table", "PRACTICE / ANSWERS");
        constexpr auto x = lz::var<"x">;
        constexpr auto y = lz::var<"y">;
        constexpr auto z = lz::var<"z">;

        constexpr auto f = 2_c * lz::pow(x, 4_c) - 7_c * lz::pow(y, 20_c) + z + 5_c;
        const auto point = std::tuple{x = 1.5, y = 0.9, z = 0.25};
        show_function("f", f, point);
        check("true ∂f/∂x = 8x³", 8 * std::pow(1.5, 3), partial("f", f, x, point));
        check("true ∂f/∂y = −140y¹⁹", -140 * std::pow(0.9, 19), partial("f", f, y, point));
        check("true ∂f/∂z = 1", 1, partial("f", f, z, point));

        constexpr auto g = x - 3_c + 2_c * y;
        std::printf("\n");
        show_function("g", g, std::tuple{x = 1.5, y = 0.9});
        check("true ∂g/∂x = 1", 1, partial("g", g, x, std::tuple{x = 1.5, y = 0.9}));
        check("true ∂g/∂y = 2", 2, partial("g", g, y, std::tuple{x = 1.5, y = 0.9}));

        // 7: a constant, so its derivative is the literal 0. That is known at
        // compile time: d(7, x) is the type lz::zero_t.
        constexpr auto seven = 7_c;
        static_assert(std::is_same_v<decltype(lz::d(seven, x)), lz::zero_t>);
        // lz::grad(seven, x, ...) would not compile: "leibniz::grad: a variable in
        // lz::wrt(...) is not a leaf of the expression". To evaluate d(7, x) at a
        // point that binds x, the environment must be lenient.
        std::printf("\n  %s= %s\n", padded("k", 8).c_str(), lz::to_string(seven).c_str());
        std::printf("  %s= %s   (the type lz::zero_t)\n", padded("∂k/∂x", 8).c_str(),
                    lz::to_string(lz::d(seven, x)).c_str());
        const double d7 = lz::eval(lz::d(seven, x), lz::lenient(lz::at(x = 1.5)));
        show("lz::eval(lz::d(k, x), lenient(env))", d7);
        const double h = 1e-5;
        const double seven_up = lz::eval(seven, lz::lenient(lz::at(x = 1.5 + h)));
        const double seven_down = lz::eval(seven, lz::lenient(lz::at(x = 1.5 - h)));
        check("finite difference (7 − 7)/2h", (seven_up - seven_down) / (2 * h), d7);

        constexpr auto nine_x = 9_c * x;
        std::printf("\n");
        show_function("h", nine_x, std::tuple{x = 1.5});
        check("notes: 9", 9, partial("h", nine_x, x, std::tuple{x = 1.5}));
    }

    // ------------------------------------------------------------------------
    // (e) Backpropagation through a two-layer network with one unit per layer:
    //       h = relu(w1·x + b1),  ŷ = sigmoid(w2·h + b2),  L = (ŷ − t)².
    //     The parameters are lz::param leaves (leaves that training collects);
    //     x and t, the input and the target, are lz::var leaves.
    //     lz::explain prints the forward pass, then the backward pass: each δ
    //     is the δ above it times a local derivative (the notes' δ recursion,
    //     with Φ'(a) = [a > 0] for relu and y(1 − y) for sigmoid).
    // ------------------------------------------------------------------------
    {
        heading("(e) A two-layer network, explained", "\"Dynamic Programming and Backpropagation\"");
        constexpr auto x = lz::var<"x">;
        constexpr auto t = lz::var<"t">;
        constexpr auto w1 = lz::param<"w1">;
        constexpr auto b1 = lz::param<"b1">;
        constexpr auto w2 = lz::param<"w2">;
        constexpr auto b2 = lz::param<"b2">;
        constexpr auto loss = lz::pow(lz::sigmoid(w2 * lz::relu(w1 * x + b1) + b2) - t, 2_c);

        const auto point = std::tuple{x = 1.5, t = 1.0, w1 = 0.8, b1 = -0.2, w2 = 1.3, b2 = 0.1};
        const auto env = environment(point);
        std::printf("\n%s\n", lz::explain(loss, lz::wrt(w1, b1, w2, b2), env).c_str());

        // All four gradients from one backward sweep, in the order of lz::wrt:
        const auto [dw1, db1, dw2, db2] = lz::grad(loss, lz::wrt(w1, b1, w2, b2), env);
        std::printf("  lz::grad(L, lz::wrt(w1, b1, w2, b2), env), each against a finite difference:\n");
        check("∂L/∂w1", dw1, central_difference(loss, w1, point));
        check("∂L/∂b1", db1, central_difference(loss, b1, point));
        check("∂L/∂w2", dw2, central_difference(loss, w2, point));
        check("∂L/∂b2", db2, central_difference(loss, b2, point));
    }

    // ------------------------------------------------------------------------
    // (f) The graph of (b), drawn: lz::to_dot writes it in Graphviz's DOT
    //     language, each node with its value and δ, each edge with its local
    //     derivative. With Graphviz installed, `dot` renders it as SVG.
    // ------------------------------------------------------------------------
    {
        heading("(f) The two-path graph as a picture", "Figure 3.3");
        constexpr auto w = lz::var<"w">;
        constexpr auto o = lz::cos(lz::pow(w, 2_c)) + lz::sin(lz::pow(w, 2_c));

        const std::filesystem::path dot_file = std::filesystem::absolute("chain_rule.dot");
        std::ofstream file(dot_file);
        file << lz::to_dot(o, lz::wrt(w), lz::at(w = 0.7));
        file.close();
        if (!file) {
            std::printf("  could not write %s\n", dot_file.string().c_str());
        } else {
            std::printf("  wrote %s\n", dot_file.string().c_str());
            // Graphviz is optional: without it, say how to render the file elsewhere.
            const std::filesystem::path svg_file = std::filesystem::absolute("chain_rule.svg");
            const std::string command = concat("dot -Tsvg '", dot_file.string(), "' -o '", svg_file.string(), "'");
            if (std::system("command -v dot > /dev/null 2>&1") != 0)
                std::printf("  Graphviz's `dot` is not on PATH; render the graph elsewhere with\n"
                            "  dot -Tsvg chain_rule.dot -o chain_rule.svg\n");
            else if (std::system(command.c_str()) == 0)
                std::printf("  wrote %s (open it in a browser)\n", svg_file.string().c_str());
            else
                std::printf("  `%s` failed; chain_rule.dot is still there\n", command.c_str());
        }
    }

    std::printf("\n%d checks, %d failed\n", checks, failures);
    return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
