// Integer data leaves and the ops that take them: lz::gather (torch.gather /
// take_along_axis), lz::pick (one element per row: x[arange(N), y]) and
// lz::one_hot (include/leibniz/ops/gather.hpp, ops/one_hot.hpp).
//   values     against plain loops: static and dyn batch, float and double,
//              int32, int64 and uint8 indices, axes 0, 1 and 2, ranks 2 and 3
//   gradients  of losses through gather and pick (repeated indices, an operand
//              used twice, a matrix product before) against central differences
//   adjoint    ⟨J·v, u⟩ = ⟨v, Jᵀ·u⟩ for gather's float operand: J·v from the op's
//              forward on dual numbers (what forward mode runs), Jᵀ·u from lz::grad
//   PyTorch    cross-entropy on integer labels written with these ops, and a
//              gather, against torch (test/ref/make_gather_ref.py wrote test/gather/gather_ref.inc)
//   errors     an index out of range (above, negative) is an lz::shape_error
//              naming its position, its value and the extent, in eval and grad
#define BOOST_TEST_MODULE tensor_gather
#include <boost/test/unit_test.hpp>

#include <leibniz/leibniz.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace lz = leibniz;
using namespace lz::literals;
constexpr auto dyn = lz::dyn;

namespace {

template <class T, class S>
void fill_uniform(lz::tensor<T, S>& t, std::mt19937& rng, double lo = -2.0, double hi = 2.0) {
    std::uniform_real_distribution<double> u(lo, hi);
    for (std::size_t i = 0; i < t.size(); ++i) t.data()[i] = T(u(rng));
}
template <class I, class S>
void fill_indices(lz::tensor<I, S>& t, std::mt19937& rng, std::size_t extent) {
    std::uniform_int_distribution<long long> u(0, static_cast<long long>(extent) - 1);
    for (std::size_t i = 0; i < t.size(); ++i) t.data()[i] = static_cast<I>(u(rng));
}
template <class T, class S>
lz::tensor<T, S> make(std::size_t batch) {
    if constexpr (S::is_static)
        return lz::tensor<T, S>();
    else
        return lz::tensor<T, S>(batch);
}

// Runs f, which must throw lz::shape_error whose what() is `expected`.
template <class F>
void check_throws(F f, const std::string& expected) {
    try {
        f();
        BOOST_ERROR("no lz::shape_error was thrown; expected: " << expected);
    } catch (const lz::shape_error& e) {
        BOOST_TEST(std::string(e.what()) == expected);
    }
}

}  // namespace

// ---------------------------------------------------------------- values

// pick(x [N, C], y [N]) = x[n, y[n]].
template <class T, class I, std::size_t N>
void check_pick_values(std::size_t batch) {
    constexpr std::size_t C = 7;
    constexpr auto x = lz::var<"x", T, lz::shape<N, C>>;
    constexpr auto y = lz::var<"y", I, lz::shape<N>>;
    std::mt19937 rng(17 + batch);
    auto xs = make<T, lz::shape<N, C>>(batch);
    auto ys = make<I, lz::shape<N>>(batch);
    fill_uniform(xs, rng);
    fill_indices(ys, rng, C);
    lz::workspace ws{lz::pick(x, y)};
    const auto out = lz::eval(lz::pick(x, y), lz::at(x = xs, y = ys), ws);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(out(0))>, T>);
    BOOST_TEST_REQUIRE(out.size() == xs.extent(0));
    for (std::size_t n = 0; n < xs.extent(0); ++n)
        BOOST_TEST(out(n) == xs(n, static_cast<std::size_t>(ys(n))));
}

BOOST_AUTO_TEST_CASE(pick_against_loops) {
    for (std::size_t batch : {1, 3, 17, 64}) {
        check_pick_values<float, std::int32_t, dyn>(batch);
        check_pick_values<double, std::int64_t, dyn>(batch);
    }
    check_pick_values<float, std::int64_t, 5>(5);
    check_pick_values<double, std::int32_t, 5>(5);
    check_pick_values<double, std::uint8_t, 9>(9);  // MNIST's labels are bytes
}

