// lz::assign(target, expr, env): an elementwise expression evaluated into a
// tensor in one fused SIMD loop (core/assign.hpp).
//
// SGD with momentum, v ← μ·v + g; p ← p − η·v, over float and double tensors
// of 0, 1, 7, 16, 1000 and 4099 elements, static and dyn shapes, three steps,
// equal BIT FOR BIT to the plain scalar loop with the same operation order.
// This file is compiled with -ffp-contract=off (test/CMakeLists.txt), so that
// neither side is contracted into fused multiply-adds: g++ contracts
// μ·v + g across statements and inlined calls, which would make the equality
// depend on which side the optimiser happened to contract.
// Also: a literal, a scalar leaf and a row vector broadcast; a column; a
// target of two different dyn extents (the loop sliced along the first); the
// target on the right-hand side; the target named by its leaf; the run-time
// shape errors, naming both extents. (The allocation count is in
// tensor_alloc_test.cpp; the compile errors in fail/assign_fail.cpp.)
#define BOOST_TEST_MODULE assign
#include <boost/test/unit_test.hpp>

#include <leibniz/leibniz.hpp>

#include <cstddef>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace lz = leibniz;
using namespace lz::literals;

namespace {

constexpr auto dyn = lz::dyn;

template <class T>
std::vector<T> random_values(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<T> u(T(-1), T(1));
    std::vector<T> v(n);
    for (auto& x : v) x = u(rng);
    return v;
}

template <class T>
bool bitwise_equal(const T* a, const std::vector<T>& b) {
    return b.empty() || std::memcmp(a, b.data(), b.size() * sizeof(T)) == 0;
}

// Three steps of SGD with momentum through lz::assign against the scalar loop.
// S is shape<N> or shape<dyn>.
template <class T, class S>
void check_sgd(std::size_t n) {
    constexpr auto p = lz::param<"p", T, S>;
    constexpr auto v = lz::var<"v", T, S>;
    constexpr auto g = lz::var<"g", T, S>;
    constexpr auto mu = lz::var<"mu", T>;
    constexpr auto eta = lz::var<"eta", T>;
    const T mu_value = T(0.9), eta_value = T(0.01);

    auto make = [&](const std::vector<T>& values) {
        lz::tensor<T, S> t = [&] {
            if constexpr (S::is_static)
                return lz::tensor<T, S>();
            else
                return lz::tensor<T, S>(n);
        }();
        for (std::size_t i = 0; i < n; ++i) t.data()[i] = values[i];
        return t;
    };
    std::vector<T> p_ref = random_values<T>(n, 1), v_ref = random_values<T>(n, 2);
    auto pt = make(p_ref);
    auto vt = make(v_ref);
    for (unsigned step = 0; step < 3; ++step) {
        const std::vector<T> g_values = random_values<T>(n, 10 + step);
        const auto gt = make(g_values);
        const auto env = lz::at(p = pt, v = vt, g = gt, mu = mu_value, eta = eta_value);
        lz::assign(vt, mu * v + g, env);
        lz::assign(pt, p - eta * v, env);
        for (std::size_t i = 0; i < n; ++i) {
            v_ref[i] = mu_value * v_ref[i] + g_values[i];
            p_ref[i] = p_ref[i] - eta_value * v_ref[i];
        }
        BOOST_TEST(bitwise_equal(vt.data(), v_ref), "v, n = " << n << ", step " << step);
        BOOST_TEST(bitwise_equal(pt.data(), p_ref), "p, n = " << n << ", step " << step);
    }
}

template <class T, std::size_t... N>
void check_sgd_sizes() {
    (check_sgd<T, lz::shape<N>>(N), ...);
    (check_sgd<T, lz::shape<dyn>>(N), ...);
}

}  // namespace

BOOST_AUTO_TEST_CASE(sgd_momentum_bit_for_bit_float) { check_sgd_sizes<float, 0, 1, 7, 16, 1000, 4099>(); }
BOOST_AUTO_TEST_CASE(sgd_momentum_bit_for_bit_double) { check_sgd_sizes<double, 0, 1, 7, 16, 1000, 4099>(); }

BOOST_AUTO_TEST_CASE(literals_and_a_copy) {
    constexpr auto x = lz::var<"x", float, lz::shape<dyn>>;
    const std::vector<float> xs = random_values<float>(37, 3);
    lz::tensor<float, lz::shape<dyn>> out(37);
    lz::assign(out, lz::c<1, 2> * x - 3_c, lz::at(x = xs));
    for (std::size_t i = 0; i < xs.size(); ++i) BOOST_TEST(out(i) == 0.5f * xs[i] - 3.0f);
    lz::assign(out, x, lz::at(x = xs));  // a copy: the kernel is one leaf
    BOOST_TEST(bitwise_equal(out.data(), xs));
    lz::assign(out, 2_c, lz::at(x = xs));  // a fill: no leaf at all
    for (std::size_t i = 0; i < xs.size(); ++i) BOOST_TEST(out(i) == 2.0f);
}

