// The program of doc/tutorial-tensors.md: a small MLP classifier trained by
// gradient descent. Each `// [snippet <part>]` region is shown in the
// tutorial, and what main() prints is quoted there.
// [snippet preamble]
#include <leibniz/leibniz.hpp>

#include <algorithm>
#include <cstdio>
#include <random>

namespace lz = leibniz;
using namespace lz::literals;
// [/snippet]

// [snippet model]
constexpr std::size_t features = 4, width = 8, classes = 3;

constexpr auto x = lz::var<"x", float, lz::shape<lz::dyn, features>>;  // a batch of inputs
constexpr auto y = lz::var<"y", float, lz::shape<lz::dyn, classes>>;   // their labels, one-hot
constexpr auto W1 = lz::param<"W1", float, lz::shape<features, width>>;
constexpr auto b1 = lz::param<"b1", float, lz::shape<width>>;
constexpr auto W2 = lz::param<"W2", float, lz::shape<width, classes>>;
constexpr auto b2 = lz::param<"b2", float, lz::shape<classes>>;

constexpr auto hidden = lz::relu(lz::matmul(x, W1) + b1);  // [batch, 8]
constexpr auto logits = lz::matmul(hidden, W2) + b2;       // [batch, 3]
// Cross-entropy: −Σ y·log softmax(logits) over each row, averaged over the batch.
constexpr auto loss = -lz::mean(lz::sum(y * lz::log_softmax(logits), lz::axis<1>));
// [/snippet]

// [snippet descend]
// p ← p − rate·g for every parameter at once: the store and its gradient are
// two flat buffers laid out alike, so one loop pairs each number with its own.
template <class Params, class Grads>
void descend(Params& params, const Grads& grads, float rate) {
    const auto p = params.flat();
    const auto g = grads.flat();
    for (std::size_t i = 0; i < p.size(); ++i) p[i] -= rate * g[i];
}
// [/snippet]

// [snippet accuracy]
// The fraction of rows whose largest logit is the labelled class.
template <class Scores, class Labels>
double accuracy(const Scores& scores, const Labels& labels) {
    std::size_t correct = 0;
    for (std::size_t i = 0; i < scores.extent(0); ++i) {
        std::size_t best = 0;
        for (std::size_t k = 1; k < classes; ++k)
            if (scores(i, k) > scores(i, best)) best = k;
        correct += labels(i, best) == 1;
    }
    return double(correct) / double(scores.extent(0));
}
// [/snippet]

int main() {
    std::printf("loss = %s\n", lz::to_string(loss).c_str());

    // [snippet data]
    // Three clusters in 4 dimensions, 64 points each, and their one-hot labels.
    constexpr std::size_t n = 3 * 64;
    lz::tensor<float, lz::shape<lz::dyn, features>> xs(n);  // the dyn extent: n rows
    lz::tensor<float, lz::shape<lz::dyn, classes>> ys(n);   // zero-filled
    constexpr float centre[classes][features] = {{1, 1, 0, 0}, {-1, 0, 1, 0}, {0, -1, -1, 1}};
    std::mt19937 rng(42);
    std::normal_distribution<float> noise(0.0f, 0.7f);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t label = i % classes;
        for (std::size_t j = 0; j < features; ++j) xs(i, j) = centre[label][j] + noise(rng);
        ys(i, label) = 1;
    }
    // [/snippet]

    // [snippet params]
    // One store for every parameter of the loss (W1, b1, W2, b2), zeroed.
    lz::parameters params{loss};
    // Small random weights; the biases stay zero.
    std::uniform_real_distribution<float> uniform(-0.5f, 0.5f);
    auto draw = [&](auto weights) {  // a view into the store
        for (std::size_t i = 0; i < weights.size(); ++i) weights.data()[i] = uniform(rng);
    };
    draw(params[W1]);
    draw(params[W2]);
    // [/snippet]

    // [snippet train]
    // The environment binds every parameter of the store, as views, and the data:
    // built once, it sees every update.
    const auto env = lz::at(params, x = xs, y = ys);
    lz::workspace ws{loss};  // the tape's memory: sized by the first call, then reused
    const float rate = 0.2f;
    for (int step = 0; step <= 300; ++step) {
        // grads: laid out like params, a view into ws, valid until its next use.
        const auto [value, grads] = lz::value_and_grad(loss, params, env, ws);
        if (step % 50 == 0) std::printf("step %3d  loss %.3f\n", step, value);
        descend(params, grads, rate);
    }
    // [/snippet]

    // [snippet predict]
    // The logits alone: a sub-expression, with its own workspace. The environment
    // also binds y, which the logits do not read: lz::lenient allows that.
    lz::workspace ws_logits{logits};
    const auto scores = lz::eval(logits, lz::lenient(env), ws_logits);  // a [n, 3] view into ws_logits
    std::printf("accuracy %.3f\n", accuracy(scores, ys));
    // [/snippet]

    // [snippet batches]
    // Mini-batches: 8 passes over the data in batches of 32 rows. Each batch is a
    // view of rows of xs and ys; env.with rebinds x and y and keeps the rest.
    using rows_x = lz::tensor_view<const float, lz::shape<lz::dyn, features>>;
    using rows_y = lz::tensor_view<const float, lz::shape<lz::dyn, classes>>;
    constexpr std::size_t batch = 32;
    const std::size_t sized = ws.capacity();
    for (int epoch = 1; epoch <= 8; ++epoch) {
        for (std::size_t first = 0; first < n; first += batch) {
            const auto env_batch = env.with(x = rows_x(xs.data() + first * features, batch))
                                       .with(y = rows_y(ys.data() + first * classes, batch));
            descend(params, lz::grad(loss, params, env_batch, ws), rate);
        }
        if (epoch % 4 == 0) std::printf("epoch %d  loss %.3f\n", epoch, lz::eval(loss, env, ws));
    }
    std::printf("the workspace grew: %s\n", ws.capacity() > sized ? "yes" : "no");
    std::printf("accuracy %.3f\n", accuracy(lz::eval(logits, lz::lenient(env), ws_logits), ys));
    // [/snippet]

    // [snippet raw]
    // The raw form: each parameter bound and differentiated by name, and each
    // gradient paired with its parameter by hand (here: views of the store).
    const auto raw_env = lz::at(x = xs, y = ys, W1 = params[W1], b1 = params[b1], W2 = params[W2], b2 = params[b2]);
    const auto [dW1, db1, dW2, db2] = lz::grad(loss, lz::wrt(W1, b1, W2, b2), raw_env, ws);
    const auto grads = lz::grad(loss, params, env);  // without a workspace: an owning store
    auto equal = [](auto a, auto b) { return std::equal(a.data(), a.data() + a.size(), b.data()); };
    const bool same = equal(grads[W1], dW1) && equal(grads[b1], db1) && equal(grads[W2], dW2) && equal(grads[b2], db2);
    std::printf("the raw form's gradients are the store's: %s\n", same ? "yes" : "no");
    // [/snippet]
}
