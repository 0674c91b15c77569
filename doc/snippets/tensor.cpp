// The examples of doc/reference/tensor.md, one function per section; each
// `// [snippet <part>]` region is shown there, and what main() prints is quoted.
#include <leibniz/leibniz.hpp>

#include <array>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace lz = leibniz;
using namespace lz::literals;

// Prints a tensor or a view of rank 1 or 2, row by row.
template <class V>
void show(const char* name, const V& t) {
    std::printf("%-22s", name);
    const std::size_t columns = t.extent(V::rank - 1), rows = t.size() / columns;
    for (std::size_t r = 0; r < rows; ++r) {
        std::printf(r ? " [" : "[");
        for (std::size_t c = 0; c < columns; ++c) std::printf(c ? " %g" : "%g", double(t.data()[r * columns + c]));
        std::printf("]");
    }
    std::printf("\n");
}

void tensors() {
    // [snippet tensors]
    lz::tensor<double, lz::shape<2, 3>> a{{1, 2, 3}, {4, 5, 6}};  // a static shape, row-major
    lz::tensor<float, lz::shape<lz::dyn, 4>> batch(32);           // each dyn extent given: 32×4, zeros
    batch(0, 1) = 2.5f;
    std::printf("a(1, 2) = %g; batch is %zu×%zu, %zu elements\n", a(1, 2), batch.extent(0), batch.extent(1),
                batch.size());

    std::vector<float> samples(12);                              // memory someone else owns
    lz::tensor_view<float, lz::shape<lz::dyn, 3>> rows(samples); // 4×3 over it: the dyn extent is deduced
    rows(3, 2) = 1.0f;                                           // writes samples[11]; nothing was copied
    std::printf("%zu rows; samples[11] = %g\n", rows.extent(0), samples[11]);
    try {
        lz::tensor_view<const float, lz::shape<lz::dyn, 5>> fives(samples);  // 12 is not a multiple of 5
    } catch (const lz::shape_error& e) {
        std::printf("lz::shape_error: %s\n", e.what());
    }
    // [/snippet]
}

void binding() {
    // [snippet binding]
    constexpr auto x = lz::var<"x", float, lz::shape<lz::dyn, 3>>;  // a batch of 3-vectors
    constexpr auto t = lz::var<"t", float, lz::shape<lz::dyn>>;     // one target per row
    constexpr auto w = lz::param<"w", float, lz::shape<3>>;
    constexpr auto f = lz::mean(lz::pow(lz::matmul(x, w) - t, 2_c));  // the mean squared error

    std::vector<float> inputs{1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1};  // four rows of three
    std::vector<float> targets{1, 2, 3, 6};
    lz::tensor<float, lz::shape<3>> weights{1, 2, 3};
    const auto env = lz::at(x = inputs, t = targets, w = weights);  // views: no copy; 12 elements are 4 rows
    std::printf("f = %g\n", lz::eval(f, env));  // w fits every row

    weights(2) = 4;  // the environment holds a view of weights: it sees the change
    std::printf("f = %g\n", lz::eval(f, env));

    targets.pop_back();  // three targets for four rows
    try {
        (void)lz::eval(f, env.with(t = targets));
    } catch (const lz::shape_error& e) {
        std::printf("lz::shape_error: %s\n", e.what());
    }
    // [/snippet]
}

void containers() {
    // [snippet containers]
    constexpr auto X = lz::var<"X", double, lz::shape<2, 3>>;  // static shapes
    constexpr auto W = lz::param<"W", double, lz::shape<3, 2>>;
    constexpr auto v = lz::var<"v", double, lz::shape<3>>;     // one sample

    std::vector<double> xs{1, 2, 3, 4, 5, 6};                  // 2×3, row-major
    std::array<double, 6> ws{1, 0, 0, 1, 1, 1};                // 3×2 (a std::array of 5 would not compile)
    std::span<const double> second_row(xs.data() + 3, 3);
    show("matmul(X, W)", lz::eval(lz::matmul(X, W), lz::at(X = xs, W = ws)));
    show("matmul(v, W)", lz::eval(lz::matmul(v, W), lz::at(v = second_row, W = ws)));  // [3]·[3, 2] → [2]

    xs.pop_back();  // 5 elements for a 2×3 leaf
    try {
        (void)lz::at(X = xs, W = ws);
    } catch (const lz::shape_error& e) {
        std::printf("lz::shape_error: %s\n", e.what());
    }
    // [/snippet]
}

