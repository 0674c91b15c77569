// The losses of lz::loss (include/leibniz/loss/) against PyTorch 1.13:
// test/ref/make_nn_ref.py wrote test/nn/nn_losses.txt, every loss with each
// option and reduction (mean, sum, none; kl_div's batchmean) at a batch of 3,
// and reduction mean at a batch of 6 too, in float64 and float32: the value,
// and the gradient with respect to the inputs (of sum(loss ⊙ upstream) when
// unreduced). This test reads the subset its compile budget allows (each
// gradient is a heavy instantiation; check_all's flags below say which);
// one dyn batch extent serves both batches. Agreement: 1e-10 relative in
// double, 1e-5 in float (nn/nn_ref.hpp says how it is measured). Inputs
// include ±50 and ±1e4 for bce_with_logits and cross-entropy (finite
// everywhere), p = 0 and 1 for bce (PyTorch's clamped logs).
// Also: the fused softmax cross-entropy against log_softmax-then-pick, its
// tangent (jvp) against ⟨grad, v⟩, finite differences, no allocation per
// step with a workspace, and the notes' sparse autoencoder (an L1 penalty on
// a hidden activation added to the reconstruction loss).
//
// loss_rest_test.cpp compiles this file again with LEIBNIZ_LOSS_TEST_REST:
// then it reads, in double, every record this part leaves out — the
// gradients of the value-only cases, reduction sum with its gradients, the
// unreduced gradients, and the option values of no case here (huber δ = 0.5,
// hinge and hinge_embedding margin 0.5, bce_with_logits with a weight) — so
// that the two together check every double record of nn_losses.txt, each
// within the compile budget of one test.
// nn_float_test.cpp compiles it with LEIBNIZ_NN_FLOAT_TEST: every float
// record this part leaves out (all but in_float's at mean), with gradients.
#if defined(LEIBNIZ_LOSS_TEST_REST)
#define BOOST_TEST_MODULE loss_rest
#elif defined(LEIBNIZ_NN_FLOAT_TEST)
#define BOOST_TEST_MODULE nn_float
#else
#define BOOST_TEST_MODULE loss
#endif
#include "nn/nn_ref.hpp"

#if !defined(LEIBNIZ_LOSS_TEST_REST) && !defined(LEIBNIZ_NN_FLOAT_TEST)
#include "counting_new.hpp"
#endif

#include <leibniz/loss/losses.hpp>

#include <random>

