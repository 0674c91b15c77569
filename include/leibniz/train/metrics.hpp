#pragma once
// Evaluation metrics with scikit-learn's names, defaults and numbers: plain
// loops over contiguous memory (std::vector, std::span, std::array, lz::tensor:
// anything with data() and size()), no expression engine. Results are double
// whatever the element type.
//
//   namespace m = lz::train::metrics;
//   double acc = m::accuracy(y_true, y_pred);            // labels 0..C-1
//   double acc = m::accuracy(y_true, scores, 10);         // argmax over rows of [N, 10]
//   double f1  = m::f1(y_true, y_pred, {.average = m::average::macro});
//   double auc = m::roc_auc(y_true, logits);              // binary: one score per sample
//   double r2  = m::r2(target, prediction);
//
// Labels are integers 0, 1, 2, ... (any integral type); scores and regression
// values are floating point. Bad input (sizes that differ, a label out of
// range, one class only for an AUC, a NaN score) throws std::invalid_argument
// naming the metric and the sizes or the label.
//
// Allocation: accuracy, top_k_accuracy, the regression metrics and the
// confusion_matrix overload that writes into a caller's span allocate nothing.
// roc_auc sorts an index permutation: the overloads taking `std::span<std::size_t>
// scratch` (at least N elements) allocate nothing, the others a vector of N.
// precision/recall/f1 allocate three counts per class.

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace leibniz::train::metrics {

// --- inputs ------------------------------------------------------------------

// Contiguous memory: std::vector, std::span, std::array, lz::tensor, ...
template <class R>
concept contiguous = requires(const R& r) {
    { r.data() } -> std::convertible_to<const void*>;
    { r.size() } -> std::convertible_to<std::size_t>;
};

template <class R>
using value_of = std::remove_cvref_t<decltype(*std::declval<const R&>().data())>;

template <class R>
concept label_range = contiguous<R> && std::integral<value_of<R>> && !std::same_as<value_of<R>, bool>;

template <class R>
concept value_range = contiguous<R> && std::floating_point<value_of<R>>;

// A rank-2 lz::tensor [N, C] of scores (its extents give C).
template <class R>
concept score_matrix = value_range<R> && requires(const R& r) {
    { r.extents()[1] } -> std::convertible_to<std::size_t>;
    requires std::tuple_size_v<std::remove_cvref_t<decltype(r.extents())>> == 2;
};

namespace detail {

template <class R>
[[nodiscard]] auto view(const R& r) noexcept {
    return std::span<const value_of<R>>(r.data(), static_cast<std::size_t>(r.size()));
}

[[noreturn]] inline void fail(const char* metric, const std::string& what) {
    throw std::invalid_argument(std::string("leibniz::train::metrics::") + metric + ": " + what);
}

inline void same_size(const char* metric, const char* a, std::size_t na, const char* b, std::size_t nb) {
    if (na != nb)
        fail(metric, std::string(a) + " has " + std::to_string(na) + " elements, " + b + " has " + std::to_string(nb));
}

inline void not_empty(const char* metric, std::size_t n) {
    if (n == 0) fail(metric, "no samples (the inputs are empty)");
}

// The label as a class index; throws when negative or (classes > 0) >= classes.
template <std::integral L>
[[nodiscard]] std::size_t class_of(const char* metric, const char* which, std::size_t i, L label, std::size_t classes) {
    const bool negative = std::is_signed_v<L> && label < L{0};
    if (negative || (classes != 0 && static_cast<std::uintmax_t>(label) >= classes))
        fail(metric, std::string("label ") + std::to_string(label) + " of " + which + " (element " + std::to_string(i) +
                         ") is out of range: classes are 0.." +
                         (classes != 0 ? std::to_string(classes - 1) : std::string("(any non-negative)")));
    return static_cast<std::size_t>(label);
}

// The score matrix [N, C]: rows of `s` that hold `classes` scores each.
template <class T>
void check_scores(const char* metric, std::size_t n_labels, std::size_t n_scores, std::size_t classes) {
    if (classes == 0) fail(metric, "num_classes is 0");
    if (n_scores % classes != 0)
        fail(metric, "scores have " + std::to_string(n_scores) + " elements, not a multiple of num_classes = " +
                         std::to_string(classes));
    if (n_scores / classes != n_labels)
        fail(metric, "y_true has " + std::to_string(n_labels) + " elements, scores have " +
                         std::to_string(n_scores / classes) + " rows of " + std::to_string(classes));
}

template <class T>
void check_finite_score(const char* metric, std::size_t i, T v) {
    if (std::isnan(v)) fail(metric, "score " + std::to_string(i) + " is NaN");
}

}  // namespace detail

// --- accuracy ------------------------------------------------------------------

// The fraction of labels predicted right (sklearn.metrics.accuracy_score).
template <label_range Y, label_range P>
[[nodiscard]] double accuracy(const Y& y_true, const P& y_pred) {
    const auto t = detail::view(y_true);
    const auto p = detail::view(y_pred);
    detail::same_size("accuracy", "y_true", t.size(), "y_pred", p.size());
    detail::not_empty("accuracy", t.size());
    std::size_t right = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
        (void)detail::class_of("accuracy", "y_true", i, t[i], 0);
        (void)detail::class_of("accuracy", "y_pred", i, p[i], 0);
        right += static_cast<std::size_t>(static_cast<std::uintmax_t>(t[i]) == static_cast<std::uintmax_t>(p[i]));
    }
    return static_cast<double>(right) / static_cast<double>(t.size());
}

