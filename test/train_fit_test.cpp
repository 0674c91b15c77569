// lz::train: data sets and batches, fit and its callbacks, evaluate and
// predict, checkpoints. Two networks only (each one is a heavy
// instantiation): a 2-4-1 sigmoid network in double (against PyTorch,
// test/ref/make_train_ref.py -> test/train/fit_ref.txt; allocation count;
// callbacks; checkpoints) and a float classifier with dropout (modes, integer
// labels, accuracy).

#define BOOST_TEST_MODULE train_fit
#include <boost/test/unit_test.hpp>

#include "counting_new.hpp"
#include "train_dir.hpp"

#include <leibniz/leibniz.hpp>
#include <leibniz/optim/optim.hpp>
#include <leibniz/train/train.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace lz = leibniz;
namespace opt = lz::optim;
namespace train = lz::train;
using namespace lz::literals;

namespace {

// ---- the double network: 2-4-1 sigmoid, mean squared error -----------------------------------
constexpr auto x = lz::var<"x", double, lz::shape<lz::dyn, 2>>;
constexpr auto y = lz::var<"y", double, lz::shape<lz::dyn, 1>>;
constexpr auto net = lz::nn::sequential(lz::nn::dense<2, 4>, lz::nn::sigmoid, lz::nn::dense<4, 1>, lz::nn::sigmoid);
constexpr auto loss = lz::mean(lz::pow(net(x) - y, 2_c));
constexpr auto model = train::model(x, y, loss, loss, net(x, lz::nn::evaluation));
using store = lz::parameters<lz::params_of<decltype(loss)>>;
using data2 = train::dataset<double, lz::shape<2>, double, lz::shape<1>>;

// The data and initial weights of make_train_ref.py.
struct xor_like {
    std::vector<double> xs, ys;
    explicit xor_like(std::size_t n, double phase = 1.0) {
        for (std::size_t i = 0; i < n; ++i) {
            const double a = std::sin(phase + double(i)), b = std::cos(0.5 * double(i));
            xs.push_back(a), xs.push_back(b);
            ys.push_back((a > 0) != (b > 0) ? 1.0 : 0.0);
        }
    }
};
template <class Store>
void set_reference_weights(Store& p, const char* second = "2") {
    auto w0 = p.find("0.weight")->data;  // ours [in, out]
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t o = 0; o < 4; ++o) w0[i * 4 + o] = 0.5 * std::sin(3.0 + 2.0 * double(i) + 5.0 * double(o));
    auto b0 = p.find("0.bias")->data;
    for (std::size_t o = 0; o < 4; ++o) b0[o] = 0.1 * std::cos(double(o));
    auto w2 = p.find(std::string(second) + ".weight")->data;
    for (std::size_t i = 0; i < 4; ++i) w2[i] = 0.5 * std::sin(1.0 + 3.0 * double(i));
    p.find(std::string(second) + ".bias")->data[0] = 0.05;
}

std::map<std::string, std::vector<double>> read_ref(const std::string& path) {
    std::ifstream in(path);
    BOOST_REQUIRE_MESSAGE(in, "cannot open " << path);
    std::map<std::string, std::vector<double>> r;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream s(line);
        std::string kind, name;
        s >> kind;
        if (kind.ends_with("epoch_loss") || kind.ends_with("param")) s >> name;
        std::vector<double> v;
        double d;
        while (s >> d) v.push_back(d);
        r[kind + (name.empty() ? "" : " " + name)] = v;
    }
    return r;
}

std::string temp_dir() {
    std::string t = (std::filesystem::temp_directory_path() / "leibniz_train_XXXXXX").string();
    BOOST_REQUIRE(::mkdtemp(t.data()) != nullptr);
    return t;
}
std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}
std::string read_stream(std::FILE* f) {
    std::rewind(f);
    std::string s;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
    return s;
}
template <class Opt>
std::vector<std::vector<unsigned char>> state_bytes(Opt& o) {
    std::vector<std::vector<unsigned char>> r;
    o.for_each_state([&](std::string_view, auto span) {
        const auto* p = reinterpret_cast<const unsigned char*>(span.data());
        r.emplace_back(p, p + span.size_bytes());
    });
    return r;
}
bool same_bits(std::span<const double> a, std::span<const double> b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size_bytes()) == 0;
}

}  // namespace