namespace {

using namespace lz::literals;
namespace L = lz::loss;
constexpr auto dyn = lz::dyn;

const std::map<std::string, nnref::record>& cases() {
    static const auto all = nnref::read_file("nn_losses.txt");
    return all;
}

// Runs body(reduction option, its name) for mean, sum and none.
template <class Body>
void each_reduction(Body body) {
    body(L::reduction::mean, std::string("mean"));
    body(L::reduction::sum, std::string("sum"));
    body(L::reduction::none, std::string("none"));
}

// What each case instantiates (each gradient is a heavy instantiation, and
// the test's compile time is budgeted): in double, the value and gradients
// at reduction mean, the value at sum; at none, with none_grads only, the
// value and the gradients through sum(loss ⊙ upstream); values_only: the
// value alone at mean (a second literal option value of a loss whose
// gradient another case checks); no_sum: no case at reduction sum (an
// elementwise loss whose mean is checked: its sum is lz::sum of the same
// expression); in float (in_float), the value and gradients at reduction mean.
// Batches: 3, and 6 with mean.
// rest_only: a case only loss_rest_test reads.
enum : unsigned { double_only = 0, in_float = 1, none_grads = 2, values_only = 4, no_sum = 8, rest_only = 16 };

#if defined(LEIBNIZ_NN_FLOAT_TEST)
// The float records the check_all below leaves out: every reduction, each
// with its gradients (those of in_float at mean are loss_test's).
template <class T, unsigned Flags, class R, class F, class Leaves, class Wrt>
void check_all(const std::string& stem, const std::string& rn, R, F f, Leaves leaves, Wrt wrt) {
    constexpr bool mean = std::is_same_v<decltype(R::value), L::reduction::mean_t>;
    constexpr bool batchmean = std::is_same_v<decltype(R::value), L::reduction::batchmean_t>;
    if constexpr (std::is_same_v<T, double> || (mean && (Flags & in_float) != 0 && (Flags & rest_only) == 0)) {
        return;
    } else if constexpr (mean || batchmean) {  // (kl_div's batchmean has a batch of 6 too)
        for (const char* n : {"n3", "n6"}) nnref::check<T>(cases(), stem + "." + rn + "." + n, f, leaves, wrt);
    } else {
        nnref::check<T>(cases(), stem + "." + rn + ".n3", f, leaves, wrt);
    }
}
#elif defined(LEIBNIZ_LOSS_TEST_REST)
// The complement of the check_all below, in double: the records it skips,
// and the gradients of those it reads as values only.
template <class T, unsigned Flags, class R, class F, class Leaves, class Wrt>
void check_all(const std::string& stem, const std::string& rn, R, F f, Leaves leaves, Wrt wrt) {
    using Red = decltype(R::value);
    constexpr bool mean = std::is_same_v<Red, L::reduction::mean_t>;
    constexpr bool none = std::is_same_v<Red, L::reduction::none_t>;
    if constexpr (std::is_same_v<T, float>) {
        return;
    } else if constexpr (mean) {
        if constexpr ((Flags & (values_only | rest_only)) != 0)
            for (const char* n : {"n3", "n6"}) nnref::check<T>(cases(), stem + "." + rn + "." + n, f, leaves, wrt);
    } else if constexpr (none) {
        if constexpr ((Flags & none_grads) == 0) nnref::check<T>(cases(), stem + "." + rn + ".n3", f, leaves, wrt);
    } else if constexpr (std::is_same_v<Red, L::reduction::batchmean_t>) {  // kl_div's, at both batches
        for (const char* n : {"n3", "n6"}) nnref::check<T>(cases(), stem + "." + rn + "." + n, f, leaves, wrt);
    } else {  // sum: the value and the gradients
        nnref::check<T>(cases(), stem + "." + rn + ".n3", f, leaves, wrt);
    }
}
#else
template <class T, unsigned Flags, class R, class F, class Leaves, class Wrt>
void check_all(const std::string& stem, const std::string& rn, R, F f, Leaves leaves, Wrt wrt) {
    using Red = decltype(R::value);
    constexpr bool mean = std::is_same_v<Red, L::reduction::mean_t>;
    constexpr bool none = std::is_same_v<Red, L::reduction::none_t>;
    if constexpr ((Flags & rest_only) != 0) {
        return;  // read by loss_rest_test
    } else if constexpr (std::is_same_v<T, float> && (!(Flags & in_float) || !mean)) {
        return;
    } else if constexpr (mean && (Flags & values_only) == 0) {
        for (const char* n : {"n3", "n6"}) nnref::check<T>(cases(), stem + "." + rn + "." + n, f, leaves, wrt);
    } else if constexpr (none && (Flags & none_grads) != 0) {
        nnref::check<T>(cases(), stem + "." + rn + ".n3", f, leaves, wrt);
    } else if constexpr (none || (Flags & values_only) != 0 ||
                         (std::is_same_v<Red, L::reduction::sum_t> && (Flags & no_sum) != 0)) {
        return;  // the elementwise losses unreduced are what mean and sum reduce
    } else {
        nnref::check<T>(cases(), stem + "." + rn + ".n3", f, leaves, std::tuple<>{});
    }
}
#endif

template <class T>
void regression_losses() {
    constexpr auto x = lz::var<"x", T, lz::shape<dyn, 5>>;
    constexpr auto t = lz::var<"t", T, lz::shape<dyn, 5>>;
    const auto xt = std::make_tuple(x, t);
    each_reduction([&](auto r, const std::string& rn) {
        check_all<T, no_sum>("mse", rn, r, [&](auto a, auto b) { return L::mse(a, b, r); }, xt, xt);
        check_all<T, no_sum>("l1", rn, r, [&](auto a, auto b) { return L::l1(a, b, r); }, xt, xt);
        check_all<T, values_only>("huber.default", rn, r, [&](auto a, auto b) { return L::huber(a, b, r); }, xt, xt);
        check_all<T, no_sum>("huber.2", rn, r, [&](auto a, auto b) { return L::huber(a, b, L::delta(2_c), r); }, xt, xt);
        check_all<T, rest_only>("huber.0.5", rn, r, [&](auto a, auto b) { return L::huber(a, b, L::delta(0.5_c), r); }, xt, xt);
        check_all<T, values_only>("smooth_l1.default", rn, r, [&](auto a, auto b) { return L::smooth_l1(a, b, r); }, xt, xt);
        check_all<T, no_sum>("smooth_l1.0.5", rn, r, [&](auto a, auto b) { return L::smooth_l1(a, b, L::beta(0.5_c), r); }, xt, xt);
        check_all<T, values_only>("smooth_l1.0", rn, r, [&](auto a, auto b) { return L::smooth_l1(a, b, L::beta(0_c), r); }, xt, xt);
    });
}

template <class T>
void binary_losses() {
    constexpr auto p = lz::var<"p", T, lz::shape<dyn, 5>>;
    constexpr auto x = lz::var<"x", T, lz::shape<dyn, 5>>;
    constexpr auto t = lz::var<"t", T, lz::shape<dyn, 5>>;
    constexpr auto w = lz::var<"w", T, lz::shape<5>>;
    constexpr auto pw = lz::var<"pw", T, lz::shape<5>>;
    each_reduction([&](auto r, const std::string& rn) {
        check_all<T, values_only>("bce.plain", rn, r, [&](auto a, auto b) { return L::bce(a, b, r); }, std::make_tuple(p, t),
                     std::make_tuple(p));
        check_all<T, none_grads | no_sum>("bce.weight", rn, r, [&](auto a, auto b, auto c) { return L::bce(a, b, L::weight(c), r); },
                     std::make_tuple(p, t, w), std::make_tuple(p));
        check_all<T, values_only>("bce_with_logits.plain", rn, r, [&](auto a, auto b) { return L::bce_with_logits(a, b, r); },
                     std::make_tuple(x, t), std::make_tuple(x, t));
        check_all<T, rest_only>("bce_with_logits.weight", rn, r,
                     [&](auto a, auto b, auto c) { return L::bce_with_logits(a, b, L::weight(c), r); },
                     std::make_tuple(x, t, w), std::make_tuple(x));
        check_all<T, no_sum>("bce_with_logits.pos_weight", rn, r,
                     [&](auto a, auto b, auto c) { return L::bce_with_logits(a, b, L::pos_weight(c), r); },
                     std::make_tuple(x, t, pw), std::make_tuple(x, t));
        check_all<T, in_float | no_sum>("bce_with_logits.both", rn, r,
                     [&](auto a, auto b, auto c, auto d) {
                         return L::bce_with_logits(a, b, L::weight(c), L::pos_weight(d), r);
                     },
                     std::make_tuple(x, t, w, pw), std::make_tuple(x));
    });
}

template <class T>
void margin_losses() {
    constexpr auto x = lz::var<"x", T, lz::shape<dyn, 5>>;
    constexpr auto y = lz::var<"y", T, lz::shape<dyn, 5>>;
    constexpr auto x1 = lz::var<"x1", T, lz::shape<dyn>>;
    constexpr auto x2 = lz::var<"x2", T, lz::shape<dyn>>;
    constexpr auto y1 = lz::var<"y", T, lz::shape<dyn>>;
    constexpr auto c1 = lz::var<"x1", T, lz::shape<dyn, 6>>;
    constexpr auto c2 = lz::var<"x2", T, lz::shape<dyn, 6>>;
    each_reduction([&](auto r, const std::string& rn) {
        const auto xy = std::make_tuple(x, y);
        check_all<T, no_sum>("hinge.default", rn, r, [&](auto a, auto b) { return L::hinge(a, b, r); }, xy, std::make_tuple(x));
        check_all<T, no_sum>("hinge_embedding.default", rn, r, [&](auto a, auto b) { return L::hinge_embedding(a, b, r); }, xy,
                     std::make_tuple(x));
        check_all<T, rest_only>("hinge.0.5", rn, r, [&](auto a, auto b) { return L::hinge(a, b, L::margin(0.5_c), r); }, xy,
                     std::make_tuple(x));
        check_all<T, rest_only>("hinge_embedding.0.5", rn, r,
                     [&](auto a, auto b) { return L::hinge_embedding(a, b, L::margin(0.5_c), r); }, xy, std::make_tuple(x));
        const auto abc = std::make_tuple(x1, x2, y1);
        check_all<T, values_only>("margin_ranking.default", rn, r, [&](auto a, auto b, auto c) { return L::margin_ranking(a, b, c, r); },
                     abc, std::make_tuple(x1, x2));
        check_all<T, no_sum>("margin_ranking.0.5", rn, r,
                     [&](auto a, auto b, auto c) { return L::margin_ranking(a, b, c, L::margin(0.5_c), r); }, abc,
                     std::make_tuple(x1, x2));
        const auto cos = std::make_tuple(c1, c2, y1);
        check_all<T, values_only>("cosine_embedding.default", rn, r,
                     [&](auto a, auto b, auto c) { return L::cosine_embedding(a, b, c, r); }, cos,
                     std::make_tuple(c1, c2));
        check_all<T, no_sum>("cosine_embedding.0.25", rn, r,
                     [&](auto a, auto b, auto c) { return L::cosine_embedding(a, b, c, L::margin(0.25_c), r); }, cos,
                     std::make_tuple(c1, c2));
    });
}

template <class T>
void classification_losses() {
    constexpr auto x = lz::var<"x", T, lz::shape<dyn, 5>>;
    constexpr auto t = lz::var<"t", T, lz::shape<dyn, 5>>;
    constexpr auto y = lz::var<"y", std::int32_t, lz::shape<dyn>>;
    constexpr auto w = lz::var<"w", T, lz::shape<5>>;
    const auto gx = std::make_tuple(x);
    each_reduction([&](auto r, const std::string& rn) {
        check_all<T, in_float | none_grads>("cross_entropy.labels.plain", rn, r, [&](auto a, auto b) { return L::cross_entropy(a, b, r); },
                     std::make_tuple(x, y), gx);
        check_all<T, no_sum>("cross_entropy.labels.smooth", rn, r,
                     [&](auto a, auto b) { return L::cross_entropy(a, b, L::label_smoothing(0.1_c), r); },
                     std::make_tuple(x, y), gx);
        check_all<T, double_only>("cross_entropy.labels.weight", rn, r,
                     [&](auto a, auto b, auto c) { return L::cross_entropy(a, b, L::weight(c), r); },
                     std::make_tuple(x, y, w), gx);
        check_all<T, no_sum>("cross_entropy.labels.weight_smooth", rn, r,
                     [&](auto a, auto b, auto c) {
                         return L::cross_entropy(a, b, L::weight(c), L::label_smoothing(0.2_c), r);
                     },
                     std::make_tuple(x, y, w), gx);
        check_all<T, no_sum>("cross_entropy.probs.plain", rn, r, [&](auto a, auto b) { return L::cross_entropy(a, b, r); },
                     std::make_tuple(x, t), std::make_tuple(x, t));
        check_all<T, values_only>("cross_entropy.probs.smooth", rn, r,
                     [&](auto a, auto b) { return L::cross_entropy(a, b, L::label_smoothing(0.1_c), r); },
                     std::make_tuple(x, t), gx);
        check_all<T, no_sum>("cross_entropy.probs.weight", rn, r,
                     [&](auto a, auto b, auto c) { return L::cross_entropy(a, b, L::weight(c), r); },
                     std::make_tuple(x, t, w), gx);
        check_all<T, values_only>("nll.plain", rn, r, [&](auto a, auto b) { return L::nll(a, b, r); }, std::make_tuple(x, y), gx);
        check_all<T, no_sum>("nll.weight", rn, r, [&](auto a, auto b, auto c) { return L::nll(a, b, L::weight(c), r); },
                     std::make_tuple(x, y, w), gx);
    });
}

// cross_entropy with ignored samples (PyTorch's ignore_index; a batch of 6,
// two rows labelled −100, one of them at ±1e4; and ignore_index<1>): this
// test reads the plain and the weighted, smoothed mean in double (the fused
// kernel's skipped rows, label_mask, label_weight under the sanitizers);
// loss_rest_test every other double record; nn_float_test every float one.
template <class T, bool InLossTest, class F, class Leaves>
void ignore_case(const std::string& id, F f, Leaves leaves) {
    constexpr auto x = lz::var<"x", T, lz::shape<dyn, 5>>;
#if defined(LEIBNIZ_NN_FLOAT_TEST)
    constexpr bool here = std::is_same_v<T, float>;
#elif defined(LEIBNIZ_LOSS_TEST_REST)
    constexpr bool here = std::is_same_v<T, double> && !InLossTest;
#else
    constexpr bool here = std::is_same_v<T, double> && InLossTest;
#endif
    if constexpr (here) nnref::check<T>(cases(), "cross_entropy.ignore." + id + ".n6", f, leaves, std::make_tuple(x));
}

template <class T>
void ignore_index_losses() {
    constexpr auto x = lz::var<"x", T, lz::shape<dyn, 5>>;
    constexpr auto y = lz::var<"y", std::int32_t, lz::shape<dyn>>;
    constexpr auto w = lz::var<"w", T, lz::shape<5>>;
    const auto xy = std::make_tuple(x, y);
    const auto xyw = std::make_tuple(x, y, w);
    each_reduction([&](auto r, const std::string& rn) {
        constexpr bool mean = std::is_same_v<decltype(decltype(r)::value), L::reduction::mean_t>;
        ignore_case<T, mean>("plain." + rn, [&](auto a, auto b) { return L::cross_entropy(a, b, r); }, xy);
        ignore_case<T, false>("weight." + rn, [&](auto a, auto b, auto c) { return L::cross_entropy(a, b, L::weight(c), r); },
                              xyw);
        ignore_case<T, false>("smooth." + rn,
                              [&](auto a, auto b) { return L::cross_entropy(a, b, L::label_smoothing(0.1_c), r); }, xy);
        ignore_case<T, mean>("weight_smooth." + rn,
                             [&](auto a, auto b, auto c) {
                                 return L::cross_entropy(a, b, L::weight(c), L::label_smoothing(0.2_c), r);
                             },
                             xyw);
    });
    ignore_case<T, false>("index1.mean", [&](auto a, auto b) { return L::cross_entropy(a, b, L::ignore_index<1>); }, xy);
}

template <class T>
void distribution_losses() {
    constexpr auto x = lz::var<"x", T, lz::shape<dyn, 5>>;
    constexpr auto t = lz::var<"t", T, lz::shape<dyn, 5>>;
    const auto xt = std::make_tuple(x, t);
    const auto gx = std::make_tuple(x);
    const auto kl = [&](auto r, const std::string& rn) {
        check_all<T, double_only>("kl_div.plain", rn, r, [&](auto a, auto b) { return L::kl_div(a, b, r); }, xt, gx);
        check_all<T, no_sum>("kl_div.log_target", rn, r, [&](auto a, auto b) { return L::kl_div(a, b, L::log_target<true>, r); },
                     xt, xt);
    };
    each_reduction(kl);
    kl(L::reduction::batchmean, "batchmean");
    each_reduction([&](auto r, const std::string& rn) {
        check_all<T, values_only>("poisson_nll.log_input", rn, r, [&](auto a, auto b) { return L::poisson_nll(a, b, r); }, xt, gx);
        check_all<T, no_sum>("poisson_nll.log_input_full", rn, r,
                     [&](auto a, auto b) { return L::poisson_nll(a, b, L::full<true>, r); }, xt, gx);
        check_all<T, no_sum>("poisson_nll.rate", rn, r,
                     [&](auto a, auto b) { return L::poisson_nll(a, b, L::log_input<false>, r); }, xt, gx);
    });
}

}  // namespace