// pick along axis 0 and along the middle axis of a rank-3 tensor.
BOOST_AUTO_TEST_CASE(pick_other_axes) {
    std::mt19937 rng(5);
    constexpr auto a = lz::var<"a", double, lz::shape<4, 6>>;
    constexpr auto i = lz::var<"i", std::int32_t, lz::shape<6>>;
    lz::tensor<double, lz::shape<4, 6>> as;
    lz::tensor<std::int32_t, lz::shape<6>> is;
    fill_uniform(as, rng);
    fill_indices(is, rng, 4);
    const auto p = lz::eval(lz::pick(a, i, lz::axis<0>), lz::at(a = as, i = is));
    for (std::size_t c = 0; c < 6; ++c) BOOST_TEST(p(c) == as(static_cast<std::size_t>(is(c)), c));

    constexpr auto b = lz::var<"b", float, lz::shape<dyn, 5, 3>>;
    constexpr auto j = lz::var<"j", std::int64_t, lz::shape<dyn, 3>>;
    lz::tensor<float, lz::shape<dyn, 5, 3>> bs(4);
    lz::tensor<std::int64_t, lz::shape<dyn, 3>> js(4);
    fill_uniform(bs, rng);
    fill_indices(js, rng, 5);
    const auto q = lz::eval(lz::pick(b, j, lz::axis<1>), lz::at(b = bs, j = js));
    for (std::size_t n = 0; n < 4; ++n)
        for (std::size_t k = 0; k < 3; ++k) BOOST_TEST(q(n, k) == bs(n, static_cast<std::size_t>(js(n, k)), k));
}

// gather(x, axis K, idx): y[...] = x[..., idx[...], ...] along K, y of idx's shape.
BOOST_AUTO_TEST_CASE(gather_against_loops) {
    std::mt19937 rng(11);
    {  // axis 1 of [dyn, 5], three picks per row (repeats allowed)
        constexpr auto x = lz::var<"x", float, lz::shape<dyn, 5>>;
        constexpr auto idx = lz::var<"idx", std::int32_t, lz::shape<dyn, 3>>;
        for (std::size_t batch : {1, 6, 33}) {
            lz::tensor<float, lz::shape<dyn, 5>> xs(batch);
            lz::tensor<std::int32_t, lz::shape<dyn, 3>> is(batch);
            fill_uniform(xs, rng);
            fill_indices(is, rng, 5);
            const auto g = lz::eval(lz::gather(x, lz::axis<1>, idx), lz::at(x = xs, idx = is));
            for (std::size_t n = 0; n < batch; ++n)
                for (std::size_t k = 0; k < 3; ++k) BOOST_TEST(g(n, k) == xs(n, static_cast<std::size_t>(is(n, k))));
        }
    }
    {  // axis 0 of a static [4, 6], two picks per column
        constexpr auto x = lz::var<"x", double, lz::shape<4, 6>>;
        constexpr auto idx = lz::var<"idx", std::int64_t, lz::shape<2, 6>>;
        lz::tensor<double, lz::shape<4, 6>> xs;
        lz::tensor<std::int64_t, lz::shape<2, 6>> is;
        fill_uniform(xs, rng);
        fill_indices(is, rng, 4);
        const auto g = lz::eval(lz::gather(x, lz::axis<0>, idx), lz::at(x = xs, idx = is));
        for (std::size_t r = 0; r < 2; ++r)
            for (std::size_t c = 0; c < 6; ++c) BOOST_TEST(g(r, c) == xs(static_cast<std::size_t>(is(r, c)), c));
    }
    {  // rank 3, axes 1 and 2
        constexpr auto x = lz::var<"x", double, lz::shape<dyn, 4, 3>>;
        constexpr auto i1 = lz::var<"i1", std::int32_t, lz::shape<dyn, 6, 3>>;
        constexpr auto i2 = lz::var<"i2", std::int32_t, lz::shape<dyn, 4, 2>>;
        lz::tensor<double, lz::shape<dyn, 4, 3>> xs(5);
        lz::tensor<std::int32_t, lz::shape<dyn, 6, 3>> is1(5);
        lz::tensor<std::int32_t, lz::shape<dyn, 4, 2>> is2(5);
        fill_uniform(xs, rng);
        fill_indices(is1, rng, 4);
        fill_indices(is2, rng, 3);
        const auto env = lz::at(x = xs, i1 = is1, i2 = is2);
        const auto g1 = lz::eval(lz::gather(x, lz::axis<1>, i1), lz::at(x = xs, i1 = is1));
        const auto g2 = lz::eval(lz::gather(x, lz::axis<2>, i2), lz::at(x = xs, i2 = is2));
        for (std::size_t n = 0; n < 5; ++n) {
            for (std::size_t p = 0; p < 6; ++p)
                for (std::size_t k = 0; k < 3; ++k)
                    BOOST_TEST(g1(n, p, k) == xs(n, static_cast<std::size_t>(is1(n, p, k)), k));
            for (std::size_t r = 0; r < 4; ++r)
                for (std::size_t p = 0; p < 2; ++p)
                    BOOST_TEST(g2(n, r, p) == xs(n, r, static_cast<std::size_t>(is2(n, r, p))));
        }
        // Both in one expression, against the loops' sum.
        const double both = lz::eval(lz::sum(lz::gather(x, lz::axis<1>, i1)) + lz::sum(lz::gather(x, lz::axis<2>, i2)), env);
        double expected = 0;
        for (std::size_t i = 0; i < g1.size(); ++i) expected += g1.data()[i];
        for (std::size_t i = 0; i < g2.size(); ++i) expected += g2.data()[i];
        BOOST_TEST(both == expected, boost::test_tools::tolerance(1e-12));
    }
}

