// Run-time errors on tensors: lz::shape_error, never undefined behaviour.
//   - the dyn (batch) extents of two leaves disagree: eval, grad,
//     value_and_grad, jvp and explain throw, with and without a workspace, and
//     what() names both leaves and both extents; the workspace stays usable;
//   - containers, initializers and bound tensors of the wrong size throw;
//   - a jvp tangent whose extents differ from its leaf's value throws;
//   - an empty batch (dyn = 0) runs without touching memory (ASan checks it).
// The clang CI configuration runs all of this under ASan and UBSan.
#define BOOST_TEST_MODULE tensor_errors
#include <boost/test/unit_test.hpp>

#include <leibniz/leibniz.hpp>
#include <leibniz/ops/softmax.hpp>

#include <array>
#include <cmath>
#include <string>
#include <vector>

namespace lz = leibniz;
using namespace lz::literals;

namespace {

template <std::size_t... E>
using sh = lz::shape<E...>;
constexpr auto dyn = lz::dyn;

// Runs f, which must throw lz::shape_error whose what() contains every one of `parts`.
template <class F>
void throws_naming(F&& f, std::initializer_list<std::string> parts, const std::string& context) {
    try {
        f();
        BOOST_ERROR(context << ": no lz::shape_error was thrown");
    } catch (const lz::shape_error& e) {
        const std::string what = e.what();
        BOOST_TEST_MESSAGE(context << ": " << what);
        for (const auto& part : parts)
            BOOST_TEST((what.find(part) != std::string::npos), context << ": \"" << what << "\" lacks " << part);
    } catch (const std::exception& e) {
        BOOST_ERROR(context << ": threw something else: " << e.what());
    }
}

constexpr auto x = lz::var<"x", float, sh<dyn, 3>>;
constexpr auto target = lz::var<"target", float, sh<dyn, 2>>;
constexpr auto W = lz::param<"W", float, sh<3, 2>>;
constexpr auto loss = lz::sum(lz::pow(lz::matmul(x, W) - target, 2_c));

}  // namespace

BOOST_AUTO_TEST_CASE(lz_shape_error_is_an_invalid_argument) {
    static_assert(std::is_base_of_v<std::invalid_argument, lz::shape_error>);
}

BOOST_AUTO_TEST_CASE(disagreeing_batch_extents_name_both_leaves_and_extents) {
    lz::tensor<float, sh<dyn, 3>> xv(5);
    lz::tensor<float, sh<dyn, 2>> tv(7), tv_ok(5);
    lz::tensor<float, sh<3, 2>> wv;
    wv.fill(0.5f);
    xv.fill(1.0f);
    const auto bad = lz::at(x = xv, target = tv, W = wv);
    const std::initializer_list<std::string> parts{"\"x\"", "\"target\"", "5", "7"};

    throws_naming([&] { (void)lz::eval(loss, bad); }, parts, "eval");
    throws_naming([&] { (void)lz::grad(loss, lz::wrt(W), bad); }, parts, "grad");
    throws_naming([&] { (void)lz::value_and_grad(loss, lz::wrt(W), bad); }, parts, "value_and_grad");
    throws_naming([&] { (void)lz::jvp(loss, bad, lz::tangent(W = wv)); }, parts, "jvp");
    throws_naming([&] { (void)lz::explain(loss, lz::wrt(W), bad); }, parts, "explain");

    lz::workspace ws{loss};
    const auto good = lz::at(x = xv, target = tv_ok, W = wv);
    const float before = lz::eval(loss, good, ws);
    throws_naming([&] { (void)lz::eval(loss, bad, ws); }, parts, "eval with a workspace");
    throws_naming([&] { (void)lz::grad(loss, lz::wrt(W), bad, ws); }, parts, "grad with a workspace");
    throws_naming([&] { (void)lz::value_and_grad(loss, lz::wrt(W), bad, ws); }, parts, "value_and_grad with a workspace");
    throws_naming([&] { (void)lz::jvp(loss, bad, lz::tangent(W = wv), ws); }, parts, "jvp with a workspace");
    // the workspace still works after the errors
    BOOST_TEST(lz::eval(loss, good, ws) == before);
    const auto [g] = lz::grad(loss, lz::wrt(W), good, ws);
    BOOST_TEST(std::isfinite(g(0, 0)));
}

