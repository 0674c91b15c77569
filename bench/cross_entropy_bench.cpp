// The fused softmax cross-entropy (lz::loss::cross_entropy on integer labels,
// loss/softmax_cross_entropy.hpp) against the same loss as log_softmax then
// pick, forward and backward (lz::value_and_grad with respect to the logits,
// with a workspace), float, on logits [batch, classes]:
//
//   fused     mean(softmax_cross_entropy(x, y)): a logsumexp pass per row
//             forward; backward softmax written into δx, the label's 1 taken off
//   unfused   mean(−pick(log_softmax(x), y)): log_softmax stored forward;
//             backward a scatter of δ into a [batch, classes] adjoint, then
//             log_softmax's rule (a row sum, an exp per element)
//
// Before timing, the two are checked equal (value and gradient, 1e-5).
// Run: build/<dir>/bench/cross_entropy_bench (the ratio is unfused/fused time).

#include <leibniz/leibniz.hpp>
#include <leibniz/loss/cross_entropy.hpp>

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace lz = leibniz;

namespace {

template <std::size_t Classes>
struct problem {
    static constexpr auto x = lz::var<"x", float, lz::shape<lz::dyn, Classes>>;
    static constexpr auto y = lz::var<"y", std::int32_t, lz::shape<lz::dyn>>;
    static constexpr auto fused = lz::loss::cross_entropy(x, y);
    static constexpr auto unfused = lz::mean(-lz::pick(lz::log_softmax(x), y));

    lz::tensor<float, lz::shape<lz::dyn, Classes>> xs;
    lz::tensor<std::int32_t, lz::shape<lz::dyn>> ys;
    explicit problem(std::size_t batch) : xs(batch), ys(batch) {
        for (std::size_t i = 0; i < xs.size(); ++i) xs.data()[i] = 3.0f * std::sin(0.7311f * float(i) + 0.1f);
        for (std::size_t i = 0; i < batch; ++i) ys.data()[i] = static_cast<std::int32_t>((7 * i + 3) % Classes);
    }
};

template <std::size_t Classes, bool Fused>
void cross_entropy(benchmark::State& state) {
    problem<Classes> p(static_cast<std::size_t>(state.range(0)));
    const auto env = lz::at(p.x = p.xs, p.y = p.ys);
    const auto f = [] {
        if constexpr (Fused) return problem<Classes>::fused; else return problem<Classes>::unfused;
    }();
    lz::workspace ws{f};
    {  // the two agree
        lz::workspace other{problem<Classes>::unfused};
        const auto [v, g] = lz::value_and_grad(problem<Classes>::fused, lz::wrt(p.x), env);
        const auto [v2, g2] = lz::value_and_grad(problem<Classes>::unfused, lz::wrt(p.x), env);
        const auto& [gx] = g;
        const auto& [gx2] = g2;
        bool same = std::abs(v - v2) <= 1e-5f * std::abs(v2);
        for (std::size_t i = 0; i < gx.size(); ++i) same = same && std::abs(gx.data()[i] - gx2.data()[i]) <= 1e-5f;
        if (!same) {
            std::fprintf(stderr, "cross_entropy_bench: fused and unfused differ\n");
            std::abort();
        }
    }
    for (auto _ : state) {
        const auto r = lz::value_and_grad(f, lz::wrt(p.x), env, ws);
        benchmark::DoNotOptimize(r.value);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * state.range(0) * static_cast<std::int64_t>(Classes));
}

}  // namespace

BENCHMARK(cross_entropy<10, true>)->Name("fused/C=10")->Arg(64)->Arg(1024);
BENCHMARK(cross_entropy<10, false>)->Name("unfused/C=10")->Arg(64)->Arg(1024);
BENCHMARK(cross_entropy<100, true>)->Name("fused/C=100")->Arg(64)->Arg(1024);
BENCHMARK(cross_entropy<100, false>)->Name("unfused/C=100")->Arg(64)->Arg(1024);
BENCHMARK(cross_entropy<1000, true>)->Name("fused/C=1000")->Arg(64)->Arg(256);
BENCHMARK(cross_entropy<1000, false>)->Name("unfused/C=1000")->Arg(64)->Arg(256);

BENCHMARK_MAIN();