// one_hot<K>(y) [N] -> [N, K]; its scalar type adapts to the expression it meets.
BOOST_AUTO_TEST_CASE(one_hot_against_loops) {
    constexpr auto y = lz::var<"y", std::int32_t, lz::shape<dyn>>;
    constexpr auto x = lz::var<"x", float, lz::shape<dyn, 4>>;
    static_assert(std::is_void_v<lz::scalar_of<decltype(lz::one_hot<4>(y))>>);
    static_assert(std::is_same_v<lz::scalar_of<decltype(lz::one_hot<4, float>(y))>, float>);
    static_assert(std::is_same_v<lz::scalar_of<decltype(lz::one_hot<4>(y) * x)>, float>);
    static_assert(std::is_same_v<lz::scalar_of<decltype(lz::pick(x, y))>, float>);
    static_assert(std::is_same_v<lz::shape_of<decltype(lz::one_hot<4>(y))>, lz::shape<dyn, 4>>);

    std::vector<std::int32_t> ys{3, 0, 2, 2, 1};
    lz::tensor<float, lz::shape<dyn, 4>> xs(5);
    std::mt19937 rng(3);
    fill_uniform(xs, rng);
    const auto env = lz::at(y = ys, x = xs);
    const auto alone = lz::eval(lz::one_hot<4>(y), lz::at(y = ys));  // double when nothing else decides
    const auto as_float = lz::eval(lz::one_hot<4, float>(y), lz::at(y = ys));
    const auto masked = lz::eval(lz::one_hot<4>(y) * x, env);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(alone(0, 0))>, double>);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(as_float(0, 0))>, float>);
    for (std::size_t n = 0; n < ys.size(); ++n)
        for (std::size_t c = 0; c < 4; ++c) {
            const bool hot = c == static_cast<std::size_t>(ys[n]);
            BOOST_TEST(alone(n, c) == (hot ? 1.0 : 0.0));
            BOOST_TEST(as_float(n, c) == (hot ? 1.0f : 0.0f));
            BOOST_TEST(masked(n, c) == (hot ? xs(n, c) : 0.0f));
        }

    // Labels of rank 2: [N, M] -> [N, M, K]; int64 and static shapes.
    constexpr auto z = lz::var<"z", std::int64_t, lz::shape<2, 3>>;
    lz::tensor<std::int64_t, lz::shape<2, 3>> zs({{4, 0, 1}, {1, 1, 3}});
    const auto h = lz::eval(lz::one_hot<5>(z), lz::at(z = zs));
    static_assert(std::is_same_v<lz::shape_of<decltype(lz::one_hot<5>(z))>, lz::shape<2, 3, 5>>);
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t j = 0; j < 3; ++j)
            for (std::size_t c = 0; c < 5; ++c) BOOST_TEST(h(i, j, c) == (c == std::size_t(zs(i, j)) ? 1.0 : 0.0));
}