void broadcasting() {
    // [snippet broadcasting]
    constexpr auto x = lz::var<"x", double, lz::shape<lz::dyn, 3>>;
    constexpr auto b = lz::var<"b", double, lz::shape<3>>;          // one per column
    constexpr auto c = lz::var<"c", double, lz::shape<lz::dyn, 1>>; // one per row
    constexpr auto s = lz::var<"s">;                                // a scalar: everywhere
    constexpr auto f = s * lz::relu(x - b) + c;                     // [dyn, 3]

    lz::tensor<double, lz::shape<2, 3>> xs{{1, 2, 3}, {4, 5, 6}};   // static 2 binds to dyn
    lz::tensor<double, lz::shape<3>> bs{2, 2, 2};
    lz::tensor<double, lz::shape<2, 1>> cs{{0.5}, {-0.5}};
    lz::tensor<double, lz::shape<lz::dyn, 3>> y = lz::eval(f, lz::at(x = xs, b = bs, c = cs, s = 10.0));
    show("s*relu(x - b) + c", y);
    // [/snippet]
}

void operations() {
    // [snippet operations]
    constexpr auto a = lz::var<"a", double, lz::shape<2, 3>>;
    constexpr auto v = lz::var<"v", double, lz::shape<3>>;
    lz::tensor<double, lz::shape<2, 3>> as{{1, 2, 3}, {4, 5, 6}};
    lz::tensor<double, lz::shape<3>> vs{1, 0, -1};
    const auto env = lz::at(a = as, v = vs);
    auto at = [&](auto e) { return lz::eval(e, lz::lenient(env)); };  // each uses some of a and v

    std::printf("%-22s%g\n", "sum(a)", at(lz::sum(a)));
    show("sum(a, axis<0>)", at(lz::sum(a, lz::axis<0>)));
    show("mean(a, axis<1>)", at(lz::mean(a, lz::axis<1>)));
    show("max(a, axis<0>)", at(lz::max(a, lz::axis<0>)));
    show("matmul(a, v)", at(lz::matmul(a, v)));
    show("transpose(a)", at(lz::transpose(a)));
    show("reshape<[3, 2]>(a)", at(lz::reshape<lz::shape<3, 2>>(a)));
    show("concat(a, a, axis<1>)", at(lz::concat(a, a, lz::axis<1>)));
    show("softmax(v)", at(lz::softmax(v)));
    std::printf("%-22s%g\n", "dot(v, v)", at(lz::dot(v, v)));
    // [/snippet]
}

void labels() {
    // [snippet labels]
    constexpr auto logits = lz::var<"logits", double, lz::shape<lz::dyn, 3>>;
    constexpr auto y = lz::var<"y", std::int32_t, lz::shape<lz::dyn>>;  // class labels: integer data
    std::vector<double> ls{2, 1, 0,   // a batch of two rows
                          0, 3, 1};
    std::vector<std::int32_t> ys{0, 2};
    const auto env = lz::at(logits = ls, y = ys);

    show("pick(logits, y)", lz::eval(lz::pick(logits, y), env));  // logits[n, y[n]]
    show("one_hot<3>(y)", lz::eval(lz::one_hot<3>(y), lz::at(y = ys)));
    constexpr auto cross_entropy = lz::mean(lz::logsumexp(logits, lz::axis<1>) - lz::pick(logits, y));
    auto [loss, grads] = lz::value_and_grad(cross_entropy, lz::wrt(logits), env);
    std::printf("%-22s%g\n", "cross_entropy", loss);
    show("d/dlogits", std::get<0>(grads));  // (softmax(logits) - one_hot(y)) / N
    // [/snippet]
}

