// doc/reference/loss.md: the losses as a PyTorch user spells them, on a small
// batch. The numbers printed are PyTorch 1.13's to the digits shown (compared
// by hand when the page was written; test/loss_test.cpp checks every loss
// against PyTorch on its own inputs).
#include <leibniz/leibniz.hpp>
#include <leibniz/loss/losses.hpp>

#include <cstdint>
#include <cstdio>

namespace lz = leibniz;
using namespace lz::literals;

int main() {
    // [snippet cross_entropy]
    namespace L = lz::loss;
    constexpr auto logits = lz::var<"logits", double, lz::shape<lz::dyn, 3>>;
    constexpr auto y = lz::var<"y", std::int32_t, lz::shape<lz::dyn>>;  // class labels
    lz::tensor<double, lz::shape<lz::dyn, 3>> xs(2);
    lz::tensor<std::int32_t, lz::shape<lz::dyn>> ys(2);
    xs(0, 0) = 2.0, xs(0, 1) = -1.0, xs(0, 2) = 0.5;
    xs(1, 0) = 0.1, xs(1, 1) = 0.2, xs(1, 2) = 3.0;
    ys(0) = 0, ys(1) = 2;
    const auto env = lz::at(logits = xs, y = ys);

    // F.cross_entropy(logits, y): the fused softmax cross-entropy, mean over the batch
    const auto loss = L::cross_entropy(logits, y);
    const auto [value, grads] = lz::value_and_grad(loss, lz::wrt(logits), env);
    const auto& [g] = grads;  // (softmax(logits) − onehot(y)) / 2
    std::printf("cross_entropy %.6f, d/dlogits[0] = %.6f %.6f %.6f\n", value, g(0, 0), g(0, 1), g(0, 2));

    // F.cross_entropy(logits, y, label_smoothing=0.1, reduction='sum')
    const auto smooth = L::cross_entropy(logits, y, L::label_smoothing(0.1_c), L::reduction::sum);
    std::printf("label_smoothing 0.1, sum: %.6f\n", lz::eval(smooth, env));

    // reduction='none': one loss per row
    const auto rows = lz::eval(L::cross_entropy(logits, y, L::reduction::none), env);
    std::printf("per row: %.6f %.6f\n", rows(0), rows(1));

    // A label of -100 (PyTorch's default ignore_index) counts for nothing:
    // the mean is over the other rows, here row 0 alone
    lz::tensor<std::int32_t, lz::shape<lz::dyn>> kept(2);
    kept(0) = 0, kept(1) = -100;
    std::printf("row 1 ignored: %.6f\n", lz::eval(L::cross_entropy(logits, y), lz::at(logits = xs, y = kept)));
    // [/snippet]

    // [snippet options]
    constexpr auto pred = lz::var<"pred", double, lz::shape<lz::dyn, 3>>;
    constexpr auto target = lz::var<"target", double, lz::shape<lz::dyn, 3>>;
    lz::tensor<double, lz::shape<lz::dyn, 3>> ts(2);
    for (std::size_t i = 0; i < ts.size(); ++i) ts.data()[i] = 0.5 * xs.data()[i];
    const auto env2 = lz::at(pred = xs, target = ts);
    // F.huber_loss(pred, target, delta=0.5)
    std::printf("huber      %.6f\n", lz::eval(L::huber(pred, target, L::delta(0.5_c)), env2));
    // F.smooth_l1_loss(pred, target, beta=0.5, reduction='sum')
    std::printf("smooth_l1  %.6f\n", lz::eval(L::smooth_l1(pred, target, L::beta(0.5_c), L::reduction::sum), env2));
    // F.mse_loss(pred, target) + 1e-3 * pred.abs().sum(): losses compose by addition
    std::printf("mse + L1   %.6f\n", lz::eval(L::mse(pred, target) + 1e-3_c * lz::sum(lz::abs(pred)), env2));
    // [/snippet]
}
