// Parameter stores (core/parameters.hpp): the layout and its accessors, the
// binding of every parameter at once, and gradients laid out like the store,
// checked bit for bit against the same gradients taken leaf by leaf with
// lz::wrt (the raw form), for an MLP with a scalar parameter among its tensors,
// and for the MLP of doc/tutorial-tensors.md over a training run.
#define BOOST_TEST_MODULE parameters
#include <boost/test/unit_test.hpp>

#include <leibniz/leibniz.hpp>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace lz = leibniz;
using namespace lz::literals;

namespace {
constexpr auto x = lz::var<"x", float, lz::shape<lz::dyn, 4>>;
constexpr auto y = lz::var<"y", float, lz::shape<lz::dyn, 1>>;
constexpr auto W1 = lz::param<"W1", float, lz::shape<4, 8>>;
constexpr auto b1 = lz::param<"b1", float, lz::shape<8>>;
constexpr auto W2 = lz::param<"W2", float, lz::shape<8, 1>>;
constexpr auto s = lz::param<"s", float>;  // a scalar parameter: an output scale
constexpr auto hidden = lz::tanh(lz::matmul(x, W1) + b1);
constexpr auto out = lz::matmul(hidden, W2) * s;
constexpr auto loss = lz::mean(lz::pow(out - y, 2_c));

using store_t = decltype(lz::parameters{loss});

// Deterministic, distinct values.
float value_at(std::size_t i) { return 0.37f * float(int(i % 23) - 11) / 11.0f + 0.01f * float(i % 5); }
}  // namespace

BOOST_AUTO_TEST_CASE(layout_in_first_use_order) {
    static_assert(std::is_same_v<lz::params_of<decltype(loss)>,
                                 boost::mp11::mp_list<std::remove_cvref_t<decltype(W1)>, std::remove_cvref_t<decltype(b1)>,
                                                      std::remove_cvref_t<decltype(W2)>, std::remove_cvref_t<decltype(s)>>>);
    static_assert(std::is_same_v<store_t, lz::parameters<lz::params_of<decltype(loss)>>>);
    static_assert(store_t::size() == 32 + 8 + 8 + 1);
    static_assert(store_t::count() == 4);
    store_t params{loss};
    BOOST_TEST(params.flat().size() == 49u);
    BOOST_TEST(reinterpret_cast<std::uintptr_t>(params.flat().data()) % lz::tensor_alignment == 0u);
    for (float v : params.flat()) BOOST_TEST(v == 0.0f);  // zeroed
    // Views by leaf alias the flat buffer, in store order.
    BOOST_TEST(params[W1].data() == params.flat().data());
    BOOST_TEST(params[b1].data() == params.flat().data() + 32);
    BOOST_TEST(params[W2].data() == params.flat().data() + 40);
    BOOST_TEST(&params[s] == params.flat().data() + 48);
    params[W1](1, 2) = 5.0f;
    BOOST_TEST(params.flat()[1 * 8 + 2] == 5.0f);
    params[s] = 2.0f;
    BOOST_TEST(params.flat()[48] == 2.0f);
    // By run-time name, with extents.
    const auto found = params.find("W2");
    BOOST_REQUIRE(found.has_value());
    BOOST_TEST(found->data.data() == params.flat().data() + 40);
    BOOST_TEST(found->data.size() == 8u);
    BOOST_TEST(found->extents.size() == 2u);
    BOOST_TEST(found->extents[0] == 8u);
    BOOST_TEST(found->extents[1] == 1u);
    BOOST_TEST(!params.find("W3").has_value());
    const auto scalar = params.find("s");
    BOOST_REQUIRE(scalar.has_value());
    BOOST_TEST(scalar->extents.size() == 0u);
    BOOST_TEST(scalar->data.size() == 1u);
    // Iteration in store order, with the leaf's type.
    std::vector<std::string> names;
    std::size_t elements = 0;
    params.for_each([&](auto leaf, auto&& view) {
        names.emplace_back(decltype(leaf)::name.view());
        if constexpr (lz::shape_of<decltype(leaf)>::rank == 0)
            elements += 1;
        else
            elements += view.size();
    });
    BOOST_TEST((names == std::vector<std::string>{"W1", "b1", "W2", "s"}));
    BOOST_TEST(elements == 49u);
    // A copy is a snapshot.
    store_t copy = params;
    params[s] = 3.0f;
    BOOST_TEST(copy[s] == 2.0f);
    BOOST_TEST(copy[W1](1, 2) == 5.0f);
}

