// Tensor sweeps against hand-written loops, side by side in one binary.
//
// 1. A fused elementwise chain: f = Σ sigmoid(a⊙x + b) over n = 1e6 floats,
//    forward (lz::eval) and backward (lz::grad wrt a, b, x), against the same
//    chain written as separate loops with temporaries — once as plain loops
//    (what one writes without a library; the compiler vectorises the
//    arithmetic loops but not std::exp), once with every loop vectorised by
//    xsimd and the library's own exp (kernels::simd::exp, as the fused sigmoid),
//    so the remaining difference is the fusion alone: memory traffic.
//    Acceptance: fused ≥ 4× faster than the unfused chain.
// 2. The gradient of f(x) = Σᵢ log(1 + exp(aᵢxᵢ)) + ½‖x‖² (double), n = 16,
//    256, 4096: lz::grad against a hand-written xsimd gradient
//    (∇f = a ⊙ σ(a⊙x) + x, one exp per element) and against evaluating f
//    alone with lz::eval. Acceptance: within 1.3× of the hand gradient and
//    within 1.5× of f.
// Run: build/<dir>/bench/tensor_bench  (prints the ratio table at the end)

#include "median_reporter.hpp"

#include <leibniz/leibniz.hpp>

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <vector>

namespace lz = leibniz;
using namespace lz::literals;