BOOST_AUTO_TEST_CASE(disagreeing_batches_in_broadcasting) {
    // [dyn, 1] * [dyn, 4]: the column's batch must be the matrix's
    constexpr auto col = lz::var<"col", double, sh<dyn, 1>>;
    constexpr auto mat = lz::var<"mat", double, sh<dyn, 4>>;
    lz::tensor<double, sh<dyn, 1>> c(3);
    lz::tensor<double, sh<dyn, 4>> m(2);
    throws_naming([&] { (void)lz::grad(lz::sum(col * mat), lz::wrt(col, mat), lz::at(col = c, mat = m)); },
                  {"\"col\"", "\"mat\"", "3", "2"}, "broadcast");
    // a leaf with two dyn extents that differ
    constexpr auto sq = lz::var<"sq", double, sh<dyn, dyn>>;
    lz::tensor<double, sh<dyn, dyn>> s(2, 3);
    throws_naming([&] { (void)lz::eval(lz::sum(sq), lz::at(sq = s)); }, {"\"sq\"", "2", "3"}, "two dyn extents");
}

BOOST_AUTO_TEST_CASE(containers_of_the_wrong_size) {
    std::vector<float> seven(7), six(6), five(5), empty;
    // a dyn extent is deduced from the size, which must be a multiple of the row
    BOOST_CHECK_THROW((lz::tensor_view<float, sh<dyn, 3>>(seven)), lz::shape_error);
    const lz::tensor_view<float, sh<dyn, 3>> rows(six);
    BOOST_TEST(rows.extent(0) == 2u);
    const lz::tensor_view<float, sh<dyn, 3>> none(empty);
    BOOST_TEST(none.extent(0) == 0u);
    // a static shape needs exactly its size
    BOOST_CHECK_THROW((lz::tensor_view<float, sh<2, 3>>(five)), lz::shape_error);
    BOOST_CHECK_THROW((lz::tensor_view<float, sh<2, 3>>(seven)), lz::shape_error);
    BOOST_CHECK_NO_THROW((lz::tensor_view<float, sh<2, 3>>(six)));
    std::array<double, 4> four{};
    BOOST_CHECK_THROW((lz::tensor_view<double, sh<5>>(four)), lz::shape_error);
    // initializers
    BOOST_CHECK_THROW((lz::tensor<double, sh<3>>{1, 2}), lz::shape_error);
    BOOST_CHECK_THROW((lz::tensor<double, sh<2, 3>>{{1, 2, 3}}), lz::shape_error);
    BOOST_CHECK_THROW((lz::tensor<double, sh<2, 3>>{{1, 2, 3}, {4, 5}}), lz::shape_error);
    BOOST_CHECK_THROW((lz::tensor<double, sh<2, 3>>{{1, 2, 3}, {4, 5, 6, 7}}), lz::shape_error);
    // max_abs_diff of tensors of different extents
    lz::tensor<double, sh<dyn, 2>> a(2), b(3);
    BOOST_CHECK_THROW((void)lz::max_abs_diff(a, b), lz::shape_error);
    BOOST_TEST(!lz::allclose(a, b));
}

BOOST_AUTO_TEST_CASE(a_bound_tensor_with_the_wrong_run_time_extent) {
    // a tensor with a dyn extent binds to a leaf whose extent is static: checked when bound
    constexpr auto m = lz::var<"m", double, sh<2, 3>>;
    lz::tensor<double, sh<dyn, 3>> five_rows(5), two_rows(2);
    throws_naming([&] { (void)lz::at(m = five_rows); }, {"\"m\"", "5", "2"}, "static leaf, dyn tensor");
    BOOST_CHECK_NO_THROW((void)lz::eval(lz::sum(m), lz::at(m = two_rows)));
    // a view over a vector of the wrong size cannot even be made
    std::vector<double> v(12);
    lz::tensor_view<double, sh<dyn, 3>> four_rows(v);
    throws_naming([&] { (void)lz::at(m = four_rows); }, {"\"m\"", "4", "2"}, "static leaf, vector view");
}