BOOST_AUTO_TEST_CASE(gradients_laid_out_like_the_store_equal_the_raw_form) {
    for (std::size_t batch : {1u, 5u, 32u}) {
        store_t params{loss};
        for (std::size_t i = 0; i < params.size(); ++i) params.flat()[i] = value_at(i * 7 + 3);
        lz::tensor<float, lz::shape<lz::dyn, 4>> xs(batch);
        lz::tensor<float, lz::shape<lz::dyn, 1>> ys(batch);
        for (std::size_t i = 0; i < xs.size(); ++i) xs.data()[i] = value_at(i + 1);
        for (std::size_t i = 0; i < ys.size(); ++i) ys.data()[i] = value_at(5 * i + 2);

        // The store: every parameter bound at once, the gradient laid out like it.
        const auto env = lz::at(params, x = xs, y = ys);
        lz::workspace ws{loss};
        const auto [value, grads] = lz::value_and_grad(loss, params, env, ws);
        static_assert(decltype(grads)::size() == store_t::size());

        // The raw form: each parameter bound and differentiated by name.
        const auto raw_env = lz::at(x = xs, y = ys, W1 = params[W1], b1 = params[b1], W2 = params[W2], s = params[s]);
        lz::workspace raw_ws{loss};
        const auto raw = lz::value_and_grad(loss, lz::wrt(W1, b1, W2, s), raw_env, raw_ws);
        const auto& [dW1, db1, dW2, ds] = raw.gradient;

        BOOST_TEST(value == raw.value);
        BOOST_TEST(std::memcmp(grads[W1].data(), dW1.data(), 32 * sizeof(float)) == 0);
        BOOST_TEST(std::memcmp(grads[b1].data(), db1.data(), 8 * sizeof(float)) == 0);
        BOOST_TEST(std::memcmp(grads[W2].data(), dW2.data(), 8 * sizeof(float)) == 0);
        BOOST_TEST(grads[s] == ds);
        // One flat buffer: the views are its pieces.
        BOOST_TEST(grads[b1].data() == grads.flat().data() + 32);
        BOOST_TEST(&grads[s] == grads.flat().data() + 48);

        // grad alone gives the same, and so does the form without a workspace (owning).
        const auto only = lz::grad(loss, params, env, ws);
        BOOST_TEST(std::memcmp(only.flat().data(), dW1.data(), 32 * sizeof(float)) == 0);
        const auto owned = lz::grad(loss, params, env);
        static_assert(std::is_same_v<std::remove_cvref_t<decltype(owned)>, store_t>);
        BOOST_TEST(std::memcmp(owned.flat().data(), only.flat().data(), store_t::size() * sizeof(float)) == 0);

        // Against central differences of the loss, element by element of the flat store.
        const auto g = only.flat();
        std::vector<float> analytic(g.begin(), g.end());
        for (std::size_t i = 0; i < params.size(); ++i) {
            const float keep = params.flat()[i];
            const float h = 1e-2f;
            params.flat()[i] = keep + h;
            const double up = lz::eval(loss, env, ws);
            params.flat()[i] = keep - h;
            const double down = lz::eval(loss, env, ws);
            params.flat()[i] = keep;
            BOOST_TEST(analytic[i] == (up - down) / (2 * h), boost::test_tools::tolerance(2e-2));
        }
    }
}

BOOST_AUTO_TEST_CASE(an_optimizer_step_sweeps_both_flat_buffers) {
    store_t params{loss};
    for (std::size_t i = 0; i < params.size(); ++i) params.flat()[i] = value_at(i);
    lz::tensor<float, lz::shape<lz::dyn, 4>> xs(16);
    lz::tensor<float, lz::shape<lz::dyn, 1>> ys(16);
    for (std::size_t i = 0; i < xs.size(); ++i) xs.data()[i] = value_at(3 * i);
    for (std::size_t i = 0; i < ys.size(); ++i) ys.data()[i] = 0.5f * value_at(i + 9);
    const auto env = lz::at(params, x = xs, y = ys);  // views: it sees every update
    lz::workspace ws{loss};
    float previous = lz::eval(loss, env, ws);
    const float first = previous;
    for (int step = 0; step < 50; ++step) {
        const auto grads = lz::grad(loss, params, env, ws);
        for (std::size_t i = 0; i < params.size(); ++i) params.flat()[i] -= 0.1f * grads.flat()[i];
        const float now = lz::eval(loss, env, ws);  // the environment sees the update, the scalar s included
        BOOST_TEST(now < previous);
        previous = now;
    }
    BOOST_TEST(previous < 0.9f * first);
}