void workspace() {
    // [snippet workspace]
    constexpr auto x = lz::var<"x", float, lz::shape<lz::dyn, 3>>;
    constexpr auto w = lz::param<"w", float, lz::shape<3>>;
    constexpr auto f = lz::sum(lz::softplus(lz::matmul(x, w)));
    lz::tensor<float, lz::shape<2, 3>> xs{{1, 2, 3}, {4, 5, 6}};
    lz::tensor<float, lz::shape<3>> weights{0.1f, 0.2f, 0.3f}, direction{1, 0, 0};
    const auto env = lz::at(x = xs, w = weights);

    lz::workspace ws{f};                                        // no memory yet
    const auto r = lz::value_and_grad(f, lz::wrt(w), env, ws);  // sizes it; r.value, r.gradient
    const std::size_t sized = ws.capacity();
    const float* first = std::get<0>(r.gradient).data();
    auto [dw] = lz::grad(f, lz::wrt(w), env, ws);  // a view into ws; from here on r.gradient is stale
    static_assert(std::is_same_v<decltype(dw), lz::tensor_view<const float, lz::shape<3>>>);
    std::printf("f = %.4f, df/dw = [%.4f %.4f %.4f]\n", r.value, dw(0), dw(1), dw(2));
    std::printf("grad wrote where value_and_grad did: %s\n", dw.data() == first ? "yes" : "no");

    const float value = lz::eval(f, env, ws);  // from here on, dw is stale too
    std::printf("f = %.4f; the workspace grew after the first call: %s\n", value, ws.capacity() > sized ? "yes" : "no");

    const auto t = lz::jvp(f, env, lz::tangent(w = direction), ws);  // along w₀: t.tangent = df/dw₀
    std::printf("jvp: %.4f, %.4f\n", t.value, t.tangent);

    // Without a workspace: owning results, allocated by the call.
    auto [owned] = lz::grad(f, lz::wrt(w), env);
    static_assert(std::is_same_v<decltype(owned), lz::tensor<float, lz::shape<3>>>);
    // [/snippet]
}

void second_order() {
    // [snippet second_order]
    constexpr auto x = lz::var<"x", double, lz::shape<lz::dyn, 2>>;
    constexpr auto y = lz::var<"y", double, lz::shape<lz::dyn>>;
    constexpr auto w = lz::param<"w", double, lz::shape<2>>;
    constexpr auto r = lz::matmul(x, w) - y;
    constexpr auto f = lz::sum(r * r);  // least squares: the Hessian in w is 2xᵀx
    lz::tensor<double, lz::shape<3, 2>> xs{{1, 2}, {3, 4}, {5, 6}};
    lz::tensor<double, lz::shape<3>> ys{1, 0, 1};
    lz::tensor<double, lz::shape<2>> weights{0.5, -0.5}, v{1, 0};
    const auto env = lz::at(x = xs, y = ys, w = weights);

    lz::workspace ws{f};
    auto [hv] = lz::hvp(f, lz::wrt(w), env, lz::tangent(w = v), ws);  // H·v, a view into ws
    std::printf("H·v = [%g %g]\n", hv(0), hv(1));
    const auto h = lz::hessian(f, lz::wrt(w), env);  // all of H: one hvp per column
    static_assert(std::is_same_v<decltype(h), const lz::tensor<double, lz::shape<2, 2>>>);
    std::printf("H = [%g %g; %g %g]\n", h(0, 0), h(0, 1), h(1, 0), h(1, 1));

    // jvp of a tensor: the value and J·v, both tensors (views with a workspace)
    constexpr auto prediction = lz::matmul(x, w);
    const auto t = lz::jvp(prediction, lz::at(x = xs, w = weights), lz::tangent(w = v));
    show("value x*w", t.value);
    show("tangent along v", t.tangent);
    // [/snippet]
}

// [snippet counting_op]
// x² that counts how often its value is computed (an op of your own: see reference/ops.md).
struct counted_square_op {
    static constexpr std::string_view name = "counted_square";
    static constexpr lz::op_traits traits{};  // elementwise; its adjoint rule reads the operand
    static inline int calls = 0;
    template <class T>
    static T value(const T& a) {
        ++calls;
        return a * a;
    }
    template <class T>
    static T jvp(const T& t, const T& /*y*/, const T& a) { return t * (a + a); }
    template <class T>
    static T vjp(const T& g, const T& /*y*/, const T& a) { return g * (a + a); }
    template <class A>
    static constexpr auto derivative(A a) { return 2_c * a; }
    static constexpr std::string_view local_derivative = "2·a";
};
template <lz::Expression A>
constexpr auto counted_square(A a) { return lz::make_node<counted_square_op>(a); }
// [/snippet]