BOOST_AUTO_TEST_CASE(printing) {
    constexpr auto x = lz::var<"x", float, lz::shape<dyn, 4>>;
    constexpr auto y = lz::var<"y", std::int32_t, lz::shape<dyn>>;
    constexpr auto idx = lz::var<"idx", std::int32_t, lz::shape<dyn, 2>>;
    BOOST_TEST(lz::to_string(lz::pick(x, y)) == "pick(x, y, axis 1)");
    BOOST_TEST(lz::to_string(lz::gather(x, lz::axis<1>, idx)) == "gather(x, axis 1, idx)");
    BOOST_TEST(lz::to_string(lz::one_hot<4>(y)) == "one_hot(y, 4)");

    // explain names the scatter-add in the backward pass.
    lz::tensor<float, lz::shape<dyn, 4>> xs(2);
    std::vector<std::int32_t> ys{3, 1};
    std::ostringstream text;
    text << lz::explain(lz::sum(lz::pick(x, y)), lz::wrt(x), lz::at(x = xs, y = ys));
    BOOST_TEST(text.str().find("v1 [2] = pick(x, y, axis 1)") != std::string::npos, text.str());
    BOOST_TEST(text.str().find("δ(x) [2×4] = δ(v1) scattered into the shape of x at the indices y") !=
                   std::string::npos,
               text.str());
}

// ---------------------------------------------------------------- gradients against central differences

namespace {

// ∂f/∂xᵢ by central differences against grad, for every element of the bound
// tensor xs (modified in place and restored; the environment views it).
template <class F, class Leaf, class X, class Env>
double fd_residual(F f, Leaf leaf, X& xs, const Env& env) {
    lz::workspace ws{f};
    const auto [g] = lz::grad(f, lz::wrt(leaf), env, ws);
    std::vector<double> analytic(g.data(), g.data() + g.size());
    double worst = 0;
    const double h = 1e-6;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const double keep = xs.data()[i];
        xs.data()[i] = keep + h;
        const double up = lz::eval(f, env, ws);
        xs.data()[i] = keep - h;
        const double down = lz::eval(f, env, ws);
        xs.data()[i] = keep;
        const double numeric = (up - down) / (2 * h);
        worst = std::max(worst, std::abs(numeric - analytic[i]) / std::max(1.0, std::abs(numeric)));
    }
    return worst;
}

}  // namespace

