// peers_bench: the workloads of peers.hpp in leibniz, hand-written Eigen and
// LibTorch, side by side in one binary (issue 9), with the FP32 FMA peak of
// one core measured in the same binary.
//
// Before anything is timed:
//   1. agreement: from the same weights and data, each implementation runs
//      3 SGD steps (training) or one forward pass (inference); every loss and
//      every parameter (or output) must match Eigen's dynamic version within
//      |a − b| <= 1e-5 + 1e-4·|b| (float, different summation orders), or the
//      program stops with exit status 2 and says where;
//   2. allocations: operator new is counted (test/counting_new.hpp) over 20
//      calls after 3 warm-up calls; leibniz's must be 0 (exit status 3 after
//      the table otherwise).
// Then Google Benchmark times run() of every runner (one virtual call: an SGD
// step or a forward pass; results are written to the runner's members and
// passed through benchmark::DoNotOptimize), repetitions interleaved at random.
// The table at the end (markdown) gives medians with min–max of the
// repetitions' CPU times, the ratios, and percent of the FMA peak.
//
// Run: taskset -c 0 build/<dir>/bench/peers/peers_bench [--peers_markdown=FILE] [benchmark flags]
//      defaults: 10 repetitions of 0.05 s, interleaved; flags on the command line win.
//      --peers_check_only: agreement and allocations, no timing.

#include "../../test/counting_new.hpp"
#include "peers.hpp"

#include <benchmark/benchmark.h>
#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <unistd.h>

extern "C" char* openblas_get_corename();  // LibTorch's matrix products run in OpenBLAS

