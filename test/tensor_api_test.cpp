// lz::tensor and lz::tensor_view: construction, element access, alignment,
// copies and moves, views over user memory, the comparison helpers; and
// binding user memory without a copy — a std::vector, deliberately misaligned
// by one element, gives the same values and gradients as an aligned lz::tensor
// (the kernels must not assume aligned operands); std::vector, std::array and
// std::span bound to leaves of static shape directly.
#define BOOST_TEST_MODULE tensor_api
#include <boost/test/unit_test.hpp>

#include <leibniz/leibniz.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace lz = leibniz;
using namespace lz::literals;

namespace {
template <std::size_t... E>
using sh = lz::shape<E...>;
constexpr auto dyn = lz::dyn;

bool aligned64(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % 64 == 0; }
}  // namespace

BOOST_AUTO_TEST_CASE(construction_and_access) {
    const lz::tensor<double, sh<2, 3>> a{{1, 2, 3}, {4, 5, 6}};
    BOOST_TEST(a.size() == 6u);
    BOOST_TEST(a.extent(0) == 2u);
    BOOST_TEST(a.extent(1) == 3u);
    BOOST_TEST(a(1, 2) == 6.0);
    BOOST_TEST(a(0, 1) == 2.0);
    BOOST_TEST(a.data()[4] == 5.0);  // row-major
    BOOST_TEST(aligned64(a.data()));

    lz::tensor<float, sh<dyn, 7>> b(5);
    BOOST_TEST(b.size() == 35u);
    BOOST_TEST(b.extent(0) == 5u);
    BOOST_TEST(aligned64(b.data()));
    for (std::size_t i = 0; i < b.size(); ++i) BOOST_TEST(b.data()[i] == 0.0f);  // zero-initialised
    b.fill(2.5f);
    BOOST_TEST(b(4, 6) == 2.5f);
    b(3, 1) = -1;
    BOOST_TEST(b.data()[3 * 7 + 1] == -1.0f);

    const lz::tensor<double, sh<4>> v{1, 2, 3, 4};
    BOOST_TEST(v(3) == 4.0);
    lz::tensor<double, sh<dyn, 2, 3>> r3(2);
    r3(1, 1, 2) = 7;
    BOOST_TEST(r3.data()[1 * 6 + 1 * 3 + 2] == 7.0);
    lz::tensor<double, sh<dyn>> empty(0);
    BOOST_TEST(empty.size() == 0u);
}

BOOST_AUTO_TEST_CASE(copies_moves_views) {
    lz::tensor<double, sh<dyn, 3>> a(2);
    std::iota(a.data(), a.data() + a.size(), 1.0);
    auto b = a;  // a deep copy
    BOOST_TEST(b.data() != a.data());
    b(0, 0) = 100;
    BOOST_TEST(a(0, 0) == 1.0);
    const double* p = a.data();
    auto c = std::move(a);  // a move steals the storage
    BOOST_TEST(c.data() == p);
    lz::tensor<double, sh<dyn, 3>> d(5);
    d = c;
    BOOST_TEST(d.extent(0) == 2u);
    BOOST_TEST(lz::max_abs_diff(d, c) == 0.0);

    auto view = c.view();
    static_assert(std::is_same_v<decltype(view), lz::tensor_view<double, sh<dyn, 3>>>);
    view(1, 2) = -6;
    BOOST_TEST(c(1, 2) == -6.0);
    const lz::tensor_view<const double, sh<dyn, 3>> cview = view;  // to const
    BOOST_TEST(cview.data() == c.data());
    const auto owned = lz::to_tensor(cview);
    BOOST_TEST(owned.data() != c.data());
    BOOST_TEST(lz::max_abs_diff(owned, c) == 0.0);

    // views over user memory: a pointer with the dyn extents, or a container
    std::vector<float> mem(12);
    std::iota(mem.begin(), mem.end(), 0.0f);
    const lz::tensor_view<const float, sh<dyn, 4>> by_pointer(mem.data(), 3);
    BOOST_TEST(by_pointer(2, 3) == 11.0f);
    lz::tensor_view<float, sh<dyn, 2, 3>> by_container(mem);
    BOOST_TEST(by_container.extent(0) == 2u);
    by_container(1, 0, 0) = 42;
    BOOST_TEST(mem[6] == 42.0f);
}