// The accuracy of the argmax of each row of scores [N, num_classes] (logits or
// probabilities; the first maximum wins a tie, as numpy.argmax).
template <label_range Y, value_range S>
[[nodiscard]] double accuracy(const Y& y_true, const S& scores, std::size_t num_classes) {
    const auto t = detail::view(y_true);
    const auto s = detail::view(scores);
    detail::check_scores<double>("accuracy", t.size(), s.size(), num_classes);
    detail::not_empty("accuracy", t.size());
    std::size_t right = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const std::size_t c = detail::class_of("accuracy", "y_true", i, t[i], num_classes);
        const auto row = s.subspan(i * num_classes, num_classes);
        std::size_t best = 0;
        for (std::size_t j = 0; j < num_classes; ++j) {
            detail::check_finite_score("accuracy", i * num_classes + j, row[j]);
            if (row[j] > row[best]) best = j;
        }
        right += static_cast<std::size_t>(best == c);
    }
    return static_cast<double>(right) / static_cast<double>(t.size());
}

template <label_range Y, score_matrix S>
[[nodiscard]] double accuracy(const Y& y_true, const S& scores) {
    return accuracy(y_true, scores, static_cast<std::size_t>(scores.extents()[1]));
}

// The fraction of samples whose true class is among the k highest scores of
// its row (sklearn.metrics.top_k_accuracy_score, multiclass). Ties as
// scikit-learn: among equal scores the higher class index ranks first.
template <label_range Y, value_range S>
[[nodiscard]] double top_k_accuracy(const Y& y_true, const S& scores, std::size_t num_classes, std::size_t k) {
    const auto t = detail::view(y_true);
    const auto s = detail::view(scores);
    detail::check_scores<double>("top_k_accuracy", t.size(), s.size(), num_classes);
    detail::not_empty("top_k_accuracy", t.size());
    if (k == 0) detail::fail("top_k_accuracy", "k is 0 (k counts the best-scored classes, at least 1)");
    std::size_t hits = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const std::size_t c = detail::class_of("top_k_accuracy", "y_true", i, t[i], num_classes);
        const auto row = s.subspan(i * num_classes, num_classes);
        std::size_t ahead = 0;  // classes ranked before c
        for (std::size_t j = 0; j < num_classes; ++j) {
            detail::check_finite_score("top_k_accuracy", i * num_classes + j, row[j]);
            ahead += static_cast<std::size_t>(row[j] > row[c] || (row[j] == row[c] && j > c));
        }
        hits += static_cast<std::size_t>(ahead < k);
    }
    return static_cast<double>(hits) / static_cast<double>(t.size());
}