// ---- data sets and batches ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(batches_cover_every_sample_once) {
    std::vector<float> xs(10 * 3);
    std::vector<std::int32_t> ys(10);
    for (std::size_t i = 0; i < xs.size(); ++i) xs[i] = float(i);
    for (std::size_t i = 0; i < 10; ++i) ys[i] = std::int32_t(i);
    using D = train::dataset<float, lz::shape<3>>;
    const D data(xs, ys);
    BOOST_TEST(data.size() == 10u);
    BOOST_TEST(!data.owns());

    // in order: views of the caller's memory; the last batch is partial (dyn extent 2)
    train::batches<D> in_order(data, {.batch_size = 4, .shuffle = false});
    BOOST_TEST(in_order.count() == 3u);
    BOOST_TEST(in_order[0].x.data() == xs.data());
    BOOST_TEST(in_order[2].size == 2u);
    BOOST_TEST(in_order[2].x.extent(0) == 2u);
    BOOST_TEST(in_order[2].y(1) == 9);
    BOOST_CHECK_THROW((void)in_order[3], std::out_of_range);
    train::batches<D> dropping(data, {.batch_size = 4, .shuffle = false, .drop_last = true});
    BOOST_TEST(dropping.count() == 2u);

    // shuffled: a permutation, the same for the same seed and epoch, another for another epoch;
    // the rows are copied into one buffer: no allocation per epoch or batch
    train::batches<D> a(data, {.batch_size = 4, .seed = 7}), b(data, {.batch_size = 4, .seed = 7});
    std::vector<std::size_t> seen;
    const long news = counting_new::allocations_in([&] {
        a.start_epoch(3);
        for (std::size_t k = 0; k < a.count(); ++k) {
            const auto bt = a[k];
            for (std::size_t r = 0; r < bt.size; ++r) {
                const std::size_t i = a.order()[k * 4 + r];
                BOOST_TEST(bt.y(r) == std::int32_t(i));
                BOOST_TEST(bt.x(r, 2) == float(3 * i + 2));
            }
        }
    });
    BOOST_TEST(news == 0);
    seen.assign(a.order().begin(), a.order().end());
    std::vector<std::size_t> sorted = seen;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < 10; ++i) BOOST_TEST(sorted[i] == i);
    b.start_epoch(3);
    BOOST_TEST(std::equal(seen.begin(), seen.end(), b.order().begin()));
    b.start_epoch(4);
    BOOST_TEST(!std::equal(seen.begin(), seen.end(), b.order().begin()));
    // every position equally likely: over 2000 epochs each sample lands in slot 0 about 200 times
    std::vector<int> first(10, 0);
    for (std::uint64_t e = 0; e < 2000; ++e) {
        b.start_epoch(e);
        ++first[b.order()[0]];
    }
    for (int c : first) BOOST_TEST((c > 140 && c < 260), "slot 0 count " << c);

    // owned data; misuse
    const D owned{std::vector<float>(xs), std::vector<std::int32_t>(ys)};
    BOOST_TEST(owned.owns());
    BOOST_TEST(owned.features().data() != xs.data());
    std::vector<std::int32_t> short_labels(9);
    BOOST_CHECK_THROW(D(xs, short_labels), std::invalid_argument);
    BOOST_CHECK_THROW(train::batches<D>(data, {.batch_size = 0}), std::invalid_argument);
}

// ---- fit against PyTorch: in-order batches of 4, 4 and 2, SGD with momentum ---------------------

