// The API at a glance (README.md): every call, once.
#include <leibniz/leibniz.hpp>

#include <array>
#include <cstdio>
#include <string>
#include <tuple>

int main() {
    // [snippet]
    namespace lz = leibniz;
    using namespace lz::literals;                    // 2_c, 0.5_c, 1e-3_c

    constexpr auto x = lz::var<"x">;                 // leaves: a name and a scalar type (double)
    constexpr auto w = lz::param<"w">;               // a parameter: a leaf training collects
    constexpr auto f = lz::sigmoid(w * x + 0.5_c);   // an expression: an empty type
    const auto env = lz::at(w = 0.7, x = 2.0);       // values live in a binding environment

    double y = lz::eval(f, env);                     // value
    double dw = lz::grad(f, w, env);                 // reverse mode, one leaf
    auto [gw, gx] = lz::grad(f, lz::wrt(w, x), env); // reverse mode, std::tuple in wrt order
    auto [v, g] = lz::value_and_grad(f, lz::wrt(w, x), env);
    auto t = lz::jvp(f, env, lz::tangent(w = 1.0));  // forward mode: t.value, t.tangent
    std::array<double, 2> j = lz::jacobian(f, lz::wrt(w, x), env);  // forward, all at once
    auto h = lz::hessian(f, lz::wrt(w, x), env);     // 2×2, forward over reverse
    constexpr auto df = lz::d(f, w);                 // the derivative as an expression
    std::string text = lz::to_string(df);            // "sigmoid(w*x + 0.5)*(1 - sigmoid(w*x + 0.5))*x"
    std::string tex = lz::to_latex(df);              // "\sigma\left(w \cdot x + 0.5\right) \cdot ..."
    std::string steps = lz::explain(f, lz::wrt(w, x), env);  // forward and backward pass, step by step
    std::string graph = lz::to_dot(f, lz::wrt(w, x), env);   // the same, for Graphviz
    // [/snippet]

    std::printf("%g %g %g %g %g %g %g %g %g %g %g\n%s\n%s\n%zu %zu\n", y, dw, gw, gx, v, std::get<0>(g), t.tangent,
                j[0], j[1], h[0][0], h[1][1], text.c_str(), tex.c_str(), steps.size(), graph.size());
    return text == "sigmoid(w*x + 0.5)*(1 - sigmoid(w*x + 0.5))*x" ? 0 : 1;
}
