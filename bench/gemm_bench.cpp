// leibniz::kernels::gemm against OpenBLAS sgemm, single-threaded, in one
// binary, plus the core's FP32 FMA peak measured by a register-blocked loop.
//
//   build/<dir>/bench/gemm_bench --benchmark_repetitions=5
//                                --benchmark_enable_random_interleaving=true
//
// Shapes (float, row-major): 64³, 128³, 256³, and the 784-128 MLP layer on a
// batch of 64: forward x·W1 (64×784 · 784×128), the weight gradient xᵀ·δ
// (784×64 · 64×128, x stored 64×784: Aᵀ·B) and the input gradient δ·W1ᵀ
// (64×128 · 128×784, W1 stored 784×128: A·Bᵀ). At the end a table gives
// GFLOP/s (median over repetitions), the leibniz/OpenBLAS ratio, and
// leibniz's share of the measured FMA peak.

#include <leibniz/kernels/gemm.hpp>

#include <benchmark/benchmark.h>
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"  // OpenBLAS's cblas.h uses C99 _Complex
#include <cblas.h>
#pragma GCC diagnostic pop
#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>  // isatty

namespace {

namespace kn = leibniz::kernels;

// 64-byte-aligned float storage, as leibniz tensors have.
struct aligned_free {
    void operator()(void* p) const noexcept { std::free(p); }
};
template <class T>
using aligned_ptr = std::unique_ptr<T[], aligned_free>;

template <class T>
aligned_ptr<T> aligned_array(std::size_t n) {
    const std::size_t bytes = (n * sizeof(T) + 63) / 64 * 64;
    return aligned_ptr<T>(static_cast<T*>(std::aligned_alloc(64, bytes == 0 ? 64 : bytes)));
}

struct shape {
    const char* name;
    std::size_t m, n, k;
    kn::trans ta, tb;
};

const shape shapes[] = {
    {"64x64x64", 64, 64, 64, kn::trans::none, kn::trans::none},
    {"128x128x128", 128, 128, 128, kn::trans::none, kn::trans::none},
    {"256x256x256", 256, 256, 256, kn::trans::none, kn::trans::none},
    {"64x784*784x128", 64, 128, 784, kn::trans::none, kn::trans::none},
    {"784x64*64x128 (AT*B)", 784, 128, 64, kn::trans::transposed, kn::trans::none},
    {"64x128*128x784 (A*BT)", 64, 784, 128, kn::trans::none, kn::trans::transposed},
};

// Operands of one shape: A and B as stored (op(A) is m×k, op(B) is k×n).
struct operands {
    const shape& s;
    std::size_t lda, ldb, ldc;
    aligned_ptr<float> a, b, c;
    explicit operands(const shape& sh)
        : s(sh),
          lda(sh.ta == kn::trans::none ? sh.k : sh.m),
          ldb(sh.tb == kn::trans::none ? sh.n : sh.k),
          ldc(sh.n),
          a(aligned_array<float>(sh.m * sh.k)),
          b(aligned_array<float>(sh.k * sh.n)),
          c(aligned_array<float>(sh.m * sh.n)) {
        std::mt19937 gen(42);
        std::uniform_real_distribution<float> u(-1.0f, 1.0f);
        std::generate_n(a.get(), sh.m * sh.k, [&] { return u(gen); });
        std::generate_n(b.get(), sh.k * sh.n, [&] { return u(gen); });
        std::fill_n(c.get(), sh.m * sh.n, 0.0f);
    }
};

void run_openblas(operands& o) {
    cblas_sgemm(CblasRowMajor, o.s.ta == kn::trans::none ? CblasNoTrans : CblasTrans,
                o.s.tb == kn::trans::none ? CblasNoTrans : CblasTrans, int(o.s.m), int(o.s.n), int(o.s.k), 1.0f,
                o.a.get(), int(o.lda), o.b.get(), int(o.ldb), 0.0f, o.c.get(), int(o.ldc));
}

struct leibniz_gemm {
    aligned_ptr<std::byte> scratch;
    std::size_t bytes;
    explicit leibniz_gemm(const shape& s)
        : scratch(aligned_array<std::byte>(kn::gemm_scratch_bytes<float>(s.m, s.n, s.k))),
          bytes(kn::gemm_scratch_bytes<float>(s.m, s.n, s.k)) {}
    void operator()(operands& o) {
        kn::gemm<float>({.a = o.s.ta, .b = o.s.tb, .c = kn::update::overwrite}, o.s.m, o.s.n, o.s.k, o.a.get(),
                        o.lda, o.b.get(), o.ldb, o.c.get(), o.ldc, {scratch.get(), bytes});
    }
};

double flops(const shape& s) { return 2.0 * double(s.m) * double(s.n) * double(s.k); }

void set_rate(benchmark::State& state, double flop_per_iter) {
    state.counters["GFLOP/s"] =
        benchmark::Counter(flop_per_iter * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void bm_leibniz(benchmark::State& state, const shape* s) {
    operands o(*s);
    leibniz_gemm g(*s);
    for (auto _ : state) {
        g(o);
        benchmark::DoNotOptimize(o.c.get());
        benchmark::ClobberMemory();
    }
    set_rate(state, flops(*s));
}

void bm_openblas(benchmark::State& state, const shape* s) {
    operands o(*s);
    for (auto _ : state) {
        run_openblas(o);
        benchmark::DoNotOptimize(o.c.get());
        benchmark::ClobberMemory();
    }
    set_rate(state, flops(*s));
}

// The core's FP32 FMA peak: 16 independent accumulator registers (16 chains
// cover FMA latency × throughput on any x86 core), each doing acc = acc·b + c
// in a long loop. Nothing but FMAs in the loop body.
void bm_fma_peak(benchmark::State& state) {
    using batch = xsimd::batch<float>;
    constexpr std::size_t chains = 16;
    constexpr std::size_t steps = 1 << 16;
    batch acc[chains];
    for (std::size_t i = 0; i < chains; ++i) acc[i] = batch(float(i) * 1e-3f);
    float bs = 0.999999f, cs = 1e-7f;
    benchmark::DoNotOptimize(bs);
    benchmark::DoNotOptimize(cs);
    const batch b(bs), c(cs);
    for (auto _ : state) {
        for (std::size_t s = 0; s < steps; ++s)
            kn::detail::static_for<chains>([&](auto i) { acc[i] = kn::detail::fma(acc[i], b, c); });
        for (auto& x : acc) benchmark::DoNotOptimize(x);
    }
    set_rate(state, 2.0 * double(steps * chains * batch::size));
}

// Collects every run's GFLOP/s for the summary table.
class summary_reporter : public benchmark::ConsoleReporter {
public:
    // Colour only on a terminal, so the output can be piped and parsed.
    summary_reporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_Defaults : OO_Tabular) {}
    std::map<std::string, std::vector<double>> rates;
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& r : runs) {
            if (r.run_type != Run::RT_Iteration || r.error_occurred) continue;
            auto it = r.counters.find("GFLOP/s");
            if (it != r.counters.end()) rates[r.run_name.function_name].push_back(it->second.value);
        }
        ConsoleReporter::ReportRuns(runs);
    }
    double median(const std::string& name) const {
        auto it = rates.find(name);
        if (it == rates.end() || it->second.empty()) return std::nan("");
        std::vector<double> v = it->second;
        std::sort(v.begin(), v.end());
        return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
    }
};

