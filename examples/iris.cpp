// Iris: a softmax classifier on Fisher's 150 flowers (4 measurements in cm,
// 3 species), trained through lz::train::fit with a stratified validation
// split — each species keeps its share (10 of 50) in the 30 held-out samples.
// 4-16-3 relu network, cross-entropy on the logits, Adam.
//
//   iris [data-dir]      reads <data-dir>/sklearn/iris.csv (scripts/fetch-data)
//
// Exits with status 1 unless the validation accuracy is at least 93%.

#include <leibniz/leibniz.hpp>
#include <leibniz/io/csv.hpp>
#include <leibniz/optim/optim.hpp>
#include <leibniz/train/metrics.hpp>
#include <leibniz/train/split.hpp>
#include <leibniz/train/train.hpp>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

namespace lz = leibniz;
namespace tr = lz::train;

namespace {
int run(int argc, char** argv) {
    const std::string dir = argc > 1 ? argv[1] : LEIBNIZ_DATA_DIR;
    const std::string path = dir + "/sklearn/iris.csv";
    if (!std::filesystem::exists(path)) {
        std::printf("data/sklearn/iris.csv not found: run scripts/fetch-data (looked for %s)\n", path.c_str());
        return 1;
    }
    // The first line is "150,4,setosa,versicolor,virginica"; the label is column 4.
    const auto csv = lz::io::read_csv<double>(path, {.label = "4", .skip_lines = 1, .header = false});
    const auto x = lz::io::to_tensor<double, lz::shape<lz::dyn, 4>>(csv.features, path);
    const std::vector<std::int32_t> labels(csv.labels.begin(), csv.labels.end());

    constexpr std::uint64_t seed = 7;
    const auto s = tr::stratified_split(labels, {.validation = 0.2, .seed = seed});
    const auto x_train = tr::take_rows(x, s.train), x_val = tr::take_rows(x, s.validation);
    const auto y_train = tr::take(labels, s.train), y_val = tr::take(labels, s.validation);
    const tr::dataset<double, lz::shape<4>> train({x_train.data(), x_train.size()}, y_train);
    const tr::dataset<double, lz::shape<4>> validation({x_val.data(), x_val.size()}, y_val);
    std::printf("iris: %zu samples, %zu train / %zu validation (stratified), seed %llu\n", labels.size(),
                train.size(), validation.size(), static_cast<unsigned long long>(seed));

    constexpr auto xs = lz::var<"x", double, lz::shape<lz::dyn, 4>>;
    constexpr auto ys = lz::var<"y", std::int32_t, lz::shape<lz::dyn>>;
    constexpr auto net = lz::nn::sequential(lz::nn::dense<4, 16>, lz::nn::relu, lz::nn::dense<16, 3>);
    constexpr auto loss = lz::loss::cross_entropy(net(xs), ys);  // softmax + log-likelihood, fused
    constexpr auto model = tr::model(xs, ys, loss, loss, net(xs, lz::nn::evaluation));

    lz::parameters params{loss};
    lz::nn::init::torch_default(net, params, seed);
    namespace opt = lz::optim;
    opt::optimizer<opt::adam<double>> adam{params, {.lr = 0.02}};
    const auto h = tr::fit(model, params, adam, train, validation,
                           {.epochs = 15, .batch_size = 16, .seed = seed, .verbose = tr::verbosity::lines});

    // The validation predictions: accuracy and where the mistakes are.
    const auto logits = tr::predict(model, params, validation.all_features());  // [30, 3]
    std::vector<std::int32_t> predicted(y_val.size());
    for (std::size_t i = 0; i < predicted.size(); ++i)
        for (std::int32_t c = 1; c < 3; ++c)
            if (logits(i, c) > logits(i, predicted[i])) predicted[i] = c;
    const double accuracy = tr::metrics::accuracy(y_val, predicted);
    const auto cm = tr::metrics::confusion_matrix(y_val, predicted, 3);
    std::printf("validation accuracy %.4f (%zu of %zu) after %zu epochs\n", accuracy,
                cm[0] + cm[4] + cm[8], y_val.size(), h.epochs.size());
    std::printf("confusion matrix (rows: true, columns: predicted)\n");
    const char* const species[] = {"setosa", "versicolor", "virginica"};  // the file's first line
    for (std::size_t r = 0; r < 3; ++r)
        std::printf("  %-10s %3zu %3zu %3zu\n", species[r], cm[3 * r], cm[3 * r + 1], cm[3 * r + 2]);
    return accuracy >= 0.93 ? 0 : 1;
}
}  // namespace

// A file that is there but damaged (io_error names the file, the line and the
// problem) ends the program with that message, not an abort.
int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
        return 1;
    }
}
