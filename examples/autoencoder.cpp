// A sparse autoencoder on scikit-learn's 8×8 digits: a loss at a hidden node
// (seed notes 001, "Loss Functions at Hidden Nodes": in sparse autoencoders
// "loss functions are also applied to hidden nodes", and backpropagation adds
// their gradient to what comes back from the output).
//
// Each image (64 pixels, 0..16, scaled to [0, 1]) is compressed to 16 ReLU
// units and reconstructed through a sigmoid layer, 64-16-64. The loss is the
// reconstruction's mean squared error plus λ times the mean absolute
// activation of the hidden layer (an L1 penalty on the code):
//
//     h = relu(x·W1 + b1)        x̂ = sigmoid(h·W2 + b2)
//     L = mean((x̂ − x)²) + λ · mean(|h|)
//
// h is one node read twice — by the decoder and by the penalty — so its
// adjoint collects both shares (checked first against central differences).
// λ is a variable bound at each step, so the one compiled network trains
// twice from the same initial weights, with λ = 0 and with λ = 0.01; on 20%
// held-out digits the program prints the reconstruction error and the mean
// hidden activity of each, and writes autoencoder.svg: originals beside both
// reconstructions.
//
// Usage: autoencoder [data directory [output.svg]]; the data directory
// defaults to the repository's data/ (scripts/fetch-data fills it).
// Exits with status 1 unless the gradient agrees with the differences, the
// penalty lowers the mean activity and both runs reconstruct the held-out
// digits better than their mean image does.

#include <leibniz/io/csv.hpp>
#include <leibniz/leibniz.hpp>
#include <leibniz/optim/optim.hpp>
#include <leibniz/train/dataset.hpp>
#include <leibniz/train/split.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

#ifndef LEIBNIZ_DATA_DIR
#define LEIBNIZ_DATA_DIR "data"
#endif

namespace lz = leibniz;
namespace tr = lz::train;

