// lz::train::metrics against scikit-learn: every value of test/train/metrics_ref.txt
// (written by test/ref/make_metrics_ref.py) to 1e-12, the confusion matrices
// exactly; a float check; rank-2 tensors as score matrices; no allocation with a
// caller's scratch; and the error cases (sizes, labels, one class for AUC).
#define BOOST_TEST_MODULE train_metrics
#include <boost/test/unit_test.hpp>

#include "counting_new.hpp"
#include "metrics_dir.hpp"

#include <leibniz/tensor/tensor.hpp>
#include <leibniz/train/metrics.hpp>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace lz = leibniz;
namespace m = lz::train::metrics;

namespace {

struct ref_case {
    std::string name;
    std::size_t classes = 0;
    std::map<std::string, std::vector<double>> arrays;
    std::vector<std::pair<std::string, double>> expected;

    [[nodiscard]] const std::vector<double>& at(const std::string& key) const {
        auto it = arrays.find(key);
        if (it == arrays.end()) throw std::runtime_error(name + ": no array '" + key + "'");
        return it->second;
    }
    [[nodiscard]] std::vector<int> labels(const std::string& key) const {
        const auto& a = at(key);
        return {a.begin(), a.end()};
    }
};

std::vector<ref_case> read_cases() {
    std::ifstream in(LEIBNIZ_METRICS_DIR "/metrics_ref.txt");
    BOOST_TEST_REQUIRE(in.good(), "cannot open " LEIBNIZ_METRICS_DIR "/metrics_ref.txt");
    std::vector<ref_case> cases;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream s(line);
        std::string tag;
        s >> tag;
        if (tag == "case") {
            cases.emplace_back();
            s >> cases.back().name >> cases.back().classes;
        } else if (tag == "=") {
            std::string key;
            std::string value;
            s >> key >> value;
            cases.back().expected.emplace_back(key, std::stod(value));
        } else if (tag != "end") {
            std::size_t n = 0;
            s >> n;
            std::vector<double> v(n);
            for (auto& x : v) {
                std::string t;
                s >> t;
                x = std::stod(t);  // repr of a double: read back exactly
            }
            cases.back().arrays[tag] = std::move(v);
        }
    }
    return cases;
}

const std::vector<ref_case>& cases() {
    static const std::vector<ref_case> all = read_cases();
    return all;
}

// The value our metrics give for a key of the reference file.
double compute(const ref_case& c, const std::string& key) {
    if (c.classes == 0) {
        const auto& t = c.at("target");
        const auto& p = c.at("prediction");
        if (key == "mse") return m::mse(t, p);
        if (key == "mae") return m::mae(t, p);
        if (key == "rmse") return m::rmse(t, p);
        if (key == "r2") return m::r2(t, p);
        throw std::runtime_error(c.name + ": unknown key " + key);
    }
    const auto y = c.labels("y_true");
    const auto p = c.labels("y_pred");
    if (key == "accuracy") return m::accuracy(y, p);
    if (key == "accuracy_argmax") return m::accuracy(y, c.at("proba"), c.classes);
    if (key.rfind("top_", 0) == 0) return m::top_k_accuracy(y, c.at("proba"), c.classes, std::stoul(key.substr(4)));
    if (key == "roc_auc") return c.classes == 2 ? m::roc_auc(y, c.at("score")) : m::roc_auc(y, c.at("proba"), c.classes);
    // <precision|recall|f1>_<average>[_all]
    const auto us = key.find('_');
    const std::string kind = key.substr(0, us);
    std::string rest = key.substr(us + 1);
    m::classification_options opt;
    if (rest.size() > 4 && rest.substr(rest.size() - 4) == "_all") {
        opt.num_classes = c.classes;
        rest = rest.substr(0, rest.size() - 4);
    }
    if (rest == "binary") opt.average = m::average::binary;
    else if (rest == "pos0") opt.pos_label = 0;
    else if (rest == "macro") opt.average = m::average::macro;
    else if (rest == "micro") opt.average = m::average::micro;
    else if (rest == "weighted") opt.average = m::average::weighted;
    else throw std::runtime_error(c.name + ": unknown key " + key);
    if (kind == "precision") return m::precision(y, p, opt);
    if (kind == "recall") return m::recall(y, p, opt);
    if (kind == "f1") return m::f1(y, p, opt);
    throw std::runtime_error(c.name + ": unknown key " + key);
}

