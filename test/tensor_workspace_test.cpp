// Workspace result semantics and lz::explain on tensor expressions.
//
// With a workspace, eval / grad / value_and_grad return VIEWS into it, valid
// until its next use: the next call with the same workspace overwrites them
// (documented here on purpose — copy with lz::to_tensor to keep a result).
// Without one, the same calls return OWNING lz::tensors that later calls
// never touch. Both give the same numbers. With LEIBNIZ_CHECK_VIEWS (on by
// default without NDEBUG, and here in every build: it is defined below unless
// a precompiled header decided it already), reading a view after the
// workspace's next use calls the invalid-view handler, which these tests
// replace by one that counts the reads and lets them go ahead.
#define BOOST_TEST_MODULE tensor_workspace
#ifndef LEIBNIZ_CHECK_VIEWS
#define LEIBNIZ_CHECK_VIEWS 1
#endif

// g++ 12 -O3 reports a false -Wrestrict (GCC bug 105329) inside std::string's
// operator+(const char*, std::string&&) as inlined into lz::explain
// (core/explain.hpp: "v" + std::to_string(...)). Reported to the library;
// silenced here, before <string> is first included, until it is worked around there.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif

#include <boost/test/unit_test.hpp>

#include <leibniz/leibniz.hpp>

#include <cmath>
#include <cstring>
#include <string>
#include <type_traits>

namespace lz = leibniz;
using namespace lz::literals;

namespace {

template <std::size_t... E>
using sh = lz::shape<E...>;
constexpr auto dyn = lz::dyn;

constexpr auto x = lz::var<"x", double, sh<dyn, 4>>;
constexpr auto W = lz::param<"W", double, sh<4, 3>>;
constexpr auto b = lz::param<"b", double, sh<3>>;
constexpr auto layer = lz::tanh(lz::matmul(x, W) + b);
constexpr auto loss = lz::sum(layer * layer);

struct point {
    lz::tensor<double, sh<dyn, 4>> in;
    lz::tensor<double, sh<4, 3>> w;
    lz::tensor<double, sh<3>> c{0.1, -0.2, 0.3};
    explicit point(double scale) : in(2) {
        for (std::size_t i = 0; i < in.size(); ++i) in.data()[i] = scale * (double(i) - 3.5) / 8;
        for (std::size_t i = 0; i < w.size(); ++i) w.data()[i] = scale * std::sin(double(i));
    }
    [[nodiscard]] auto env() const { return lz::at(x = in, W = w, b = c); }
};

// While alive, reads through invalidated views are counted (and go ahead)
// instead of aborting.
struct stale_reads {
    static inline int count = 0;
    static inline const char* message = nullptr;
    static void record(const char* m) noexcept {
        ++count;
        message = m;
    }
    lz::invalid_view_handler previous;
    stale_reads() : previous(lz::set_invalid_view_handler(record)) {
        count = 0;
        message = nullptr;
    }
    ~stale_reads() { lz::set_invalid_view_handler(previous); }
    stale_reads(const stale_reads&) = delete;
    stale_reads& operator=(const stale_reads&) = delete;
};
// The number of reports expected: n in a checked build, none otherwise.
constexpr int if_checked(int n) { return LEIBNIZ_CHECK_VIEWS ? n : 0; }

}  // namespace

BOOST_AUTO_TEST_CASE(views_from_a_workspace_are_overwritten_by_its_next_use) {
    const stale_reads stale;
    const point p1(1.0), p2(-2.0);
    lz::workspace ws{loss};

    const auto [dW1, db1] = lz::grad(loss, lz::wrt(W, b), p1.env(), ws);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(dW1)>, lz::tensor_view<const double, sh<4, 3>>>);
    const auto kept = lz::to_tensor(dW1);  // an owning copy survives
    const double first = dW1(1, 2);
    const double* const w_memory = dW1.data();
    const double* const b_memory = db1.data();
    BOOST_TEST(stale.count == 0);

    const auto [dW2, db2] = lz::grad(loss, lz::wrt(W, b), p2.env(), ws);
    BOOST_TEST(dW2.data() == w_memory);  // the same memory ...
    BOOST_TEST(db2.data() == b_memory);
    const double stale_value = dW1(1, 2);  // ... so the first view (a stale read) shows the second gradient
    BOOST_TEST(stale.count == if_checked(1));
    BOOST_TEST(stale_value == dW2(1, 2));
    BOOST_TEST(stale_value != first);
    BOOST_TEST(kept(1, 2) == first);

    // value_and_grad and eval views alias the same workspace too
    const auto r = lz::value_and_grad(loss, lz::wrt(W), p1.env(), ws);
    BOOST_TEST(std::get<0>(r.gradient).data() == w_memory);
    BOOST_TEST(lz::max_abs_diff(std::get<0>(r.gradient), kept) == 0.0);

    lz::workspace ws_layer{layer};
    const auto y1 = lz::eval(layer, p1.env(), ws_layer);
    const auto y1_copy = lz::to_tensor(y1);
    const double* const y_memory = y1.data();
    const auto y2 = lz::eval(layer, p2.env(), ws_layer);
    BOOST_TEST(y2.data() == y_memory);
    BOOST_TEST(lz::max_abs_diff(y2, y1_copy) > 0.0);  // y1's memory holds y2 now
    BOOST_TEST(stale.count == if_checked(1));       // no other read was stale
}