#if defined(LEIBNIZ_NN_FLOAT_TEST)
// Each family's worst float error, reported on its own (nn_float_test.cpp
// adds the activations).
template <class Family>
void float_family(const char* what, Family family) {
    nnref::worst_of<float>() = {};
    family();
    nnref::print_worst<float>(what);
}
BOOST_AUTO_TEST_CASE(regression_against_torch) { float_family("regression losses, float", regression_losses<float>); }
BOOST_AUTO_TEST_CASE(binary_against_torch) { float_family("binary losses, float", binary_losses<float>); }
BOOST_AUTO_TEST_CASE(margin_against_torch) { float_family("margin losses, float", margin_losses<float>); }
BOOST_AUTO_TEST_CASE(classification_against_torch) {
    float_family("classification losses, float", [] {
        classification_losses<float>();
        ignore_index_losses<float>();
    });
}
BOOST_AUTO_TEST_CASE(distribution_against_torch) {
    float_family("distribution losses, float", distribution_losses<float>);
}
BOOST_AUTO_TEST_CASE(sparse_autoencoder_against_torch) {
    float_family("sparse autoencoder, float", [] {
        constexpr auto x = lz::var<"x", float, lz::shape<dyn, 6>>;
        constexpr auto W1 = lz::var<"W1", float, lz::shape<6, 3>>;
        constexpr auto b1 = lz::var<"b1", float, lz::shape<3>>;
        constexpr auto W2 = lz::var<"W2", float, lz::shape<3, 6>>;
        constexpr auto b2 = lz::var<"b2", float, lz::shape<6>>;
        const auto f = [](auto x_, auto W1_, auto b1_, auto W2_, auto b2_) {
            const auto h = lz::sigmoid(lz::matmul(x_, W1_) + b1_);
            return L::mse(lz::matmul(h, W2_) + b2_, x_) + 1e-3_c * lz::sum(lz::abs(h));
        };
        nnref::check<float>(cases(), "sparse_autoencoder.n8", f, std::make_tuple(x, W1, b1, W2, b2),
                            std::make_tuple(W1, b1, W2, b2));
    });
}
#elif defined(LEIBNIZ_LOSS_TEST_REST)
BOOST_AUTO_TEST_CASE(regression_against_torch) { regression_losses<double>(); }
BOOST_AUTO_TEST_CASE(binary_against_torch) { binary_losses<double>(); }
BOOST_AUTO_TEST_CASE(margin_against_torch) { margin_losses<double>(); }
BOOST_AUTO_TEST_CASE(classification_against_torch) {
    classification_losses<double>();
    ignore_index_losses<double>();
}
BOOST_AUTO_TEST_CASE(distribution_against_torch) { distribution_losses<double>(); }
BOOST_AUTO_TEST_CASE(report) { nnref::print_worst<double>("losses (the rest), double"); }
#else
BOOST_AUTO_TEST_CASE(regression_against_torch) {
    regression_losses<double>();
    regression_losses<float>();
}
BOOST_AUTO_TEST_CASE(binary_against_torch) {
    binary_losses<double>();
    binary_losses<float>();
}
BOOST_AUTO_TEST_CASE(margin_against_torch) {
    margin_losses<double>();
    margin_losses<float>();
}
BOOST_AUTO_TEST_CASE(classification_against_torch) {
    classification_losses<double>();
    classification_losses<float>();
    ignore_index_losses<double>();
}
BOOST_AUTO_TEST_CASE(distribution_against_torch) {
    distribution_losses<double>();
    distribution_losses<float>();
}

