// The examples of doc/reference/metrics.md; each `// [snippet <part>]` region is
// shown there.
#include <leibniz/tensor/tensor.hpp>
#include <leibniz/train/metrics.hpp>

#include <cstdio>
#include <vector>

namespace lz = leibniz;

int main() {
    // [snippet classification]
    namespace m = lz::train::metrics;
    const std::vector<int> y_true{0, 1, 2, 2, 1, 0, 2, 1};
    const std::vector<int> y_pred{0, 2, 2, 2, 1, 0, 1, 1};
    std::printf("accuracy %.4f\n", m::accuracy(y_true, y_pred));
    std::printf("macro F1 %.4f, micro F1 %.4f\n", m::f1(y_true, y_pred, {.average = m::average::macro}),
                m::f1(y_true, y_pred, {.average = m::average::micro}));
    std::printf("binary recall (pos_label 1) %.4f\n",
                m::recall(std::vector<int>{0, 0, 1, 1, 0, 0, 1, 0}, std::vector<int>{0, 0, 1, 1, 0, 0, 0, 0}));
    const auto cm = m::confusion_matrix(y_true, y_pred, 3);  // rows: true class, columns: predicted
    for (std::size_t r = 0; r < 3; ++r) std::printf("  %zu %zu %zu\n", cm[3 * r], cm[3 * r + 1], cm[3 * r + 2]);
    // [/snippet]

    // [snippet scores]
    // Scores [N, C] (logits or probabilities): accuracy of the argmax, top-k.
    const lz::tensor<double, lz::shape<4, 3>> probs{
        {0.7, 0.2, 0.1}, {0.1, 0.3, 0.6}, {0.2, 0.5, 0.3}, {0.3, 0.3, 0.4}};
    const std::vector<int> y{0, 1, 1, 2};
    std::printf("accuracy %.4f, top-2 %.4f, one-vs-rest AUC %.4f\n", m::accuracy(y, probs),
                m::top_k_accuracy(y, probs, 2), m::roc_auc(y, probs));
    // [/snippet]

    // [snippet auc]
    // Binary AUC from one score per sample; tied scores count half. In a
    // training loop, a caller's scratch of N indices avoids the allocation.
    const std::vector<int> labels{0, 0, 1, 1, 0, 1};
    const std::vector<float> logits{-1.5f, 0.5f, 0.5f, 2.0f, -0.3f, 1.1f};
    std::vector<std::size_t> scratch(labels.size());
    std::printf("ROC AUC %.4f\n", m::roc_auc(labels, logits, scratch));
    // [/snippet]

    // [snippet regression]
    const std::vector<double> target{3.0, -0.5, 2.0, 7.0};
    const std::vector<double> prediction{2.5, 0.0, 2.0, 8.0};
    std::printf("mse %.4f  mae %.4f  rmse %.4f  r2 %.4f\n", m::mse(target, prediction), m::mae(target, prediction),
                m::rmse(target, prediction), m::r2(target, prediction));
    // [/snippet]
}