BOOST_AUTO_TEST_CASE(broadcast_scalar_and_row) {
    // out[i, j] = tanh(x[i, j] · r[j] + s), static and dyn rows (one loop over
    // the target's shape). The SIMD tanh is within a few ulp of std::tanh.
    constexpr std::size_t rows = 9, cols = 21;
    const std::vector<double> xs = random_values<double>(rows * cols, 4), rs = random_values<double>(cols, 5);
    const double s_value = 0.25;
    auto expected = [&](std::size_t i, std::size_t j) { return std::tanh(xs[i * cols + j] * rs[j] + s_value); };
    {
        constexpr auto x = lz::var<"x", double, lz::shape<rows, cols>>;
        constexpr auto r = lz::var<"r", double, lz::shape<cols>>;
        constexpr auto s = lz::var<"s", double>;
        lz::tensor<double, lz::shape<rows, cols>> out;
        lz::assign(out, lz::tanh(x * r + s), lz::at(x = xs, r = rs, s = s_value));
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t j = 0; j < cols; ++j)
                BOOST_TEST(out(i, j) == expected(i, j), boost::test_tools::tolerance(1e-14));
    }
    {
        constexpr auto x = lz::var<"x", double, lz::shape<dyn, cols>>;
        constexpr auto r = lz::var<"r", double, lz::shape<1, cols>>;
        constexpr auto s = lz::var<"s", double>;
        lz::tensor<double, lz::shape<dyn, cols>> out(rows);
        lz::assign(out, lz::tanh(x * r + s), lz::at(x = xs, r = rs, s = s_value));
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t j = 0; j < cols; ++j)
                BOOST_TEST(out(i, j) == expected(i, j), boost::test_tools::tolerance(1e-14));
    }
    {
        // A column [rows, 1] and a row [cols] into a target [rows, cols].
        constexpr auto c = lz::var<"c", double, lz::shape<dyn, 1>>;
        constexpr auto r = lz::var<"r", double, lz::shape<cols>>;
        const std::vector<double> cs = random_values<double>(rows, 6);
        lz::tensor<double, lz::shape<dyn, cols>> out(rows);
        lz::assign(out, c - r, lz::at(c = cs, r = rs));
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t j = 0; j < cols; ++j) BOOST_TEST(out(i, j) == cs[i] - rs[j]);
    }
}

BOOST_AUTO_TEST_CASE(target_of_two_different_dyn_extents) {
    // [dyn, dyn] = [5, 13]: the fused loop takes one run-time extent, so the
    // rows are looped over one at a time; the row vector is read by each.
    constexpr std::size_t rows = 5, cols = 13;
    constexpr auto x = lz::var<"x", float, lz::shape<dyn, dyn>>;
    constexpr auto r = lz::var<"r", float, lz::shape<dyn>>;
    const std::vector<float> xs = random_values<float>(rows * cols, 7), rs = random_values<float>(cols, 8);
    lz::tensor<float, lz::shape<dyn, dyn>> out(rows, cols);
    const auto env = lz::at(x = lz::tensor_view<const float, lz::shape<dyn, dyn>>(xs.data(), rows, cols), r = rs);
    lz::assign(out, x / (r * r + 1_c), env);
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j) BOOST_TEST(out(i, j) == xs[i * cols + j] / (rs[j] * rs[j] + 1.0f));
}

BOOST_AUTO_TEST_CASE(target_on_both_sides_and_named_by_its_leaf) {
    constexpr std::size_t n = 1003;
    constexpr auto p = lz::param<"p", float, lz::shape<n>>;
    constexpr auto g = lz::var<"g", float, lz::shape<n>>;
    const std::vector<float> gs = random_values<float>(n, 9);
    std::vector<float> ps = random_values<float>(n, 10), ref = ps;
    // Through a mutable view of user memory (the target read and written in place).
    lz::tensor_view<float, lz::shape<n>> pv(ps.data());
    lz::assign(pv, p * p - 0.5_c * g, lz::at(p = ps, g = gs));
    for (std::size_t i = 0; i < n; ++i) ref[i] = ref[i] * ref[i] - 0.5f * gs[i];
    BOOST_TEST(bitwise_equal(ps.data(), ref));
    // Named by its leaf: the environment binds p to a mutable view.
    const auto env = lz::at(lz::binding<std::remove_const_t<decltype(p)>, lz::tensor_view<float, lz::shape<n>>>{pv},
                            g = gs);
    lz::assign(p, p + g, env);
    for (std::size_t i = 0; i < n; ++i) ref[i] = ref[i] + gs[i];
    BOOST_TEST(bitwise_equal(ps.data(), ref));
    // The same environment evaluates as any other.
    BOOST_TEST(lz::eval(lz::sum(p - g), env) == lz::eval(lz::sum(p - g), lz::at(p = ps, g = gs)));
}