// The rule, checked: grad, then eval to log the loss, then a read of the
// gradient is reported (in a checked build) with the message stating the rule.
BOOST_AUTO_TEST_CASE(a_read_after_the_next_use_is_reported) {
    const stale_reads stale;
    const point p(1.0);
    lz::workspace ws{loss};
    // Sized first by the largest call (an hvp: dual numbers), so that ws never
    // reallocates below and the stale reads touch live memory.
    (void)lz::hvp(loss, lz::wrt(W, b), p.env(), lz::tangent(W = p.w, b = p.c), ws);
    const auto [dW, db] = lz::grad(loss, lz::wrt(W, b), p.env(), ws);
    const double before = dW(0, 0);
    const auto dW_copy = dW;                          // copies and conversions read nothing
    const lz::tensor_view<const double, sh<3>> db_copy = db;
    const double value = lz::eval(loss, p.env(), ws);  // the next use of ws
    BOOST_TEST(std::isfinite(value));
    BOOST_TEST(stale.count == 0);

    (void)dW(0, 0);
    BOOST_TEST(stale.count == if_checked(1));
    (void)db_copy.data();
    BOOST_TEST(stale.count == if_checked(2));
    (void)lz::to_tensor(dW_copy);  // one read of the whole view
    BOOST_TEST(stale.count == if_checked(3));
    if constexpr (LEIBNIZ_CHECK_VIEWS != 0) {
        BOOST_REQUIRE(stale.message != nullptr);
        BOOST_TEST(std::strcmp(stale.message,
                               "leibniz: this view into a workspace was invalidated by a later call on the same "
                               "workspace (views are valid until the workspace's next use; copy one with "
                               "lz::to_tensor to keep it)") == 0);
    }

    // one leaf, value_and_grad, jvp and hvp results are tied to ws as well
    const auto dW1 = lz::grad(loss, W, p.env(), ws);
    BOOST_TEST(dW1(0, 0) == before);
    const auto vg = lz::value_and_grad(loss, W, p.env(), ws);
    (void)dW1(0, 0);
    BOOST_TEST(stale.count == if_checked(4));
    lz::workspace ws_layer{layer};
    const auto j = lz::jvp(layer, p.env(), lz::tangent(W = p.w), ws_layer);
    BOOST_TEST(std::isfinite(j.tangent(1, 2)));
    BOOST_TEST(stale.count == if_checked(4));
    (void)lz::eval(layer, p.env(), ws_layer);
    (void)j.tangent(1, 2);
    (void)j.value(0, 0);
    BOOST_TEST(stale.count == if_checked(6));
    const auto [h] = lz::hvp(loss, lz::wrt(b), p.env(), lz::tangent(b = p.c), ws);
    (void)vg.gradient.data();
    BOOST_TEST(stale.count == if_checked(7));
    (void)h(0);
    BOOST_TEST(stale.count == if_checked(7));

    // a move invalidates the views of both workspaces
    lz::workspace moved = std::move(ws);
    (void)h(0);
    BOOST_TEST(stale.count == if_checked(8));
    (void)moved;
}

// Reads before the next use, and views that no workspace returned, are never reported.
BOOST_AUTO_TEST_CASE(valid_reads_are_not_reported) {
    const stale_reads stale;
    const point p(1.0);
    lz::workspace ws{loss};
    for (int step = 0; step < 3; ++step) {
        const auto [value, gradient] = lz::value_and_grad(loss, lz::wrt(W, b), p.env(), ws);
        const auto& [dW, db] = gradient;
        double total = value;
        for (std::size_t i = 0; i < 4; ++i)
            for (std::size_t j = 0; j < 3; ++j) total += dW(i, j);
        total += lz::to_tensor(db)(0) + db.data()[1];
        BOOST_TEST(std::isfinite(total));
    }
    lz::tensor<double, sh<3>> owned{1, 2, 3};
    const lz::tensor_view<const double, sh<3>> mine = owned;
    (void)lz::eval(loss, p.env(), ws);
    BOOST_TEST(mine(2) == 3.0);
    BOOST_TEST(stale.count == 0);
}