template <label_range Y, score_matrix S>
[[nodiscard]] double top_k_accuracy(const Y& y_true, const S& scores, std::size_t k) {
    return top_k_accuracy(y_true, scores, static_cast<std::size_t>(scores.extents()[1]), k);
}

// --- confusion matrix -------------------------------------------------------------

// Counts into `out` (num_classes × num_classes, row-major): row = true class,
// column = predicted class (sklearn.metrics.confusion_matrix). Allocates nothing.
template <label_range Y, label_range P>
void confusion_matrix(const Y& y_true, const P& y_pred, std::size_t num_classes, std::span<std::size_t> out) {
    const auto t = detail::view(y_true);
    const auto p = detail::view(y_pred);
    detail::same_size("confusion_matrix", "y_true", t.size(), "y_pred", p.size());
    if (num_classes == 0) detail::fail("confusion_matrix", "num_classes is 0");
    if (out.size() != num_classes * num_classes)
        detail::fail("confusion_matrix", "the output has " + std::to_string(out.size()) + " elements, " +
                                             std::to_string(num_classes) + " classes need " +
                                             std::to_string(num_classes * num_classes));
    std::fill(out.begin(), out.end(), std::size_t{0});
    for (std::size_t i = 0; i < t.size(); ++i) {
        const std::size_t a = detail::class_of("confusion_matrix", "y_true", i, t[i], num_classes);
        const std::size_t b = detail::class_of("confusion_matrix", "y_pred", i, p[i], num_classes);
        ++out[a * num_classes + b];
    }
}

template <label_range Y, label_range P>
[[nodiscard]] std::vector<std::size_t> confusion_matrix(const Y& y_true, const P& y_pred, std::size_t num_classes) {
    std::vector<std::size_t> out(num_classes * num_classes);
    confusion_matrix(y_true, y_pred, num_classes, std::span<std::size_t>(out));
    return out;
}

// --- precision, recall, F1 --------------------------------------------------------

// How per-class scores combine (scikit-learn's `average`): binary scores the
// class pos_label alone (labels must be 0 or 1); macro is the unweighted mean
// over classes; weighted the mean weighted by each class's count in y_true;
// micro counts true and false positives over all classes first.
enum class average { binary, macro, micro, weighted };

struct classification_options {
    metrics::average average = metrics::average::binary;
    std::size_t pos_label = 1;  // binary only
    // 0: the classes are the labels that occur in y_true or y_pred (scikit-learn's
    // default `labels=None`); n: the classes 0..n-1, all of them averaged even
    // when absent (scikit-learn's `labels=range(n)`), and larger labels throw.
    std::size_t num_classes = 0;
};

