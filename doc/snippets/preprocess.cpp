// The examples of doc/reference/preprocess.md; each `// [snippet <part>]`
// region is shown there.
#include <leibniz/train/preprocess.hpp>
#include <leibniz/train/split.hpp>

#include <cmath>
#include <cstdio>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lz = leibniz;

namespace {
void print(const char* what, std::span<const double> v) {
    std::printf("%-20s", what);
    for (double e : v) std::printf(" %.4g", e);
    std::printf("\n");
}
}  // namespace

int main() {
    // 20 samples of 3 features; classes 0, 1, 2 with 10, 6 and 4 samples.
    std::vector<int> labels(20);
    lz::tensor<double, lz::shape<20, 3>> x;
    for (std::size_t i = 0; i < 20; ++i) {
        labels[i] = i % 2 == 0 ? 0 : (i < 12 ? 1 : 2);
        x(i, 0) = static_cast<double>(i);
        x(i, 1) = 100.0 + std::sin(static_cast<double>(i));
        x(i, 2) = 0.5 * static_cast<double>(i) + std::cos(3.0 * static_cast<double>(i));
    }
    {
        // [snippet split]
        namespace tr = lz::train;
        const tr::split_indices s = tr::stratified_split(labels, {.validation = 0.2, .test = 0.2, .seed = 42});
        std::printf("train %zu, validation %zu, test %zu\n", s.train.size(), s.validation.size(), s.test.size());
        for (const auto* part : {&s.train, &s.validation, &s.test}) {
            int per_class[3] = {0, 0, 0};
            for (std::size_t i : *part) ++per_class[labels[i]];
            std::printf("  classes 0/1/2: %d %d %d\n", per_class[0], per_class[1], per_class[2]);
        }
        lz::tensor<double, lz::shape<lz::dyn, 3>> x_train = tr::take_rows(x, s.train);  // owned rows
        std::vector<int> y_train = tr::take(labels, s.train);
        std::printf("x_train is %zu×%zu; y_train[0] = %d\n", x_train.extent(0), x_train.extent(1), y_train[0]);

        const tr::split_indices plain = tr::split(20, {.test = 5, .seed = 1});  // no labels: sizes only
        std::printf("train %zu, test %zu\n", plain.train.size(), plain.test.size());
        // [/snippet]

        // [snippet scalers]
        auto x_val = tr::take_rows(x, s.validation);
        tr::standard_scaler<double> scaler;
        auto train_std = scaler.fit_transform(x_train);  // fitted on the training split only
        scaler.transform_in_place(x_val);                 // and applied to the others
        print("mean", scaler.mean());
        print("scale", scaler.scale());

        tr::min_max_scaler<double> unit({.lo = -1, .hi = 1});
        auto train_unit = unit.fit_transform(x_train);
        print("first row in [-1, 1]", std::span<const double>(train_unit.data(), 3));

        tr::pca_whitening<double> pca({.n_components = 2});
        lz::tensor<double, lz::shape<lz::dyn, lz::dyn>> white = pca.fit_transform(train_std);
        std::printf("whitened: %zu×%zu\n", white.extent(0), white.extent(1));
        print("explained variance", pca.explained_variance());
        // [/snippet]

        // [snippet state]
        // What a checkpoint stores: named tensors.
        struct saved_tensor {
            std::vector<double> data;
            std::vector<std::size_t> shape;
        };
        std::map<std::string, saved_tensor, std::less<>> file;
        pca.for_each_state([&](std::string_view name, std::span<const double> values, std::span<const std::size_t> shape) {
            file[std::string(name)] = {{values.begin(), values.end()}, {shape.begin(), shape.end()}};
            std::printf("%-19s [", std::string(name).c_str());
            for (std::size_t k = 0; k < shape.size(); ++k) std::printf(k ? ", %zu" : "%zu", shape[k]);
            std::printf("]\n");
        });
        tr::pca_whitening<double> restored;  // at inference: the same transform, read back
        restored.load_state([&](std::string_view name) { return file.find(name)->second; });
        std::printf("same transform: %s\n", lz::max_abs_diff(restored.transform(x_val), pca.transform(x_val)) == 0 ? "yes" : "no");

        try {
            (void)scaler.transform(white);  // 2 features where the scaler was fitted on 3
        } catch (const std::invalid_argument& e) {
            std::printf("std::invalid_argument: %s\n", e.what());
        }
        // [/snippet]
    }
}