namespace {

constexpr std::size_t pixels = 64, code = 16;

constexpr auto x = lz::var<"x", double, lz::shape<lz::dyn, pixels>>;
constexpr auto y = lz::var<"y", double, lz::shape<lz::dyn, pixels>>;  // the target: the image itself
constexpr auto lambda = lz::var<"lambda", double, lz::shape<>>;       // the penalty's weight, bound per run
constexpr auto encoder = lz::nn::named<"encoder">(lz::nn::sequential(lz::nn::dense<pixels, code>, lz::nn::relu));
constexpr auto decoder = lz::nn::named<"decoder">(lz::nn::sequential(lz::nn::dense<code, pixels>, lz::nn::sigmoid));
constexpr auto hidden = encoder(x);
constexpr auto reconstruction = decoder(hidden);
constexpr auto loss = lz::loss::mse(reconstruction, y) + lambda * lz::mean(lz::abs(hidden));

using images = lz::tensor<double, lz::shape<lz::dyn, pixels>>;

struct result {
    images reconstructed{std::size_t{0}};  // of the test digits
    double mse = 0;            // reconstruction error on the test digits
    double mean_activity = 0;  // mean hidden activation on the test digits
    double silent = 0;         // fraction of hidden activations that are exactly 0
    std::size_t dead = 0;      // hidden units that are 0 on every test digit
};

// The hidden layer by hand from the trained weights (h = relu(x·W1 + b1)),
// for the activity figures.
template <class Params>
void hidden_activity(const Params& params, const images& xs, result& r) {
    const auto w = params.find("encoder.0.weight")->data;  // [64, 16]
    const auto b = params.find("encoder.0.bias")->data;    // [16]
    double sum = 0;
    std::size_t zeros = 0;
    std::vector<bool> active(code, false);
    for (std::size_t i = 0; i < xs.extent(0); ++i)
        for (std::size_t j = 0; j < code; ++j) {
            double a = b[j];
            for (std::size_t k = 0; k < pixels; ++k) a += xs(i, k) * w[k * code + j];
            a = a > 0 ? a : 0;
            sum += a;
            zeros += a == 0;
            if (a > 0) active[j] = true;
        }
    const double count = double(xs.extent(0) * code);
    r.mean_activity = sum / count;
    r.silent = double(zeros) / count;
    r.dead = std::size_t(std::count(active.begin(), active.end(), false));
}

// The hidden node's share of the gradient, checked: ∂L/∂W1 from the reverse
// sweep against central differences of L on the first 8 training digits with
// λ = 0.01, for every 17th entry of W1 (the encoder's weight, which gets both
// the reconstruction's and the penalty's gradient). Returns the largest
// relative difference.
double check_gradient(const images& xs, std::uint64_t seed) {
    lz::parameters params{loss};
    lz::nn::init::torch_default(encoder, params, seed);
    lz::nn::init::torch_default(decoder, params, seed);
    const lz::tensor_view<const double, lz::shape<lz::dyn, pixels>> batch(xs.data(), 8);
    const auto env = lz::at(params, x = batch, y = batch, lambda = 0.01);
    lz::workspace ws{loss};
    const auto [value, gradient] = lz::value_and_grad(loss, params, env, ws);
    const auto g = gradient.find("encoder.0.weight")->data;  // a view into ws: copied before ws is used again
    const std::vector<double> analytic(g.begin(), g.end());
    const auto w = params.find("encoder.0.weight")->data;
    double worst = 0;
    for (std::size_t i = 0; i < w.size(); i += 17) {
        const double saved = w[i], h = 1e-6;
        w[i] = saved + h;
        const double up = lz::eval(loss, env, ws);
        w[i] = saved - h;
        const double down = lz::eval(loss, env, ws);
        w[i] = saved;
        const double numeric = (up - down) / (2 * h);
        worst = std::max(worst, std::abs(analytic[i] - numeric) / std::max(1e-3, std::abs(numeric)));
    }
    (void)value;
    return worst;
}

// Trains with penalty weight λ from the initial weights of `seed` and
// measures on the test digits. The loop is what lz::train::fit runs (fit binds
// only the store and the data, not a run-time weight such as λ): shuffled
// mini-batches, lz::value_and_grad into one workspace, the optimizer's step.
result train(double l, const tr::dataset<double, lz::shape<pixels>, double, lz::shape<pixels>>& data, const images& test,
             std::uint64_t seed, std::size_t epochs) {
    lz::parameters params{loss};
    lz::nn::init::torch_default(encoder, params, seed);
    lz::nn::init::torch_default(decoder, params, seed);
    namespace opt = lz::optim;
    opt::optimizer<opt::adam<double>> adam{params, {.lr = 3e-3}};
    tr::batches loader(data, {.batch_size = 32, .shuffle = true, .seed = seed});
    lz::workspace ws{loss};
    std::printf("lambda = %g\n", l);
    for (std::size_t epoch = 0; epoch < epochs; ++epoch) {
        loader.start_epoch(epoch);
        double sum = 0;  // the epoch's loss, weighted by batch size (as fit reports it)
        for (std::size_t b = 0; b < loader.count(); ++b) {
            const auto [xb, yb, n] = loader[b];
            const auto [value, gradient] = lz::value_and_grad(loss, params, lz::at(params, x = xb, y = yb, lambda = l), ws);
            adam.step(params, gradient);
            sum += value * double(n);
        }
        if ((epoch + 1) % 10 == 0 || epoch + 1 == epochs) std::printf("  epoch %2zu/%zu  loss %.6f\n", epoch + 1, epochs, sum / double(data.size()));
    }

    result r;
    r.reconstructed = lz::eval(reconstruction, lz::at(params, x = test.view()));  // an owning tensor [N, 64]
    double se = 0;
    for (std::size_t i = 0; i < test.size(); ++i) se += (r.reconstructed.data()[i] - test.data()[i]) * (r.reconstructed.data()[i] - test.data()[i]);
    r.mse = se / double(test.size());
    hidden_activity(params, test, r);
    return r;
}

// Originals (top row) above the reconstructions of each run, one digit per
// column, gray levels as 8×8 squares.
bool write_svg(const std::string& path, const images& originals, const std::vector<std::size_t>& shown,
               const std::vector<std::pair<std::string, const images*>>& rows) {
    std::FILE* f = std::fopen(path.c_str(), "w");
    if (!f) return false;
    constexpr int cell = 4, gap = 6, left = 100, digit = 8 * cell;
    const int width = left + int(shown.size()) * (digit + gap), height = int(rows.size() + 1) * (digit + gap) + gap;
    std::fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", width, height);
    std::fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    std::vector<std::pair<std::string, const images*>> all{{"original", &originals}};
    all.insert(all.end(), rows.begin(), rows.end());
    for (std::size_t r = 0; r < all.size(); ++r) {
        const int top = gap + int(r) * (digit + gap);
        std::fprintf(f, "<text x=\"4\" y=\"%d\">%s</text>\n", top + digit / 2 + 4, all[r].first.c_str());
        for (std::size_t c = 0; c < shown.size(); ++c)
            for (std::size_t p = 0; p < pixels; ++p) {
                const double v = std::clamp((*all[r].second)(shown[c], p), 0.0, 1.0);
                const int gray = int(255.0 * (1.0 - v) + 0.5);  // ink is dark
                std::fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"rgb(%d,%d,%d)\"/>\n",
                             left + int(c) * (digit + gap) + int(p % 8) * cell, top + int(p / 8) * cell, cell, cell, gray, gray, gray);
            }
    }
    std::fprintf(f, "</svg>\n");
    return std::fclose(f) == 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string dir = argc > 1 ? argv[1] : LEIBNIZ_DATA_DIR;
    const std::string svg = argc > 2 ? argv[2] : "autoencoder.svg";
    const std::string path = dir + "/sklearn/digits.csv";
    if (!std::filesystem::exists(path)) {
        std::fprintf(stderr, "%s not found: run scripts/fetch-data\n", path.c_str());
        return 1;
    }
    const auto csv = lz::io::read_csv<double>(path, {.label = "64", .header = false});
    images all = lz::io::to_tensor<double, lz::shape<lz::dyn, pixels>>(csv.features, path);
    for (std::size_t i = 0; i < all.size(); ++i) all.data()[i] /= 16.0;  // pixels 0..16 → [0, 1]
    const std::vector<int> labels(csv.labels.begin(), csv.labels.end());