BOOST_AUTO_TEST_CASE(fit_matches_pytorch) {
    const auto ref = read_ref(LEIBNIZ_TRAIN_DIR "/fit_ref.txt");
    const xor_like d(10);
    const data2 data(d.xs, d.ys);
    store params{loss};
    set_reference_weights(params);
    opt::optimizer<opt::sgd<double>> sgd{params, {.lr = 0.5, .momentum = 0.9}};
    const auto h = train::fit(model, params, sgd, data,
                              {.epochs = 3, .batch_size = 4, .shuffle = false, .verbose = train::verbosity::quiet,
                               .out = std::tmpfile()});
    BOOST_REQUIRE(h.epochs.size() == 3u);
    BOOST_TEST(h.steps == 9u);
    double worst = 0;
    for (std::size_t e = 0; e < 3; ++e)
        worst = std::max(worst, std::abs(h.epochs[e].loss - ref.at("epoch_loss " + std::to_string(e))[0]));
    params.for_each([&](auto leaf, auto&& v) {
        using L = decltype(leaf);
        const auto& want = ref.at("param " + std::string(L::name.view()));
        std::vector<double> theirs(want.size());
        lz::nn::torch_layout<L>::to_torch(v.data(), theirs.data());
        for (std::size_t i = 0; i < want.size(); ++i) worst = std::max(worst, std::abs(theirs[i] - want[i]));
    });
    const auto ev = train::evaluate(model, params, data, 3);  // batches of 3, 3, 3 and 1: the mean over samples
    worst = std::max(worst, std::abs(ev.loss - ref.at("eval_loss")[0]));
    const auto p = train::predict(model, params, data.all_features(), 4);
    BOOST_TEST(p.extent(0) == 10u);
    for (std::size_t i = 0; i < 10; ++i) worst = std::max(worst, std::abs(p(i, 0) - ref.at("pred")[i]));
    BOOST_TEST_MESSAGE("fit vs PyTorch: worst abs difference " << worst);
    BOOST_TEST(worst < 1e-12);
    BOOST_TEST(ev.samples == 10u);
    // metric::mae and metric::mse: PyTorch's predictions against the targets
    double mae = 0, mse = 0;
    for (std::size_t i = 0; i < 10; ++i) {
        const double e = ref.at("pred")[i] - d.ys[i];
        mae += std::abs(e) / 10, mse += e * e / 10;
    }
    BOOST_TEST(std::abs(train::evaluate(model, params, data, 3, train::metric::mae).metric - mae) < 1e-12);
    BOOST_TEST(std::abs(train::evaluate(model, params, data, 4, train::metric::mse).metric - mse) < 1e-12);
}

// ---- batch norm: running statistics folded in by fit, used by evaluate (against PyTorch) ---------

BOOST_AUTO_TEST_CASE(fit_with_batch_norm_matches_pytorch) {
    const auto ref = read_ref(LEIBNIZ_TRAIN_DIR "/fit_ref.txt");
    constexpr auto bn_net = lz::nn::sequential(lz::nn::dense<2, 4>, lz::nn::batch_norm1d<4>, lz::nn::sigmoid,
                                               lz::nn::dense<4, 1>, lz::nn::sigmoid);
    constexpr auto bn_loss = lz::mean(lz::pow(bn_net(x) - y, 2_c));
    constexpr auto bn_out = bn_net(x, lz::nn::evaluation);
    constexpr auto bn_model = train::model(x, y, bn_loss, lz::mean(lz::pow(bn_out - y, 2_c)), bn_out, bn_net.running_stats(x));
    const xor_like d(10);
    const data2 data(d.xs, d.ys);
    lz::parameters params{bn_loss};
    lz::buffers buffers{bn_out};
    lz::nn::init::torch_default(bn_net, params, 1);  // batch norm: weight 1, bias 0
    lz::nn::init::torch_default(bn_net, buffers);     // running mean 0, variance 1
    set_reference_weights(params, "3");
    opt::optimizer<opt::sgd<double>> sgd{params, {.lr = 0.5, .momentum = 0.9}};
    train::stores both{params, buffers};
    const auto h = train::fit(bn_model, both, sgd, data,
                              {.epochs = 3, .batch_size = 4, .shuffle = false, .verbose = train::verbosity::quiet,
                               .out = std::tmpfile()});
    double worst = 0;
    for (std::size_t e = 0; e < 3; ++e)
        worst = std::max(worst, std::abs(h.epochs[e].loss - ref.at("bn_epoch_loss " + std::to_string(e))[0]));
    const auto compare = [&](auto leaf, auto&& v) {
        using L = decltype(leaf);
        const auto& want = ref.at("bn_param " + std::string(L::name.view()));
        std::vector<double> theirs(want.size());
        lz::nn::torch_layout<L>::to_torch(v.data(), theirs.data());
        for (std::size_t i = 0; i < want.size(); ++i) worst = std::max(worst, std::abs(theirs[i] - want[i]));
    };
    params.for_each(compare);
    buffers.for_each(compare);  // the running statistics
    const auto ev = train::evaluate(bn_model, train::stores{params, buffers}, data, 3);  // evaluation mode
    worst = std::max(worst, std::abs(ev.loss - ref.at("bn_eval_loss")[0]));
    const auto p = train::predict(bn_model, train::stores{params, buffers}, data.all_features());
    for (std::size_t i = 0; i < 10; ++i) worst = std::max(worst, std::abs(p(i, 0) - ref.at("bn_pred")[i]));
    BOOST_TEST_MESSAGE("fit with batch norm vs PyTorch: worst abs difference " << worst);
    BOOST_TEST(worst < 1e-12);
}

// ---- the step allocates nothing; callbacks ---------------------------------------------------------

