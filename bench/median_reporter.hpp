#pragma once
// A console reporter that also keeps the median CPU time of every benchmark
// run with repetitions, so a benchmark binary can end with a table of ratios
// measured side by side in one run (the machines are shared and noisy;
// absolute times drift, ratios of interleaved runs much less).

#include <benchmark/benchmark.h>

#include <map>
#include <string>

namespace leibniz_bench {

class median_reporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& r : runs)
            if (r.run_type == Run::RT_Aggregate && r.aggregate_name == "median")
                median_ns_[r.run_name.function_name + (r.run_name.args.empty() ? "" : "/" + r.run_name.args)] =
                    r.GetAdjustedCPUTime();
        ConsoleReporter::ReportRuns(runs);
    }
    // The median CPU time (in the benchmark's time unit) of "name" or "name/arg"; 0 if absent.
    [[nodiscard]] double median(const std::string& name) const {
        const auto it = median_ns_.find(name);
        return it == median_ns_.end() ? 0.0 : it->second;
    }

private:
    std::map<std::string, double> median_ns_;
};

}  // namespace leibniz_bench
