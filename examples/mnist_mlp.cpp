// MNIST, the recipe every framework's tutorial trains first: 784-128-10 with
// relu, the softmax cross-entropy on integer labels, Adam (lr 1e-3), batches
// of 64, 5 epochs, on the split scripts/fetch-data makes (8,000 training
// digits, 2,000 held out; doc/data.md). lz::train::fit draws the progress bar
// (plain lines when stdout is not a terminal) and the accuracy on the held-out
// digits after each epoch; at the end the run is saved twice: a checkpoint
// (parameters, Adam's state, epoch, step, seed; resumable bit for bit) and the
// parameters alone as a safetensors file with PyTorch's state-dict names and
// layout, which `nn.Sequential(nn.Linear(784, 128), nn.ReLU(),
// nn.Linear(128, 10)).load_state_dict(safetensors.torch.load_file(...))` reads
// (examples/ref/check_mnist_torch.py checks that PyTorch predicts the same).
//
//   mnist_mlp [data/mnist] [epochs] [training digits]
//
// Exits with status 1 when the data is missing, 2 when a full run (5 epochs,
// every digit) ends below 93% on the held-out digits.

#include <leibniz/leibniz.hpp>
#include <leibniz/io/idx.hpp>
#include <leibniz/io/npy.hpp>
#include <leibniz/io/parameters.hpp>
#include <leibniz/optim/optim.hpp>
#include <leibniz/train/train.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

namespace lz = leibniz;

#ifndef LEIBNIZ_DATA_DIR
#define LEIBNIZ_DATA_DIR "data"
#endif

namespace {

struct digits {
    std::vector<float> images;  // [n, 784], in [0, 1]
    std::vector<std::int32_t> labels;
};

// The IDX files of scripts/fetch-data (or the standard MNIST files it links):
// u8 pixels read as floats in [0, 1], u8 labels as int32; the first `limit`.
digits read_digits(const std::string& dir, const std::string& part, std::size_t limit) {
    auto images = lz::io::read_idx<float, lz::shape<lz::dyn, 28, 28>>(dir + "/" + part + "-images.idx", {.scale_u8 = true});
    auto labels = lz::io::read_idx<std::int32_t, lz::shape<lz::dyn>>(dir + "/" + part + "-labels.idx");
    const std::size_t n = std::min({images.extent(0), labels.extent(0), limit});
    return {std::vector<float>(images.data(), images.data() + n * 784),
            std::vector<std::int32_t>(labels.data(), labels.data() + n)};
}

}  // namespace

int main(int argc, char** argv) try {
    const std::string dir = argc > 1 ? argv[1] : LEIBNIZ_DATA_DIR "/mnist";
    const std::size_t epochs = argc > 2 ? std::stoul(argv[2]) : 5;
    const std::size_t limit = argc > 3 ? std::stoul(argv[3]) : SIZE_MAX;
    if (!std::filesystem::exists(dir + "/train-images.idx")) {
        std::fprintf(stderr, "%s/train-images.idx not found: run scripts/fetch-data\n", dir.c_str());
        return 1;
    }

    constexpr auto x = lz::var<"x", float, lz::shape<lz::dyn, 784>>;
    constexpr auto y = lz::var<"y", std::int32_t, lz::shape<lz::dyn>>;
    constexpr auto net = lz::nn::sequential(lz::nn::dense<784, 128>, lz::nn::relu, lz::nn::dense<128, 10>);
    constexpr auto logits = net(x);
    constexpr auto loss = lz::loss::cross_entropy(logits, y);  // fused: one pass over the logits
    constexpr auto model = lz::train::model(x, y, loss, loss, logits);

    const digits train = read_digits(dir, "train", limit), test = read_digits(dir, "test", SIZE_MAX);
    const lz::train::dataset<float, lz::shape<784>> train_set(train.images, train.labels);
    const lz::train::dataset<float, lz::shape<784>> test_set(test.images, test.labels);
    std::printf("MNIST: %zu training digits, %zu held out; 784-128-10 relu, Adam lr 1e-3, batch 64, %zu epochs\n",
                train.labels.size(), test.labels.size(), epochs);

    constexpr std::uint64_t seed = 1;
    lz::parameters params{loss};                        // "0.weight", "0.bias", "2.weight", "2.bias"
    lz::nn::init::torch_default(net, params, seed);     // nn.Linear's initialisation
    namespace opt = lz::optim;
    opt::optimizer<opt::adam<float>> adam{params, {.lr = 1e-3f}};

    // The held-out digits as fit's validation set: their loss and accuracy
    // after each epoch (they choose nothing here: no early stopping).
    const auto history = lz::train::fit(model, params, adam, train_set, test_set,
                                        {.epochs = epochs, .batch_size = 64, .seed = seed});
    double seconds = 0;
    for (const auto& e : history.epochs) seconds += e.seconds;
    std::printf("%zu epochs in %.2f s (%.3f s per epoch)\n", history.epochs.size(), seconds,
                seconds / double(history.epochs.size()));

    const auto [test_loss, accuracy, n] = lz::train::evaluate(model, params, test_set);
    std::printf("held out: loss %.4f, accuracy %.2f%% on %zu digits\n", test_loss, 100 * accuracy, n);

    lz::train::save_checkpoint("mnist_mlp.ckpt", params, adam,
                               {.epoch = history.epochs.size(), .step = history.steps, .seed = seed});
    lz::io::save_parameters("mnist_mlp.safetensors", params);  // PyTorch's names and [out, in] weights
    // The held-out digits' logits, which examples/ref/check_mnist_torch.py
    // compares with PyTorch's from the safetensors file.
    lz::io::write_npy("mnist_mlp_logits.npy", lz::train::predict(model, params, test_set.all_features()));
    std::printf("saved mnist_mlp.ckpt (resumable), mnist_mlp.safetensors (PyTorch's state dict), mnist_mlp_logits.npy\n");

    const bool full_run = epochs >= 5 && limit == SIZE_MAX;
    return full_run && accuracy < 0.93 ? 2 : 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "mnist_mlp: %s\n", e.what());
    return 1;
}