void fusion() {
    // [snippet fusion]
    constexpr auto x = lz::var<"x", float, lz::shape<1000>>;
    constexpr auto f = lz::sum(counted_square(x));  // Σ xᵢ²: one loop, no buffer for the squares
    lz::tensor<float, lz::shape<1000>> xs;
    xs.fill(0.5f);
    lz::workspace ws{f};

    counted_square_op::calls = 0;
    const float value = lz::eval(f, lz::at(x = xs), ws);
    std::printf("eval: f = %g; squares computed: %s\n", value, counted_square_op::calls > 0 ? "yes" : "no");
    counted_square_op::calls = 0;
    const auto [dx] = lz::grad(f, lz::wrt(x), lz::at(x = xs), ws);
    std::printf("grad: df/dx0 = %g; squares computed: %s\n", dx(0), counted_square_op::calls > 0 ? "yes" : "no");
    // [/snippet]
}

void stores() {
    // [snippet stores]
    constexpr auto x = lz::var<"x", float, lz::shape<lz::dyn, 2>>;  // data: not in the store
    constexpr auto y = lz::var<"y", float, lz::shape<lz::dyn>>;
    constexpr auto W = lz::param<"W", float, lz::shape<2, 3>>;
    constexpr auto v = lz::param<"v", float, lz::shape<3>>;
    constexpr auto s = lz::param<"s", float>;  // a scalar parameter
    constexpr auto f = lz::mean(lz::pow(s * lz::matmul(lz::tanh(lz::matmul(x, W)), v) - y, 2_c));

    lz::parameters params{f};  // the param leaves of f in first-use order (s, W, v), zeroed
    static_assert(std::is_same_v<decltype(params), lz::parameters<lz::params_of<decltype(f)>>>);
    std::printf("%zu parameters, %zu numbers:", params.count(), params.size());
    params.for_each([](auto leaf, auto&& value) {  // auto&&: a scalar's value is a float&
        std::printf(" %.*s", int(decltype(leaf)::name.view().size()), decltype(leaf)::name.view().data());
        (void)value;
    });
    std::printf("\n");

    params[s] = 1;                                                       // a float&
    for (std::size_t i = 0; i < 6; ++i) params[W].data()[i] = 0.1f * float(i);  // a view of W's elements
    params[v](0) = 1, params[v](1) = -1, params[v](2) = 0.5f;
    std::printf("W follows s in the flat buffer: %s\n", params[W].data() == params.flat().data() + 1 ? "yes" : "no");
    if (const auto found = params.find("v"))  // by run-time name, e.g. for a file's keys
        std::printf("found \"%.*s\": %zu elements, rank %zu\n", int(found->name.size()), found->name.data(),
                    found->data.size(), found->extents.size());

    lz::tensor<float, lz::shape<4, 2>> xs{{1, 0}, {0, 1}, {1, 1}, {-1, 2}};
    std::vector<float> ys{1, 0, -1, 0.5f};
    const auto env = lz::at(params, x = xs, y = ys);  // every parameter bound, as views (s by reference)
    lz::workspace ws{f};
    const auto [value, grads] = lz::value_and_grad(f, params, env, ws);  // laid out like params, in ws
    std::printf("df/ds = %.4f\n", grads[s]);
    show("df/dv", grads[v]);
    for (std::size_t i = 0; i < params.size(); ++i) params.flat()[i] -= 0.1f * grads.flat()[i];  // one SGD step
    std::printf("f = %.4f -> %.4f\n", value, lz::eval(f, env, ws));  // env sees the update; grads is stale now

    const auto owned = lz::grad(f, params, env);  // without a workspace: an owning store (allocates)
    static_assert(std::is_same_v<decltype(owned), const decltype(params)>);
    const auto snapshot = params;  // a copy of a store copies its values
    std::printf("gradient norm² %.4f, snapshot s = %.4f\n",
                std::inner_product(owned.flat().begin(), owned.flat().end(), owned.flat().begin(), 0.0),
                snapshot[s]);
    // [/snippet]

    // [snippet aux]
    const auto hidden = lz::tanh(lz::matmul(x, W));
    const auto r = lz::value_and_grad(lz::with_aux(f, hidden), params, env, ws);  // one forward pass
    std::printf("f = %.4f, hidden row 3: %.4f %.4f %.4f\n", r.value, r.aux(3, 0), r.aux(3, 1), r.aux(3, 2));
    // [/snippet]
}