// The notes' sparse autoencoder: mse(h·W2 + b2, x) + 1e-3·Σ|h|, h = σ(x·W1 + b1).
BOOST_AUTO_TEST_CASE(sparse_autoencoder_against_torch) {
    constexpr auto x = lz::var<"x", double, lz::shape<dyn, 6>>;
    constexpr auto W1 = lz::var<"W1", double, lz::shape<6, 3>>;
    constexpr auto b1 = lz::var<"b1", double, lz::shape<3>>;
    constexpr auto W2 = lz::var<"W2", double, lz::shape<3, 6>>;
    constexpr auto b2 = lz::var<"b2", double, lz::shape<6>>;
    const auto f = [](auto x_, auto W1_, auto b1_, auto W2_, auto b2_) {
        const auto h = lz::sigmoid(lz::matmul(x_, W1_) + b1_);
        return L::mse(lz::matmul(h, W2_) + b2_, x_) + 1e-3_c * lz::sum(lz::abs(h));
    };
    nnref::check<double>(cases(), "sparse_autoencoder.n8", f, std::make_tuple(x, W1, b1, W2, b2),
                         std::make_tuple(W1, b1, W2, b2));
}

BOOST_AUTO_TEST_CASE(report) {
    nnref::print_worst<double>("losses, double");
    nnref::print_worst<float>("losses, float");
}

