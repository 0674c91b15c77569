// Breast cancer (Wisconsin diagnostic): 569 tumours, 30 features of the cell
// nuclei, malignant (0) or benign (1). A binary classifier on logits — the
// network ends in one linear unit and the loss is bce_with_logits, PyTorch's
// stable fusion of the sigmoid and the cross-entropy — standardized on the
// training split, judged on a stratified held-out 20% it never saw: precision,
// recall and ROC AUC from lz::train::metrics.
//
//   breast_cancer [data-dir]   reads <data-dir>/sklearn/breast_cancer.csv (scripts/fetch-data)
//
// Exits with status 1 unless the held-out ROC AUC is at least 0.98.

#include <leibniz/leibniz.hpp>
#include <leibniz/io/csv.hpp>
#include <leibniz/optim/optim.hpp>
#include <leibniz/train/metrics.hpp>
#include <leibniz/train/preprocess.hpp>
#include <leibniz/train/split.hpp>
#include <leibniz/train/train.hpp>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace lz = leibniz;
namespace tr = lz::train;

// fit's lines mode prints every epoch; this callback prints every 5th.
struct every_5th_epoch {
    void on_epoch_end(const auto& ctx) const {
        if ((ctx.state.epoch + 1) % 5 == 0) std::printf("epoch %3zu  loss %.6f\n", ctx.state.epoch + 1, ctx.state.loss);
    }
};

namespace {
int run(int argc, char** argv) {
    const std::string dir = argc > 1 ? argv[1] : LEIBNIZ_DATA_DIR;
    const std::string path = dir + "/sklearn/breast_cancer.csv";
    if (!std::filesystem::exists(path)) {
        std::printf("data/sklearn/breast_cancer.csv not found: run scripts/fetch-data (looked for %s)\n", path.c_str());
        return 1;
    }
    // The first line is "569,30,malignant,benign"; the label is column 30.
    const auto csv = lz::io::read_csv<double>(path, {.label = "30", .skip_lines = 1, .header = false});
    const auto x = lz::io::to_tensor<double, lz::shape<lz::dyn, 30>>(csv.features, path);
    const std::vector<std::int32_t> labels(csv.labels.begin(), csv.labels.end());

    constexpr std::uint64_t seed = 7;
    const auto s = tr::stratified_split(labels, {.test = 0.2, .seed = seed});
    auto x_train = tr::take_rows(x, s.train), x_test = tr::take_rows(x, s.test);
    const auto y_train = tr::take(labels, s.train), y_test = tr::take(labels, s.test);
    tr::standard_scaler<double> scaler;
    scaler.fit(x_train);  // the training split only: the test split stays unseen
    scaler.transform_in_place(x_train);
    scaler.transform_in_place(x_test);
    std::printf("breast_cancer: %zu samples, %zu train / %zu held out (stratified 20%%), standardized, seed %llu\n",
                labels.size(), y_train.size(), y_test.size(), static_cast<unsigned long long>(seed));

    // bce_with_logits takes float targets of the output's shape [N, 1].
    const std::vector<double> t_train(y_train.begin(), y_train.end()), t_test(y_test.begin(), y_test.end());
    using data = tr::dataset<double, lz::shape<30>, double, lz::shape<1>>;
    const data train({x_train.data(), x_train.size()}, t_train);
    const data test({x_test.data(), x_test.size()}, t_test);

    constexpr auto xs = lz::var<"x", double, lz::shape<lz::dyn, 30>>;
    constexpr auto ys = lz::var<"y", double, lz::shape<lz::dyn, 1>>;
    constexpr auto net = lz::nn::sequential(lz::nn::dense<30, 16>, lz::nn::relu, lz::nn::dense<16, 1>);
    constexpr auto loss = lz::loss::bce_with_logits(net(xs), ys);  // trained on the logit
    // Evaluated as the probability of class 1 (benign): fit's accuracy
    // thresholds it at 0.5. The AUC of σ(logit) is the AUC of the logit.
    constexpr auto probability = lz::sigmoid(net(xs, lz::nn::evaluation));
    constexpr auto model = tr::model(xs, ys, loss, loss, probability);

    lz::parameters params{loss};
    lz::nn::init::torch_default(net, params, seed);
    namespace opt = lz::optim;
    opt::optimizer<opt::adam<double>> adam{params, {.lr = 0.01}};
    every_5th_epoch progress;
    (void)tr::fit(model, params, adam, train,
                  {.epochs = 20, .batch_size = 32, .seed = seed, .verbose = tr::verbosity::quiet}, progress);

    // The held-out 20%, once, at the end.
    const auto p = tr::predict(model, params, test.all_features());  // [114, 1]
    std::vector<std::int32_t> predicted(y_test.size());
    for (std::size_t i = 0; i < predicted.size(); ++i) predicted[i] = p(i, 0) > 0.5 ? 1 : 0;
    namespace m = tr::metrics;
    // One score per sample (a span: the [N, 1] tensor would mean one-vs-rest over 1 class).
    const double auc = m::roc_auc(y_test, std::span<const double>(p.data(), p.size()));
    const auto cm = m::confusion_matrix(y_test, predicted, 2);
    std::printf("held out: accuracy %.4f, ROC AUC %.6f\n", m::accuracy(y_test, predicted), auc);
    std::printf("  benign    (class 1): precision %.4f, recall %.4f\n", m::precision(y_test, predicted),
                m::recall(y_test, predicted));
    std::printf("  malignant (class 0): precision %.4f, recall %.4f\n", m::precision(y_test, predicted, {.pos_label = 0}),
                m::recall(y_test, predicted, {.pos_label = 0}));
    std::printf("confusion matrix (rows: true, columns: predicted)\n");
    std::printf("  malignant %3zu %3zu\n  benign    %3zu %3zu\n", cm[0], cm[1], cm[2], cm[3]);
    return auc >= 0.98 ? 0 : 1;
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
