// The 784-128-10 MLP (relu, cross-entropy on integer labels, batch 64, float)
// written with lz::nn::sequential against the same network in raw
// expressions, forward and backward (value_and_grad through a parameter
// store), side by side in one binary on the same weights and data.
//
//   sequential  lz::nn::sequential(dense<784, 128>, relu, dense<128, 10>)(x)
//   raw         lz::matmul(lz::relu(lz::matmul(x, W1) + b1), W2) + b2
//
// The two are one computation (the same nodes; only the leaves' names and the
// dense weights' kind differ): before anything is timed their gradients are
// checked equal bit for bit. As in store_bench.cpp, each benchmark runs at 8
// heap placements of its workspace (argument k: k·528 + 1 bytes allocated
// before it) and the table compares the medians over the placements.
// Acceptance (issue 10): sequential / raw <= 1.02.
// Run: build/<dir>/bench/nn_bench  (prints the ratio table at the end;
// defaults: 5 repetitions of 0.1 s, interleaved; flags on the command line win)

#include "median_reporter.hpp"

#include <leibniz/leibniz.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace lz = leibniz;

namespace {

constexpr std::size_t batch = 64;
constexpr auto x = lz::var<"x", float, lz::shape<lz::dyn, 784>>;
constexpr auto y = lz::var<"y", std::int32_t, lz::shape<lz::dyn>>;

constexpr auto net = lz::nn::sequential(lz::nn::dense<784, 128>, lz::nn::relu, lz::nn::dense<128, 10>);
constexpr auto seq_loss = -lz::mean(lz::pick(lz::log_softmax(net(x)), y));

constexpr auto W1 = lz::param<"W1", float, lz::shape<784, 128>>;
constexpr auto b1 = lz::param<"b1", float, lz::shape<128>>;
constexpr auto W2 = lz::param<"W2", float, lz::shape<128, 10>>;
constexpr auto b2 = lz::param<"b2", float, lz::shape<10>>;
constexpr auto raw_loss = -lz::mean(lz::pick(lz::log_softmax(lz::matmul(lz::relu(lz::matmul(x, W1) + b1), W2) + b2), y));

template <class Loss>
struct fixture {
    lz::parameters<lz::params_of<Loss>> params{Loss{}};
    lz::tensor<float, lz::shape<lz::dyn, 784>> xs = lz::tensor<float, lz::shape<lz::dyn, 784>>(batch);
    std::vector<std::int32_t> ys = std::vector<std::int32_t>(batch);
    fixture() {
        // The same values for both forms: the stores have one layout (W1, b1, W2, b2).
        for (std::size_t i = 0; i < params.size(); ++i) params.flat()[i] = 0.05f * std::sin(0.7311f * float(i) + 1.47f);
        for (std::size_t i = 0; i < xs.size(); ++i) xs.data()[i] = std::sin(0.7311f * float(i) + 2.84f);
        for (std::size_t i = 0; i < batch; ++i) ys[i] = std::int32_t((7 * i + 3) % 10);
    }
    auto env() const { return lz::at(params, x = xs, y = ys); }
};

std::vector<std::byte> placement(const benchmark::State& state) {
    std::vector<std::byte> pad(std::size_t(state.range(0)) * 528 + 1);
    benchmark::DoNotOptimize(pad.data());
    return pad;
}
constexpr int placements = 8;

template <class Loss>
void run(benchmark::State& state) {
    const fixture<Loss> f;
    const auto env = f.env();
    const auto pad = placement(state);
    lz::workspace ws{Loss{}};
    for (auto _ : state) {
        const auto [value, grads] = lz::value_and_grad(Loss{}, f.params, env, ws);
        benchmark::DoNotOptimize(value);
        benchmark::DoNotOptimize(grads.data());
        benchmark::ClobberMemory();
    }
}

using seq_t = std::remove_cvref_t<decltype(seq_loss)>;
using raw_t = std::remove_cvref_t<decltype(raw_loss)>;

bool agree() {
    const fixture<seq_t> s;
    const fixture<raw_t> r;
    lz::workspace ws{seq_loss};
    lz::workspace raw_ws{raw_loss};
    const auto [sv, sg] = lz::value_and_grad(seq_loss, s.params, s.env(), ws);
    const auto [rv, rg] = lz::value_and_grad(raw_loss, r.params, r.env(), raw_ws);
    return sv == rv && sg.size() == rg.size() && std::memcmp(sg.data(), rg.data(), sg.size() * sizeof(float)) == 0;
}

void sequential_mnist(benchmark::State& s) { run<seq_t>(s); }
void raw_mnist(benchmark::State& s) { run<raw_t>(s); }

}  // namespace

BENCHMARK(sequential_mnist)->DenseRange(0, placements - 1)->Unit(benchmark::kMicrosecond);
BENCHMARK(raw_mnist)->DenseRange(0, placements - 1)->Unit(benchmark::kMicrosecond);

int main(int argc, char** argv) {
    if (!agree()) {
        std::fprintf(stderr, "nn_bench: the sequential network's gradients and the raw form's differ\n");
        return 1;
    }
    std::string reps = "--benchmark_repetitions=5", time = "--benchmark_min_time=0.1",
                aggregates = "--benchmark_report_aggregates_only=true", shuffle = "--benchmark_enable_random_interleaving=true";
    std::vector<char*> args{argv[0], reps.data(), time.data(), aggregates.data(), shuffle.data()};  // defaults first: flags win
    args.insert(args.end(), argv + 1, argv + argc);
    int count = static_cast<int>(args.size());
    benchmark::Initialize(&count, args.data());
    leibniz_bench::median_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);

    auto over_placements = [&](const std::string& name) {
        std::vector<double> t;
        for (int k = 0; k < placements; ++k) t.push_back(reporter.median(name + "/" + std::to_string(k)));
        std::sort(t.begin(), t.end());
        return std::pair{(t[placements / 2 - 1] + t[placements / 2]) / 2, t.front()};
    };
    const auto [s, s_min] = over_placements("sequential_mnist");
    const auto [r, r_min] = over_placements("raw_mnist");
    std::printf("\nMLP forward + backward, lz::nn::sequential vs raw expressions (float; CPU time, median over %d "
                "placements of the median of the repetitions; acceptance: sequential / raw <= 1.02)\n",
                placements);
    std::printf("  %-34s %10s %10s %10s %16s\n", "network", "seq us", "raw us", "seq/raw", "fastest: s/r");
    std::printf("  %-34s %10.2f %10.2f %10.3f %16.3f\n", "784-128-10 relu, xent, batch 64", s, r, r > 0 ? s / r : 0.0,
                r_min > 0 ? s_min / r_min : 0.0);
    return 0;
}