BOOST_AUTO_TEST_CASE(comparison_helpers) {
    const lz::tensor<double, sh<3>> a{1, 2, 3}, b{1, 2.5, 2};
    BOOST_TEST(lz::max_abs_diff(a, b) == 1.0);
    BOOST_TEST(lz::allclose(a, a));
    BOOST_TEST(!lz::allclose(a, b));
    BOOST_TEST(lz::allclose(a, b, 0.0, 1.0));
    BOOST_TEST(!lz::allclose(a, b, 0.0, 0.9));
    BOOST_TEST(lz::allclose(a, b, 0.5, 0.0));  // |1 − 2| ≤ 0.5·2
}

// One fused chain with a broadcast row, a matmul, a reduction and softmax-free
// sum: evaluated on aligned tensors and on views into a std::vector that start
// one element past an alignment boundary.
BOOST_AUTO_TEST_CASE(misaligned_user_memory_binds_without_a_copy) {
    constexpr auto x = lz::var<"x", float, sh<dyn, 19>>;
    constexpr auto w = lz::param<"w", float, sh<19, 5>>;
    constexpr auto b = lz::param<"b", float, sh<19>>;
    constexpr auto f = lz::sum(lz::tanh(lz::matmul(lz::sigmoid(x * b + 1_c), w)));
    constexpr std::size_t rows = 13;

    lz::tensor<float, sh<dyn, 19>> xt(rows);
    lz::tensor<float, sh<19, 5>> wt;
    lz::tensor<float, sh<19>> bt;
    std::vector<float> xs(1 + xt.size()), ws(1 + wt.size()), bs(1 + bt.size());
    for (std::size_t i = 0; i < xt.size(); ++i) xs[1 + i] = xt.data()[i] = float(std::sin(0.37 * double(i)));
    for (std::size_t i = 0; i < wt.size(); ++i) ws[1 + i] = wt.data()[i] = float(std::cos(0.11 * double(i)));
    for (std::size_t i = 0; i < bt.size(); ++i) bs[1 + i] = bt.data()[i] = 0.1f * float(i);

    const lz::tensor_view<const float, sh<dyn, 19>> xv(xs.data() + 1, rows);
    const lz::tensor_view<const float, sh<19, 5>> wv(ws.data() + 1);
    const lz::tensor_view<const float, sh<19>> bv(bs.data() + 1);
    BOOST_TEST(!aligned64(xv.data()));

    const auto aligned = lz::value_and_grad(f, lz::wrt(x, w, b), lz::at(x = xt, w = wt, b = bt));
    const auto user = lz::value_and_grad(f, lz::wrt(x, w, b), lz::at(x = xv, w = wv, b = bv));
    BOOST_TEST(aligned.value == user.value);
    BOOST_TEST(lz::max_abs_diff(std::get<0>(aligned.gradient), std::get<0>(user.gradient)) == 0.0f);
    BOOST_TEST(lz::max_abs_diff(std::get<1>(aligned.gradient), std::get<1>(user.gradient)) == 0.0f);
    BOOST_TEST(lz::max_abs_diff(std::get<2>(aligned.gradient), std::get<2>(user.gradient)) == 0.0f);
    // the binding is a view: changing the vector changes the result
    xs[2] += 1;  // x(0, 1); b(0) = 0 would hide x(0, 0)
    BOOST_TEST(lz::eval(f, lz::at(x = xv, w = wv, b = bv)) != user.value);
}

