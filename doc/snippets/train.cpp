// The examples of doc/reference/train.md; each `// [snippet <part>]` region is
// shown there.
#include <leibniz/leibniz.hpp>
#include <leibniz/optim/optim.hpp>
#include <leibniz/train/train.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace lz = leibniz;
using namespace lz::literals;

int main() {
    const std::string dir = std::filesystem::temp_directory_path().string();
    // three noisy clusters in the plane: 900 samples for training, 300 for validation
    std::vector<float> xs, val_xs;
    std::vector<std::int32_t> ys, val_ys;
    for (std::size_t i = 0; i < 1200; ++i) {
        const auto c = std::int32_t(i % 3);
        const float a = 2.0944f * float(c), r = 1.0f + 0.8f * std::sin(float(13 * i));
        auto& x = i < 900 ? xs : val_xs;
        x.push_back(r * std::cos(a) + 0.6f * std::sin(float(7 * i))), x.push_back(r * std::sin(a) + 0.6f * std::cos(float(5 * i)));
        (i < 900 ? ys : val_ys).push_back(c);
    }

    // [snippet data]
    // features [N, 2] and integer labels [N], viewed where they are (no copy)
    const lz::train::dataset<float, lz::shape<2>> data(xs, ys), validation(val_xs, val_ys);
    lz::train::batches loader(data, {.batch_size = 128, .shuffle = true, .seed = 1});
    loader.start_epoch(0);  // the epoch's order: Philox under {seed, epoch}
    for (std::size_t b = 0; b < loader.count(); ++b) {
        const auto [x, y, n] = loader[b];  // views: x [n, 2], y [n]; copied into the loader's buffer
        if (b + 1 == loader.count()) std::printf("%zu batches, the last of %zu samples (x is [%zu, %zu])\n", loader.count(), n, x.extent(0), x.extent(1));
        (void)y;
    }
    // [/snippet]

    // [snippet fit]
    constexpr auto x = lz::var<"x", float, lz::shape<lz::dyn, 2>>;
    constexpr auto y = lz::var<"y", std::int32_t, lz::shape<lz::dyn>>;
    constexpr auto net = lz::nn::sequential(lz::nn::dense<2, 32>, lz::nn::relu, lz::nn::dropout(0.1_c), lz::nn::dense<32, 3>);
    constexpr auto train_loss = -lz::mean(lz::pick(lz::log_softmax(net(x)), y));  // training mode: dropout on
    constexpr auto eval_out = net(x, lz::nn::evaluation);                          // the same parameters, no dropout
    constexpr auto eval_loss = -lz::mean(lz::pick(lz::log_softmax(eval_out), y));
    constexpr auto model = lz::train::model(x, y, train_loss, eval_loss, eval_out);

    lz::parameters params{train_loss};
    lz::nn::init::torch_default(net, params, 42);
    namespace opt = lz::optim;
    opt::optimizer<opt::adam<float>, opt::schedule::reduce_on_plateau> adam{params, {.lr = 0.01f}, {.factor = 0.5, .patience = 1}};

    lz::train::early_stopping stop({.patience = 3, .min_delta = 2e-3, .restore_best_weights = true});
    lz::train::csv_logger log(dir + "/train_log.csv");
    const auto history = lz::train::fit(model, params, adam, data, validation,
                                        {.epochs = 12, .batch_size = 64, .seed = 1}, stop, log);
    const auto [val_loss, val_accuracy, n] = lz::train::evaluate(model, params, validation);
    std::printf("%zu epochs; best epoch %zu; validation: loss %.2f, accuracy %.2f on %zu samples\n",
                history.epochs.size(), stop.best_epoch() + 1, val_loss, val_accuracy, n);
    const auto logits = lz::train::predict(model, params, validation.all_features());  // [300, 3]
    std::printf("predict: [%zu, %zu]\n", logits.extent(0), logits.extent(1));
    // [/snippet]

    // [snippet checkpoint]
    const std::string path = dir + "/run.ckpt";
    lz::train::save_checkpoint(path, params, adam, {.epoch = history.epochs.size(), .step = history.steps, .seed = 1});

    lz::parameters resumed{train_loss};  // fresh objects, as in a new process
    opt::optimizer<opt::adam<float>, opt::schedule::reduce_on_plateau> resumed_adam{resumed, {.lr = 0.01f}, {.factor = 0.5, .patience = 1}};
    const auto info = lz::train::load_checkpoint(path, resumed, resumed_adam);
    const bool same = info.epoch == history.epochs.size() && info.step == history.steps && resumed_adam.lr() == adam.lr() &&
                      std::equal(params.flat().begin(), params.flat().end(), resumed.flat().begin());
    std::printf("resumed: the same parameters, epoch, step and lr: %s\n", same ? "yes" : "no");
    // continue: the same run, bit for bit, as if it had not stopped
    (void)lz::train::fit(model, resumed, resumed_adam, data, validation,
                         {.epochs = info.epoch + 2, .batch_size = 64, .seed = info.seed, .initial_epoch = info.epoch,
                          .verbose = lz::train::verbosity::quiet});
    // [/snippet]
    std::filesystem::remove(path);
    std::filesystem::remove(dir + "/train_log.csv");
}