// The fused softmax cross-entropy (loss/softmax_cross_entropy.hpp) against
// the same loss written with log_softmax and pick, on logits with a row at
// ±1e4 (finite, and equal); its tangent (forward mode on dual numbers)
// against ⟨grad, v⟩; central differences; no allocation per step once the
// workspace exists; a label out of range is an lz::shape_error.
BOOST_AUTO_TEST_CASE(fused_cross_entropy) {
    constexpr std::size_t classes = 10;
    constexpr auto x = lz::var<"x", double, lz::shape<dyn, classes>>;
    constexpr auto y = lz::var<"y", std::int32_t, lz::shape<dyn>>;
    const std::size_t n = 33;
    std::mt19937 rng(11);
    std::normal_distribution<double> normal(0.0, 3.0);
    lz::tensor<double, lz::shape<dyn, classes>> xs(n), vs(n);
    lz::tensor<std::int32_t, lz::shape<dyn>> ys(n);
    for (std::size_t i = 0; i < xs.size(); ++i) xs.data()[i] = normal(rng), vs.data()[i] = normal(rng);
    for (std::size_t i = 0; i < n; ++i) ys.data()[i] = static_cast<std::int32_t>(rng() % classes);
    for (std::size_t c = 0; c < classes; ++c) xs.data()[c] = c % 2 == 0 ? 1e4 : -1e4;  // row 0: ±1e4
    ys.data()[0] = 1;                                                                   // a −1e4 logit

    const auto fused = L::cross_entropy(x, y);
    const auto unfused = lz::mean(-lz::pick(lz::log_softmax(x), y));
    const auto env = lz::at(x = xs, y = ys);
    lz::workspace ws{fused};
    const auto [value, grads] = lz::value_and_grad(fused, lz::wrt(x), env, ws);
    const auto [gx] = grads;
    const auto [value2, grads2] = lz::value_and_grad(unfused, lz::wrt(x), env);
    const auto [gx2] = grads2;
    BOOST_TEST(std::isfinite(value));
    BOOST_TEST(std::abs(value - value2) <= 1e-14 * std::abs(value2));
    double err = 0, tangent = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        BOOST_TEST_REQUIRE(std::isfinite(gx.data()[i]));
        err = std::max(err, std::abs(gx.data()[i] - gx2.data()[i]));
        tangent += gx.data()[i] * vs.data()[i];
    }
    BOOST_TEST(err <= 1e-16, "fused against log_softmax-then-pick: largest gradient difference " << err);

    const double jv = lz::jvp(fused, env, lz::tangent(x = vs)).tangent;
    BOOST_TEST(std::abs(jv - tangent) <= 1e-13 * std::abs(tangent), "jvp " << jv << ", <grad, v> " << tangent);

    for (const std::size_t i : {std::size_t{13}, std::size_t{27}, std::size_t{101}, std::size_t{329}}) {
        const double h = 1e-5;
        auto xp = xs, xm = xs;
        xp.data()[i] += h;
        xm.data()[i] -= h;
        const double fd = (lz::eval(fused, lz::at(x = xp, y = ys)) - lz::eval(fused, lz::at(x = xm, y = ys))) / (2 * h);
        BOOST_TEST(std::abs(fd - gx.data()[i]) <= 1e-8, "entry " << i << ": grad " << gx.data()[i] << ", difference " << fd);
    }

    const long news = counting_new::allocations_in([&] { (void)lz::value_and_grad(fused, lz::wrt(x), env, ws); });
    BOOST_TEST(news == 0);

    ys.data()[5] = static_cast<std::int32_t>(classes);
    BOOST_CHECK_THROW((void)lz::eval(fused, env), lz::shape_error);
}