BOOST_AUTO_TEST_CASE(a_tangent_with_the_wrong_extents) {
    lz::tensor<float, sh<dyn, 3>> xv(4), wrong(3);
    lz::tensor<float, sh<dyn, 2>> tv(4);
    lz::tensor<float, sh<3, 2>> wv;
    throws_naming([&] { (void)lz::jvp(loss, lz::at(x = xv, target = tv, W = wv), lz::tangent(x = wrong)); },
                  {"\"x\"", "4", "3"}, "jvp tangent");
}

namespace {
constexpr auto z = lz::var<"z", double, sh<dyn, 5>>;
constexpr auto row = lz::param<"row", double, sh<5>>;
constexpr auto w = lz::param<"w", double, sh<5, 2>>;
constexpr auto f_empty = lz::sum(lz::softmax(lz::matmul(lz::tanh(z * row), w)));
}  // namespace

BOOST_AUTO_TEST_CASE(an_empty_batch) {
    // dyn = 0: nothing to read or write; sums are 0 and so are the gradients
    // of the parameters (a sum over no rows)
    lz::tensor<double, sh<dyn, 5>> zv(0), three(3);
    lz::tensor<double, sh<5>> rv{1, 2, 3, 4, 5};
    lz::tensor<double, sh<5, 2>> wv;
    wv.fill(0.5);
    const auto env = lz::at(z = zv, row = rv, w = wv);
    BOOST_TEST(lz::eval(f_empty, env) == 0.0);
    lz::workspace ws{f_empty};
    for (int round = 0; round < 2; ++round) {  // with a fresh workspace, then a reused one
        const auto [gz, gw] = lz::grad(f_empty, lz::wrt(z, w), env, ws);
        BOOST_TEST(gz.size() == 0u);
        for (std::size_t i = 0; i < gw.size(); ++i) BOOST_TEST(gw.data()[i] == 0.0, "matmul operand, element " << i);
        (void)lz::grad(f_empty, lz::wrt(z, w), lz::at(z = three, row = rv, w = wv), ws);
    }
    BOOST_TEST(lz::jvp(f_empty, env, lz::tangent(row = rv, w = wv)).tangent == 0.0);
    // reductions of nothing: sum 0, mean NaN (0/0), max −inf, logsumexp −inf
    const auto z_only = lz::at(z = zv);
    BOOST_TEST(lz::eval(lz::sum(z), z_only) == 0.0);
    BOOST_TEST(std::isnan(lz::eval(lz::mean(z), z_only)));
    BOOST_TEST(lz::eval(lz::max(z), z_only) == -INFINITY);
    BOOST_TEST(lz::eval(lz::logsumexp(z), z_only) == -INFINITY);
}

// With an empty batch the gradient of a row broadcast over it is zero: the
// fused backward loop zeroes the inputs it is the first contributor to before
// it finds there is nothing to loop over (not the workspace's old contents).
BOOST_AUTO_TEST_CASE(an_empty_batch_gives_a_broadcast_row_a_zero_gradient) {
    lz::tensor<double, sh<dyn, 5>> zv(0), three(3);
    lz::tensor<double, sh<5>> rv{1, 2, 3, 4, 5};
    lz::tensor<double, sh<5, 2>> wv;
    wv.fill(0.5);
    lz::workspace ws{f_empty};
    for (int round = 0; round < 2; ++round) {  // with a fresh workspace, then one that held a gradient
        const auto [grow] = lz::grad(f_empty, lz::wrt(row), lz::at(z = zv, row = rv, w = wv), ws);
        bool zero = true;
        for (std::size_t i = 0; i < grow.size(); ++i) zero = zero && grow(i) == 0.0;
        BOOST_TEST(zero, "round " << round << ": δrow = [" << grow(0) << ", " << grow(1) << ", ...], not 0");
        (void)lz::grad(f_empty, lz::wrt(row), lz::at(z = three, row = rv, w = wv), ws);
    }
}