namespace {

// ---------------------------------------------------------------- 1. fused chain

constexpr std::size_t chain_n = 1'000'000;
constexpr auto cx = lz::var<"x", float, lz::shape<chain_n>>;
constexpr auto ca = lz::param<"a", float, lz::shape<chain_n>>;
constexpr auto cb = lz::param<"b", float, lz::shape<chain_n>>;
constexpr auto chain = lz::sum(lz::sigmoid(ca * cx + cb));

struct chain_data {
    lz::tensor<float, lz::shape<chain_n>> x, a, b;
    chain_data() {
        for (std::size_t i = 0; i < chain_n; ++i) {
            x(i) = std::sin(0.001f * float(i));
            a(i) = 0.5f + 0.25f * std::cos(0.003f * float(i));
            b(i) = 0.1f * std::sin(0.007f * float(i));
        }
    }
};
chain_data& data() {
    static chain_data d;
    return d;
}

void fused_forward(benchmark::State& state) {
    auto& d = data();
    lz::workspace ws{chain};
    for (auto _ : state) benchmark::DoNotOptimize(lz::eval(chain, lz::at(cx = d.x, ca = d.a, cb = d.b), ws));
}
void fused_backward(benchmark::State& state) {
    auto& d = data();
    lz::workspace ws{chain};
    for (auto _ : state) {
        auto [da, db, dx] = lz::grad(chain, lz::wrt(ca, cb, cx), lz::at(cx = d.x, ca = d.a, cb = d.b), ws);
        benchmark::DoNotOptimize(da.data());
        benchmark::DoNotOptimize(db.data());
        benchmark::DoNotOptimize(dx.data());
        benchmark::ClobberMemory();
    }
}

// The chain as separate loops with temporaries (allocated once, outside the timing).
struct unfused {
    std::vector<float> t1, t2, t3, d2, da, db, dx;
    unfused() : t1(chain_n), t2(chain_n), t3(chain_n), d2(chain_n), da(chain_n), db(chain_n), dx(chain_n) {}
};

float unfused_forward_plain(const chain_data& d, unfused& u) {
    for (std::size_t i = 0; i < chain_n; ++i) u.t1[i] = d.a(i) * d.x(i);
    for (std::size_t i = 0; i < chain_n; ++i) u.t2[i] = u.t1[i] + d.b(i);
    for (std::size_t i = 0; i < chain_n; ++i) u.t3[i] = 1.0f / (1.0f + std::exp(-u.t2[i]));
    float s = 0;
    for (std::size_t i = 0; i < chain_n; ++i) s += u.t3[i];
    return s;
}
void unfused_backward_plain(const chain_data& d, unfused& u) {
    unfused_forward_plain(d, u);  // the forward pass a backward pass needs (t3)
    for (std::size_t i = 0; i < chain_n; ++i) u.d2[i] = u.t3[i] * (1.0f - u.t3[i]);
    for (std::size_t i = 0; i < chain_n; ++i) u.db[i] = u.d2[i];
    for (std::size_t i = 0; i < chain_n; ++i) u.da[i] = u.d2[i] * d.x(i);
    for (std::size_t i = 0; i < chain_n; ++i) u.dx[i] = u.d2[i] * d.a(i);
}

// The same loops, each vectorised with xsimd.
using fbatch = xsimd::batch<float>;
constexpr std::size_t fw = fbatch::size;
template <class F>
void simd_loop(std::size_t n, F f) {
    // (end = n − n % fw, not i + fw <= n: with n a known constant GCC 12 then
    // sees the empty tail and stops warning -Waggressive-loop-optimizations.)
    const std::size_t end = n - n % fw;
    for (std::size_t i = 0; i < end; i += fw) f(i, std::integral_constant<bool, true>{});
    for (std::size_t i = end; i < n; ++i) f(i, std::integral_constant<bool, false>{});
}
template <bool V>
auto ld(const float* p, std::integral_constant<bool, V>) {
    if constexpr (V) return fbatch::load_unaligned(p); else return *p;
}
template <class X>
void st(float* p, const X& v) {
    if constexpr (std::is_same_v<X, float>) *p = v; else v.store_unaligned(p);
}
// The exp the library's sigmoid uses (kernels::simd::exp on batches), so that
// this column measures the fusion alone.
template <class X>
X same_exp(const X& z) {
    if constexpr (std::is_same_v<X, float>)
        return std::exp(z);
    else
        return lz::kernels::simd::exp<xsimd::default_arch>(z);
}
float unfused_forward_simd(const chain_data& d, unfused& u) {
    simd_loop(chain_n, [&](std::size_t i, auto v) { st(&u.t1[i], ld(d.a.data() + i, v) * ld(d.x.data() + i, v)); });
    simd_loop(chain_n, [&](std::size_t i, auto v) { st(&u.t2[i], ld(&u.t1[i], v) + ld(d.b.data() + i, v)); });
    simd_loop(chain_n, [&](std::size_t i, auto v) {
        const auto z = ld(&u.t2[i], v);
        st(&u.t3[i], decltype(z)(1) / (decltype(z)(1) + same_exp(-z)));
    });
    fbatch acc(0.0f);
    float tail = 0;
    simd_loop(chain_n, [&](std::size_t i, auto v) {
        if constexpr (decltype(v)::value) acc += ld(&u.t3[i], v); else tail += u.t3[i];
    });
    return xsimd::hadd(acc) + tail;
}
void unfused_backward_simd(const chain_data& d, unfused& u) {
    unfused_forward_simd(d, u);
    simd_loop(chain_n, [&](std::size_t i, auto v) {
        const auto t = ld(&u.t3[i], v);
        st(&u.d2[i], t * (decltype(t)(1) - t));
    });
    simd_loop(chain_n, [&](std::size_t i, auto v) { st(&u.db[i], ld(&u.d2[i], v)); });
    simd_loop(chain_n, [&](std::size_t i, auto v) { st(&u.da[i], ld(&u.d2[i], v) * ld(d.x.data() + i, v)); });
    simd_loop(chain_n, [&](std::size_t i, auto v) { st(&u.dx[i], ld(&u.d2[i], v) * ld(d.a.data() + i, v)); });
}

void unfused_plain_forward(benchmark::State& state) {
    unfused u;
    for (auto _ : state) benchmark::DoNotOptimize(unfused_forward_plain(data(), u));
}
void unfused_plain_backward(benchmark::State& state) {
    unfused u;
    for (auto _ : state) {
        unfused_backward_plain(data(), u);
        benchmark::ClobberMemory();
    }
}
void unfused_simd_forward(benchmark::State& state) {
    unfused u;
    for (auto _ : state) benchmark::DoNotOptimize(unfused_forward_simd(data(), u));
}
void unfused_simd_backward(benchmark::State& state) {
    unfused u;
    for (auto _ : state) {
        unfused_backward_simd(data(), u);
        benchmark::ClobberMemory();
    }
}

// ---------------------------------------------------------------- 2. softplus gradient

template <std::size_t N>
struct softplus_problem {
    static constexpr auto x = lz::param<"x", double, lz::shape<N>>;
    static constexpr auto a = lz::var<"a", double, lz::shape<N>>;
    static constexpr auto f = lz::sum(lz::softplus(a * x) + 0.5_c * x * x);
    lz::tensor<double, lz::shape<N>> xv, av, grad;
    softplus_problem() {
        for (std::size_t i = 0; i < N; ++i) {
            xv(i) = std::sin(0.37 * double(i));
            av(i) = 1.0 + 0.5 * std::cos(0.11 * double(i));
        }
    }
};

template <std::size_t N>
void softplus_grad_leibniz(benchmark::State& state) {
    softplus_problem<N> p;
    using P = softplus_problem<N>;
    lz::workspace ws{P::f};
    for (auto _ : state) {
        auto [g] = lz::grad(P::f, lz::wrt(P::x), lz::at(P::x = p.xv, P::a = p.av), ws);
        benchmark::DoNotOptimize(g.data());
        benchmark::ClobberMemory();
    }
}
template <std::size_t N>
void softplus_value_leibniz(benchmark::State& state) {
    softplus_problem<N> p;
    using P = softplus_problem<N>;
    lz::workspace ws{P::f};
    for (auto _ : state) benchmark::DoNotOptimize(lz::eval(P::f, lz::at(P::x = p.xv, P::a = p.av), ws));
}
// ∇f = a ⊙ σ(a⊙x) + x, one exp and one division per element, on xsimd batches.
template <std::size_t N>
void softplus_grad_hand(benchmark::State& state) {
    softplus_problem<N> p;
    using B = xsimd::batch<double>;
    constexpr std::size_t W = B::size;
    for (auto _ : state) {
        const double* x = p.xv.data();
        const double* a = p.av.data();
        double* g = p.grad.data();
        std::size_t i = 0;
        for (; i + W <= N; i += W) {
            const B xv = B::load_unaligned(x + i), av = B::load_unaligned(a + i);
            (av / (B(1.0) + xsimd::exp(-(av * xv))) + xv).store_unaligned(g + i);
        }
        for (; i < N; ++i) g[i] = a[i] / (1.0 + std::exp(-a[i] * x[i])) + x[i];
        benchmark::DoNotOptimize(g);
        benchmark::ClobberMemory();
    }
}

}  // namespace

