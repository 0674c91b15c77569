// Tensor expressions allocate nothing once their workspace exists.
//
// Every replaceable global operator new / new[] (plain, nothrow, aligned,
// aligned nothrow) and operator delete / delete[] (plain, sized, nothrow,
// aligned, sized aligned, aligned nothrow) is replaced by a counting version.
// The test first proves the counters count: each form, called directly (a
// direct call of an allocation function is never elided, unlike a new-
// expression), moves its counter; an lz::tensor allocates through the aligned
// form; and grad without a workspace is seen to allocate.
//
// Then, for an MLP — x [dyn, 32], W1 [32, 16], b1 [16], W2 [16, 10],
// b2 [10], h = tanh(x·W1 + b1), logits = h·W2 + b2 — with two losses
// (mean squared error against y, and −Σ log_softmax(logits) ⊙ y), after one
// warm-up call of each of eval, grad, value_and_grad and jvp with a workspace,
// N more calls of each allocate nothing; a larger batch grows the workspace
// (allocates) and a smaller one afterwards does not. lz::assign allocates
// nothing at all, from its first call; nor does cross-entropy on integer
// labels (lz::pick, lz::one_hot) once its workspace exists.
#define BOOST_TEST_MODULE tensor_alloc
#include <boost/test/unit_test.hpp>

#include <leibniz/leibniz.hpp>
#include <leibniz/ops/log_softmax.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <random>
#include <type_traits>
#include <vector>

#include "counting_new.hpp"

using counting_new::allocations_in;
using counting_new::count;
using counting_new::counters;

// ---------------------------------------------------------------- helpers

namespace lz = leibniz;
using namespace lz::literals;

namespace {

// Results go here, so the calls cannot be optimised away.
volatile double sink = 0;
void keep(double v) { sink = sink + v; }
template <class V>
void keep_tensor(const V& v) {
    keep(double(v.data()[0]) + double(v.data()[v.size() - 1]));
}


template <std::size_t... E>
using sh = lz::shape<E...>;
constexpr auto dyn = lz::dyn;

constexpr auto x = lz::var<"x", float, sh<dyn, 32>>;
constexpr auto y = lz::var<"y", float, sh<dyn, 10>>;
constexpr auto W1 = lz::param<"W1", float, sh<32, 16>>;
constexpr auto b1 = lz::param<"b1", float, sh<16>>;
constexpr auto W2 = lz::param<"W2", float, sh<16, 10>>;
constexpr auto b2 = lz::param<"b2", float, sh<10>>;

constexpr auto logits = lz::matmul(lz::tanh(lz::matmul(x, W1) + b1), W2) + b2;
constexpr auto mse = lz::mean(lz::pow(logits - y, 2_c));
constexpr auto cross_entropy = -lz::sum(lz::log_softmax(logits) * y);

template <class T, class S>
void randomize(lz::tensor<T, S>& t, std::mt19937& rng) {
    std::uniform_real_distribution<float> d(-1, 1);
    for (std::size_t i = 0; i < t.size(); ++i) t.data()[i] = d(rng);
}

// The parameters and a batch of inputs and targets.
struct data {
    std::mt19937 rng{7};
    lz::tensor<float, sh<32, 16>> w1, v1;  // v1: a jvp direction
    lz::tensor<float, sh<16>> c1;
    lz::tensor<float, sh<16, 10>> w2;
    lz::tensor<float, sh<10>> c2;
    explicit data() {
        randomize(w1, rng);
        randomize(v1, rng);
        randomize(c1, rng);
        randomize(w2, rng);
        randomize(c2, rng);
    }
    struct batch_t {
        lz::tensor<float, sh<dyn, 32>> in;
        lz::tensor<float, sh<dyn, 10>> target;
    };
    batch_t batch(std::size_t n) {
        batch_t b{lz::tensor<float, sh<dyn, 32>>(n), lz::tensor<float, sh<dyn, 10>>(n)};
        randomize(b.in, rng);
        randomize(b.target, rng);
        return b;
    }
};

// eval, grad, value_and_grad and jvp of `loss` with workspace ws, once each.
template <class Loss, class Batch>
[[gnu::noinline]] void all_calls(Loss loss, lz::workspace<Loss>& ws, const data& d, const Batch& b) {
    const auto env = lz::at(x = b.in, y = b.target, W1 = d.w1, b1 = d.c1, W2 = d.w2, b2 = d.c2);
    keep(lz::eval(loss, env, ws));
    const auto [g1, gb1, g2, gb2] = lz::grad(loss, lz::wrt(W1, b1, W2, b2), env, ws);
    keep_tensor(g1);
    keep_tensor(gb1);
    keep_tensor(g2);
    keep_tensor(gb2);
    const auto r = lz::value_and_grad(loss, lz::wrt(W1, W2), env, ws);
    keep(r.value);
    keep_tensor(std::get<0>(r.gradient));
    keep_tensor(std::get<1>(r.gradient));
    const auto t = lz::jvp(loss, env, lz::tangent(W1 = d.v1), ws);
    keep(t.value + t.tangent);
}

}  // namespace