BOOST_AUTO_TEST_CASE(gradients_against_central_differences) {
    std::mt19937 rng(29);
    constexpr auto x = lz::var<"x", double, lz::shape<dyn, 6>>;
    constexpr auto y = lz::var<"y", std::int32_t, lz::shape<dyn>>;
    constexpr auto y2 = lz::var<"y2", std::int64_t, lz::shape<dyn>>;
    constexpr auto idx = lz::var<"idx", std::int32_t, lz::shape<dyn, 4>>;
    constexpr auto w = lz::var<"w", double, lz::shape<dyn, 4>>;
    constexpr auto W = lz::param<"W", double, lz::shape<6, 5>>;
    for (std::size_t batch : {1, 7}) {
        lz::tensor<double, lz::shape<dyn, 6>> xs(batch);
        lz::tensor<std::int32_t, lz::shape<dyn>> ys(batch);
        lz::tensor<std::int64_t, lz::shape<dyn>> ys2(batch);
        lz::tensor<std::int32_t, lz::shape<dyn, 4>> is(batch);
        lz::tensor<double, lz::shape<dyn, 4>> ws(batch);
        lz::tensor<double, lz::shape<6, 5>> Ws;
        fill_uniform(xs, rng);
        fill_uniform(ws, rng);
        fill_uniform(Ws, rng, -0.5, 0.5);
        fill_indices(ys, rng, 6);
        fill_indices(ys2, rng, 5);
        fill_indices(is, rng, 6);
        is(0, 1) = is(0, 3);  // a repeated index: its adjoints add
        // Cross-entropy on integer labels.
        constexpr auto ce = lz::mean(lz::logsumexp(x, lz::axis<1>) - lz::pick(x, y));
        const double r1 = fd_residual(ce, x, xs, lz::at(x = xs, y = ys));
        // A nonlinear function of a gather with repeats.
        constexpr auto f2 = lz::sum(lz::sin(lz::gather(x, lz::axis<1>, idx)) * w);
        const double r2 = fd_residual(f2, x, xs, lz::at(x = xs, idx = is, w = ws));
        // x read by two picks and an elementwise op: the scatter-adds accumulate.
        constexpr auto f3 = lz::sum(lz::exp(lz::pick(x, y)) * lz::pick(x, y)) + lz::mean(x * x) +
                            lz::sum(lz::gather(x, lz::axis<1>, idx));
        const double r3 = fd_residual(f3, x, xs, lz::at(x = xs, y = ys, idx = is));
        // Through a matrix product, with respect to the weights.
        constexpr auto logits = lz::matmul(x, W);
        constexpr auto f4 = lz::mean(lz::logsumexp(logits, lz::axis<1>) - lz::pick(logits, y2));
        const double r4 = fd_residual(f4, W, Ws, lz::at(x = xs, y2 = ys2, W = Ws));
        const double r5 = fd_residual(f4, x, xs, lz::at(x = xs, y2 = ys2, W = Ws));
        BOOST_TEST_MESSAGE("central differences, batch " << batch << ": " << r1 << " " << r2 << " " << r3 << " "
                                                         << r4 << " " << r5);
        for (double r : {r1, r2, r3, r4, r5}) BOOST_TEST(r < 1e-7);
    }
}

// ---------------------------------------------------------------- ⟨J·v, u⟩ = ⟨v, Jᵀ·u⟩

namespace {

// The op's forward on dual numbers (value x, tangent v) gives J·v; lz::grad of
// Σ u ⊙ op(x, idx) gives Jᵀ·u.
template <class T, class Op, class XS, class IS, class YS, class Build>
double adjoint_residual(std::size_t batch, std::size_t extent, Build build, std::mt19937& rng) {
    using D = lz::dual<T, 1>;
    constexpr auto x = lz::var<"x", T, XS>;
    constexpr auto i = lz::var<"i", std::int64_t, IS>;
    constexpr auto u = lz::var<"u", T, YS>;
    auto xs = make<T, XS>(batch), vs = make<T, XS>(batch);
    auto us = make<T, YS>(batch);
    auto is = make<std::int64_t, IS>(batch);
    fill_uniform(xs, rng);
    fill_uniform(vs, rng);
    fill_uniform(us, rng);
    fill_indices(is, rng, extent);

    std::vector<D> xd(xs.size()), yd(us.size());
    for (std::size_t k = 0; k < xs.size(); ++k) xd[k] = D(xs.data()[k], {vs.data()[k]});
    Op::forward(lz::tensor_view<D, YS>(yd.data(), us.view().extents_object()),
                lz::tensor_view<D, XS>(xd.data(), xs.view().extents_object()), is.view());
    double jv_u = 0;
    for (std::size_t k = 0; k < yd.size(); ++k) jv_u += double(yd[k].d[0]) * double(us.data()[k]);

    constexpr auto f = lz::sum(u * build(x, i));
    const auto [jt_u] = lz::grad(f, lz::wrt(x), lz::at(x = xs, i = is, u = us));
    double v_jtu = 0;
    for (std::size_t k = 0; k < xs.size(); ++k) v_jtu += double(vs.data()[k]) * double(jt_u.data()[k]);
    return std::abs(jv_u - v_jtu) / std::max(1.0, std::abs(jv_u));
}

}  // namespace