namespace detail {

enum class prf_kind { precision, recall, f1 };

// 0 when the denominator is 0: scikit-learn's zero_division default ("warn"
// returns 0; no warning here).
[[nodiscard]] inline double ratio(double a, double b) noexcept { return b == 0 ? 0.0 : a / b; }

[[nodiscard]] inline double prf_of(prf_kind kind, double tp, double predicted, double actual) noexcept {
    const double p = ratio(tp, predicted);
    const double r = ratio(tp, actual);
    switch (kind) {
        case prf_kind::precision: return p;
        case prf_kind::recall: return r;
        default: return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
    }
}

template <class Y, class P>
[[nodiscard]] double prf(const char* metric, prf_kind kind, const Y& y_true, const P& y_pred,
                         const classification_options& opt) {
    const auto t = view(y_true);
    const auto p = view(y_pred);
    same_size(metric, "y_true", t.size(), "y_pred", p.size());
    not_empty(metric, t.size());
    const bool binary = opt.average == average::binary;
    if (binary && opt.pos_label > 1)
        fail(metric, "pos_label " + std::to_string(opt.pos_label) + " with average = binary: the labels are 0 and 1");
    const std::size_t bound = binary ? 2 : opt.num_classes;
    std::size_t classes = bound;
    if (classes == 0) {
        for (std::size_t i = 0; i < t.size(); ++i) {
            classes = std::max(classes, class_of(metric, "y_true", i, t[i], 0) + 1);
            classes = std::max(classes, class_of(metric, "y_pred", i, p[i], 0) + 1);
        }
    }
    std::vector<std::size_t> tp(classes), predicted(classes), actual(classes);
    for (std::size_t i = 0; i < t.size(); ++i) {
        const std::size_t a = class_of(metric, "y_true", i, t[i], bound);
        const std::size_t b = class_of(metric, "y_pred", i, p[i], bound);
        ++actual[a];
        ++predicted[b];
        tp[a] += static_cast<std::size_t>(a == b);
    }
    const auto d = [](std::size_t v) { return static_cast<double>(v); };
    if (binary) return prf_of(kind, d(tp[opt.pos_label]), d(predicted[opt.pos_label]), d(actual[opt.pos_label]));
    // The classes averaged: all of 0..num_classes-1 when given, else those seen.
    const auto counted = [&](std::size_t c) { return opt.num_classes != 0 || actual[c] + predicted[c] > 0; };
    if (opt.average == average::micro) {
        double stp = 0, spred = 0, sact = 0;
        for (std::size_t c = 0; c < classes; ++c) {
            if (!counted(c)) continue;
            stp += d(tp[c]);
            spred += d(predicted[c]);
            sact += d(actual[c]);
        }
        return prf_of(kind, stp, spred, sact);
    }
    double sum = 0, weights = 0;
    for (std::size_t c = 0; c < classes; ++c) {
        if (!counted(c)) continue;
        const double w = opt.average == average::weighted ? d(actual[c]) : 1.0;
        sum += w * prf_of(kind, d(tp[c]), d(predicted[c]), d(actual[c]));
        weights += w;
    }
    return ratio(sum, weights);
}

}  // namespace detail

// sklearn.metrics.precision_score: tp / (tp + fp).
template <label_range Y, label_range P>
[[nodiscard]] double precision(const Y& y_true, const P& y_pred, const classification_options& opt = {}) {
    return detail::prf("precision", detail::prf_kind::precision, y_true, y_pred, opt);
}

// sklearn.metrics.recall_score: tp / (tp + fn).
template <label_range Y, label_range P>
[[nodiscard]] double recall(const Y& y_true, const P& y_pred, const classification_options& opt = {}) {
    return detail::prf("recall", detail::prf_kind::recall, y_true, y_pred, opt);
}

// sklearn.metrics.f1_score: the harmonic mean of precision and recall (per
// class, then averaged; micro from the summed counts).
template <label_range Y, label_range P>
[[nodiscard]] double f1(const Y& y_true, const P& y_pred, const classification_options& opt = {}) {
    return detail::prf("f1", detail::prf_kind::f1, y_true, y_pred, opt);
}

// --- ROC AUC -------------------------------------------------------------------

namespace detail {

// The area under the ROC curve of `positive(i)` against score(i), i < n: the
// trapezoid rule over the curve's points at each distinct score, so tied
// scores count half (sklearn's roc_curve + auc). `order` holds n indices.
template <class Score, class Positive>
[[nodiscard]] double auc_of(const char* metric, std::size_t n, Score score, Positive positive, std::span<std::size_t> order) {
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    const auto ord = order.first(n);
    std::sort(ord.begin(), ord.end(), [&](std::size_t a, std::size_t b) { return score(a) > score(b); });
    double pos = 0, neg = 0;
    for (std::size_t i = 0; i < n; ++i) (positive(i) ? pos : neg) += 1;
    if (pos == 0 || neg == 0)
        fail(metric, std::string("only one class in y_true (") + std::to_string(static_cast<std::size_t>(pos)) +
                         " positive, " + std::to_string(static_cast<std::size_t>(neg)) +
                         " negative samples): the ROC AUC is not defined");
    // Counts are integers: the area stays exact in double until the last division.
    double area = 0, tp = 0;
    for (std::size_t i = 0; i < n;) {
        const auto s = score(ord[i]);
        double dtp = 0, dfp = 0;
        for (; i < n && score(ord[i]) == s; ++i) (positive(ord[i]) ? dtp : dfp) += 1;
        area += dfp * (2 * tp + dtp);  // twice the trapezoid
        tp += dtp;
    }
    return area / (2 * pos * neg);
}

template <class Y>
void check_auc_scratch(const Y& t, std::span<std::size_t> scratch) {
    if (scratch.size() < t.size())
        fail("roc_auc", "the scratch buffer has " + std::to_string(scratch.size()) + " elements, y_true has " +
                            std::to_string(t.size()) + " (it needs one per sample)");
}

}  // namespace detail