// ---------------------------------------------------------------- the counters count

BOOST_AUTO_TEST_CASE(every_replaced_form_is_counted) {
    const counters& c = count;
    auto moved = [](const std::atomic<long>& counter, auto f) {
        const long before = counter;
        f();
        return counter - before;
    };
    BOOST_TEST(moved(c.plain, [] { ::operator delete(::operator new(24)); }) == 1);
    BOOST_TEST(moved(c.array, [] { ::operator delete[](::operator new[](24)); }) == 1);
    BOOST_TEST(moved(c.nothrow, [] { ::operator delete(::operator new(24, std::nothrow), std::nothrow); }) == 1);
    BOOST_TEST(moved(c.nothrow, [] { ::operator delete[](::operator new[](24, std::nothrow), std::nothrow); }) == 1);
    BOOST_TEST(moved(c.aligned, [] {
                   ::operator delete(::operator new(24, std::align_val_t{64}), std::align_val_t{64});
               }) == 1);
    BOOST_TEST(moved(c.aligned, [] {
                   ::operator delete[](::operator new[](24, std::align_val_t{64}), std::align_val_t{64});
               }) == 1);
    BOOST_TEST(moved(c.aligned_nothrow, [] {
                   ::operator delete(::operator new(24, std::align_val_t{64}, std::nothrow), std::align_val_t{64},
                                     std::nothrow);
               }) == 1);
    BOOST_TEST(moved(c.aligned_nothrow, [] {
                   ::operator delete[](::operator new[](24, std::align_val_t{64}, std::nothrow), std::align_val_t{64},
                                       std::nothrow);
               }) == 1);
    BOOST_TEST(moved(c.deletes, [] { ::operator delete(::operator new(8)); }) == 1);
    BOOST_TEST(moved(c.sized_deletes, [] { ::operator delete(::operator new(8), 8); }) == 1);
    BOOST_TEST(moved(c.sized_deletes, [] { ::operator delete[](::operator new[](8), 8); }) == 1);
    BOOST_TEST(moved(c.aligned_deletes, [] {
                   ::operator delete(::operator new(8, std::align_val_t{64}), 8, std::align_val_t{64});
               }) == 1);
    BOOST_TEST(moved(c.aligned_deletes, [] {
                   ::operator delete[](::operator new[](8, std::align_val_t{64}), 8, std::align_val_t{64});
               }) == 1);
    // an lz::tensor allocates its 64-byte-aligned storage through the aligned form
    BOOST_TEST(moved(c.aligned, [] {
                   lz::tensor<float, sh<dyn, 4>> t(static_cast<std::size_t>(sink) + 3);
                   keep_tensor(t);
               }) == 1);
}

BOOST_AUTO_TEST_CASE(without_a_workspace_grad_is_seen_to_allocate) {
    data d;
    const auto b = d.batch(8);
    const auto env = lz::at(x = b.in, y = b.target, W1 = d.w1, b1 = d.c1, W2 = d.w2, b2 = d.c2);
    const long n = allocations_in([&] {
        const auto [g1, g2] = lz::grad(mse, lz::wrt(W1, W2), env);  // a workspace and two owning tensors
        keep_tensor(g1);
        keep_tensor(g2);
    });
    BOOST_TEST(n >= 3, n << " allocations");
}

// ---------------------------------------------------------------- nothing once the workspace exists

