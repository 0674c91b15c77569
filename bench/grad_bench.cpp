// leibniz gradients against careful hand-written ones, in one binary
// (kernels in grad_kernels.cpp). Each benchmark calls one kernel per
// iteration, cycling through 16 input points, its output passed through
// benchmark::DoNotOptimize. After the runs it prints, for each function, the
// ratio of the median times leibniz / hand (the acceptance bound is 1.15).
//
//   grad_bench                          # defaults below: 40 short repetitions, interleaved
//   grad_bench --benchmark_repetitions=100 --benchmark_min_time=0.02
//   grad_bench --benchmark_filter=net
//
// Defaults (overridden by any flag given on the command line):
//   --benchmark_repetitions=40 --benchmark_min_time=0.01
//   --benchmark_enable_random_interleaving=true
// Random interleaving runs the repetitions of all benchmarks in a shuffled
// order, so a burst of load on a shared machine hits both sides of a ratio;
// many short repetitions make the median robust to such bursts. The console
// shows each benchmark's median and coefficient of variation; the table at
// the end gives the ratio of the medians (CPU time), and for reference the
// ratio of the fastest repetitions and of the real-time medians.

#include "grad_kernels.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

using grad_kernels::function_info;
using grad_kernels::kernel_fn;

void run_kernel(benchmark::State& state, const function_info& f, kernel_fn kernel) {
    const auto& points = *f.points;
    std::array<double, grad_kernels::max_inputs> out{};
    std::size_t i = 0;
    for (auto _ : state) {
        const double* in = points[i].data();
        benchmark::DoNotOptimize(in);
        kernel(in, out.data());
        benchmark::DoNotOptimize(out);
        i = (i + 1) % grad_kernels::point_count;
    }
}

// Both sides must compute the same gradient before their times mean anything.
bool check_agreement() {
    bool ok = true;
    for (const auto& f : grad_kernels::functions) {
        for (const auto& p : *f.points) {
            std::array<double, grad_kernels::max_inputs> lz{}, hand{};
            f.leibniz(p.data(), lz.data());
            f.hand(p.data(), hand.data());
            for (std::size_t k = 0; k < f.outputs; ++k) {
                const double scale = std::max({1.0, std::abs(lz[k]), std::abs(hand[k])});
                if (!(std::abs(lz[k] - hand[k]) <= 1e-12 * scale)) {
                    std::fprintf(stderr, "grad_bench: %s output %zu differs: leibniz %.17g, hand %.17g\n",
                                 std::string(f.name).c_str(), k, lz[k], hand[k]);
                    ok = false;
                }
            }
        }
    }
    return ok;
}

// The console output (each benchmark's median and cv when there are
// repetitions), plus what the table needs: each benchmark's median, and its
// fastest repetition.
class ratio_reporter : public benchmark::ConsoleReporter {
public:
    // Colors only on a terminal (the default reporter's --benchmark_color=auto).
    ratio_reporter() : ConsoleReporter(isatty(fileno(stdout)) ? OO_Defaults : OO_Tabular) {}

    struct times {
        double cpu = 0, real = 0, best = 0;
    };
    std::map<std::string, times> result;  // by benchmark name, e.g. "net/hand"

    void ReportRuns(const std::vector<Run>& reports) override {
        std::vector<Run> shown;  // the single runs of a repeated benchmark are not shown
        for (const auto& r : reports) {
            if (r.run_type == Run::RT_Iteration && r.repetitions <= 1) shown.push_back(r);
            auto& t = result[r.run_name.function_name];
            if (r.run_type == Run::RT_Aggregate) {
                if (r.aggregate_name == "median") {
                    t.cpu = r.GetAdjustedCPUTime();
                    t.real = r.GetAdjustedRealTime();
                }
                if (r.aggregate_name == "median" || r.aggregate_name == "cv") shown.push_back(r);
            } else if (!r.error_occurred) {
                const double cpu = r.GetAdjustedCPUTime();
                t.best = t.best == 0 ? cpu : std::min(t.best, cpu);
            }
        }
        if (!shown.empty()) ConsoleReporter::ReportRuns(shown);
    }
};

}  // namespace

int main(int argc, char** argv) {
    if (!check_agreement()) return 1;

    for (const auto& f : grad_kernels::functions) {
        const std::string name(f.name);
        benchmark::RegisterBenchmark((name + "/leibniz").c_str(), run_kernel, f, f.leibniz);
        benchmark::RegisterBenchmark((name + "/hand").c_str(), run_kernel, f, f.hand);
    }

    // Defaults first, so that the command line overrides them.
    std::vector<char*> args{argv[0]};
    std::string defaults[] = {"--benchmark_repetitions=40", "--benchmark_min_time=0.01",
                              "--benchmark_enable_random_interleaving=true"};
    for (auto& d : defaults) args.push_back(d.data());
    for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
    int n = static_cast<int>(args.size());
    benchmark::Initialize(&n, args.data());
    if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;

    ratio_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();

    std::printf("\nCPU time per gradient (ns), median of the repetitions; leibniz / hand (acceptance: ratio <= 1.15)\n");
    std::printf("%-10s %10s %10s %8s   %14s %14s\n", "function", "leibniz", "hand", "ratio", "ratio fastest",
                "ratio real");
    bool all_within = true, any = false;
    for (const auto& f : grad_kernels::functions) {
        const std::string name(f.name);
        const auto l = reporter.result.find(name + "/leibniz");
        const auto h = reporter.result.find(name + "/hand");
        if (l == reporter.result.end() || h == reporter.result.end()) continue;  // filtered out
        const auto& lt = l->second;
        const auto& ht = h->second;
        if (lt.cpu == 0 || ht.cpu == 0) continue;  // no repetitions, no median
        any = true;
        const double ratio = lt.cpu / ht.cpu;
        all_within = all_within && ratio <= 1.15;
        std::printf("%-10s %10.2f %10.2f %8.3f   %14.3f %14.3f\n", name.c_str(), lt.cpu, ht.cpu, ratio,
                    lt.best / ht.best, lt.real / ht.real);
    }
    if (!any)
        std::printf("(no medians: run with --benchmark_repetitions >= 2)\n");
    else
        std::printf("%s\n", all_within ? "all ratios within 1.15" : "SOME RATIO EXCEEDS 1.15");
    return 0;
}