// Binary ROC AUC (sklearn.metrics.roc_auc_score): y_true in {0, 1}, one score
// per sample (a logit, a probability, any monotone score of class 1).
// `scratch` holds at least N indices; nothing is allocated.
template <label_range Y, value_range S>
[[nodiscard]] double roc_auc(const Y& y_true, const S& scores, std::span<std::size_t> scratch) {
    const auto t = detail::view(y_true);
    const auto s = detail::view(scores);
    detail::same_size("roc_auc", "y_true", t.size(), "scores", s.size());
    detail::check_auc_scratch(t, scratch);
    for (std::size_t i = 0; i < t.size(); ++i) {
        (void)detail::class_of("roc_auc", "y_true", i, t[i], 2);
        detail::check_finite_score("roc_auc", i, s[i]);
    }
    return detail::auc_of(
        "roc_auc", t.size(), [&](std::size_t i) { return s[i]; }, [&](std::size_t i) { return t[i] == 1; }, scratch);
}

template <label_range Y, value_range S>
    requires(!score_matrix<S>)
[[nodiscard]] double roc_auc(const Y& y_true, const S& scores) {
    std::vector<std::size_t> scratch(y_true.size());
    return roc_auc(y_true, scores, std::span<std::size_t>(scratch));
}

// One-vs-rest macro ROC AUC (roc_auc_score(..., multi_class="ovr",
// average="macro")): probabilities [N, num_classes] whose rows sum to 1 (as
// scikit-learn checks); every class must occur in y_true. The mean over classes
// c of the binary AUC of (y_true == c) against column c. `scratch`: N indices.
template <label_range Y, value_range S>
[[nodiscard]] double roc_auc(const Y& y_true, const S& probabilities, std::size_t num_classes,
                             std::span<std::size_t> scratch) {
    const auto t = detail::view(y_true);
    const auto s = detail::view(probabilities);
    detail::check_scores<double>("roc_auc", t.size(), s.size(), num_classes);
    detail::check_auc_scratch(t, scratch);
    if (num_classes < 2) detail::fail("roc_auc", "one-vs-rest needs at least 2 classes, num_classes is " + std::to_string(num_classes));
    for (std::size_t i = 0; i < t.size(); ++i) {
        (void)detail::class_of("roc_auc", "y_true", i, t[i], num_classes);
        double row = 0;
        for (std::size_t j = 0; j < num_classes; ++j) {
            detail::check_finite_score("roc_auc", i * num_classes + j, s[i * num_classes + j]);
            row += static_cast<double>(s[i * num_classes + j]);
        }
        // numpy.allclose(1, row): |row - 1| <= 1e-8 + 1e-5
        if (!(std::abs(row - 1) <= 1e-8 + 1e-5))
            detail::fail("roc_auc", "row " + std::to_string(i) + " of the probabilities sums to " + std::to_string(row) +
                                        ", not 1 (one-vs-rest AUC takes probabilities, e.g. a softmax)");
    }
    for (std::size_t c = 0; c < num_classes; ++c) {
        bool seen = false;
        for (std::size_t i = 0; i < t.size() && !seen; ++i) seen = static_cast<std::size_t>(t[i]) == c;
        if (!seen)
            detail::fail("roc_auc", "class " + std::to_string(c) + " of " + std::to_string(num_classes) +
                                        " never occurs in y_true: its one-vs-rest AUC is not defined");
    }
    double sum = 0;
    for (std::size_t c = 0; c < num_classes; ++c)
        sum += detail::auc_of(
            "roc_auc", t.size(), [&](std::size_t i) { return s[i * num_classes + c]; },
            [&](std::size_t i) { return static_cast<std::size_t>(t[i]) == c; }, scratch);
    return sum / static_cast<double>(num_classes);
}