template <class Loss>
void check_no_allocation(Loss loss) {
    data d;
    const auto small = d.batch(8), large = d.batch(64), smaller = d.batch(3);
    lz::workspace ws{loss};
    BOOST_TEST(allocations_in([&] { all_calls(loss, ws, d, small); }) > 0);  // warm-up: the workspace is sized
    const std::size_t capacity = ws.capacity();

    constexpr int N = 25;
    BOOST_TEST(allocations_in([&] {
                   for (int i = 0; i < N; ++i) all_calls(loss, ws, d, small);
               }) == 0);
    BOOST_TEST(ws.capacity() == capacity);

    // a larger batch grows the workspace: it allocates, once
    BOOST_TEST(allocations_in([&] { all_calls(loss, ws, d, large); }) > 0);
    BOOST_TEST(ws.capacity() > capacity);
    BOOST_TEST(allocations_in([&] {
                   for (int i = 0; i < N; ++i) all_calls(loss, ws, d, large);
               }) == 0);
    // smaller batches afterwards fit in it
    BOOST_TEST(allocations_in([&] {
                   for (int i = 0; i < N; ++i) {
                       all_calls(loss, ws, d, small);
                       all_calls(loss, ws, d, smaller);
                       all_calls(loss, ws, d, large);
                   }
               }) == 0);
}

BOOST_AUTO_TEST_CASE(mse_loss) { check_no_allocation(mse); }
BOOST_AUTO_TEST_CASE(cross_entropy_loss) { check_no_allocation(cross_entropy); }

// A tensor-valued expression evaluated with a workspace: a view, no allocation.
BOOST_AUTO_TEST_CASE(tensor_valued_eval) {
    data d;
    const auto b = d.batch(16);
    const auto env = lz::at(x = b.in, W1 = d.w1, b1 = d.c1, W2 = d.w2, b2 = d.c2);
    lz::workspace ws{logits};
    keep_tensor(lz::eval(logits, env, ws));
    BOOST_TEST(allocations_in([&] {
                   for (int i = 0; i < 25; ++i) keep_tensor(lz::eval(logits, env, ws));
               }) == 0);
}

// Leaf names longer than a std::string's small buffer (15 characters in
// libstdc++) must not make the batch-extent check allocate.
// (detail::batch_extent once kept the first dyn leaf's name in a std::string.)
BOOST_AUTO_TEST_CASE(long_leaf_names) {
    constexpr auto input = lz::var<"a_rather_long_input_name", float, sh<dyn, 8>>;
    constexpr auto weights = lz::param<"some_long_weight_vector_name", float, sh<8>>;
    const auto f = lz::sum(lz::tanh(input * weights));
    lz::tensor<float, sh<dyn, 8>> in(5);
    lz::tensor<float, sh<8>> w;
    w.fill(0.5f);
    in.fill(0.25f);
    const auto env = lz::at(input = in, weights = w);
    lz::workspace ws{f};
    keep_tensor(std::get<0>(lz::grad(f, lz::wrt(weights), env, ws)));
    BOOST_TEST(allocations_in([&] {
                   for (int i = 0; i < 25; ++i) keep_tensor(std::get<0>(lz::grad(f, lz::wrt(weights), env, ws)));
               }) == 0);
}

// lz::assign allocates nothing, not even on its first call: SGD with momentum
// over flat buffers (static and dyn), a broadcast row and scalar, a target of
// two different dyn extents (looped over one row at a time), the target named
// by its leaf.
BOOST_AUTO_TEST_CASE(assign_allocates_nothing) {
    constexpr std::size_t n = 1000;
    constexpr auto p = lz::param<"p", float, sh<n>>;
    constexpr auto v = lz::var<"v", float, sh<n>>;
    constexpr auto g = lz::var<"g", float, sh<n>>;
    constexpr auto mu = lz::var<"mu", float>;
    constexpr auto eta = lz::var<"eta", float>;
    lz::tensor<float, sh<n>> pt, vt, gt;
    gt.fill(0.5f);
    const auto env = lz::at(p = pt, v = vt, g = gt, mu = 0.9f, eta = 0.01f);

    constexpr auto pd = lz::param<"p", float, sh<dyn>>;
    constexpr auto gd = lz::var<"g", float, sh<dyn>>;
    lz::tensor<float, sh<dyn>> pdt(n), gdt(n);
    const auto env_dyn = lz::at(pd = pdt, gd = gdt, eta = 0.01f);

    constexpr auto x = lz::var<"x", float, sh<dyn, dyn>>;
    constexpr auto r = lz::var<"r", float, sh<dyn>>;
    lz::tensor<float, sh<dyn, dyn>> xt(4, 6), out(4, 6);
    lz::tensor<float, sh<dyn>> rt(6);
    const auto env_broadcast = lz::at(x = xt, r = rt, mu = 0.9f);

    const auto env_leaf = lz::at(lz::binding<std::remove_const_t<decltype(p)>, lz::tensor_view<float, sh<n>>>{pt.view()},
                                 g = gt, eta = 0.01f);
    BOOST_TEST(allocations_in([&] {
                   for (int i = 0; i < 25; ++i) {
                       lz::assign(vt, mu * v + g, env);
                       lz::assign(pt, p - eta * v, env);
                       lz::assign(pdt, pd - eta * gd, env_dyn);
                       lz::assign(out, mu * x + r, env_broadcast);
                       lz::assign(p, p - eta * g, env_leaf);
                   }
               }) == 0);
    BOOST_TEST(pt(0) != 0.0f);  // the updates ran
}

