// lz::assign against hand-written xsimd loops, side by side in one binary.
//
// One step of SGD with momentum over n = 1e6 and 1e7 floats:
//   v ← μ·v + g
//   p ← p − η·v
// written three ways:
//   assign    two lz::assign calls (core/assign.hpp): two fused loops, one per buffer
//   hand_two  the same two loops by hand with the kernels' SIMD vocabulary
//             (kernels::simd::load/store/broadcast on xsimd batches): the same
//             passes over memory, so the ratio is the code's
//   hand_one  one hand-written loop doing both updates (reads p, v, g once,
//             writes p, v): what one pass saves in memory traffic, which two
//             assigns cannot (assign writes one target)
// Acceptance (issue 8): assign / hand_two <= 1.05.
// Run: build/<dir>/bench/assign_bench  (prints the ratio table at the end;
// defaults: 9 repetitions, interleaved; flags on the command line win)

#include "median_reporter.hpp"

#include <leibniz/leibniz.hpp>

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace lz = leibniz;
namespace simd = lz::kernels::simd;

namespace {

constexpr auto p = lz::param<"p", float, lz::shape<lz::dyn>>;
constexpr auto v = lz::var<"v", float, lz::shape<lz::dyn>>;
constexpr auto g = lz::var<"g", float, lz::shape<lz::dyn>>;
constexpr auto mu = lz::var<"mu", float>;
constexpr auto eta = lz::var<"eta", float>;
constexpr float mu_value = 0.9f, eta_value = 1e-4f;

struct buffers {
    lz::tensor<float, lz::shape<lz::dyn>> p, v, g;
    explicit buffers(std::size_t n) : p(n), v(n), g(n) {
        for (std::size_t i = 0; i < n; ++i) {
            p(i) = std::sin(0.001f * float(i));
            g(i) = 0.01f * std::cos(0.003f * float(i));
        }
    }
};
buffers& data(std::size_t n) {
    static buffers small(1'000'000), large(10'000'000);
    return n == 1'000'000 ? small : large;
}

[[gnu::noinline]] void sgd_assign(lz::tensor<float, lz::shape<lz::dyn>>& pt, lz::tensor<float, lz::shape<lz::dyn>>& vt,
                                  const lz::tensor<float, lz::shape<lz::dyn>>& gt) {
    const auto env = lz::at(p = pt, v = vt, g = gt, mu = mu_value, eta = eta_value);
    lz::assign(vt, mu * v + g, env);
    lz::assign(pt, p - eta * v, env);
}

[[gnu::noinline]] void sgd_hand_two(float* pp, float* vp, const float* gp, std::size_t n) {
    using B = simd::batch_for<float>;
    constexpr std::size_t W = simd::width<B>;
    const B m = simd::broadcast<B>(mu_value), e = simd::broadcast<B>(eta_value);
    const std::size_t end = n - n % W;
    std::size_t i = 0;
    for (; i < end; i += W) simd::store(vp + i, m * simd::load<B>(vp + i) + simd::load<B>(gp + i));
    for (; i < n; ++i) vp[i] = mu_value * vp[i] + gp[i];
    for (i = 0; i < end; i += W) simd::store(pp + i, simd::load<B>(pp + i) - e * simd::load<B>(vp + i));
    for (; i < n; ++i) pp[i] = pp[i] - eta_value * vp[i];
}

[[gnu::noinline]] void sgd_hand_one(float* pp, float* vp, const float* gp, std::size_t n) {
    using B = simd::batch_for<float>;
    constexpr std::size_t W = simd::width<B>;
    const B m = simd::broadcast<B>(mu_value), e = simd::broadcast<B>(eta_value);
    const std::size_t end = n - n % W;
    std::size_t i = 0;
    for (; i < end; i += W) {
        const B vn = m * simd::load<B>(vp + i) + simd::load<B>(gp + i);
        simd::store(vp + i, vn);
        simd::store(pp + i, simd::load<B>(pp + i) - e * vn);
    }
    for (; i < n; ++i) {
        vp[i] = mu_value * vp[i] + gp[i];
        pp[i] = pp[i] - eta_value * vp[i];
    }
}

void assign(benchmark::State& state) {
    auto& d = data(std::size_t(state.range(0)));
    for (auto _ : state) {
        sgd_assign(d.p, d.v, d.g);
        benchmark::ClobberMemory();
    }
}
void hand_two(benchmark::State& state) {
    auto& d = data(std::size_t(state.range(0)));
    for (auto _ : state) {
        sgd_hand_two(d.p.data(), d.v.data(), d.g.data(), d.p.size());
        benchmark::ClobberMemory();
    }
}
void hand_one(benchmark::State& state) {
    auto& d = data(std::size_t(state.range(0)));
    for (auto _ : state) {
        sgd_hand_one(d.p.data(), d.v.data(), d.g.data(), d.p.size());
        benchmark::ClobberMemory();
    }
}

// The three agree bit for bit before anything is timed (same operations, same order).
bool agree() {
    constexpr std::size_t n = 4099;
    buffers a(n), b(n), c(n);
    for (int step = 0; step < 3; ++step) {
        sgd_assign(a.p, a.v, a.g);
        sgd_hand_two(b.p.data(), b.v.data(), b.g.data(), n);
        sgd_hand_one(c.p.data(), c.v.data(), c.g.data(), n);
    }
    for (std::size_t i = 0; i < n; ++i)
        if (a.p(i) != b.p(i) || a.v(i) != b.v(i) || a.p(i) != c.p(i) || a.v(i) != c.v(i)) return false;
    return true;
}

}  // namespace

BENCHMARK(assign)->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kMicrosecond);
BENCHMARK(hand_two)->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kMicrosecond);
BENCHMARK(hand_one)->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kMicrosecond);

int main(int argc, char** argv) {
    if (!agree()) {
        std::fprintf(stderr, "assign_bench: lz::assign and the hand-written loops disagree\n");
        return 1;
    }
    std::string reps = "--benchmark_repetitions=9", aggregates = "--benchmark_report_aggregates_only=true",
                shuffle = "--benchmark_enable_random_interleaving=true";
    std::vector<char*> args{argv[0], reps.data(), aggregates.data(), shuffle.data()};  // defaults first: flags win
    args.insert(args.end(), argv + 1, argv + argc);
    int count = static_cast<int>(args.size());
    benchmark::Initialize(&count, args.data());
    leibniz_bench::median_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);

    auto ratio = [&](const std::string& a, const std::string& b) {
        const double x = reporter.median(a), y = reporter.median(b);
        return y > 0 ? x / y : 0.0;
    };
    std::printf("\nSGD with momentum, v <- mu*v + g; p <- p - eta*v (float; median CPU time; acceptance: "
                "assign / hand_two <= 1.05)\n");
    for (const char* n : {"1000000", "10000000"}) {
        const std::string a = std::string("assign/") + n, h2 = std::string("hand_two/") + n,
                          h1 = std::string("hand_one/") + n;
        std::printf("  n = %-9s assign %9.1f us  hand_two %9.1f us  hand_one %9.1f us   assign/hand_two %.3f   "
                    "assign/hand_one %.3f\n",
                    n, reporter.median(a), reporter.median(h2), reporter.median(h1), ratio(a, h2), ratio(a, h1));
    }
    return 0;
}