void updates() {
    // [snippet assign]
    constexpr auto W = lz::param<"W", float, lz::shape<2, 3>>;
    constexpr auto v = lz::var<"v", float, lz::shape<2, 3>>;  // momentum
    constexpr auto g = lz::var<"g", float, lz::shape<2, 3>>;  // gradient
    constexpr auto r = lz::var<"r", float, lz::shape<3>>;     // a row
    constexpr auto mu = lz::var<"mu", float>;
    constexpr auto lr = lz::var<"lr", float>;

    lz::tensor<float, lz::shape<2, 3>> w{{1, 2, 3}, {4, 5, 6}}, velocity, grad{{1, 1, 1}, {2, 2, 2}};
    const auto env = lz::at(W = w, v = velocity, g = grad, mu = 0.9f, lr = 0.5f);
    lz::assign(velocity, mu * v + g, env);  // v ← μ·v + g: one SIMD loop, into velocity
    lz::assign(w, W - lr * v, env);         // W ← W − η·v: w is read and written
    show("w after one step", w);

    std::array<float, 3> scale{1, 10, 100};
    lz::assign(w, W * r, lz::at(W = w, r = scale));  // the row broadcast along w's rows
    show("w * [1 10 100]", w);

    lz::tensor<float, lz::shape<lz::dyn, 3>> three_rows(3);
    try {
        constexpr auto x = lz::var<"x", float, lz::shape<lz::dyn, 3>>;
        lz::assign(w, 2_c * x, lz::at(x = three_rows));  // a [3, 3] expression into a [2, 3] target
    } catch (const lz::shape_error& e) {
        std::printf("lz::shape_error: %s\n", e.what());
    }
    // [/snippet]
}

void explain() {
    // [snippet explain]
    constexpr auto x = lz::var<"x", double, lz::shape<lz::dyn, 4>>;
    constexpr auto y = lz::var<"y", double, lz::shape<lz::dyn, 3>>;  // one-hot labels
    constexpr auto W1 = lz::param<"W1", double, lz::shape<4, 8>>;
    constexpr auto b1 = lz::param<"b1", double, lz::shape<8>>;
    constexpr auto W2 = lz::param<"W2", double, lz::shape<8, 3>>;
    constexpr auto b2 = lz::param<"b2", double, lz::shape<3>>;
    constexpr auto logits = lz::matmul(lz::relu(lz::matmul(x, W1) + b1), W2) + b2;
    constexpr auto loss = -lz::mean(lz::sum(y * lz::log_softmax(logits), lz::axis<1>));

    lz::tensor<double, lz::shape<2, 4>> xs{{1, 0, -1, 2}, {0, 1, 1, -1}};
    lz::tensor<double, lz::shape<2, 3>> ys{{1, 0, 0}, {0, 0, 1}};
    lz::tensor<double, lz::shape<4, 8>> w1;
    lz::tensor<double, lz::shape<8, 3>> w2;
    lz::tensor<double, lz::shape<8>> c1;
    lz::tensor<double, lz::shape<3>> c2;
    for (std::size_t i = 0; i < w1.size(); ++i) w1.data()[i] = 0.125 * double(int(i % 7) - 3);
    for (std::size_t i = 0; i < w2.size(); ++i) w2.data()[i] = 0.25 * double(int(i % 5) - 2);
    const auto env = lz::at(x = xs, y = ys, W1 = w1, b1 = c1, W2 = w2, b2 = c2);
    std::cout << lz::explain(loss, lz::wrt(W1, b1, W2, b2), env);
    // [/snippet]
}

int main() {
    tensors();
    binding();
    containers();
    broadcasting();
    operations();
    labels();
    workspace();
    stores();
    second_order();
    fusion();
    updates();
    explain();
}