// Cross-entropy on integer labels (lz::pick, lz::one_hot; ops/gather.hpp): the
// index checks and the scatter-add allocate nothing.
BOOST_AUTO_TEST_CASE(integer_labels_allocate_nothing) {
    constexpr auto labels = lz::var<"labels", std::int32_t, sh<dyn>>;
    constexpr auto picked = lz::mean(lz::logsumexp(logits, lz::axis<1>) - lz::pick(logits, labels));
    constexpr auto hot = -lz::mean(lz::sum(lz::one_hot<10>(labels) * lz::log_softmax(logits), lz::axis<1>));
    data d;
    const auto b = d.batch(16);
    std::vector<std::int32_t> ys(16);
    for (std::size_t i = 0; i < ys.size(); ++i) ys[i] = static_cast<std::int32_t>(i % 10);
    const auto env = lz::at(x = b.in, labels = ys, W1 = d.w1, b1 = d.c1, W2 = d.w2, b2 = d.c2);
    lz::workspace ws_picked{picked};
    lz::workspace ws_hot{hot};
    auto calls = [&] {
        keep(lz::eval(picked, env, ws_picked));
        keep_tensor(std::get<0>(lz::grad(picked, lz::wrt(W1, b1, W2, b2), env, ws_picked)));
        keep(lz::value_and_grad(picked, lz::wrt(W2), env, ws_picked).value);
        keep_tensor(std::get<0>(lz::grad(hot, lz::wrt(W2, b2), env, ws_hot)));
    };
    calls();  // warm-up: the workspaces are sized
    BOOST_TEST(allocations_in([&] {
                   for (int i = 0; i < 25; ++i) calls();
               }) == 0);
}

// Gradients laid out like a parameter store (core/parameters.hpp): nothing
// once the workspace exists, with grad, value_and_grad and the binding of the
// whole store.
BOOST_AUTO_TEST_CASE(parameter_store_allocates_nothing) {
    data d;
    lz::parameters params{mse};  // allocates its buffer, once
    std::copy(d.w1.data(), d.w1.data() + d.w1.size(), params[W1].data());
    std::copy(d.w2.data(), d.w2.data() + d.w2.size(), params[W2].data());
    const auto b = d.batch(16);
    lz::workspace ws{mse};
    auto step = [&] {
        const auto env = lz::at(params, x = b.in, y = b.target);
        const auto grads = lz::grad(mse, params, env, ws);
        keep(double(grads.flat()[0]) + double(grads.flat()[params.size() - 1]));
        const auto [value, g] = lz::value_and_grad(mse, params, env, ws);
        keep(value + double(g[b2](3)));
        for (std::size_t i = 0; i < params.size(); ++i) params.flat()[i] -= 0.01f * g.flat()[i];
    };
    step();  // sizes the workspace
    BOOST_TEST(allocations_in([&] {
                   for (int i = 0; i < 25; ++i) step();
               }) == 0);
}

// lz::with_aux: the auxiliary values come from the same workspace.
BOOST_AUTO_TEST_CASE(auxiliary_outputs_allocate_nothing) {
    data d;
    lz::parameters params{cross_entropy};
    const auto b = d.batch(16);
    lz::workspace ws{cross_entropy};
    auto step = [&] {
        const auto env = lz::at(params, x = b.in, y = b.target);
        const auto r = lz::value_and_grad(lz::with_aux(cross_entropy, logits), params, env, ws);
        keep(r.value + double(r.aux(0, 0)) + double(r.gradient.flat()[0]));
        const auto q = lz::value_and_grad(lz::with_aux(cross_entropy, logits), lz::wrt(W1), env, ws);
        keep(q.value + double(q.aux(1, 1)));
    };
    step();  // sizes the workspace
    BOOST_TEST(allocations_in([&] {
                   for (int i = 0; i < 25; ++i) step();
               }) == 0);
}
