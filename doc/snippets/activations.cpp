// doc/reference/ops.md, "Activations": the symbolic derivative of each
// activation as leibniz prints it, and their values where a naive formula
// overflows or cancels (checked; exits non-zero if one is off).
#include <leibniz/leibniz.hpp>

#include <cmath>
#include <cstdio>

namespace lz = leibniz;
using namespace lz::literals;

constexpr auto a = lz::var<"a">;
constexpr auto w = lz::var<"w">;

int failures = 0;

template <class F>
void row(F f) {
    std::printf("%-32s d/da: %s\n", lz::to_string(f).c_str(), lz::to_string(lz::d(f, a)).c_str());
}

void expect(const char* what, double value, double expected) {
    const bool ok = std::abs(value - expected) <= 1e-15 * std::abs(expected);
    failures += !ok;
    std::printf("%-36s %.17g%s\n", what, value, ok ? "" : "   UNEXPECTED");
}

int main() {
    // [snippet derivatives]
    row(lz::elu(a));
    row(lz::elu(a, 0.5_c));
    row(lz::selu(a));
    row(lz::celu(a, 2_c));
    row(lz::gelu(a));
    row(lz::gelu(a, lz::tanh_approximation));
    row(lz::silu(a));
    row(lz::mish(a));
    row(lz::softsign(a));
    row(lz::hardsigmoid(a));
    row(lz::hardswish(a));
    row(lz::log_sigmoid(a));
    row(lz::softplus(a, 2_c));
    row(lz::prelu(a, w));
    row(lz::erf(a));
    // [/snippet]

    // [snippet extremes]
    expect("log_sigmoid(-1e4)", lz::eval(lz::log_sigmoid(a), lz::at(a = -1e4)), -1e4);
    expect("d log_sigmoid/da at -1e4", lz::grad(lz::log_sigmoid(a), a, lz::at(a = -1e4)), 1.0);
    expect("softplus(1e4, beta 2)", lz::eval(lz::softplus(a, 2_c), lz::at(a = 1e4)), 1e4);
    expect("gelu(-1e4)", lz::eval(lz::gelu(a), lz::at(a = -1e4)), 0.0);
    expect("elu'(-40): alpha*exp(a), no cancellation", lz::grad(lz::elu(a), a, lz::at(a = -40.0)), std::exp(-40.0));
    expect("d prelu/dw at a = -2", lz::grad(lz::prelu(a, w), w, lz::at(a = -2.0, w = 0.25)), -2.0);
    // [/snippet]
    return failures;
}