BOOST_AUTO_TEST_CASE(run_time_shape_errors_name_both_extents) {
    constexpr auto g = lz::var<"g", float, lz::shape<dyn>>;
    constexpr auto m = lz::var<"m", float, lz::shape<dyn, dyn>>;
    const std::vector<float> eight(8, 1.0f);
    lz::tensor<float, lz::shape<dyn>> seven(7);
    try {
        lz::assign(seven, 2_c * g, lz::at(g = eight));
        BOOST_FAIL("no shape_error");
    } catch (const lz::shape_error& e) {
        const std::string what = e.what();
        BOOST_TEST(what.find("leibniz::assign") != std::string::npos, what);
        BOOST_TEST(what.find("\"g\" has extents [8]") != std::string::npos, what);
        BOOST_TEST(what.find("target's extents [7]") != std::string::npos, what);
    }
    for (std::size_t i = 0; i < 7; ++i) BOOST_TEST(seven(i) == 0.0f);  // nothing written
    // A dyn last extent of 1 would be read as a row: rejected, not misread.
    lz::tensor<float, lz::shape<dyn, dyn>> out(3, 4);
    const std::vector<float> three(3, 1.0f);
    BOOST_CHECK_THROW(lz::assign(out, m + 1_c, lz::at(m = lz::tensor_view<const float, lz::shape<dyn, dyn>>(
                                                             three.data(), 3, 1))),
                      lz::shape_error);
}

// Over a whole parameter store: the update p ← p − η·v, v ← μ·v + g as two
// loops over the flat buffers of the store, its gradient and a velocity laid
// out like it, bit for bit the scalar loop.
BOOST_AUTO_TEST_CASE(sgd_momentum_over_a_whole_store) {
    constexpr auto x = lz::var<"x", float, lz::shape<dyn, 3>>;
    constexpr auto W = lz::param<"W", float, lz::shape<3, 5>>;
    constexpr auto b = lz::param<"b", float, lz::shape<5>>;
    constexpr auto s = lz::param<"s", float>;
    constexpr auto loss = lz::mean(lz::tanh(lz::matmul(x, W) + b) * s);
    lz::parameters params{loss}, velocity{loss};
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> u(-1, 1);
    for (float& p : params.flat()) p = u(rng);
    lz::tensor<float, lz::shape<dyn, 3>> xs(4);
    for (std::size_t i = 0; i < xs.size(); ++i) xs.data()[i] = u(rng);
    lz::workspace ws{loss};

    constexpr auto p = lz::var<"p", float, lz::shape<dyn>>;
    constexpr auto v = lz::var<"v", float, lz::shape<dyn>>;
    constexpr auto g = lz::var<"g", float, lz::shape<dyn>>;
    const float mu = 0.9f, eta = 0.05f;
    constexpr auto Mu = lz::var<"mu", float>;
    constexpr auto Eta = lz::var<"eta", float>;
    std::vector<float> p_ref(params.flat().begin(), params.flat().end()), v_ref(params.size(), 0.0f);
    for (int step = 0; step < 3; ++step) {
        const auto grads = lz::grad(loss, params, lz::at(params, x = xs), ws);
        const lz::tensor_view<float, lz::shape<dyn>> P(params.flat().data(), params.size());
        const lz::tensor_view<float, lz::shape<dyn>> V(velocity.flat().data(), velocity.size());
        const lz::tensor_view<const float, lz::shape<dyn>> G(grads.flat().data(), grads.size());
        for (std::size_t i = 0; i < params.size(); ++i) {  // the reference, from the same gradient
            v_ref[i] = mu * v_ref[i] + grads.flat()[i];
            p_ref[i] = p_ref[i] - eta * v_ref[i];
        }
        lz::assign(V, Mu * v + g, lz::at(v = V, g = G, Mu = mu));
        lz::assign(P, p - Eta * v, lz::at(p = P, v = V, Eta = eta));
        BOOST_TEST(std::memcmp(params.flat().data(), p_ref.data(), p_ref.size() * sizeof(float)) == 0);
        BOOST_TEST(std::memcmp(velocity.flat().data(), v_ref.data(), v_ref.size() * sizeof(float)) == 0);
    }
}
