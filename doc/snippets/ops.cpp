// doc/reference/ops.md: every op's symbolic derivative as leibniz prints it,
// and the derivatives at the kinks, checked against the conventions the page
// states (PyTorch's). Exits non-zero if a convention does not hold.
#include <leibniz/leibniz.hpp>

#include <cstdio>
#include <limits>
#include <string>

namespace lz = leibniz;
using namespace lz::literals;

constexpr auto a = lz::var<"a">;
constexpr auto b = lz::var<"b">;

int failures = 0;

template <class F>
void row(F f) {
    std::printf("%-22s %-16s%s\n", lz::to_string(f).c_str(), "d/da:", lz::to_string(lz::d(f, a)).c_str());
}

template <class F>
void row2(F f) {
    std::printf("%-22s %-16s%s\n", lz::to_string(f).c_str(), "d/da, d/db:",
                (lz::to_string(lz::d(f, a)) + ",  " + lz::to_string(lz::d(f, b))).c_str());
}

void expect(const char* what, double value, double expected) {
    const bool ok = value == expected;
    failures += !ok;
    std::printf("%-40s %g%s\n", what, value, ok ? "" : "   UNEXPECTED");
}

int main() {
    // [snippet derivatives]
    row2(a + b);
    row2(a - b);
    row2(a * b);
    row2(a / b);
    row(-a);
    row(lz::exp(a));
    row(lz::log(a));
    row(lz::log1p(a));
    row(lz::expm1(a));
    row(lz::sqrt(a));
    row(lz::pow(a, 3_c));
    row(lz::pow(a, 0.5_c));
    row2(lz::pow(a, b));
    row(lz::abs(a));
    row(lz::sin(a));
    row(lz::cos(a));
    row(lz::tan(a));
    row(lz::tanh(a));
    row(lz::sigmoid(a));
    row(lz::softplus(a));
    row(lz::relu(a));
    row(lz::leaky_relu(a));
    row(lz::leaky_relu(a, 0.2_c));
    row(lz::hard_tanh(a));
    row2(lz::max(a, b));
    row2(lz::min(a, b));
    // [/snippet]

    std::printf("\n");
    // [snippet kinks]
    expect("relu'(0)", lz::grad(lz::relu(a), a, lz::at(a = 0.0)), 0.0);
    expect("abs'(0)", lz::grad(lz::abs(a), a, lz::at(a = 0.0)), 0.0);
    expect("leaky_relu'(0), slope 0.01", lz::grad(lz::leaky_relu(a), a, lz::at(a = 0.0)), 0.01);
    expect("hard_tanh'(1)", lz::grad(lz::hard_tanh(a), a, lz::at(a = 1.0)), 0.0);
    expect("hard_tanh'(-1)", lz::grad(lz::hard_tanh(a), a, lz::at(a = -1.0)), 0.0);
    expect("d max(a, b)/da at a = b = 1", lz::grad(lz::max(a, b), a, lz::at(a = 1.0, b = 1.0)), 0.5);
    expect("d min(a, b)/db at a = b = 1", lz::grad(lz::min(a, b), b, lz::at(a = 1.0, b = 1.0)), 0.5);
    expect("d pow(a, b)/db at a = 0, b = 2", lz::grad(lz::pow(a, b), b, lz::at(a = 0.0, b = 2.0)), 0.0);
    expect("sqrt'(0)", lz::grad(lz::sqrt(a), a, lz::at(a = 0.0)), std::numeric_limits<double>::infinity());
    expect("softplus(1000), no overflow", lz::eval(lz::softplus(a), lz::at(a = 1000.0)), 1000.0);
    expect("sigmoid(-1000), no overflow", lz::eval(lz::sigmoid(a), lz::at(a = -1000.0)), 0.0);
    // [/snippet]
    return failures == 0 ? 0 : 1;
}