namespace {
// Counts the allocations of epochs >= 1, whole: the steps, the validation pass, the callbacks.
struct allocation_counter {
    long news = 0, start = 0, steps = 0;
    template <class C>
    void on_epoch_begin(C&) { start = counting_new::count.news(); }
    template <class C>
    void on_batch_end(C& c) {
        if (c.state.epoch >= 1) ++steps;
    }
    template <class C>
    void on_epoch_end(C& c) {
        if (c.state.epoch >= 1) news += counting_new::count.news() - start;
    }
};
struct weights_at_epoch {
    std::size_t epoch;
    std::vector<double> w;
    template <class C>
    void on_epoch_end(C& c) {
        if (c.state.epoch == epoch) w.assign(c.params.flat().begin(), c.params.flat().end());
    }
};
}  // namespace

BOOST_AUTO_TEST_CASE(fit_step_allocates_nothing_and_callbacks_run) {
    const xor_like d(40), v(12, 2.0);
    const data2 data(d.xs, d.ys), validation(v.xs, v.ys);
    store params{loss};
    lz::nn::init::torch_default(net, params, 5);
    opt::optimizer<opt::adam<double>> adam{params, {.lr = 0.05}};
    const std::string dir = temp_dir();
    allocation_counter counter;
    train::csv_logger log(dir + "/log.csv");
    std::FILE* out = std::tmpfile();
    const auto h = train::fit(model, params, adam, data, validation,
                              {.epochs = 4, .batch_size = 8, .seed = 3, .verbose = train::verbosity::lines, .out = out},
                              log, counter);  // after the log: its line is counted (the progress line comes after every callback)
    BOOST_TEST(counter.steps == 15);  // 3 epochs of 5 batches
    BOOST_TEST(counter.news == 0);  // 3 epochs: 15 steps, 3 validation passes, 3 CSV lines
    BOOST_TEST(h.epochs.size() == 4u);
    BOOST_TEST(h.epochs[3].loss < h.epochs[0].loss);
    BOOST_TEST(!std::isnan(h.epochs[3].val_loss));
    BOOST_TEST((h.epochs[3].val_metric >= 0 && h.epochs[3].val_metric <= 1));
    // evaluate agrees with what fit logged for the validation set after the last epoch
    const auto ev = train::evaluate(model, params, validation, 5);
    BOOST_TEST(std::abs(ev.loss - h.epochs[3].val_loss) < 1e-14);
    BOOST_TEST(ev.metric == h.epochs[3].val_metric);

    const std::string lines = read_stream(out);
    BOOST_TEST_MESSAGE("lines:\n" << lines);
    BOOST_TEST(lines.find("epoch 1/4  loss ") == 0u);
    BOOST_TEST(lines.find("val_accuracy") != std::string::npos);
    BOOST_TEST(std::count(lines.begin(), lines.end(), '\n') == 4);
    BOOST_TEST(lines.find('\r') == std::string::npos);
    const std::string csv = read_text(dir + "/log.csv");
    BOOST_TEST(csv.find("epoch,loss,val_loss,val_accuracy,lr,seconds\n0,") == 0u);
    BOOST_TEST(std::count(csv.begin(), csv.end(), '\n') == 5);

    // the bar: redrawn in place with \r, then one line per epoch; quiet: one final line
    std::FILE* bar_out = std::tmpfile();
    (void)train::fit(model, params, adam, data, {.epochs = 2, .batch_size = 8, .verbose = train::verbosity::bar, .out = bar_out});
    const std::string bar = read_stream(bar_out);
    BOOST_TEST(bar.find("\r\033[Kepoch 1/2 [") != std::string::npos);
    BOOST_TEST(bar.find("samples/s") != std::string::npos);
    BOOST_TEST(bar.find(" left") != std::string::npos);
    std::FILE* quiet_out = std::tmpfile();
    (void)train::fit(model, params, adam, data, {.epochs = 2, .batch_size = 8, .verbose = train::verbosity::quiet, .out = quiet_out});
    const std::string quiet = read_stream(quiet_out);
    BOOST_TEST(quiet.find("trained to epoch 2/2 in ") == 0u);
    BOOST_TEST(std::count(quiet.begin(), quiet.end(), '\n') == 1);
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(early_stopping_and_reduce_on_plateau) {
    const xor_like d(16), v(8, 2.0);
    const data2 data(d.xs, d.ys), validation(v.xs, v.ys);
    store params{loss};
    lz::nn::init::torch_default(net, params, 9);
    // no epoch improves on the first by 1.0: stop after `patience` more, back to epoch 0's weights
    weights_at_epoch first{0, {}};
    train::early_stopping stop({.patience = 2, .min_delta = 1.0, .restore_best_weights = true});
    // an abs threshold of 1.0: every epoch after the first is bad; patience 0 halves the lr each time
    opt::optimizer<opt::sgd<double>, opt::schedule::reduce_on_plateau> sgd{
        params, {.lr = 0.4}, {.factor = 0.5, .patience = 0, .threshold = 1.0, .threshold_mode = opt::schedule::threshold_kind::abs}};
    const auto h = train::fit(model, params, sgd, data, validation,
                              {.epochs = 10, .batch_size = 4, .verbose = train::verbosity::quiet, .out = std::tmpfile()},
                              first, stop);
    BOOST_TEST(h.epochs.size() == 3u);
    BOOST_TEST(h.stopped_early);
    BOOST_TEST(stop.stopped());
    BOOST_TEST(stop.best_epoch() == 0u);
    BOOST_TEST(same_bits(params.flat(), first.w));
    // PyTorch's ReduceLROnPlateau: epoch 0 sets best; epochs 1 and 2 are bad, each > patience 0: lr 0.4, 0.2, 0.1
    BOOST_TEST(h.epochs[0].lr == 0.4);
    BOOST_TEST(h.epochs[1].lr == 0.2);
    BOOST_TEST(h.epochs[2].lr == 0.1);
}

// ---- the float classifier: dropout in training, none in evaluation; integer labels --------------

BOOST_AUTO_TEST_CASE(float_classifier_with_dropout) {
    constexpr auto xf = lz::var<"x", float, lz::shape<lz::dyn, 2>>;
    constexpr auto label = lz::var<"y", std::int32_t, lz::shape<lz::dyn>>;
    constexpr auto clf = lz::nn::sequential(lz::nn::dense<2, 16>, lz::nn::relu, lz::nn::dropout(0.25_c), lz::nn::dense<16, 3>);
    constexpr auto ce = -lz::mean(lz::pick(lz::log_softmax(clf(xf)), label));
    constexpr auto ce_eval = -lz::mean(lz::pick(lz::log_softmax(clf(xf, lz::nn::evaluation)), label));
    constexpr auto m = train::model(xf, label, ce, ce_eval, clf(xf, lz::nn::evaluation));
    // three clusters around the corners of a triangle
    std::vector<float> xs;
    std::vector<std::int32_t> ys;
    for (std::size_t i = 0; i < 60; ++i) {
        const std::int32_t c = std::int32_t(i % 3);
        const float a = 2.0944f * float(c);
        xs.push_back(2 * std::cos(a) + 0.3f * std::sin(float(7 * i))), xs.push_back(2 * std::sin(a) + 0.3f * std::cos(float(5 * i)));
        ys.push_back(c);
    }
    const train::dataset<float, lz::shape<2>> data(xs, ys);
    lz::parameters params{ce};
    lz::nn::init::torch_default(clf, params, 1);
    opt::optimizer<opt::adam<float>> adam{params, {.lr = 0.05f}};
    const auto h = train::fit(m, params, adam, data, data,
                              {.epochs = 20, .batch_size = 16, .seed = 2, .verbose = train::verbosity::quiet, .out = std::tmpfile()});
    BOOST_TEST(h.epochs.back().val_metric >= 0.95);
    // evaluation mode has no dropout: evaluate is deterministic and matches predict's argmax
    const auto e1 = train::evaluate(m, params, data, 7), e2 = train::evaluate(m, params, data, 60);
    BOOST_CHECK_THROW((void)train::evaluate(m, params, data, 7, train::metric::mae), std::invalid_argument);  // labels, not targets
    BOOST_TEST(std::abs(e1.loss - e2.loss) < 1e-5);
    const auto p = train::predict(m, params, data.all_features());
    std::size_t hits = 0;
    for (std::size_t i = 0; i < 60; ++i) {
        std::size_t best = 0;
        for (std::size_t k = 1; k < 3; ++k)
            if (p(i, k) > p(i, best)) best = k;
        hits += best == std::size_t(ys[i]);
    }
    BOOST_TEST(e1.metric == double(hits) / 60.0);
    // training mode draws a new mask each step: two runs from the same start differ when the seed differs
    lz::parameters p1{ce}, p2{ce};
    lz::nn::init::torch_default(clf, p1, 1), lz::nn::init::torch_default(clf, p2, 1);
    opt::optimizer<opt::adam<float>> a1{p1, {.lr = 0.05f}}, a2{p2, {.lr = 0.05f}};
    (void)train::fit(m, p1, a1, data, {.epochs = 1, .batch_size = 60, .shuffle = false, .seed = 1, .verbose = train::verbosity::quiet, .out = std::tmpfile()});
    (void)train::fit(m, p2, a2, data, {.epochs = 1, .batch_size = 60, .shuffle = false, .seed = 2, .verbose = train::verbosity::quiet, .out = std::tmpfile()});
    BOOST_TEST(std::memcmp(p1.flat().data(), p2.flat().data(), p1.flat().size_bytes()) != 0);
}

// ---- checkpoints --------------------------------------------------------------------------------

namespace {
using plateau_adam = opt::optimizer<opt::adam<double>, opt::schedule::reduce_on_plateau>;
plateau_adam make_optimizer(store& p) {
    return plateau_adam{p, {.lr = 0.05}, {.factor = 0.5, .patience = 1, .threshold = 0.05}};
}
const train::fit_options run{.epochs = 6, .batch_size = 8, .seed = 11, .verbose = train::verbosity::quiet};
}  // namespace

BOOST_AUTO_TEST_CASE(resuming_reproduces_the_run_bit_for_bit) {
    const xor_like d(30), v(10, 2.0);
    const data2 data(d.xs, d.ys), validation(v.xs, v.ys);
    const std::string dir = temp_dir(), path = dir + "/run.ckpt";

    store whole{loss};
    lz::nn::init::torch_default(net, whole, 4);
    auto whole_opt = make_optimizer(whole);
    auto o = run;
    o.out = std::tmpfile();
    const auto h_whole = train::fit(model, whole, whole_opt, data, validation, o);

    store first{loss};
    lz::nn::init::torch_default(net, first, 4);
    auto first_opt = make_optimizer(first);
    o.epochs = 3;
    train::model_checkpoint every_epoch(path);  // Keras's ModelCheckpoint: the last one holds epoch 3
    const auto h_first = train::fit(model, first, first_opt, data, validation, o, every_epoch);

    store resumed{loss};  // fresh objects: zero weights, a new optimizer
    auto resumed_opt = make_optimizer(resumed);
    const auto info = train::load_checkpoint(path, resumed, resumed_opt);
    BOOST_TEST(info.epoch == 3u);
    BOOST_TEST(info.step == h_first.steps);
    BOOST_TEST(info.seed == 11u);
    o.epochs = 6;
    o.initial_epoch = info.epoch;
    o.seed = info.seed;
    const auto h_rest = train::fit(model, resumed, resumed_opt, data, validation, o);

    BOOST_TEST(same_bits(resumed.flat(), whole.flat()));
    BOOST_TEST((state_bytes(resumed_opt) == state_bytes(whole_opt)));
    BOOST_TEST(resumed_opt.steps() == whole_opt.steps());
    BOOST_TEST(resumed_opt.lr() == whole_opt.lr());
    BOOST_TEST(whole_opt.lr() < 0.05);  // the plateau schedule did reduce: its state was resumed, not rebuilt
    BOOST_REQUIRE(h_rest.epochs.size() == 3u);
    for (std::size_t e = 0; e < 3; ++e) {
        BOOST_TEST(std::memcmp(&h_rest.epochs[e].loss, &h_whole.epochs[3 + e].loss, sizeof(double)) == 0);
        BOOST_TEST(std::memcmp(&h_rest.epochs[e].val_loss, &h_whole.epochs[3 + e].val_loss, sizeof(double)) == 0);
    }
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(sigkill_during_a_write_leaves_the_previous_checkpoint) {
    const std::string dir = temp_dir(), path = dir + "/live.ckpt";
    store params{loss};
    lz::nn::init::torch_default(net, params, 2);
    auto adam = make_optimizer(params);
    train::save_checkpoint(path, params, adam, {.epoch = 0, .step = 0, .seed = 1});
    std::mt19937 rng(2026);
    int mid_write = 0;
    constexpr int kills = 6;
    for (int k = 0; k < kills; ++k) {
        std::fflush(nullptr);
        const pid_t child = ::fork();
        BOOST_REQUIRE(child >= 0);
        if (child == 0) {  // writes checkpoints as fast as it can until killed
            for (std::uint64_t n = 1;; ++n) {
                params.flat()[0] = double(n);
                train::save_checkpoint(path, params, adam, {.epoch = n, .step = n, .seed = 1});
            }
        }
        ::usleep(useconds_t(std::uniform_int_distribution<int>(2000, 30000)(rng)));
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        BOOST_TEST(WIFSIGNALED(status));
        for (const auto& f : std::filesystem::directory_iterator(dir))
            if (f.path().filename().string().find(".tmp.") != std::string::npos) {
                ++mid_write;  // killed between mkstemp and rename
                std::filesystem::remove(f.path());
            }
        store loaded{loss};
        auto loaded_opt = make_optimizer(loaded);
        train::checkpoint_info info;
        BOOST_CHECK_NO_THROW(info = train::load_checkpoint(path, loaded, loaded_opt));
        BOOST_TEST(loaded.flat()[0] == double(info.epoch == 0 ? params.flat()[0] : double(info.epoch)));
    }
    BOOST_TEST_MESSAGE(kills << " kills, " << mid_write << " of them during a write (a temporary file was left)");
    std::filesystem::remove_all(dir);
}

// A fitted scaler saved with the checkpoint (lz::train::state): a fresh,
// unfitted one loaded from it transforms as the original; a checkpoint without
// it, or with a damaged one, is refused naming the state, changing nothing.
BOOST_AUTO_TEST_CASE(preprocessing_state_travels_with_the_checkpoint) {
    const std::string dir = temp_dir(), path = dir + "/scaled.ckpt";
    store params{loss};
    lz::nn::init::torch_default(net, params, 2);
    auto adam = make_optimizer(params);
    lz::tensor<double, lz::shape<lz::dyn, 2>> xs(4), out(4), again(4);
    for (std::size_t i = 0; i < 8; ++i) xs.data()[i] = 0.5 * double(i * i) - 3.0 + double(i % 2);
    train::standard_scaler<double> scaler;
    scaler.fit(xs);
    train::save_checkpoint(path, params, adam, {.epoch = 1, .step = 2, .seed = 3}, train::state("scaler", scaler));

    store fresh{loss};
    auto fresh_opt = make_optimizer(fresh);
    train::standard_scaler<double> loaded;
    (void)train::load_checkpoint(path, fresh, fresh_opt, train::state("scaler", loaded));
    BOOST_TEST(same_bits(fresh.flat(), params.flat()));
    scaler.transform(xs, out);
    loaded.transform(xs, again);
    BOOST_TEST(same_bits(std::span<const double>(out.data(), 8), std::span<const double>(again.data(), 8)));

    const auto refused = [&](const std::string& file, auto&& state_arg, const std::string& reason) {
        store other{loss};
        std::vector<double> before(other.flat().begin(), other.flat().end());
        auto other_opt = make_optimizer(other);
        try {
            (void)train::load_checkpoint(file, other, other_opt, state_arg);
            BOOST_ERROR("loaded; expected: " << reason);
        } catch (const lz::io_error& e) {
            BOOST_TEST(std::string(e.what()).find(reason) != std::string::npos, e.what());
            BOOST_TEST(std::string(e.what()).find(file) != std::string::npos, e.what());
        }
        BOOST_TEST(same_bits(other.flat(), before));
    };
    train::standard_scaler<double> unfitted;
    train::save_checkpoint(dir + "/plain.ckpt", params, adam, {});
    refused(dir + "/plain.ckpt", train::state("scaler", unfitted), "state 'scaler'");
    BOOST_TEST(!unfitted.fitted());
    // a state of the wrong kind: a min-max scaler's tensors are not a standard scaler's
    train::min_max_scaler<double> minmax;
    minmax.fit(xs);
    train::save_checkpoint(dir + "/minmax.ckpt", params, adam, {}, train::state("scaler", minmax));
    refused(dir + "/minmax.ckpt", train::state("scaler", unfitted), "state 'scaler'");
    BOOST_TEST(!unfitted.fitted());
    // a checkpoint holding a state nobody asked for is refused too (names are checked)
    refused(path, train::state("other", unfitted), "state 'other'");
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_bad_checkpoint_is_refused_naming_file_and_reason) {
    const std::string dir = temp_dir(), path = dir + "/good.ckpt";
    store params{loss};
    lz::nn::init::torch_default(net, params, 2);
    auto adam = make_optimizer(params);
    train::save_checkpoint(path, params, adam, {.epoch = 1, .step = 2, .seed = 3});
    const std::string good = read_text(path);
    const auto refused = [&](const std::string& bytes, const std::string& reason) {
        const std::string bad = dir + "/bad.ckpt";
        std::ofstream(bad, std::ios::binary) << bytes;
        store fresh{loss};
        std::vector<double> before(fresh.flat().begin(), fresh.flat().end());
        auto fresh_opt = make_optimizer(fresh);
        try {
            (void)train::load_checkpoint(bad, fresh, fresh_opt);
            BOOST_ERROR("loaded a bad checkpoint; expected: " << reason);
        } catch (const lz::io_error& e) {
            const std::string what = e.what();
            BOOST_TEST_MESSAGE(what);
            BOOST_TEST(what.find(bad) != std::string::npos, what);
            BOOST_TEST(what.find(reason) != std::string::npos, what << " (expected: " << reason << ")");
        }
        BOOST_TEST(same_bits(fresh.flat(), before));  // a refused file changes nothing
    };
    // the checksum: python3 -c "import zlib; ..." agrees (the value is zlib.crc32 of the file with the digits zeroed)
    std::string flipped = good;
    flipped[flipped.size() - 3] ^= 0x10;
    refused(flipped, "checksum mismatch");
    refused(good.substr(0, good.size() - 5), "truncated");
    refused(good.substr(0, 5), "not a checkpoint");
    // another optimizer: its state is missing from the file (checked by name)
    {
        store fresh{loss};
        opt::optimizer<opt::sgd<double>> sgd{fresh, {.lr = 0.1, .momentum = 0.9}};
        try {
            (void)train::load_checkpoint(path, fresh, sgd);
            BOOST_ERROR("loaded Adam's checkpoint into SGD");
        } catch (const lz::io_error& e) {
            BOOST_TEST(std::string(e.what()).find("optim/momentum_buffer") != std::string::npos, e.what());
        }
    }
    // another model: names and shapes are checked
    {
        constexpr auto w = lz::param<"param_probe", double, lz::shape<3>>;
        constexpr auto f = lz::sum(w * w);
        lz::parameters other{f};
        opt::optimizer<opt::adam<double>> o2{other, {}};
        train::save_checkpoint(dir + "/other.ckpt", other, o2, {});
        store fresh{loss};
        auto fresh_opt = make_optimizer(fresh);
        try {
            (void)train::load_checkpoint(dir + "/other.ckpt", fresh, fresh_opt);
            BOOST_ERROR("loaded another model's checkpoint");
        } catch (const lz::io_error& e) {
            BOOST_TEST(std::string(e.what()).find("param/0.weight") != std::string::npos, e.what());
        }
    }
    // a tensor of another shape or dtype, in a file whose length and checksum are right
    {
        const auto resealed = [&](const lz::io::tensor_set& set) {
            auto bytes = lz::io::safetensors_bytes(set);
            std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
            char length[17];
            std::snprintf(length, sizeof length, "%016llx", static_cast<unsigned long long>(text.size()));
            text.replace(text.find("bytes:") + 6, 16, length);
            text.replace(text.find("crc32:") + 6, 8, "00000000");
            const auto crc = train::detail::crc32(std::as_bytes(std::span<const char>(text.data(), text.size())));
            char digits[9];
            std::snprintf(digits, sizeof digits, "%08x", crc);
            text.replace(text.find("crc32:") + 6, 8, digits);
            return text;
        };
        lz::io::tensor_set transposed = lz::io::read_safetensors(path);
        lz::io::stored_tensor w = transposed.at("param/0.weight");
        w.shape = {4, 2};
        transposed.set_stored("param/0.weight", w);
        refused(resealed(transposed), "shape [4, 2] in the file, expected [2, 4]");
        lz::io::tensor_set single = lz::io::read_safetensors(path);
        const auto b = single.get<double>("param/0.bias");
        single.set("param/0.bias", std::span<const double>(b.data), b.shape, lz::io::dtype::f32);
        refused(resealed(single), "dtype F32, expected F64");
    }
    // the checksum is zlib's crc32 over the whole file with its 8 digits read as zeros
    {
        std::string zeroed = good;
        const auto at = zeroed.find("crc32:") + 6;
        const std::string digits = zeroed.substr(at, 8);
        zeroed.replace(at, 8, "00000000");
        std::uint32_t c = 0xFFFFFFFFu;  // the textbook bitwise CRC-32, independent of the table
        for (unsigned char ch : zeroed) {
            c ^= ch;
            for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
        }
        char want[9];
        std::snprintf(want, sizeof want, "%08x", ~c);
        BOOST_TEST(digits == std::string(want));
        BOOST_TEST(train::detail::crc32(std::as_bytes(std::span<const char>("123456789", 9))) == 0xCBF43926u);  // CRC-32's check value
    }
    std::filesystem::remove_all(dir);
}