BOOST_AUTO_TEST_CASE(owning_results_are_not_overwritten) {
    const point p1(1.0), p2(-2.0);
    const auto [dW1, db1] = lz::grad(loss, lz::wrt(W, b), p1.env());
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(dW1)>, lz::tensor<double, sh<4, 3>>>);
    const auto copy = dW1;
    const auto [dW2, db2] = lz::grad(loss, lz::wrt(W, b), p2.env());
    BOOST_TEST(dW1.data() != dW2.data());
    BOOST_TEST(lz::max_abs_diff(dW1, copy) == 0.0);
    BOOST_TEST(lz::max_abs_diff(dW1, dW2) > 0.0);

    const auto y1 = lz::eval(layer, p1.env());
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(y1)>, lz::tensor<double, sh<dyn, 3>>>);
    const auto y1_copy = y1;
    const auto y2 = lz::eval(layer, p2.env());
    BOOST_TEST(lz::max_abs_diff(y1, y1_copy) == 0.0);
    BOOST_TEST(lz::max_abs_diff(y1, y2) > 0.0);

    // the same numbers as with a workspace
    lz::workspace ws{loss};
    const auto [vW, vb] = lz::grad(loss, lz::wrt(W, b), p2.env(), ws);
    BOOST_TEST(lz::max_abs_diff(vW, dW2) == 0.0);
    BOOST_TEST(lz::max_abs_diff(vb, db2) == 0.0);
    const auto r = lz::value_and_grad(loss, lz::wrt(W, b), p2.env());
    BOOST_TEST(lz::max_abs_diff(std::get<0>(r.gradient), dW2) == 0.0);
    BOOST_TEST(r.value == lz::eval(loss, p2.env()));
}

BOOST_AUTO_TEST_CASE(a_workspace_grows_and_moves) {
    const point p(1.0);
    lz::workspace ws{loss};
    BOOST_TEST(ws.capacity() == 0u);
    const double v = lz::eval(loss, p.env(), ws);
    const std::size_t after_eval = ws.capacity();
    BOOST_TEST(after_eval > 0u);
    (void)lz::grad(loss, lz::wrt(W), p.env(), ws);  // adjoints too: it grows
    BOOST_TEST(ws.capacity() > after_eval);
    lz::workspace moved = std::move(ws);
    BOOST_TEST(moved.capacity() > after_eval);
    BOOST_TEST(lz::eval(loss, p.env(), moved) == v);
}

// ---------------------------------------------------------------- explain

BOOST_AUTO_TEST_CASE(explain_an_mlp) {
    constexpr auto in = lz::var<"x", float, sh<dyn, 32>>;
    constexpr auto target = lz::var<"y", float, sh<dyn, 10>>;
    constexpr auto W1 = lz::param<"W1", float, sh<32, 16>>;
    constexpr auto b1 = lz::param<"b1", float, sh<16>>;
    constexpr auto W2 = lz::param<"W2", float, sh<16, 10>>;
    constexpr auto b2 = lz::param<"b2", float, sh<10>>;
    constexpr auto mse = lz::mean(lz::pow(lz::matmul(lz::tanh(lz::matmul(in, W1) + b1), W2) + b2 - target, 2_c));

    lz::tensor<float, sh<dyn, 32>> xv(8);
    lz::tensor<float, sh<dyn, 10>> yv(8);
    lz::tensor<float, sh<32, 16>> w1;
    lz::tensor<float, sh<16>> c1;
    lz::tensor<float, sh<16, 10>> w2;
    lz::tensor<float, sh<10>> c2;
    for (std::size_t i = 0; i < xv.size(); ++i) xv.data()[i] = float(std::sin(0.1 * double(i)));
    for (std::size_t i = 0; i < w1.size(); ++i) w1.data()[i] = float(std::cos(0.3 * double(i))) / 8;
    for (std::size_t i = 0; i < w2.size(); ++i) w2.data()[i] = float(std::sin(0.7 * double(i))) / 4;
    yv.fill(0.5f);
    const auto env = lz::at(in = xv, target = yv, W1 = w1, b1 = c1, W2 = w2, b2 = c2);

    const std::string text = lz::explain(mse, lz::wrt(W1, b1, W2, b2), env);
    BOOST_TEST_MESSAGE(text);
    for (const char* line : {
             "x [8×32]",                                  // shapes with the batch as bound
             "v1 [8×16] = x @ W1",                        // the forward steps
             "(one loop over its elements)",              // a fused group's root
             "(fused into the loop of its consumer)",     // its interior
             "δ(W1) [32×16] = xᵀ·δ(v1)",                  // matmul's rules, with shapes
             "δ(W2) [16×10] = v3ᵀ·δ(v4)",
             "δ(v3) [8×16] = δ(v4)·W2ᵀ",
             "δ(b1) [16] = δ(v2) ⊙ 1, summed over the broadcast axes",  // a bias row
             "δ(b2) [10] = ",
             "∂f/∂W1 [32×16] = δ(W1), norm ",
         })
        BOOST_TEST((text.find(line) != std::string::npos), "explain lacks \"" << line << "\"");

    // the norms it prints are the gradients'
    const auto [g1, gb1, g2, gb2] = lz::grad(mse, lz::wrt(W1, b1, W2, b2), env);
    double sq = 0;
    for (std::size_t i = 0; i < g2.size(); ++i) sq += double(g2.data()[i]) * double(g2.data()[i]);
    const std::string key = "∂f/∂W2 [16×10] = δ(W2), norm ";
    const auto at = text.find(key);
    BOOST_REQUIRE(at != std::string::npos);
    const double printed = std::stod(text.substr(at + key.size()));
    BOOST_TEST(std::abs(printed - std::sqrt(sq)) <= 1e-4 * std::sqrt(sq), printed << " against " << std::sqrt(sq));
}