BENCHMARK(fused_forward)->Unit(benchmark::kMicrosecond);
BENCHMARK(unfused_plain_forward)->Unit(benchmark::kMicrosecond);
BENCHMARK(unfused_simd_forward)->Unit(benchmark::kMicrosecond);
BENCHMARK(fused_backward)->Unit(benchmark::kMicrosecond);
BENCHMARK(unfused_plain_backward)->Unit(benchmark::kMicrosecond);
BENCHMARK(unfused_simd_backward)->Unit(benchmark::kMicrosecond);
BENCHMARK(softplus_grad_leibniz<16>);
BENCHMARK(softplus_grad_hand<16>);
BENCHMARK(softplus_value_leibniz<16>);
BENCHMARK(softplus_grad_leibniz<256>);
BENCHMARK(softplus_grad_hand<256>);
BENCHMARK(softplus_value_leibniz<256>);
BENCHMARK(softplus_grad_leibniz<4096>);
BENCHMARK(softplus_grad_hand<4096>);
BENCHMARK(softplus_value_leibniz<4096>);

int main(int argc, char** argv) {
    std::vector<char*> args(argv, argv + argc);
    std::string reps = "--benchmark_repetitions=9", aggregates = "--benchmark_report_aggregates_only=true";
    args.push_back(reps.data());
    args.push_back(aggregates.data());
    int count = static_cast<int>(args.size());
    benchmark::Initialize(&count, args.data());
    leibniz_bench::median_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);

    auto ratio = [&](const char* a, const char* b) {
        const double x = reporter.median(a), y = reporter.median(b);
        return y > 0 ? x / y : 0.0;
    };
    std::printf("\nFused chain Σ sigmoid(a⊙x + b), n = 1e6 floats (median CPU time ratios; acceptance: unfused/fused >= 4)\n");
    std::printf("  forward:  plain loops / fused = %.2f   xsimd loops / fused = %.2f\n",
                ratio("unfused_plain_forward", "fused_forward"), ratio("unfused_simd_forward", "fused_forward"));
    std::printf("  backward: plain loops / fused = %.2f   xsimd loops / fused = %.2f\n",
                ratio("unfused_plain_backward", "fused_backward"), ratio("unfused_simd_backward", "fused_backward"));
    std::printf("\nGradient of Σ softplus(a⊙x) + ½‖x‖² (double; acceptance: grad/hand <= 1.3, grad/f <= 1.5)\n");
    for (const char* n : {"16", "256", "4096"}) {
        const std::string g = std::string("softplus_grad_leibniz<") + n + ">", h = std::string("softplus_grad_hand<") + n + ">",
                          v = std::string("softplus_value_leibniz<") + n + ">";
        std::printf("  n = %-5s leibniz grad %9.1f ns  hand %9.1f ns  f alone %9.1f ns   grad/hand %.2f   grad/f %.2f\n", n,
                    reporter.median(g), reporter.median(h), reporter.median(v), ratio(g.c_str(), h.c_str()),
                    ratio(g.c_str(), v.c_str()));
    }
    return 0;
}