BOOST_AUTO_TEST_CASE(adjoint_identity) {
    std::mt19937 rng(41);
    const auto gather1 = [](auto x, auto i) { return lz::gather(x, lz::axis<1>, i); };
    const auto gather0 = [](auto x, auto i) { return lz::gather(x, lz::axis<0>, i); };
    const auto pick1 = [](auto x, auto i) { return lz::pick(x, i); };
    for (std::size_t batch : {1, 5, 40}) {
        const double rd1 = adjoint_residual<double, lz::gather_op<1>, lz::shape<dyn, 7>, lz::shape<dyn, 9>,
                                            lz::shape<dyn, 9>>(batch, 7, gather1, rng);
        const double rf1 = adjoint_residual<float, lz::gather_op<1>, lz::shape<dyn, 7>, lz::shape<dyn, 9>,
                                            lz::shape<dyn, 9>>(batch, 7, gather1, rng);
        const double rd2 = adjoint_residual<double, lz::pick_op<1>, lz::shape<dyn, 7>, lz::shape<dyn>,
                                            lz::shape<dyn>>(batch, 7, pick1, rng);
        const double rf2 = adjoint_residual<float, lz::pick_op<1>, lz::shape<dyn, 7>, lz::shape<dyn>,
                                            lz::shape<dyn>>(batch, 7, pick1, rng);
        BOOST_TEST_MESSAGE("adjoint identity, batch " << batch << ": double " << rd1 << " " << rd2 << ", float "
                                                      << rf1 << " " << rf2);
        BOOST_TEST(rd1 < 1e-13);
        BOOST_TEST(rd2 < 1e-13);
        BOOST_TEST(rf1 < 1e-5);
        BOOST_TEST(rf2 < 1e-5);
    }
    const double r0 = adjoint_residual<double, lz::gather_op<0>, lz::shape<3, 8>, lz::shape<11, 8>,
                                       lz::shape<11, 8>>(0, 3, gather0, rng);
    BOOST_TEST(r0 < 1e-13);
}

// ---------------------------------------------------------------- against PyTorch

namespace torch_ref {
// Written by test/ref/make_gather_ref.py (torch, float64).
#include "gather/gather_ref.inc"
}  // namespace torch_ref

template <class T>
void check_cross_entropy_against_torch(double tolerance) {
    constexpr auto logits = lz::var<"logits", T, lz::shape<dyn, 5>>;
    constexpr auto y = lz::var<"y", std::int64_t, lz::shape<dyn>>;
    lz::tensor<T, lz::shape<dyn, 5>> ls(6);
    std::vector<std::int64_t> ys(std::begin(torch_ref::ce_labels), std::end(torch_ref::ce_labels));
    for (std::size_t k = 0; k < ls.size(); ++k) ls.data()[k] = T(torch_ref::ce_logits[k]);
    const auto env = lz::at(logits = ls, y = ys);

    // mean(logsumexp(logits) - logits[n, y[n]]), and the same with one_hot.
    constexpr auto ce = lz::mean(lz::logsumexp(logits, lz::axis<1>) - lz::pick(logits, y));
    constexpr auto ce_one_hot = -lz::mean(lz::sum(lz::one_hot<5>(y) * lz::log_softmax(logits), lz::axis<1>));
    auto check = [&](auto f) {
        const auto [value, grads] = lz::value_and_grad(f, lz::wrt(logits), env);
        BOOST_TEST(double(value) == torch_ref::ce_loss, boost::test_tools::tolerance(tolerance));
        const auto& g = std::get<0>(grads);
        BOOST_TEST_REQUIRE(g.size() == std::size(torch_ref::ce_grad));
        for (std::size_t k = 0; k < g.size(); ++k)
            BOOST_TEST(double(g.data()[k]) == torch_ref::ce_grad[k], boost::test_tools::tolerance(tolerance));
    };
    check(ce);
    check(ce_one_hot);
}

BOOST_AUTO_TEST_CASE(cross_entropy_against_pytorch) {
    check_cross_entropy_against_torch<double>(1e-13);
    check_cross_entropy_against_torch<float>(1e-5);
}