// Flat containers bind to a leaf of static shape as views of that shape
// (issue 8): std::vector, std::array, std::span and std::span<const T> give
// the values and gradients of the tensor_view spelling, without a copy; a
// size that does not match is an lz::shape_error naming the leaf and both
// sizes; one dyn extent is inferred from the size.
BOOST_AUTO_TEST_CASE(flat_containers_bind_to_static_shapes) {
    constexpr auto X = lz::var<"X", double, sh<20, 16>>;
    constexpr auto W = lz::param<"W", double, sh<16, 3>>;
    constexpr auto f = lz::sum(lz::tanh(lz::matmul(X, W)));

    std::vector<double> xs(320);
    std::array<double, 48> ws{};
    for (std::size_t i = 0; i < xs.size(); ++i) xs[i] = std::sin(0.37 * double(i));
    for (std::size_t i = 0; i < ws.size(); ++i) ws[i] = 0.2 * std::cos(0.11 * double(i));

    const lz::tensor_view<const double, sh<20, 16>> xv(xs);
    const lz::tensor_view<const double, sh<16, 3>> wv(ws);
    const auto expected = lz::value_and_grad(f, lz::wrt(X, W), lz::at(X = xv, W = wv));
    const auto check = [&](const auto& env) {
        const auto got = lz::value_and_grad(f, lz::wrt(X, W), env);
        BOOST_TEST(got.value == expected.value);
        BOOST_TEST(lz::max_abs_diff(std::get<0>(got.gradient), std::get<0>(expected.gradient)) == 0.0);
        BOOST_TEST(lz::max_abs_diff(std::get<1>(got.gradient), std::get<1>(expected.gradient)) == 0.0);
    };
    check(lz::at(X = xs, W = ws));                                                   // std::vector, std::array
    check(lz::at(X = std::span<double>(xs), W = std::span<const double>(ws)));       // spans
    check(lz::at(X = std::span<const double, 320>(xs), W = std::span<double, 48>(ws)));  // fixed-extent spans
    const std::vector<double>& cxs = xs;
    check(lz::at(X = cxs, W = ws));  // a const container

    // the binding is a view of the container's memory
    const auto env = lz::at(X = xs, W = ws);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(env.get<std::remove_cvref_t<decltype(X)>>())>,
                                 lz::tensor_view<const double, sh<20, 16>>>);
    BOOST_TEST(env.get<std::remove_cvref_t<decltype(X)>>().data() == xs.data());
    xs[1] += 1;
    BOOST_TEST(lz::eval(f, env) != expected.value);
    xs[1] -= 1;

    // a size that does not match: the leaf, its shape and size, the container and its size
    std::vector<double> short_xs(319);
    std::string message;
    try {
        (void)lz::at(X = short_xs, W = ws);
    } catch (const lz::shape_error& e) {
        message = e.what();
    }
    BOOST_TEST(message == "leibniz: leaf \"X\" has 320 elements (shape [20, 16]) but the bound std::vector holds 319");
    message.clear();
    try {
        (void)lz::at(X = std::span<const double>(xs.data(), 321), W = ws);
    } catch (const lz::shape_error& e) {
        message = e.what();
    }
    BOOST_TEST(message == "leibniz: leaf \"X\" has 320 elements (shape [20, 16]) but the bound std::span holds 321");
}

BOOST_AUTO_TEST_CASE(flat_container_infers_one_dyn_extent) {
    constexpr auto X = lz::var<"X", float, sh<dyn, 4>>;
    constexpr auto f = lz::sum(X * X);
    std::vector<float> xs(12);
    std::iota(xs.begin(), xs.end(), 1.0f);
    const auto env = lz::at(X = xs);
    const auto& view = env.get<std::remove_cvref_t<decltype(X)>>();
    BOOST_TEST(view.extent(0) == 3u);
    BOOST_TEST(view.extent(1) == 4u);
    float expected = 0;
    for (float v : xs) expected += v * v;
    BOOST_TEST(lz::eval(f, env) == expected);
    const auto g = lz::grad(f, X, env);
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 4; ++j) BOOST_TEST(g(i, j) == 2 * xs[i * 4 + j]);

    std::vector<float> ragged(13);
    std::string message;
    try {
        (void)lz::at(X = ragged);
    } catch (const lz::shape_error& e) {
        message = e.what();
    }
    BOOST_TEST(message ==
               "leibniz: leaf \"X\" of shape [dyn, 4] takes a multiple of 4 elements but the bound std::vector holds 13");
}
