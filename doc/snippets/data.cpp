// The examples of doc/data.md: reading what scripts/fetch-data writes. Run from
// the source tree's root, or name it as the first argument (CTest does); when
// data/ is not fetched (CI) it says so and stops.
#include <leibniz/io/csv.hpp>
#include <leibniz/io/idx.hpp>

#include <cstdint>
#include <cstdio>
#include <filesystem>

namespace lz = leibniz;
namespace io = lz::io;

int main(int argc, char** argv) {
    if (argc > 1) std::filesystem::current_path(argv[1]);
    if (!std::filesystem::exists("data/mnist/SOURCE") || !std::filesystem::exists("data/sklearn/digits.csv")) {
        std::printf("data/ not fetched (scripts/fetch-data): nothing to read\n");
        return 0;
    }
    // [snippet mnist]
    auto x = io::read_idx<float, lz::shape<lz::dyn, 28, 28>>("data/mnist/train-images.idx", {.scale_u8 = true});
    auto y = io::read_idx<std::uint8_t>("data/mnist/train-labels.idx");
    // [/snippet]
    std::printf("mnist train: %zu images, %zu labels\n", x.extents()[0], y.size());
    // [snippet sklearn]
    auto iris = io::read_csv<double>("data/sklearn/iris.csv", {.label = "4", .skip_lines = 1, .header = false});
    auto wine = io::read_csv<double>("data/sklearn/wine_data.csv", {.label = "13", .skip_lines = 1, .header = false});
    auto cancer = io::read_csv<double>("data/sklearn/breast_cancer.csv", {.label = "30", .skip_lines = 1, .header = false});
    auto digits = io::read_csv<double>("data/sklearn/digits.csv", {.label = "64", .header = false});
    // [/snippet]
    for (const auto* d : {&iris, &wine, &cancer, &digits})
        std::printf("%zu x %zu\n", d->features.shape[0], d->features.shape[1]);
}