namespace {

using namespace peers;

// What the checks print: to stdout, and kept for the markdown file.
std::string checks_log;
[[gnu::format(printf, 1, 2)]] void say(const char* format, ...) {
    char buf[512];
    va_list args;
    va_start(args, format);
    std::vsnprintf(buf, sizeof buf, format, args);
    va_end(args);
    std::fputs(buf, stdout);
    checks_log += buf;
}

// --- the FMA peak -------------------------------------------------------------
// 12 independent accumulators (latency 4 × 2 ports = 8 in flight needed), in
// registers; a = a·m + c cannot be folded without -ffast-math.
constexpr int fma_accumulators = 12, fma_inner = 1000;
using fbatch = xsimd::batch<float>;
constexpr double fma_flops_per_iteration = 2.0 * double(fbatch::size) * fma_accumulators * fma_inner;

void fma_peak(benchmark::State& state) {
    fbatch a[fma_accumulators];
    for (int k = 0; k < fma_accumulators; ++k) a[k] = fbatch(1.0f + 0.001f * float(k));
    const fbatch m(0.9999999f), c(1e-7f);
    for (auto _ : state) {
        for (int i = 0; i < fma_inner; ++i) {
#pragma GCC unroll 12
            for (int k = 0; k < fma_accumulators; ++k) a[k] = xsimd::fma(a[k], m, c);
        }
        for (int k = 0; k < fma_accumulators; ++k) benchmark::DoNotOptimize(a[k]);
    }
    float sum = 0;
    for (int k = 0; k < fma_accumulators; ++k) sum += xsimd::hadd(a[k]);
    benchmark::DoNotOptimize(sum);
}

// --- the implementations ------------------------------------------------------
struct impl {
    const char* name;  // column and benchmark name
    std::unique_ptr<runner> (*make)(const workload&, const data&, variant);
    variant v;
};
const impl impls[] = {
    {"leibniz_static", make_leibniz, variant::fixed},
    {"leibniz_dyn", make_leibniz, variant::dynamic},
    {"eigen_fixed", make_eigen, variant::fixed},
    {"eigen_dyn", make_eigen, variant::dynamic},
    {"torch", make_torch, variant::dynamic},
};
constexpr int reference = 3;  // eigen_dyn: every workload has it

// --- 1. agreement ---------------------------------------------------------------
constexpr float abs_tol = 1e-5f, rel_tol = 1e-4f;
constexpr int check_steps = 3;

bool agree(const workload& w, const data& d) {
    std::vector<std::vector<float>> losses(std::size(impls));
    std::vector<std::vector<float>> results(std::size(impls));
    std::vector<bool> present(std::size(impls));
    for (std::size_t i = 0; i < std::size(impls); ++i) {
        auto r = impls[i].make(w, d, impls[i].v);
        if (!r) continue;
        present[i] = true;
        for (int s = 0; s < (w.train ? check_steps : 1); ++s) {
            r->run();
            if (w.train) losses[i].push_back(r->loss());
        }
        results[i] = r->result();
    }
    bool ok = true;
    const auto& ref_l = losses[reference];
    const auto& ref_r = results[reference];
    for (std::size_t i = 0; i < std::size(impls); ++i) {
        if (!present[i]) continue;
        float worst = 0;  // largest |a − b| / (abs_tol + rel_tol·|b|)
        std::size_t where = 0;
        const char* what = "";
        for (std::size_t s = 0; s < ref_l.size(); ++s) {
            const float e = std::fabs(losses[i][s] - ref_l[s]) / (abs_tol + rel_tol * std::fabs(ref_l[s]));
            if (e > worst) worst = e, where = s, what = "loss at step";
        }
        if (results[i].size() != ref_r.size()) {
            std::fprintf(stderr, "peers: %s/%s: %zu results, Eigen has %zu\n", w.name.c_str(), impls[i].name,
                         results[i].size(), ref_r.size());
            ok = false;
            continue;
        }
        for (std::size_t k = 0; k < ref_r.size(); ++k) {
            const float e = std::fabs(results[i][k] - ref_r[k]) / (abs_tol + rel_tol * std::fabs(ref_r[k]));
            if (!(e <= worst)) worst = e, where = k, what = w.train ? "parameter" : "output";
        }
        if (i == std::size_t(reference)) continue;
        const std::string at = worst > 0 ? std::string(what) + " " + std::to_string(where) : "identical";
        say("  agree %-22s %-15s worst error / tolerance %.3f (%s)%s\n", w.name.c_str(), impls[i].name,
                    double(worst), at.c_str(), worst <= 1 ? "" : "  <-- DISAGREES");
        if (!(worst <= 1)) ok = false;
    }
    if (w.train)
        say("  losses %s: %.6f -> %.6f over %d steps (Eigen)\n", w.name.c_str(), double(ref_l.front()),
                    double(ref_l.back()), int(check_steps));
    return ok;
}

// --- 2. allocations -------------------------------------------------------------
long allocations_per_call(runner& r) {
    for (int i = 0; i < 3; ++i) r.run();
    return counting_new::allocations_in([&] {
               for (int i = 0; i < 20; ++i) r.run();
           }) /
           20;
}

// --- the reporter: every repetition's CPU time ----------------------------------
class collector : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& r : runs)
            if (r.run_type == Run::RT_Iteration && !r.error_occurred) times[r.benchmark_name()].push_back(r.GetAdjustedCPUTime());
        ConsoleReporter::ReportRuns(runs);
    }
    std::map<std::string, std::vector<double>> times;  // ns
};

struct stats {
    double median = 0, min = 0, max = 0;
    bool present = false;
};
stats stats_of(std::vector<double> t) {
    if (t.empty()) return {};
    std::sort(t.begin(), t.end());
    const std::size_t n = t.size();
    return {n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2, t.front(), t.back(), true};
}

std::string time_cell(const stats& s) {
    if (!s.present) return "—";
    const bool us = s.median >= 1000;
    const double k = us ? 1e-3 : 1.0;
    char buf[96];
    const char* f = s.median * k >= 100 ? "%.0f %s (%.0f–%.0f)" : s.median * k >= 10 ? "%.1f %s (%.1f–%.1f)" : "%.3g %s (%.3g–%.3g)";
    std::snprintf(buf, sizeof buf, f, s.median * k, us ? "µs" : "ns", s.min * k, s.max * k);
    return buf;
}
std::string ratio_cell(const stats& a, const stats& b, const char* mark = "") {
    if (!a.present || !b.present) return "—";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f%s", a.median / b.median, mark);
    return buf;
}

}  // namespace