template <label_range Y, value_range S>
[[nodiscard]] double roc_auc(const Y& y_true, const S& probabilities, std::size_t num_classes) {
    std::vector<std::size_t> scratch(y_true.size());
    return roc_auc(y_true, probabilities, num_classes, std::span<std::size_t>(scratch));
}

// A score matrix [N, C]: one-vs-rest over its C columns; a single column
// [N, 1] (a binary classifier's logits) is the binary AUC, as scikit-learn
// ravels such a column.
template <label_range Y, score_matrix S>
[[nodiscard]] double roc_auc(const Y& y_true, const S& scores) {
    const auto columns = static_cast<std::size_t>(scores.extents()[1]);
    if (columns == 1) {
        using T = std::remove_cvref_t<decltype(*scores.data())>;
        return roc_auc(y_true, std::span<const T>(scores.data(), scores.size()));
    }
    return roc_auc(y_true, scores, columns);
}

// --- regression -----------------------------------------------------------------

namespace detail {

template <class A, class B, class F>
[[nodiscard]] double mean_of(const char* metric, const A& y_true, const B& y_pred, F f) {
    const auto t = view(y_true);
    const auto p = view(y_pred);
    same_size(metric, "y_true", t.size(), "y_pred", p.size());
    not_empty(metric, t.size());
    double sum = 0;
    for (std::size_t i = 0; i < t.size(); ++i) sum += f(static_cast<double>(t[i]) - static_cast<double>(p[i]));
    return sum / static_cast<double>(t.size());
}

}  // namespace detail

// sklearn.metrics.mean_squared_error.
template <value_range A, value_range B>
[[nodiscard]] double mse(const A& y_true, const B& y_pred) {
    return detail::mean_of("mse", y_true, y_pred, [](double e) { return e * e; });
}

// sklearn.metrics.mean_absolute_error.
template <value_range A, value_range B>
[[nodiscard]] double mae(const A& y_true, const B& y_pred) {
    return detail::mean_of("mae", y_true, y_pred, [](double e) { return std::abs(e); });
}

// mean_squared_error(..., squared=False): the square root of the MSE.
template <value_range A, value_range B>
[[nodiscard]] double rmse(const A& y_true, const B& y_pred) {
    return std::sqrt(detail::mean_of("rmse", y_true, y_pred, [](double e) { return e * e; }));
}

// sklearn.metrics.r2_score: 1 - Σ(y - ŷ)² / Σ(y - ȳ)². A constant target (all
// values equal) gives 1 when predicted exactly and 0 otherwise, as scikit-learn's
// force_finite default.
template <value_range A, value_range B>
[[nodiscard]] double r2(const A& y_true, const B& y_pred) {
    const auto t = detail::view(y_true);
    const auto p = detail::view(y_pred);
    detail::same_size("r2", "y_true", t.size(), "y_pred", p.size());
    detail::not_empty("r2", t.size());
    double mean = 0;
    bool constant = true;
    for (std::size_t i = 0; i < t.size(); ++i) {
        mean += static_cast<double>(t[i]);
        constant = constant && t[i] == t[0];
    }
    mean /= static_cast<double>(t.size());
    double residual = 0, total = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const double e = static_cast<double>(t[i]) - static_cast<double>(p[i]);
        const double v = static_cast<double>(t[i]) - mean;
        residual += e * e;
        total += v * v;
    }
    // Σ(y - ȳ)² of equal values is 0; rounding in ȳ must not make it tiny instead.
    if (constant || total == 0) return residual == 0 ? 1.0 : 0.0;
    return 1 - residual / total;
}

}  // namespace leibniz::train::metrics
