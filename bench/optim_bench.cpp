// One Adam step of lz::optim against the memory bound, side by side in one binary.
//
// Over n = 1e6 and 1e7 float parameters:
//   optimizer   lz::optim::optimizer<adam<float>>::step over a parameter store
//               (one fused pass: reads θ, g, m, v and writes θ, m, v)
//   stream      a hand-written SIMD read-modify-write of the same 28 bytes per
//               parameter (θ, m, v ← θ + g, m + g, v + g): the bound the step
//               cannot beat, as it moves the same bytes with almost no arithmetic;
//               stream_prefetch: the same with the optimizer's software prefetch
//   hand_adam   the Adam update written by hand with the kernels' SIMD vocabulary
//   torch       torch::optim::Adam::step over one float tensor of n elements (when
//               LibTorch is found: bench/CMakeLists.txt), PyTorch's own C++ step
// Acceptance (issue 11): optimizer / bound <= 1.1, the bound the faster of stream and stream_prefetch.
// Run: build/<dir>/bench/optim_bench  (prints the ratio table at the end;
// defaults: 9 repetitions, interleaved; flags on the command line win)

#include "median_reporter.hpp"

#include <leibniz/leibniz.hpp>
#include <leibniz/optim/optim.hpp>

#include <benchmark/benchmark.h>

#if LEIBNIZ_BENCH_LIBTORCH
#include <torch/torch.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace lz = leibniz;
namespace simd = lz::kernels::simd;

namespace {

constexpr auto small_leaf = lz::param<"w", float, lz::shape<1'000'000>>;
constexpr auto large_leaf = lz::param<"w", float, lz::shape<10'000'000>>;
using small_store = decltype(lz::parameters{small_leaf});
using large_store = decltype(lz::parameters{large_leaf});
using adam_t = lz::optim::optimizer<lz::optim::adam<float>>;

template <class Store>
struct setup {
    Store params;
    std::vector<float> g, m, v;  // gradient; the hand-written loops' own state
    adam_t opt;
    setup() : g(Store::size()), m(Store::size()), v(Store::size()), opt(params, {.lr = 1e-3}) {
        for (std::size_t i = 0; i < Store::size(); ++i) {
            params.flat()[i] = std::sin(0.001f * float(i));
            g[i] = 0.01f * std::cos(0.003f * float(i));
        }
    }
    auto grads() { return lz::parameter_view<float, typename Store::leaves>(g.data()); }
};
template <class Store>
setup<Store>& data() {
    static setup<Store> s;  // touched once before timing (the first call allocates and fills)
    return s;
}

template <bool Prefetch>
[[gnu::noinline]] void stream(float* p, const float* g, float* m, float* v, std::size_t n) {
    using B = simd::batch_for<float>;
    constexpr std::size_t W = simd::width<B>;
    const std::size_t end = n - n % W;
    std::size_t i = 0;
    for (; i < end; i += W) {
        if constexpr (Prefetch) {  // as the optimizer's loop (optim/sweep.hpp)
            lz::optim::loop::prefetch(p, i, n);
            lz::optim::loop::prefetch(g, i, n);
            lz::optim::loop::prefetch(m, i, n);
            lz::optim::loop::prefetch(v, i, n);
        }
        const B gi = simd::load<B>(g + i);
        simd::store(m + i, simd::load<B>(m + i) + gi);
        simd::store(v + i, simd::load<B>(v + i) + gi);
        simd::store(p + i, simd::load<B>(p + i) + gi);
    }
    for (; i < n; ++i) {
        m[i] += g[i];
        v[i] += g[i];
        p[i] += g[i];
    }
}

[[gnu::noinline]] void hand_adam(float* p, const float* g, float* m, float* v, std::size_t n, long t) {
    using B = simd::batch_for<float>;
    constexpr std::size_t W = simd::width<B>;
    const double bc1 = 1 - std::pow(0.9, double(t)), bc2 = 1 - std::pow(0.999, double(t));
    const float step = float(1e-3 / bc1), bc2s = float(1 / std::sqrt(bc2));
    const B b1(0.9f), c1(0.1f), b2(0.999f), c2(1 - 0.999f), s(step), r(bc2s), e(1e-8f);
    const std::size_t end = n - n % W;
    std::size_t i = 0;
    for (; i < end; i += W) {
        const B gi = simd::load<B>(g + i);
        const B mi = b1 * simd::load<B>(m + i) + c1 * gi;
        const B vi = b2 * simd::load<B>(v + i) + c2 * (gi * gi);
        simd::store(m + i, mi);
        simd::store(v + i, vi);
        simd::store(p + i, simd::load<B>(p + i) - s * (mi / (xsimd::sqrt(vi) * r + e)));
    }
    for (; i < n; ++i) {
        m[i] = 0.9f * m[i] + 0.1f * g[i];
        v[i] = 0.999f * v[i] + (1 - 0.999f) * (g[i] * g[i]);
        p[i] = p[i] - step * (m[i] / (std::sqrt(v[i]) * bc2s + 1e-8f));
    }
}

template <class Store>
void optimizer(benchmark::State& state) {
    auto& d = data<Store>();
    const auto g = d.grads();
    for (auto _ : state) {
        d.opt.step(d.params, g);
        benchmark::ClobberMemory();
    }
}
template <class Store, bool Prefetch>
void streaming(benchmark::State& state) {
    auto& d = data<Store>();
    for (auto _ : state) {
        stream<Prefetch>(d.params.flat().data(), d.g.data(), d.m.data(), d.v.data(), Store::size());
        benchmark::ClobberMemory();
    }
}
template <class Store>
void handwritten(benchmark::State& state) {
    auto& d = data<Store>();
    long t = 0;
    for (auto _ : state) {
        hand_adam(d.params.flat().data(), d.g.data(), d.m.data(), d.v.data(), Store::size(), ++t);
        benchmark::ClobberMemory();
    }
}

#if LEIBNIZ_BENCH_LIBTORCH
// torch::optim::Adam on one tensor of n floats with a fixed gradient (one thread, as the others).
template <std::size_t N>
void torch_adam(benchmark::State& state) {
    static auto setup = [] {
        torch::set_num_threads(1);
        auto p = torch::sin(torch::arange(static_cast<long>(N), torch::kFloat32) * 0.001f).requires_grad_(true);
        p.mutable_grad() = torch::cos(torch::arange(static_cast<long>(N), torch::kFloat32) * 0.003f) * 0.01f;
        auto opt = std::make_unique<torch::optim::Adam>(std::vector<torch::Tensor>{p},
                                                        torch::optim::AdamOptions(1e-3));
        opt->step();  // state allocated
        return std::pair{p, std::move(opt)};
    }();
    for (auto _ : state) {
        setup.second->step();
        benchmark::ClobberMemory();
    }
}
#endif

}  // namespace