BOOST_AUTO_TEST_CASE(gather_against_pytorch) {
    constexpr auto x = lz::var<"x", double, lz::shape<4, 5>>;
    constexpr auto idx = lz::var<"idx", std::int64_t, lz::shape<4, 3>>;
    constexpr auto w = lz::var<"w", double, lz::shape<4, 3>>;
    lz::tensor<double, lz::shape<4, 5>> xs;
    lz::tensor<std::int64_t, lz::shape<4, 3>> is;
    lz::tensor<double, lz::shape<4, 3>> ws;
    for (std::size_t k = 0; k < 20; ++k) xs.data()[k] = torch_ref::gather_x[k];
    for (std::size_t k = 0; k < 12; ++k) {
        is.data()[k] = torch_ref::gather_idx[k];
        ws.data()[k] = torch_ref::gather_w[k];
    }
    const auto env = lz::at(x = xs, idx = is, w = ws);
    const auto y = lz::eval(lz::gather(x, lz::axis<1>, idx), lz::at(x = xs, idx = is));
    for (std::size_t k = 0; k < 12; ++k) BOOST_TEST(y.data()[k] == torch_ref::gather_y[k]);
    const auto [g] = lz::grad(lz::sum(w * lz::gather(x, lz::axis<1>, idx)), lz::wrt(x), env);
    for (std::size_t k = 0; k < 20; ++k)
        BOOST_TEST(g.data()[k] == torch_ref::gather_grad[k], boost::test_tools::tolerance(1e-15));
}

// ---------------------------------------------------------------- errors

BOOST_AUTO_TEST_CASE(index_out_of_range) {
    constexpr auto x = lz::var<"x", float, lz::shape<dyn, 7>>;
    constexpr auto y = lz::var<"y", std::int32_t, lz::shape<dyn>>;
    constexpr auto idx = lz::var<"idx", std::int64_t, lz::shape<dyn, 2>>;
    lz::tensor<float, lz::shape<dyn, 7>> xs(4);
    std::vector<std::int32_t> ys{0, 6, 7, 1};
    lz::tensor<std::int64_t, lz::shape<dyn, 2>> is(4);
    for (std::size_t k = 0; k < 8; ++k) is.data()[k] = k == 7 ? -1 : static_cast<std::int64_t>(k);
    const auto env = lz::at(x = xs, y = ys);
    check_throws([&] { (void)lz::eval(lz::pick(x, y), env); },
                 "leibniz::pick: index 7 at position [2] is out of range [0, 7), the extent of x along axis 1");
    // grad of sum(pick(x, y)) never computes the pick's value: the adjoint checks too.
    check_throws([&] { (void)lz::grad(lz::sum(lz::pick(x, y)), lz::wrt(x), env); },
                 "leibniz::pick: index 7 at position [2] is out of range [0, 7), the extent of x along axis 1");
    check_throws([&] { (void)lz::eval(lz::gather(x, lz::axis<1>, idx), lz::at(x = xs, idx = is)); },
                 "leibniz::gather: index -1 at position [3, 1] is out of range [0, 7), the extent of x along axis 1");
    check_throws([&] { (void)lz::eval(lz::one_hot<7>(y), lz::at(y = ys)); },
                 "leibniz::one_hot: index 7 at position [2] is out of range [0, 7), the number of classes");
    ys[2] = -3;
    check_throws([&] { (void)lz::eval(lz::one_hot<7>(y), lz::at(y = ys)); },
                 "leibniz::one_hot: index -3 at position [2] is out of range [0, 7), the number of classes");
    ys[2] = 2;
    BOOST_CHECK_NO_THROW((void)lz::eval(lz::pick(x, y) + lz::sum(lz::one_hot<7>(y), lz::axis<1>), env));

    // The batch (dyn) extents of integer leaves are checked with the others'.
    std::vector<std::int32_t> short_ys{0, 1, 2};
    check_throws([&] { (void)lz::eval(lz::pick(x, y), lz::at(x = xs, y = short_ys)); },
                 "leibniz: leaf \"y\" has batch (dyn) extent 3, but leaf \"x\" has 4");
}