template <class F>
void throws_naming(F f, std::initializer_list<const char*> parts) {
    try {
        f();
        BOOST_ERROR("no exception");
    } catch (const std::invalid_argument& e) {
        const std::string what = e.what();
        for (const char* part : parts) BOOST_TEST(what.find(part) != std::string::npos, "'" << what << "' lacks '" << part << "'");
    }
}

}  // namespace

BOOST_AUTO_TEST_CASE(agrees_with_scikit_learn) {
    std::size_t checked = 0;
    double worst = 0;
    for (const auto& c : cases()) {
        for (const auto& [key, want] : c.expected) {
            const double got = compute(c, key);
            BOOST_TEST(std::abs(got - want) <= 1e-12, c.name << " " << key << ": " << got << " vs scikit-learn " << want);
            worst = std::max(worst, std::abs(got - want));
            ++checked;
        }
        if (c.classes != 0) {
            const auto cm = m::confusion_matrix(c.labels("y_true"), c.labels("y_pred"), c.classes);
            const auto& want = c.at("cm");
            BOOST_TEST_REQUIRE(cm.size() == want.size());
            for (std::size_t i = 0; i < cm.size(); ++i) BOOST_TEST(static_cast<double>(cm[i]) == want[i], c.name << " cm " << i);
        }
    }
    BOOST_TEST(checked == 140u);  // every value of the file
    BOOST_TEST_MESSAGE("metrics: " << checked << " values against scikit-learn, worst difference " << worst);
}

BOOST_AUTO_TEST_CASE(float_inputs_and_label_types) {
    // The binary scores sit on a grid of 1/16 and the regression values are
    // rounded to float: float inputs give the reference (AUC exactly).
    for (const auto& c : cases()) {
        if (c.name == "binary") {
            const auto& s = c.at("score");
            std::vector<float> sf(s.begin(), s.end());
            std::vector<std::uint8_t> y8(c.at("y_true").begin(), c.at("y_true").end());
            for (const auto& [key, want] : c.expected)
                if (key == "roc_auc") BOOST_TEST(std::abs(m::roc_auc(y8, sf) - want) <= 1e-12);
        }
        if (c.name == "regression") {
            const auto& t = c.at("target");
            const auto& p = c.at("prediction");
            std::vector<float> tf(t.begin(), t.end()), pf(p.begin(), p.end());
            for (const auto& [key, want] : c.expected)
                if (key == "r2") BOOST_TEST(std::abs(m::r2(tf, pf) - want) <= 1e-6);
        }
    }
}

BOOST_AUTO_TEST_CASE(tensors_as_score_matrices) {
    // Row 0: true 2, scores tie between classes 0 and 2 (argmax takes 0; top-1
    // as scikit-learn ranks the higher index first, so 2). Row 1: true 1, right.
    lz::tensor<double, lz::shape<2, 3>> s{{0.4, 0.2, 0.4}, {0.1, 0.8, 0.1}};
    const std::vector<long> y{2, 1};
    BOOST_TEST(m::accuracy(y, s) == 0.5);
    BOOST_TEST(m::top_k_accuracy(y, s, 1) == 1.0);
    BOOST_TEST(m::roc_auc(std::vector<int>{0, 1, 2, 2}, lz::tensor<double, lz::shape<4, 3>>{
                                                            {0.6, 0.2, 0.2}, {0.2, 0.6, 0.2}, {0.2, 0.2, 0.6}, {0.3, 0.3, 0.4}}) ==
               1.0);
    // One column [N, 1] (a binary classifier's logits) is the binary AUC, as
    // scikit-learn ravels it: positives score 2 and 0.3, negatives -1 and 0.5;
    // 3 of the 4 (positive, negative) pairs are ordered: 0.75.
    BOOST_TEST(m::roc_auc(std::vector<int>{0, 1, 0, 1}, lz::tensor<double, lz::shape<4, 1>>{{-1.0}, {2.0}, {0.5}, {0.3}}) == 0.75);
}