#if LEIBNIZ_BENCH_LIBTORCH
BENCHMARK(torch_adam<1'000'000>)->Name("torch/1000000")->Unit(benchmark::kMicrosecond);
BENCHMARK(torch_adam<10'000'000>)->Name("torch/10000000")->Unit(benchmark::kMicrosecond);
#endif
BENCHMARK(optimizer<small_store>)->Name("optimizer/1000000")->Unit(benchmark::kMicrosecond);
BENCHMARK(streaming<small_store, false>)->Name("stream/1000000")->Unit(benchmark::kMicrosecond);
BENCHMARK(streaming<small_store, true>)->Name("stream_prefetch/1000000")->Unit(benchmark::kMicrosecond);
BENCHMARK(handwritten<small_store>)->Name("hand_adam/1000000")->Unit(benchmark::kMicrosecond);
BENCHMARK(optimizer<large_store>)->Name("optimizer/10000000")->Unit(benchmark::kMicrosecond);
BENCHMARK(streaming<large_store, false>)->Name("stream/10000000")->Unit(benchmark::kMicrosecond);
BENCHMARK(streaming<large_store, true>)->Name("stream_prefetch/10000000")->Unit(benchmark::kMicrosecond);
BENCHMARK(handwritten<large_store>)->Name("hand_adam/10000000")->Unit(benchmark::kMicrosecond);

int main(int argc, char** argv) {
    // The optimizer's step and the hand-written Adam agree (the same operations; FMA contraction may differ).
    {
        auto& d = data<small_store>();
        std::vector<float> p(d.params.flat().begin(), d.params.flat().end()), m(p.size()), v(p.size());
        adam_t check(d.params, {.lr = 1e-3});
        small_store copy = d.params;
        for (long t = 1; t <= 3; ++t) {
            check.step(copy, d.grads());
            hand_adam(p.data(), d.g.data(), m.data(), v.data(), p.size(), t);
        }
        double diff = 0, size = 0;  // normwise: ‖a − b‖∞ / ‖b‖∞
        for (std::size_t i = 0; i < p.size(); ++i) {
            diff = std::max(diff, double(std::abs(p[i] - copy.flat()[i])));
            size = std::max(size, double(std::abs(p[i])));
        }
        const double worst = diff / size;
        if (worst > 1e-6) {
            std::fprintf(stderr, "optim_bench: the optimizer and the hand-written Adam disagree (%g)\n", worst);
            return 1;
        }
        (void)data<large_store>();
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
    std::printf("\nAdam step (float; median CPU time; bound = the faster of stream and stream_prefetch; "
                "acceptance: optimizer / bound <= 1.1)\n");
    for (const char* n : {"1000000", "10000000"}) {
        const std::string o = std::string("optimizer/") + n, s = std::string("stream/") + n,
                          sp = std::string("stream_prefetch/") + n, h = std::string("hand_adam/") + n;
        const double bound = std::min(reporter.median(s), reporter.median(sp));
        std::printf("  n = %-9s optimizer %9.1f us  stream %9.1f us  stream_prefetch %9.1f us  hand_adam %9.1f us   "
                    "optimizer/bound %.3f   optimizer/hand_adam %.3f\n",
                    n, reporter.median(o), reporter.median(s), reporter.median(sp), reporter.median(h),
                    bound > 0 ? reporter.median(o) / bound : 0.0, ratio(o, h));
    }
#if LEIBNIZ_BENCH_LIBTORCH
    for (const char* n : {"1000000", "10000000"})
        std::printf("  n = %-9s torch::optim::Adam %9.1f us   optimizer/torch %.3f\n", n,
                    reporter.median(std::string("torch/") + n),
                    ratio(std::string("optimizer/") + n, std::string("torch/") + n));
#endif
    return 0;
}