// lz::with_aux: values of subexpressions of the loss from the same forward
// pass, equal to evaluating them apart; the gradient unchanged.
BOOST_AUTO_TEST_CASE(auxiliary_outputs_equal_a_separate_eval) {
    store_t params{loss};
    for (std::size_t i = 0; i < params.size(); ++i) params.flat()[i] = value_at(2 * i + 1);
    lz::tensor<float, lz::shape<lz::dyn, 4>> xs(9);
    lz::tensor<float, lz::shape<lz::dyn, 1>> ys(9);
    for (std::size_t i = 0; i < xs.size(); ++i) xs.data()[i] = value_at(i + 4);
    for (std::size_t i = 0; i < ys.size(); ++i) ys.data()[i] = value_at(3 * i);
    const auto env = lz::at(params, x = xs, y = ys);
    lz::workspace ws{loss};
    const auto plain = lz::value_and_grad(loss, params, env, ws);
    const float plain_value = plain.value;
    const std::vector<float> plain_grad(plain.gradient.flat().begin(), plain.gradient.flat().end());

    // One auxiliary output: its view. `hidden` is fused into its consumer
    // without with_aux; asking for it stores it.
    lz::workspace ws_out{out};
    lz::workspace ws_hidden{hidden};
    const auto out_alone = lz::to_tensor(lz::eval(out, lz::lenient(env), ws_out));
    const auto hidden_alone = lz::to_tensor(lz::eval(hidden, lz::lenient(env), ws_hidden));
    {
        const auto r = lz::value_and_grad(lz::with_aux(loss, out), params, env, ws);
        BOOST_TEST(r.value == plain_value);
        BOOST_TEST(std::memcmp(r.gradient.flat().data(), plain_grad.data(), plain_grad.size() * sizeof(float)) == 0);
        static_assert(std::is_same_v<std::remove_cvref_t<decltype(r.aux)>,
                                     lz::tensor_view<const float, lz::shape<lz::dyn, 1>>>);
        BOOST_TEST(r.aux.extent(0) == 9u);
        BOOST_TEST(std::memcmp(r.aux.data(), out_alone.data(), 9 * sizeof(float)) == 0);
    }
    // Several: a tuple, with the lz::wrt form too.
    {
        const auto r = lz::value_and_grad(lz::with_aux(loss, hidden, out), lz::wrt(W1, s), env, ws);
        const auto& [h, o] = r.aux;
        BOOST_TEST(r.value == plain_value);
        BOOST_TEST(std::memcmp(std::get<0>(r.gradient).data(), plain_grad.data(), 32 * sizeof(float)) == 0);
        BOOST_TEST(std::get<1>(r.gradient) == plain_grad[48]);
        BOOST_TEST(std::memcmp(h.data(), hidden_alone.data(), 9 * 8 * sizeof(float)) == 0);
        BOOST_TEST(std::memcmp(o.data(), out_alone.data(), 9 * sizeof(float)) == 0);
    }
}

