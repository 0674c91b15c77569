// Reading MNIST's test images (10,000 images of 28×28 u8) from an IDX file
// into float in [0, 1]: lz::io::read_idx against a plain fread and a
// conversion loop over the same file, side by side (acceptance: ≤ 1.2×).
// Real MNIST is not on the build machines: the file is written here, with the
// IDX header of t10k-images-idx3-ubyte and random pixels, into the temporary
// directory (removed at exit); the page cache holds it for both readers.
//
// Run: build/<dir>/bench/io_bench  (prints the ratio at the end)

#include <leibniz/io/idx.hpp>

#include <benchmark/benchmark.h>

#include "median_reporter.hpp"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <unistd.h>
#include <vector>

namespace {

constexpr std::size_t images = 10000, rows = 28, cols = 28, pixels = images * rows * cols;

const std::string& mnist_file() {
    static const std::string path = [] {
        const std::string p =
            (std::filesystem::temp_directory_path() / ("leibniz_io_bench_" + std::to_string(::getpid()) + ".idx3-ubyte")).string();
        std::vector<std::uint8_t> v(pixels);
        std::mt19937 gen(12);
        for (auto& b : v) b = static_cast<std::uint8_t>(gen() >> 24);
        const std::size_t shape[] = {images, rows, cols};
        leibniz::io::write_idx<std::uint8_t>(p, std::span<const std::uint8_t>(v), std::span<const std::size_t>(shape));
        return p;
    }();
    return path;
}

struct remove_at_exit {
    ~remove_at_exit() { std::remove(mnist_file().c_str()); }
};

void leibniz_read_idx(benchmark::State& state) {
    for (auto _ : state) {
        auto t = leibniz::io::read_idx<float, leibniz::shape<leibniz::dyn, rows, cols>>(mnist_file(), {.scale_u8 = true});
        benchmark::DoNotOptimize(t.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * pixels));
}

// What one writes by hand knowing the file: skip the 16-byte header, fread
// the pixels, divide by 255 into a vector of floats.
void plain_fread_loop(benchmark::State& state) {
    for (auto _ : state) {
        std::FILE* f = std::fopen(mnist_file().c_str(), "rb");
        if (!f) {
            state.SkipWithError("cannot open the file");
            return;
        }
        unsigned char header[16];
        std::unique_ptr<unsigned char[]> buf(new unsigned char[pixels]);
        const bool ok = std::fread(header, 1, 16, f) == 16 && std::fread(buf.get(), 1, pixels, f) == pixels;
        std::fclose(f);
        if (!ok) {
            state.SkipWithError("short read");
            return;
        }
        std::vector<float> out(pixels);
        for (std::size_t i = 0; i < pixels; ++i) out[i] = static_cast<float>(buf[i]) / 255.0f;
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * pixels));
}

}  // namespace

BENCHMARK(leibniz_read_idx)->Unit(benchmark::kMillisecond);
BENCHMARK(plain_fread_loop)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
    const remove_at_exit cleanup;
    (void)mnist_file();
    std::vector<char*> args(argv, argv + argc);
    std::string reps = "--benchmark_repetitions=9", aggregates = "--benchmark_report_aggregates_only=true";
    args.push_back(reps.data());
    args.push_back(aggregates.data());
    int count = static_cast<int>(args.size());
    benchmark::Initialize(&count, args.data());
    leibniz_bench::median_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    const double a = reporter.median("leibniz_read_idx"), b = reporter.median("plain_fread_loop");
    std::printf("\nMNIST-sized IDX (10,000 × 28 × 28 u8) into float in [0, 1], median CPU time "
                "(acceptance: leibniz / plain <= 1.2)\n");
    std::printf("  leibniz read_idx %.3f ms   plain fread + loop %.3f ms   ratio %.3f\n", a, b, b > 0 ? a / b : 0.0);
    return 0;
}