// Before timing anything: leibniz and OpenBLAS agree on every shape.
bool check_agreement() {
    bool ok = true;
    for (const shape& s : shapes) {
        operands x(s), y(s);
        leibniz_gemm g(s);
        g(x);
        run_openblas(y);
        double worst = 0;
        for (std::size_t i = 0; i < s.m * s.n; ++i)
            worst = std::max(worst, double(std::fabs(x.c[i] - y.c[i])));
        // Both are K-term float dot products of values in [-1, 1].
        const double bound = double(s.k) * 1.2e-7 * 8;
        if (!(worst <= bound)) {
            std::fprintf(stderr, "gemm_bench: %s: leibniz and OpenBLAS differ by %g (bound %g)\n", s.name, worst,
                         bound);
            ok = false;
        }
    }
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    openblas_set_num_threads(1);
    if (!check_agreement()) return 1;

    benchmark::RegisterBenchmark("fma_peak", bm_fma_peak)->Unit(benchmark::kMicrosecond);
    for (const shape& s : shapes) {
        benchmark::RegisterBenchmark((std::string("leibniz/") + s.name).c_str(), bm_leibniz, &s)
            ->Unit(benchmark::kMicrosecond);
        benchmark::RegisterBenchmark((std::string("openblas/") + s.name).c_str(), bm_openblas, &s)
            ->Unit(benchmark::kMicrosecond);
    }

    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    summary_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();

    const double peak = reporter.median("fma_peak");
    std::printf("\nleibniz::kernels::gemm vs%ssgemm, 1 thread, float (%s, %zu lanes); medians\n",
                OPENBLAS_VERSION, xsimd::default_arch::name(), xsimd::batch<float>::size);
    std::printf("FP32 FMA peak (register-blocked FMA loop): %.1f GFLOP/s\n\n", peak);
    std::printf("%-24s %10s %10s %8s %8s  %s\n", "shape (MxK * KxN)", "leibniz", "OpenBLAS", "ratio", "% peak",
                "target");
    std::printf("%-24s %10s %10s %8s %8s\n", "", "GFLOP/s", "GFLOP/s", "", "");
    bool all_met = true;
    for (const shape& s : shapes) {
        const double l = reporter.median(std::string("leibniz/") + s.name);
        const double o = reporter.median(std::string("openblas/") + s.name);
        // Acceptance: >= 0.85x OpenBLAS everywhere, >= 75% of peak at 128³ and 256³.
        const bool peak_counts = s.m == s.n && s.n == s.k && s.m >= 128;
        const bool met = l / o >= 0.85 && (!peak_counts || l / peak >= 0.75);
        all_met = all_met && met;
        std::printf("%-24s %10.1f %10.1f %7.2fx %7.1f%%  %s%s\n", s.name, l, o, l / o, 100.0 * l / peak,
                    met ? "met" : "MISSED", peak_counts ? " (ratio, % peak)" : " (ratio)");
    }
    std::printf("\nacceptance (>= 0.85x OpenBLAS at every shape, >= 75%% of peak at 128³ and 256³): %s\n",
                all_met ? "met" : "MISSED");
    return 0;
}