int main(int argc, char** argv) {
    // OpenBLAS (LibTorch's gemm) picks its kernels from cpuid when it loads; in
    // a VM that hides the CPU model it falls back to Prescott (SSE3), 3x slower
    // at 784-128-10. Name the core from the instruction set instead, before
    // OpenBLAS loads: set OPENBLAS_CORETYPE and run this binary again.
    if (!std::getenv("OPENBLAS_CORETYPE")) {
        __builtin_cpu_init();
        setenv("OPENBLAS_CORETYPE", __builtin_cpu_supports("avx512f") ? "SkylakeX" :
                                    __builtin_cpu_supports("avx2")    ? "Haswell" : "Prescott", 1);
        execv("/proc/self/exe", argv);
        std::perror("peers_bench: execv /proc/self/exe (set OPENBLAS_CORETYPE by hand)");
        return 1;
    }
    std::string markdown;
    bool check_only = false;
    std::vector<char*> rest;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a.rfind("--peers_markdown=", 0) == 0)
            markdown = a.substr(17);
        else if (a == "--peers_check_only")
            check_only = true;
        else
            rest.push_back(argv[i]);
    }

    const auto ws = workloads();
    say("peers_bench: xsimd arch %s, %zu float lanes; OpenBLAS core %s (OPENBLAS_CORETYPE=%s)\n1. agreement (3 SGD steps or one forward pass, against Eigen "
                "dynamic; tolerance |a - b| <= %g + %g |b|)\n",
                xsimd::default_arch::name(), fbatch::size, openblas_get_corename(), std::getenv("OPENBLAS_CORETYPE"),
                double(abs_tol), double(rel_tol));
    bool all_agree = true;
    std::vector<data> datas;
    for (const auto& w : ws) {
        datas.push_back(make_data(w));
        all_agree = agree(w, datas.back()) && all_agree;
    }
    if (!all_agree) {
        std::fprintf(stderr, "peers_bench: THE IMPLEMENTATIONS DISAGREE (see above); nothing timed\n");
        return 2;
    }

    say("2. allocations per call (operator new, after 3 warm-up calls)\n");
    std::vector<std::vector<std::unique_ptr<runner>>> runners(ws.size());
    std::map<std::string, long> allocs;
    bool leibniz_allocates = false;
    for (std::size_t i = 0; i < ws.size(); ++i)
        for (const auto& im : impls) {
            auto r = im.make(ws[i], datas[i], im.v);
            if (r) {
                const long a = allocations_per_call(*r);
                allocs[ws[i].name + "/" + im.name] = a;
                say("  %-22s %-15s %ld\n", ws[i].name.c_str(), im.name, a);
                if (std::string(im.name).rfind("leibniz", 0) == 0 && a != 0) leibniz_allocates = true;
            }
            runners[i].push_back(std::move(r));
        }
    if (leibniz_allocates) std::fprintf(stderr, "peers_bench: A LEIBNIZ STEP ALLOCATES (see above)\n");
    if (check_only) return leibniz_allocates ? 3 : 0;

    benchmark::RegisterBenchmark("fma_peak", fma_peak);
    for (std::size_t i = 0; i < ws.size(); ++i)
        for (std::size_t j = 0; j < std::size(impls); ++j)
            if (runner* r = runners[i][j].get())
                benchmark::RegisterBenchmark((ws[i].name + "/" + impls[j].name).c_str(), [r](benchmark::State& s) {
                    for (auto _ : s) r->run();
                });

    std::string reps = "--benchmark_repetitions=10", time = "--benchmark_min_time=0.05",
                shuffle = "--benchmark_enable_random_interleaving=true";
    std::vector<char*> args{argv[0], reps.data(), time.data(), shuffle.data()};  // defaults first: flags win
    args.insert(args.end(), rest.begin(), rest.end());
    int count = static_cast<int>(args.size());
    benchmark::Initialize(&count, args.data());
    collector rep;
    benchmark::RunSpecifiedBenchmarks(&rep);

    // --- the table ---
    const stats peak_t = stats_of(rep.times["fma_peak"]);
    const double peak = peak_t.present ? fma_flops_per_iteration / peak_t.median : 0;  // GFLOP/s (flops per ns)
    std::string md;
    auto line = [&](const std::string& s) { md += s + "\n"; };
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "FP32 FMA peak of one core, measured in this binary: **%.1f GFLOP/s** (median; %.1f–%.1f; "
                  "xsimd %s, %zu lanes, %d accumulators)",
                  peak, peak_t.present ? fma_flops_per_iteration / peak_t.max : 0.0,
                  peak_t.present ? fma_flops_per_iteration / peak_t.min : 0.0, xsimd::default_arch::name(),
                  fbatch::size, fma_accumulators);
    line(buf);
    line("");
    std::snprintf(buf, sizeof buf, "OpenBLAS (LibTorch's matrix products) runs its `%s` kernels (`OPENBLAS_CORETYPE=%s`).",
                  openblas_get_corename(), std::getenv("OPENBLAS_CORETYPE"));
    line(buf);
    line("");
    line("Time per call: median of the repetitions' CPU times (min–max).");
    line("");
    line("| workload | leibniz static | leibniz dyn | Eigen fixed | Eigen dynamic | LibTorch |");
    line("|---|---:|---:|---:|---:|---:|");
    std::map<std::string, std::map<std::string, stats>> st;
    for (const auto& w : ws) {
        std::string row = "| " + w.title + " |";
        for (const auto& im : impls) {
            st[w.name][im.name] = stats_of(rep.times[w.name + "/" + im.name]);
            row += ' ';
            row += time_cell(st[w.name][im.name]);
            row += " |";
        }
        line(row);
    }
    line("");
    line("Ratios of the medians (below 1: leibniz is faster). \"leibniz / LibTorch\" uses leibniz dyn where it exists "
         "(LibTorch's shapes are run-time ones), else leibniz static. Percent of the FMA peak counts the matrix products' "
         "FLOPs only (forward 2·B·in·out per layer; training adds dW for every layer and dX for all but the first).");
    line("");
    line("| workload | leibniz static / Eigen fixed | leibniz dyn / Eigen dynamic | leibniz / LibTorch | "
         "% of peak: leibniz | % of peak: Eigen | % of peak: LibTorch | allocations per call: leibniz (static / dyn) | "
         "allocations: Eigen (fixed / dynamic) | allocations: LibTorch |");
    line("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const auto& w : ws) {
        auto& s = st[w.name];
        const bool has_dyn = s["leibniz_dyn"].present;
        const stats& lz = has_dyn ? s["leibniz_dyn"] : s["leibniz_static"];
        const stats& eg = s["eigen_dyn"];
        auto pct = [&](const stats& t) {
            if (!t.present || peak == 0) return std::string("—");
            char b[32];
            std::snprintf(b, sizeof b, "%.1f%%", 100.0 * w.flops() / t.median / peak);
            return std::string(b);
        };
        auto alloc = [&](const char* a, const char* b) {
            std::string r;
            for (const char* n : {a, b}) {
                const auto it = allocs.find(w.name + "/" + n);
                if (it == allocs.end() || !n[0]) continue;
                if (!r.empty()) r += " / ";
                r += std::to_string(it->second);
            }
            return r.empty() ? std::string("—") : r;
        };
        std::snprintf(buf, sizeof buf, "| %s | %s | %s | %s%s | %s | %s | %s | %s | %s | %s |", w.title.c_str(),
                      ratio_cell(s["leibniz_static"], s["eigen_fixed"]).c_str(),
                      has_dyn ? ratio_cell(s["leibniz_dyn"], eg).c_str() : ratio_cell(lz, eg, " (static / dynamic)").c_str(),
                      ratio_cell(lz, s["torch"]).c_str(), has_dyn ? "" : " (static)", pct(lz).c_str(), pct(eg).c_str(),
                      pct(s["torch"]).c_str(), alloc("leibniz_static", "leibniz_dyn").c_str(),
                      alloc("eigen_fixed", "eigen_dyn").c_str(), alloc("torch", "").c_str());
        line(buf);
    }
    md += "\n## The checks before timing (the binary's output)\n\n```text\n" + checks_log + "```\n";
    std::printf("\n%s", md.c_str());
    if (!markdown.empty()) {
        if (std::FILE* f = std::fopen(markdown.c_str(), "w")) {
            std::fputs(md.c_str(), f);
            std::fclose(f);
        } else {
            std::fprintf(stderr, "peers_bench: cannot write %s\n", markdown.c_str());
            return 1;
        }
    }
    return leibniz_allocates ? 3 : 0;
}