BOOST_AUTO_TEST_CASE(roc_auc_with_scratch_allocates_nothing) {
    const auto& c = cases()[0];
    const auto y = c.labels("y_true");
    const auto& s = c.at("score");
    std::vector<std::size_t> scratch(y.size());
    double auc = 0;
    const auto n = counting_new::allocations_in([&] { auc = m::roc_auc(y, s, scratch); });
    BOOST_TEST(n == 0u);
    BOOST_TEST(auc == m::roc_auc(y, s));
    const auto p = c.labels("y_pred");
    std::vector<std::size_t> cm(4);
    BOOST_TEST(counting_new::allocations_in([&] { m::confusion_matrix(y, p, 2, std::span<std::size_t>(cm)); }) == 0u);
}

BOOST_AUTO_TEST_CASE(bad_input_throws_naming_the_problem) {
    const std::vector<int> y3{0, 1, 1}, y2{0, 1};
    const std::vector<double> d3{0.1, 0.2, 0.3}, d2{0.1, 0.2};
    throws_naming([&] { (void)m::accuracy(y3, y2); }, {"accuracy", "3", "2"});
    throws_naming([&] { (void)m::precision(y3, y2); }, {"precision", "3", "2"});
    throws_naming([&] { (void)m::mse(d3, d2); }, {"mse", "3", "2"});
    throws_naming([&] { (void)m::r2(d2, d3); }, {"r2", "2", "3"});
    throws_naming([&] { (void)m::roc_auc(y3, d2); }, {"roc_auc", "3", "2"});
    throws_naming([&] { (void)m::accuracy(y3, d3, 2); }, {"accuracy", "num_classes = 2"});
    throws_naming([&] { (void)m::accuracy(std::vector<int>{0, -1}, y2); }, {"accuracy", "label -1", "y_true"});
    throws_naming([&] { (void)m::confusion_matrix(y3, std::vector<int>{0, 3, 1}, 3); }, {"confusion_matrix", "label 3", "y_pred", "0..2"});
    throws_naming([&] { (void)m::recall(y3, std::vector<int>{0, 2, 1}); }, {"recall", "label 2", "0..1"});  // binary
    throws_naming([&] { (void)m::f1(y3, y3, {.average = m::average::macro, .num_classes = 1}); }, {"f1", "label 1"});
    throws_naming([&] { (void)m::roc_auc(std::vector<int>{1, 1, 1}, d3); }, {"roc_auc", "only one class", "3 positive", "0 negative"});
    throws_naming([&] { (void)m::roc_auc(y3, std::vector<double>{0.1, NAN, 0.3}); }, {"roc_auc", "NaN"});
    std::vector<std::size_t> small(2);
    throws_naming([&] { (void)m::roc_auc(y3, d3, small); }, {"roc_auc", "scratch", "2", "3"});
    const std::vector<double> p{0.5, 0.5, 0, 0.2, 0.8, 0, 0.1, 0.1, 0.8};
    throws_naming([&] { (void)m::roc_auc(std::vector<int>{0, 1, 1}, p, 3); }, {"roc_auc", "class 2", "never occurs"});
    throws_naming([&] { (void)m::roc_auc(std::vector<int>{0, 1, 2}, std::vector<double>{1, 1, 0, 0, 1, 0, 0, 0, 1}, 3); },
                  {"roc_auc", "row 0", "sums to 2"});
    throws_naming([&] { (void)m::top_k_accuracy(y3, p, 3, 0); }, {"top_k_accuracy", "k is 0"});
    std::vector<std::size_t> cm(3);
    throws_naming([&] { m::confusion_matrix(y3, y3, 2, cm); }, {"confusion_matrix", "3 elements", "4"});
    throws_naming([&] { (void)m::mae(std::vector<double>{}, std::vector<double>{}); }, {"mae", "empty"});
}