// The fused kernel's other paths, in float with 37 classes (rows longer than
// a SIMD batch): the logits feeding a second term too, so the loss's adjoint
// is accumulated into δx in one of the two orders, against log_softmax then pick.
BOOST_AUTO_TEST_CASE(fused_cross_entropy_accumulated) {
    constexpr std::size_t classes = 37;
    constexpr auto x = lz::var<"x", float, lz::shape<dyn, classes>>;
    constexpr auto y = lz::var<"y", std::int32_t, lz::shape<dyn>>;
    const std::size_t n = 9;
    std::mt19937 rng(5);
    std::normal_distribution<float> normal(0.0f, 3.0f);
    lz::tensor<float, lz::shape<dyn, classes>> xs(n);
    lz::tensor<std::int32_t, lz::shape<dyn>> ys(n);
    for (std::size_t i = 0; i < xs.size(); ++i) xs.data()[i] = normal(rng);
    for (std::size_t i = 0; i < n; ++i) ys.data()[i] = static_cast<std::int32_t>(rng() % classes);
    const auto env = lz::at(x = xs, y = ys);
    const auto square = lz::mean(x * x);
    const auto reference = lz::mean(-lz::pick(lz::log_softmax(x), y)) + square;
    const auto [reference_value, reference_grads] = lz::value_and_grad(reference, lz::wrt(x), env);
    const auto& [reference_gx] = reference_grads;
    const float value2 = reference_value;  // not the bindings: clang 14 cannot capture those
    const float* gx2 = reference_gx.data();
    const auto compare = [&](const auto& f, const char* order) {
        const auto [value, grads] = lz::value_and_grad(f, lz::wrt(x), env);
        const auto& [gx] = grads;
        BOOST_TEST(std::abs(value - value2) <= 1e-6f * std::abs(value2), order);
        float err = 0;
        for (std::size_t i = 0; i < xs.size(); ++i) err = std::max(err, std::abs(gx.data()[i] - gx2[i]));
        BOOST_TEST(err <= 1e-7f, order << ": largest gradient difference " << err);
    };
    compare(L::cross_entropy(x, y) + square, "loss first");
    compare(square + L::cross_entropy(x, y), "loss second");
}
#endif  // LEIBNIZ_NN_FLOAT_TEST, LEIBNIZ_LOSS_TEST_REST
