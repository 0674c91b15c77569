// A small program of the kind a user writes first (like examples/chain_rule):
// the umbrella header, a few expressions, their gradients, a symbolic
// derivative printed, a forward-mode jvp. bench/compile_time/run.sh times its
// compilation (target: under 10 s with g++ -O2).
#include <leibniz/leibniz.hpp>

#include <cstdio>
#include <string>

namespace lz = leibniz;
using namespace lz::literals;

constexpr auto w = lz::var<"w">;
constexpr auto x = lz::var<"x">;
constexpr auto t = lz::var<"t">;
constexpr auto w1 = lz::param<"w1">;
constexpr auto b1 = lz::param<"b1">;
constexpr auto w2 = lz::param<"w2">;
constexpr auto b2 = lz::param<"b2">;

int main(int argc, char**) {
    const double v = 0.5 + 0.1 * argc;

    constexpr auto nested = lz::sigmoid(lz::sigmoid(w));
    constexpr auto two_path = lz::cos(w * w) + lz::sin(w * w);
    constexpr auto net = lz::pow(lz::sigmoid(w2 * lz::relu(w1 * x + b1) + b2) - t, 2_c);

    const double d_nested = lz::grad(nested, w, lz::at(w = v));
    const double d_two_path = lz::grad(two_path, w, lz::at(w = v));
    const auto [dw1, db1, dw2, db2] =
        lz::grad(net, lz::wrt(w1, b1, w2, b2), lz::at(w1 = v, b1 = 0.1, w2 = -0.7, b2 = 0.2, x = 1.5, t = 1.0));
    const auto r = lz::value_and_grad(two_path, lz::wrt(w), lz::at(w = v));
    const auto j = lz::jvp(nested, lz::at(w = v), lz::tangent(w = 1.0));

    std::printf("d/dw %s = %s = %g\n", lz::to_string(two_path).c_str(), lz::to_string(lz::d(two_path, w)).c_str(),
                d_two_path);
    std::printf("d/dw sigmoid(sigmoid(w)) = %g (jvp %g), value %g\n", d_nested, j.tangent, r.value);
    std::printf("net gradient: %g %g %g %g\n", dw1, db1, dw2, db2);
}