    constexpr std::uint64_t seed = 7;
    // 30 epochs; LEIBNIZ_AUTOENCODER_EPOCHS=n trains n (CTest sets 2 in the sanitizer build)
    const char* epochs_env = std::getenv("LEIBNIZ_AUTOENCODER_EPOCHS");
    const std::size_t epochs = epochs_env ? std::strtoul(epochs_env, nullptr, 10) : 30;
    if (epochs == 0) {
        std::fprintf(stderr, "LEIBNIZ_AUTOENCODER_EPOCHS must be a positive integer\n");
        return 1;
    }
    const tr::split_indices parts = tr::stratified_split(labels, {.test = 0.2, .seed = seed});
    const images train_x = tr::take_rows(all, parts.train), test_x = tr::take_rows(all, parts.test);
    const std::span<const double> flat(train_x.data(), train_x.size());
    const tr::dataset<double, lz::shape<pixels>, double, lz::shape<pixels>> data(flat, flat);  // features and targets: one view
    std::printf("digits: %zu images of 8x8, %zu to train, %zu held out; 64-16-64 relu/sigmoid, Adam 3e-3, batch 32, %zu epochs; seed %llu\n",
                all.extent(0), train_x.extent(0), test_x.extent(0), epochs, static_cast<unsigned long long>(seed));

    const double gradient_error = check_gradient(train_x, seed);
    std::printf("dL/dW1 (reconstruction + penalty) against central differences: max relative difference %.1e\n", gradient_error);
    if (!(gradient_error < 1e-5)) return 1;

    constexpr double penalty = 0.01;
    const result plain = train(0.0, data, test_x, seed, epochs);
    const result sparse = train(penalty, data, test_x, seed, epochs);

    // The baseline every autoencoder must beat: the training split's mean image.
    std::vector<double> mean_image(pixels, 0.0);
    for (std::size_t i = 0; i < train_x.extent(0); ++i)
        for (std::size_t p = 0; p < pixels; ++p) mean_image[p] += train_x(i, p) / double(train_x.extent(0));
    double baseline = 0;
    for (std::size_t i = 0; i < test_x.extent(0); ++i)
        for (std::size_t p = 0; p < pixels; ++p) baseline += (test_x(i, p) - mean_image[p]) * (test_x(i, p) - mean_image[p]);
    baseline /= double(test_x.size());

    std::printf("\non the %zu held-out digits  reconstruction mse  mean hidden activity  activations at 0  units never active\n",
                test_x.extent(0));
    std::printf("  the mean image            %.5f\n", baseline);
    for (const auto& [name, r] : {std::pair{0.0, &plain}, std::pair{penalty, &sparse}})
        std::printf("  lambda = %-5g            %.5f             %.4f                %4.1f%%            %2zu of %zu\n", name, r->mse,
                    r->mean_activity, 100 * r->silent, r->dead, code);

    // One held-out digit of each class, in order 0..9.
    const std::vector<int> test_labels = tr::take(labels, parts.test);
    std::vector<std::size_t> shown;
    for (int digit = 0; digit < 10; ++digit)
        for (std::size_t i = 0; i < test_labels.size(); ++i)
            if (test_labels[i] == digit) {
                shown.push_back(i);
                break;
            }
    char sparse_name[32];
    std::snprintf(sparse_name, sizeof sparse_name, "lambda = %g", penalty);
    if (!write_svg(svg, test_x, shown, {{"lambda = 0", &plain.reconstructed}, {sparse_name, &sparse.reconstructed}})) {
        std::fprintf(stderr, "cannot write %s\n", svg.c_str());
        return 1;
    }
    std::printf("wrote %s (originals, then the reconstructions of each run)\n", svg.c_str());
    return sparse.mean_activity < plain.mean_activity && plain.mse < baseline && sparse.mse < baseline ? 0 : 1;
}