// The MLP of doc/tutorial-tensors.md (4-8-3, relu, log-softmax cross-entropy
// on one-hot labels, a dyn batch), trained twice from the same weights: with
// the store (one flat update) and in the raw form (each parameter a tensor of
// its own, bound and differentiated by name, updated one by one). At every
// step the losses, the gradients and the updated weights agree bit for bit.
namespace tutorial {
constexpr std::size_t features = 4, width = 8, classes = 3;
constexpr auto x = lz::var<"x", float, lz::shape<lz::dyn, features>>;
constexpr auto y = lz::var<"y", float, lz::shape<lz::dyn, classes>>;
constexpr auto W1 = lz::param<"W1", float, lz::shape<features, width>>;
constexpr auto b1 = lz::param<"b1", float, lz::shape<width>>;
constexpr auto W2 = lz::param<"W2", float, lz::shape<width, classes>>;
constexpr auto b2 = lz::param<"b2", float, lz::shape<classes>>;
constexpr auto hidden = lz::relu(lz::matmul(x, W1) + b1);
constexpr auto logits = lz::matmul(hidden, W2) + b2;
constexpr auto loss = -lz::mean(lz::sum(y * lz::log_softmax(logits), lz::axis<1>));

template <class A, class B>
bool same_bits(const A& a, const B& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

void train_both_ways() {
    constexpr std::size_t n = 48;
    lz::tensor<float, lz::shape<lz::dyn, features>> xs(n);
    lz::tensor<float, lz::shape<lz::dyn, classes>> ys(n);
    for (std::size_t i = 0; i < xs.size(); ++i) xs.data()[i] = 3.0f * value_at(7 * i + 1);
    for (std::size_t i = 0; i < n; ++i) ys(i, (i * 5 + i / 7) % classes) = 1;

    // The store, in tutorial order W1, b1, W2, b2 (biases nonzero, so every term matters).
    lz::parameters params{loss};
    static_assert(decltype(params)::size() == 4 * 8 + 8 + 8 * 3 + 3);
    for (std::size_t i = 0; i < params.size(); ++i) params.flat()[i] = 1.5f * value_at(3 * i + 2);
    // The raw form: the same values in tensors of their own.
    lz::tensor<float, lz::shape<features, width>> w1;
    lz::tensor<float, lz::shape<width>> c1;
    lz::tensor<float, lz::shape<width, classes>> w2;
    lz::tensor<float, lz::shape<classes>> c2;
    std::copy_n(params[W1].data(), w1.size(), w1.data());
    std::copy_n(params[b1].data(), c1.size(), c1.data());
    std::copy_n(params[W2].data(), w2.size(), w2.data());
    std::copy_n(params[b2].data(), c2.size(), c2.data());

    using rows_x = lz::tensor_view<const float, lz::shape<lz::dyn, features>>;
    using rows_y = lz::tensor_view<const float, lz::shape<lz::dyn, classes>>;
    const auto env = lz::at(params, x = xs, y = ys);
    const auto raw_env = lz::at(x = xs, y = ys, W1 = w1, b1 = c1, W2 = w2, b2 = c2);
    lz::workspace ws{loss}, raw_ws{loss};
    const float rate = 0.5f;
    float first = 0, last = 0;
    int step = 0;
    // Full batches, then mini-batches of several sizes (the dyn extent changes).
    for (std::size_t batch : {n, n, std::size_t(16), std::size_t(5), std::size_t(1), n, std::size_t(32), n}) {
        for (std::size_t row = 0; row + batch <= n; row += batch, ++step) {
            const auto store_env = env.with(x = rows_x(xs.data() + row * features, batch))
                                       .with(y = rows_y(ys.data() + row * classes, batch));
            const auto raw_batch = raw_env.with(x = rows_x(xs.data() + row * features, batch))
                                       .with(y = rows_y(ys.data() + row * classes, batch));
            const auto [value, grads] = lz::value_and_grad(loss, params, store_env, ws);
            const auto raw = lz::value_and_grad(loss, lz::wrt(W1, b1, W2, b2), raw_batch, raw_ws);
            const auto& [dW1, db1, dW2, db2] = raw.gradient;
            BOOST_TEST_CONTEXT("step " << step << ", batch " << batch << ", row " << row) {
                BOOST_TEST(std::memcmp(&value, &raw.value, sizeof(float)) == 0);
                BOOST_TEST(same_bits(grads[W1], dW1));
                BOOST_TEST(same_bits(grads[b1], db1));
                BOOST_TEST(same_bits(grads[W2], dW2));
                BOOST_TEST(same_bits(grads[b2], db2));
            }
            if (step == 0) first = value;
            if (batch == n) last = value;
            // The store's update: one loop over both flat buffers.
            for (std::size_t i = 0; i < params.size(); ++i) params.flat()[i] -= rate * grads.flat()[i];
            // The raw form's: one loop per parameter, each paired with its gradient by hand.
            for (std::size_t i = 0; i < w1.size(); ++i) w1.data()[i] -= rate * dW1.data()[i];
            for (std::size_t i = 0; i < c1.size(); ++i) c1.data()[i] -= rate * db1.data()[i];
            for (std::size_t i = 0; i < w2.size(); ++i) w2.data()[i] -= rate * dW2.data()[i];
            for (std::size_t i = 0; i < c2.size(); ++i) c2.data()[i] -= rate * db2.data()[i];
            BOOST_TEST(same_bits(params[W1], w1));
            BOOST_TEST(same_bits(params[b1], c1));
            BOOST_TEST(same_bits(params[W2], w2));
            BOOST_TEST(same_bits(params[b2], c2));
        }
    }
    BOOST_TEST(step == 2 + 3 + 9 + 48 + 1 + 1 + 1);
    BOOST_TEST(last < first);  // it trains
}
}  // namespace tutorial

BOOST_AUTO_TEST_CASE(tutorial_mlp_gradients_match_the_raw_form_exactly) { tutorial::train_both_ways(); }
