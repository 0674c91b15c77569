// The six gradient kernels (see grad_kernels.hpp): leibniz and hand-written,
// side by side. The hand-written gradients are what a careful engineer would
// write: one forward pass keeping every intermediate the backward pass reads,
// one exp per sigmoid, derivatives of exp/tanh/sigmoid from the value already
// computed, sin and cos of the same argument next to each other (the compiler
// merges them into one sincos call), and each leaf's gradient summed once,
// in a single expression, rather than accumulated from a zero.

#include "grad_kernels.hpp"

#include <leibniz/leibniz.hpp>

#include <cmath>

namespace lz = leibniz;
using namespace lz::literals;

namespace {

// ------------------------------------------------------------ (a) two paths
constexpr auto w = lz::var<"w">;
constexpr auto two_path = lz::cos(w * w) + lz::sin(w * w);

// --------------------------------------------------- (b) a two-layer network
constexpr auto w1 = lz::param<"w1">;
constexpr auto b1 = lz::param<"b1">;
constexpr auto w2 = lz::param<"w2">;
constexpr auto b2 = lz::param<"b2">;
constexpr auto x = lz::var<"x">;
constexpr auto t = lz::var<"t">;
constexpr auto net = lz::pow(lz::sigmoid(w2 * lz::relu(w1 * x + b1) + b2) - t, 2_c);

// ------------------------------------------------------ (c) a 30-node chain
constexpr auto a = lz::var<"a">;
constexpr auto b = lz::var<"b">;
constexpr auto c = lz::var<"c">;
constexpr auto d = lz::var<"d">;
constexpr auto m1 = a * b;
constexpr auto s1 = lz::sin(m1);
constexpr auto a1 = s1 + c;
constexpr auto h1 = a1 * 0.5_c;
constexpr auto x1 = lz::exp(h1);
constexpr auto d1 = x1 - d;
constexpr auto t1 = lz::tanh(d1);
constexpr auto m2 = t1 * a;
constexpr auto a2 = m2 + b;
constexpr auto g1 = lz::sigmoid(a2);
constexpr auto m3 = g1 * c;
constexpr auto l1 = lz::log1p(m3);
constexpr auto d2 = l1 - a;
constexpr auto c1 = lz::cos(d2);
constexpr auto m4 = c1 * d;
constexpr auto a3 = m4 + 2_c;
constexpr auto t2 = lz::tanh(a3);
constexpr auto m5 = t2 * b;
constexpr auto g2 = lz::sigmoid(m5);
constexpr auto d3 = g2 - c;
constexpr auto x2 = lz::exp(d3);
constexpr auto m6 = x2 * d;
constexpr auto l2 = lz::log1p(m6);
constexpr auto chain = l2 * a;

// 4 leaves + 2 literals (0.5, 2) + 24 operations.
static_assert(lz::graph_of<decltype(chain)>::size == grad_kernels::chain_nodes);
static_assert(lz::graph_of<decltype(two_path)>::size == 5);  // w, w·w, cos, sin, +
static_assert(lz::graph_of<decltype(net)>::size == 14);   // 6 leaves, 8 operations

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

}  // namespace

extern "C" {

// ------------------------------------------------------------ (a) two paths

[[gnu::noinline]] void grad_two_path_leibniz(const double* in, double* out) {
    out[0] = lz::grad(two_path, w, lz::at(w = in[0]));
}

[[gnu::noinline]] void grad_two_path_hand(const double* in, double* out) {
    const double w = in[0];
    const double u = w * w;
    const double du = std::cos(u) - std::sin(u);  // d/du (cos u + sin u)
    out[0] = du * (2.0 * w);
}

// --------------------------------------------------- (b) a two-layer network

[[gnu::noinline]] void grad_net_leibniz(const double* in, double* out) {
    const auto [dw1, db1, dw2, db2] = lz::grad(
        net, lz::wrt(w1, b1, w2, b2),
        lz::at(w1 = in[0], b1 = in[1], w2 = in[2], b2 = in[3], x = in[4], t = in[5]));
    out[0] = dw1;
    out[1] = db1;
    out[2] = dw2;
    out[3] = db2;
}

[[gnu::noinline]] void grad_net_hand(const double* in, double* out) {
    const double w1 = in[0], b1 = in[1], w2 = in[2], b2 = in[3], x = in[4], t = in[5];
    const double z1 = w1 * x + b1;
    const double h = z1 > 0.0 ? z1 : 0.0;
    const double s = sigmoid(w2 * h + b2);
    const double dz2 = 2.0 * (s - t) * (s * (1.0 - s));  // dL/dz2
    const double dz1 = z1 > 0.0 ? dz2 * w2 : 0.0;          // dL/dz1
    out[0] = dz1 * x;
    out[1] = dz1;
    out[2] = dz2 * h;
    out[3] = dz2;
}

// ------------------------------------------------------ (c) a 30-node chain

[[gnu::noinline]] void grad_chain_leibniz(const double* in, double* out) {
    const auto [da, db, dc, dd] =
        lz::grad(chain, lz::wrt(a, b, c, d), lz::at(a = in[0], b = in[1], c = in[2], d = in[3]));
    out[0] = da;
    out[1] = db;
    out[2] = dc;
    out[3] = dd;
}

[[gnu::noinline]] void grad_chain_hand(const double* in, double* out) {
    const double a = in[0], b = in[1], c = in[2], d = in[3];
    // forward
    const double m1 = a * b;
    const double x1 = std::exp((std::sin(m1) + c) * 0.5);
    const double t1 = std::tanh(x1 - d);
    const double g1 = sigmoid(t1 * a + b);
    const double m3 = g1 * c;
    const double d2 = std::log1p(m3) - a;
    const double c1 = std::cos(d2);
    const double t2 = std::tanh(c1 * d + 2.0);
    const double g2 = sigmoid(t2 * b);
    const double x2 = std::exp(g2 - c);
    const double m6 = x2 * d;
    const double l2 = std::log1p(m6);
    // backward: the adjoint of each intermediate, output first
    const double dm6 = a / (1.0 + m6);               // d/dl2 (l2·a) = a, log1p' = 1/(1 + m6)
    const double dd3 = dm6 * d * x2;                 // exp' = x2
    const double dm5 = dd3 * (g2 * (1.0 - g2));      // sigmoid' = g2 (1 − g2)
    const double da3 = dm5 * b * (1.0 - t2 * t2);    // tanh' = 1 − t2²
    const double dd2 = -(da3 * d) * std::sin(d2);    // cos' = −sin
    const double dm3 = dd2 / (1.0 + m3);
    const double da2 = dm3 * c * (g1 * (1.0 - g1));
    const double dd1 = da2 * a * (1.0 - t1 * t1);
    const double da1 = dd1 * x1 * 0.5;
    const double dm1 = da1 * std::cos(m1);
    // each leaf's gradient: the sum of its uses' contributions
    out[0] = l2 - dd2 + da2 * t1 + dm1 * b;
    out[1] = dm5 * t2 + da2 + dm1 * a;
    out[2] = dm3 * g1 + da1 - dd3;
    out[3] = dm6 * x2 + da3 * c1 - dd1;
}

}  // extern "C"
