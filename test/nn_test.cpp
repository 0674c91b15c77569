// lz::nn (include/leibniz/nn/): buffer leaves and their store, the layers
// against PyTorch (test/ref/make_nn_layers_ref.py wrote test/nn/nn_layers_ref.inc:
// dense, layer_norm, batch_norm1d in both modes with the running statistics
// after three training steps, on [N, F] and on [N, C, L]; layer_norm over
// the last two axes; these two new forms in double here, in float in
// nn_float_test: test/nn/nn_layer_checks.hpp), names and modes of sequential, dropout's mask
// statistics, the initializers' moments and bounds, orthogonality, and no
// allocation in a training step with batch norm's update.
// Agreement: 1e-10 relative in double, 1e-5 in float, relative to the largest
// magnitude of the reference array.
#define BOOST_TEST_MODULE nn
#include <boost/test/unit_test.hpp>

#include <leibniz/leibniz.hpp>

#include "counting_new.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace lz = leibniz;
using namespace lz::literals;

#include "nn/nn_layer_checks.hpp"  // namespace torch_ref: test/nn/nn_layers_ref.inc

namespace {

template <class T>
constexpr double tolerance = std::is_same_v<T, double> ? 1e-10 : 1e-5;

// max |a − ref| / max |ref|, over n elements.
template <class A, std::size_t N>
double relative_error(const A* a, const double (&ref)[N]) {
    double err = 0, scale = 0;
    for (std::size_t i = 0; i < N; ++i) {
        err = std::max(err, std::abs(double(a[i]) - ref[i]));
        scale = std::max(scale, std::abs(ref[i]));
    }
    return err / std::max(scale, 1e-300);
}

#define CHECK_CLOSE_TO(T, data, ref)                                                              \
    do {                                                                                         \
        const double e_ = relative_error(data, ref);                                             \
        BOOST_TEST_INFO(#data " against " #ref ": relative error " << e_);                       \
        BOOST_TEST(e_ <= tolerance<T>);                                                          \
        BOOST_TEST_MESSAGE(#ref ": relative error " << e_);                                      \
    } while (0)

template <class T, class S, std::size_t N>
lz::tensor<T, S> tensor_from(const double (&values)[N]) {
    auto t = [] {
        if constexpr (S::is_static)
            return lz::tensor<T, S>{};
        else
            return lz::tensor<T, S>(N / S::size);  // S::size: the product of the static extents
    }();
    BOOST_REQUIRE_EQUAL(t.size(), N);
    for (std::size_t i = 0; i < N; ++i) t.data()[i] = T(values[i]);
    return t;
}

template <class L>
std::string name_of(L) {
    return std::string(L::name.view());
}

template <class Store>
std::vector<std::string> names(const Store& store) {
    std::vector<std::string> out;
    store.for_each([&](auto leaf, auto&&) { out.push_back(name_of(leaf)); });
    return out;
}

}  // namespace

// ---------------------------------------------------------------- buffer leaves

BOOST_AUTO_TEST_CASE(buffer_leaves_store_and_binding) {
    constexpr auto x = lz::var<"x", double, lz::shape<lz::dyn, 3>>;
    constexpr auto w = lz::param<"w", double, lz::shape<3>>;
    constexpr auto mu = lz::buffer<"mu", double, lz::shape<3>>;
    constexpr auto f = lz::sum((x - mu) * w);
    static_assert(lz::Buffer<decltype(mu)> && !lz::Param<decltype(mu)>);
    static_assert(std::is_same_v<lz::buffers_of<decltype(f)>, boost::mp11::mp_list<std::remove_cvref_t<decltype(mu)>>>);
    static_assert(std::is_same_v<lz::params_of<decltype(f)>, boost::mp11::mp_list<std::remove_cvref_t<decltype(w)>>>);

    lz::parameters params{f};
    lz::buffers bufs{f};
    static_assert(std::is_same_v<decltype(bufs), lz::buffers<lz::buffers_of<decltype(f)>>>);
    BOOST_TEST(bufs.size() == 3u);
    BOOST_TEST(bufs.find("mu").has_value());
    params[w](0) = 1, params[w](1) = 2, params[w](2) = 3;
    bufs[mu](0) = 0.5, bufs[mu](1) = -1, bufs[mu](2) = 2;
    lz::tensor<double, lz::shape<2, 3>> xs{{1, 2, 3}, {4, 5, 6}};
    const auto env = lz::at(params, bufs, x = xs);  // both stores at once
    // Σ_n Σ_j (x_nj − μ_j) w_j = (5 − 1) + 2(7 + 2) + 3(9 − 4)
    BOOST_TEST(lz::eval(f, env) == 4.0 + 18.0 + 15.0);
    // The store's gradient: the params only; a buffer is not differentiated.
    const auto g = lz::grad(f, params, env);
    BOOST_TEST(g[w](0) == 4.0);
    BOOST_TEST(g[w](2) == 5.0);
    // An environment made once sees later buffer updates (views), and lz::assign writes a buffer in place.
    constexpr auto m = lz::var<"m", double>;
    lz::assign(bufs[mu], 2_c * mu + m, lz::at(mu = bufs[mu], m = 1.0));
    BOOST_TEST(bufs[mu](1) == -1.0);
    BOOST_TEST(lz::eval(f, env) == 1 * ((1.0 - 2.0) + (4.0 - 2.0)) + 2 * ((2.0 + 1.0) + (5.0 + 1.0)) + 3 * ((3.0 - 5.0) + (6.0 - 5.0)));  // μ = [2, −1, 5]
}

// ---------------------------------------------------------------- names and modes

BOOST_AUTO_TEST_CASE(sequential_names_modes_and_mixing) {
    constexpr auto x = lz::var<"x", float, lz::shape<lz::dyn, 4>>;
    constexpr auto inner = lz::nn::sequential(lz::nn::dense<6, 6, lz::nn::no_bias>, lz::nn::tanh);
    constexpr auto net = lz::nn::sequential(lz::nn::dense<4, 6>, lz::nn::batch_norm1d<6>, inner, lz::nn::dropout(0.25_c),
                                            [](auto h) { return lz::relu(h) * 2_c; },  // a lambda is a layer
                                            lz::nn::layer_norm<6>, lz::nn::leaky_relu(0.2_c), lz::nn::dense<6, 2>);
    constexpr auto train = net(x);
    constexpr auto eval = net(x, lz::nn::evaluation);
    lz::parameters params{train};
    lz::buffers bufs{eval};
    const std::vector<std::string> expected{"0.weight", "0.bias", "1.weight", "1.bias", "2.0.weight",
                                            "5.weight", "5.bias", "7.weight", "7.bias"};
    BOOST_TEST(names(params) == expected, boost::test_tools::per_element());
    const std::vector<std::string> expected_buffers{"1.running_mean", "1.running_var"};
    BOOST_TEST(names(bufs) == expected_buffers, boost::test_tools::per_element());
    // The two modes share their parameter leaves, in the same order.
    static_assert(std::is_same_v<lz::params_of<decltype(train)>, lz::params_of<decltype(eval)>>);
    static_assert(boost::mp11::mp_empty<lz::buffers_of<decltype(train)>>::value);  // training reads the batch statistics
    // A dense weight carries PyTorch's layout; the others are as PyTorch stores them.
    using W0 = boost::mp11::mp_at_c<lz::params_of<decltype(train)>, 0>;
    using B0 = boost::mp11::mp_at_c<lz::params_of<decltype(train)>, 1>;
    static_assert(lz::nn::torch_layout<W0>::transposed && !lz::nn::torch_layout<B0>::transposed);
    static_assert(lz::nn::torch_layout<W0>::extents == std::array<std::size_t, 2>{6, 4});
    // Only training draws: the key is a leaf of the training expression.
    static_assert(lz::graph_of<decltype(train)>::contains<std::remove_cvref_t<decltype(lz::nn::rng)>>);
    static_assert(!lz::graph_of<decltype(eval)>::contains<std::remove_cvref_t<decltype(lz::nn::rng)>>);

    // A layer alone names its leaves as a lone PyTorch module; named<> prefixes them;
    // layers and raw expressions are one kind of expression and mix.
    constexpr auto alone = lz::nn::dense<4, 3>(x);
    static_assert(std::is_same_v<boost::mp11::mp_at_c<lz::params_of<decltype(alone)>, 1>,
                                 lz::nn::dense_t<4, 3>::bias<"", float>>);
    constexpr auto W = lz::param<"W", float, lz::shape<3, 4>>;
    constexpr auto mixed = lz::mean(lz::nn::named<"fc1">(lz::nn::dense<4, 3>)(lz::tanh(x)) + lz::matmul(x, lz::transpose(W)));
    lz::parameters mixed_params{mixed};
    const std::vector<std::string> expected_mixed{"fc1.weight", "fc1.bias", "W"};
    BOOST_TEST(names(mixed_params) == expected_mixed, boost::test_tools::per_element());
    // The same layers spelled raw give the same expression type.
    using weight = lz::nn::dense_t<4, 3>::weight<"fc1", float>;
    using bias = lz::nn::dense_t<4, 3>::bias<"fc1", float>;
    static_assert(std::is_same_v<decltype(lz::nn::named<"fc1">(lz::nn::dense<4, 3>)(x)),
                                 decltype(lz::matmul(x, weight{}) + bias{})>);
    static_assert(std::is_same_v<decltype(lz::nn::relu(x)), decltype(lz::relu(x))>);
    static_assert(std::is_same_v<decltype(lz::nn::flatten(x)), std::remove_cvref_t<decltype(x)>>);
    // Named children replace their number (nn.Sequential(OrderedDict(...))); nesting keeps
    // the running statistics' names.
    constexpr auto dict = lz::nn::sequential(
        lz::nn::named<"encoder">(lz::nn::sequential(lz::nn::dense<4, 6>, lz::nn::batch_norm1d<6>)), lz::nn::relu,
        lz::nn::named<"head">(lz::nn::dense<6, 2>));
    lz::parameters dict_params{dict(x)};
    const std::vector<std::string> expected_dict{"encoder.0.weight", "encoder.0.bias", "encoder.1.weight",
                                                 "encoder.1.bias", "head.weight", "head.bias"};
    BOOST_TEST(names(dict_params) == expected_dict, boost::test_tools::per_element());
    using dict_stats = decltype(dict.running_stats(x));
    static_assert(std::tuple_size_v<dict_stats> == 2);
    static_assert(std::tuple_element_t<1, dict_stats>::buffer::name.view() == "encoder.1.running_var");
    constexpr auto images = lz::var<"img", float, lz::shape<lz::dyn, 2, 3>>;
    static_assert(std::is_same_v<lz::shape_of<decltype(lz::nn::flatten(images))>, lz::shape<lz::dyn, 6>>);
}

// ---------------------------------------------------------------- layers against PyTorch

template <class T>
void check_dense() {
    using namespace torch_ref;
    constexpr bool d = std::is_same_v<T, double>;
    constexpr auto x = lz::var<"x", T, lz::shape<4, 5>>;
    constexpr auto g = lz::var<"g", T, lz::shape<4, 3>>;
    constexpr auto layer = lz::nn::dense<5, 3>;
    constexpr auto y = layer(x);
    constexpr auto loss = lz::sum(y * g);
    using W = lz::nn::dense_t<5, 3>::weight<"", T>;
    using B = lz::nn::dense_t<5, 3>::bias<"", T>;
    lz::parameters params{loss};
    lz::nn::torch_layout<W>::from_torch(tensor_from<T, lz::shape<15>>(dense_w).data(), params[W{}].data());
    std::copy_n(tensor_from<T, lz::shape<3>>(dense_b).data(), 3, params[B{}].data());
    BOOST_TEST(params[W{}](1, 2) == T(dense_w[2 * 5 + 1]));  // ours [in, out] = PyTorch's [out, in] transposed
    std::array<T, 15> back{};
    lz::nn::torch_layout<W>::to_torch(params[W{}].data(), back.data());
    CHECK_CLOSE_TO(T, back.data(), dense_w);  // a round trip (float: the inputs rounded)

    const auto xs = tensor_from<T, lz::shape<4, 5>>(dense_x);
    const auto gs = tensor_from<T, lz::shape<4, 3>>(dense_g);
    const auto env = lz::at(params, x = xs, g = gs);
    const auto out = lz::eval(y, lz::lenient(env));
    CHECK_CLOSE_TO(T, out.data(), (d ? d_dense_y : f_dense_y));
    const auto grads = lz::grad(loss, params, env);
    std::array<T, 15> dw{};
    lz::nn::torch_layout<W>::to_torch(grads[W{}].data(), dw.data());
    CHECK_CLOSE_TO(T, dw.data(), (d ? d_dense_dw : f_dense_dw));
    CHECK_CLOSE_TO(T, grads[B{}].data(), (d ? d_dense_db : f_dense_db));
    const auto [dx] = lz::grad(loss, lz::wrt(x), env);
    CHECK_CLOSE_TO(T, dx.data(), (d ? d_dense_dx : f_dense_dx));

    // Without a bias.
    constexpr auto y_nb = lz::nn::dense<5, 3, lz::nn::no_bias>(x);
    static_assert(boost::mp11::mp_size<lz::params_of<decltype(y_nb)>>::value == 1);
    const auto out_nb = lz::eval(y_nb, lz::at(x = xs, W{} = params[W{}]));
    CHECK_CLOSE_TO(T, out_nb.data(), (d ? d_dense_nb_y : f_dense_nb_y));
}
BOOST_AUTO_TEST_CASE(dense_against_torch) {
    check_dense<double>();
    check_dense<float>();
}

template <class T>
void check_layer_norm() {
    using namespace torch_ref;
    constexpr bool d = std::is_same_v<T, double>;
    constexpr auto x = lz::var<"x", T, lz::shape<lz::dyn, 6>>;
    constexpr auto g = lz::var<"g", T, lz::shape<lz::dyn, 6>>;
    constexpr auto y = lz::nn::layer_norm<6>(x);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(y)>, decltype(lz::nn::layer_norm<6>(x, lz::nn::evaluation))>);
    constexpr auto loss = lz::sum(y * g);
    using Wt = lz::nn::layer_norm_t<6>::weight<"", T>;
    using Bt = lz::nn::layer_norm_t<6>::bias<"", T>;
    lz::parameters params{loss};
    lz::nn::init::torch_default(lz::nn::layer_norm<6>, params);
    BOOST_TEST(params[Wt{}](3) == T(1));
    BOOST_TEST(params[Bt{}](3) == T(0));
    for (std::size_t i = 0; i < 6; ++i) params[Wt{}](i) = T(ln_w[i]), params[Bt{}](i) = T(ln_b[i]);
    const auto xs = tensor_from<T, lz::shape<lz::dyn, 6>>(ln_x);
    const auto gs = tensor_from<T, lz::shape<lz::dyn, 6>>(ln_g);
    const auto env = lz::at(params, x = xs, g = gs);
    lz::workspace ws{loss};
    CHECK_CLOSE_TO(T, lz::eval(y, lz::lenient(env)).data(), (d ? d_ln_y : f_ln_y));
    const auto [dx, dw, db] = lz::grad(loss, lz::wrt(x, Wt{}, Bt{}), env, ws);
    CHECK_CLOSE_TO(T, dx.data(), (d ? d_ln_dx : f_ln_dx));
    CHECK_CLOSE_TO(T, dw.data(), (d ? d_ln_dw : f_ln_dw));
    CHECK_CLOSE_TO(T, db.data(), (d ? d_ln_db : f_ln_db));
}
BOOST_AUTO_TEST_CASE(layer_norm_against_torch) {
    check_layer_norm<double>();
    check_layer_norm<float>();
}

BOOST_AUTO_TEST_CASE(layer_norm_over_two_axes_against_torch) {
    nn_layer_checks::layer_norm2<double>();  // float: nn_float_test (compile budget)
}

// Three training steps (output, gradients, running statistics after each),
// then evaluation with the running statistics.
template <class T>
void check_batch_norm() {
    using namespace torch_ref;
    constexpr bool d = std::is_same_v<T, double>;
    constexpr auto x = lz::var<"x", T, lz::shape<lz::dyn, 5>>;
    constexpr auto g = lz::var<"g", T, lz::shape<lz::dyn, 5>>;
    constexpr auto net = lz::nn::sequential(lz::nn::batch_norm1d<5>);
    constexpr auto y = net(x);
    constexpr auto loss = lz::sum(y * g);
    constexpr auto y_eval = net(x, lz::nn::evaluation);
    constexpr auto loss_eval = lz::sum(y_eval * g);
    using bn = lz::nn::batch_norm1d_t<5>;
    using Wt = bn::weight<"0", T>;
    using Bt = bn::bias<"0", T>;
    using Mean = bn::running_mean<"0", T>;
    using Var = bn::running_var<"0", T>;

    lz::parameters params{loss};
    lz::buffers bufs{loss_eval};
    lz::nn::init::torch_default(net, params, 1);
    lz::nn::init::torch_default(net, bufs);
    BOOST_TEST(params[Wt{}](0) == T(1));
    BOOST_TEST(bufs[Var{}](0) == T(1));
    BOOST_TEST(bufs[Mean{}](0) == T(0));
    for (std::size_t i = 0; i < 5; ++i) params[Wt{}](i) = T(bn_w[i]), params[Bt{}](i) = T(bn_b[i]);

    constexpr auto stats = net.running_stats(x);
    static_assert(std::tuple_size_v<decltype(stats)> == 2);
    lz::workspace ws{loss};
    const double* xk[] = {bn_x0, bn_x1, bn_x2};
    const double* gk[] = {bn_g0, bn_g1, bn_g2};
    const double* yk[] = {d ? d_bn_y0 : f_bn_y0, d ? d_bn_y1 : f_bn_y1, d ? d_bn_y2 : f_bn_y2};
    const double* dxk[] = {d ? d_bn_dx0 : f_bn_dx0, d ? d_bn_dx1 : f_bn_dx1, d ? d_bn_dx2 : f_bn_dx2};
    const double* dwk[] = {d ? d_bn_dw0 : f_bn_dw0, d ? d_bn_dw1 : f_bn_dw1, d ? d_bn_dw2 : f_bn_dw2};
    const double* dbk[] = {d ? d_bn_db0 : f_bn_db0, d ? d_bn_db1 : f_bn_db1, d ? d_bn_db2 : f_bn_db2};
    const double* rmk[] = {d ? d_bn_running_mean0 : f_bn_running_mean0, d ? d_bn_running_mean1 : f_bn_running_mean1,
                           d ? d_bn_running_mean2 : f_bn_running_mean2};
    const double* rvk[] = {d ? d_bn_running_var0 : f_bn_running_var0, d ? d_bn_running_var1 : f_bn_running_var1,
                           d ? d_bn_running_var2 : f_bn_running_var2};
    auto check = [](const T* a, const double* ref, std::size_t n, const char* what, int step) {
        double err = 0, scale = 0;
        for (std::size_t i = 0; i < n; ++i) {
            err = std::max(err, std::abs(double(a[i]) - ref[i]));
            scale = std::max(scale, std::abs(ref[i]));
        }
        BOOST_TEST_INFO(what << " at step " << step << ": relative error " << err / scale);
        BOOST_TEST(err / scale <= tolerance<T>);
        BOOST_TEST_MESSAGE((std::is_same_v<T, double> ? "double " : "float ") << what << " at step " << step
                                                                               << ": relative error " << err / scale);
    };
    lz::tensor<T, lz::shape<lz::dyn, 5>> xs(8), gs(8);
    for (int k = 0; k < 3; ++k) {
        for (std::size_t i = 0; i < 40; ++i) xs.data()[i] = T(xk[k][i]), gs.data()[i] = T(gk[k][i]);
        const auto env = lz::at(params, x = xs, g = gs);
        const auto out = lz::eval(y, lz::lenient(env));
        check(out.data(), yk[k], 40, "y", k);
        auto r = lz::value_and_grad(lz::nn::with_running_stats(loss, stats), lz::wrt(x, Wt{}, Bt{}), env, ws);
        const auto& [dx, dw, db] = r.gradient;
        check(dx.data(), dxk[k], 40, "dx", k);
        check(dw.data(), dwk[k], 5, "dweight", k);
        check(db.data(), dbk[k], 5, "dbias", k);
        lz::nn::update_running_stats(stats, bufs, r.aux, xs.extent(0));
        check(bufs[Mean{}].data(), rmk[k], 5, "running_mean", k);
        check(bufs[Var{}].data(), rvk[k], 5, "running_var", k);
    }
    // Evaluation: the running statistics, through the buffer store.
    const auto xe = tensor_from<T, lz::shape<lz::dyn, 5>>(bn_xe);
    const auto ge = tensor_from<T, lz::shape<lz::dyn, 5>>(bn_ge);
    const auto env = lz::at(params, bufs, x = xe, g = ge);
    check(lz::eval(y_eval, lz::lenient(env)).data(), d ? d_bn_ye : f_bn_ye, 30, "y (evaluation)", 3);
    const auto [dx, dw, db] = lz::grad(loss_eval, lz::wrt(x, Wt{}, Bt{}), env);
    check(dx.data(), d ? d_bn_dxe : f_bn_dxe, 30, "dx (evaluation)", 3);
    check(dw.data(), d ? d_bn_dwe : f_bn_dwe, 5, "dweight (evaluation)", 3);
    check(db.data(), d ? d_bn_dbe : f_bn_dbe, 5, "dbias (evaluation)", 3);

    // A training step with the statistics' update allocates nothing once ws is sized.
    if constexpr (!d) {
        const auto env_train = lz::at(params, x = xs, g = gs);
        const long news = counting_new::allocations_in([&] {
            auto r = lz::value_and_grad(lz::nn::with_running_stats(loss, stats), params, env_train, ws);
            lz::nn::update_running_stats(stats, bufs, r.aux, xs.extent(0));
        });
        BOOST_TEST(news == 0);
        BOOST_CHECK_THROW(lz::nn::update_running_stats(stats, bufs,
                                                       lz::value_and_grad(lz::nn::with_running_stats(loss, stats),
                                                                          params, env_train, ws).aux, 1),
                          std::invalid_argument);
    }
}
BOOST_AUTO_TEST_CASE(batch_norm1d_against_torch) {
    check_batch_norm<double>();
    check_batch_norm<float>();
}

BOOST_AUTO_TEST_CASE(batch_norm1d_on_sequences_against_torch) {
    nn_layer_checks::batch_norm3<double>();  // float: nn_float_test (compile budget)
}

// ---------------------------------------------------------------- dropout

BOOST_AUTO_TEST_CASE(dropout_mask_statistics_and_evaluation_identity) {
    constexpr std::size_t n = 1 << 16;
    constexpr auto x = lz::var<"x", float, lz::shape<n>>;
    constexpr auto layer = lz::nn::dropout(0.3_c);
    lz::tensor<float, lz::shape<n>> xs;
    for (std::size_t i = 0; i < n; ++i) xs.data()[i] = 1.0f + float(i % 7);
    std::array<std::uint64_t, 2> key{20261207, 0};
    const auto out = lz::eval(layer(x), lz::at(x = xs, lz::nn::rng = key));
    // Each element is dropped (0) or kept and scaled by 1/(1 − p); the kept
    // fraction is 1 − p within 4σ, σ = √(p(1 − p)/n).
    std::size_t kept = 0;
    bool scaled = true;
    for (std::size_t i = 0; i < n; ++i) {
        if (out(i) != 0.0f) {
            ++kept;
            scaled = scaled && std::abs(out(i) - xs(i) / 0.7f) <= 1e-6f * xs(i);
        }
    }
    BOOST_TEST(scaled);
    const double fraction = double(kept) / double(n), sigma = std::sqrt(0.3 * 0.7 / double(n));
    BOOST_TEST_INFO("kept fraction " << fraction);
    BOOST_TEST(std::abs(fraction - 0.7) <= 4 * sigma);
    // A new step draws a new mask; the same key, the same mask.
    const auto again = lz::eval(layer(x), lz::at(x = xs, lz::nn::rng = key));
    BOOST_TEST(std::equal(out.data(), out.data() + n, again.data()));
    key[1] = 1;
    const auto next = lz::eval(layer(x), lz::at(x = xs, lz::nn::rng = key));
    BOOST_TEST(!std::equal(out.data(), out.data() + n, next.data()));
    // Evaluation: the identity (the expression is x itself).
    static_assert(std::is_same_v<decltype(layer(x, lz::nn::evaluation)), std::remove_cvref_t<decltype(x)>>);
}

// ---------------------------------------------------------------- initializers

namespace {
struct moments {
    double mean = 0, var = 0, min = 1e300, max = -1e300;
};
template <class T, class S>
moments moments_of(const lz::tensor_view<T, S>& v) {
    moments m;
    for (std::size_t i = 0; i < v.size(); ++i) {
        m.mean += double(v.data()[i]);
        m.min = std::min(m.min, double(v.data()[i]));
        m.max = std::max(m.max, double(v.data()[i]));
    }
    m.mean /= double(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) m.var += (double(v.data()[i]) - m.mean) * (double(v.data()[i]) - m.mean);
    m.var /= double(v.size() - 1);
    return m;
}
// The mean within 5 standard errors, the variance within 5% (n ≥ 64k draws: its standard error is ~0.6%).
void check_uniform(const moments& m, double a, double b, std::size_t n) {
    const double var = (b - a) * (b - a) / 12;
    BOOST_TEST(m.min >= a);
    BOOST_TEST(m.max < b);
    BOOST_TEST(std::abs(m.mean - (a + b) / 2) <= 5 * std::sqrt(var / double(n)));
    BOOST_TEST(std::abs(m.var / var - 1) <= 0.05);
}
void check_normal(const moments& m, double mean, double std, std::size_t n) {
    BOOST_TEST(std::abs(m.mean - mean) <= 5 * std / std::sqrt(double(n)));
    BOOST_TEST(std::abs(std::sqrt(m.var) / std - 1) <= 0.05);
}
}  // namespace

BOOST_AUTO_TEST_CASE(initializers_moments_bounds_and_gains) {
    using lz::nn::init::nonlinearity;
    BOOST_TEST(lz::nn::init::calculate_gain(nonlinearity::relu) == std::sqrt(2.0));
    BOOST_TEST(lz::nn::init::calculate_gain(nonlinearity::tanh) == 5.0 / 3.0);
    BOOST_TEST(lz::nn::init::calculate_gain(nonlinearity::selu) == 0.75);
    BOOST_TEST(lz::nn::init::calculate_gain(nonlinearity::sigmoid) == 1.0);
    BOOST_TEST(lz::nn::init::calculate_gain(nonlinearity::leaky_relu, 0.2) == std::sqrt(2.0 / 1.04));

    constexpr std::size_t in = 256, out = 300, n = in * out;
    lz::tensor<double, lz::shape<in, out>> w;
    lz::tensor<float, lz::shape<in, out>> wf;
    const lz::nn::init::generator gen{7, 1}, other{7, 2};
    lz::nn::init::uniform(w.view(), gen, -2.0, 3.0);
    check_uniform(moments_of(w.view()), -2, 3, n);
    lz::nn::init::normal(wf.view(), gen, 1.0f, 2.0f);
    check_normal(moments_of(wf.view()), 1, 2, n);
    lz::nn::init::xavier_uniform(w.view(), gen);
    const double glorot = std::sqrt(6.0 / (in + out));
    check_uniform(moments_of(w.view()), -glorot, glorot, n);
    lz::nn::init::xavier_normal(w.view(), other, 2.0);
    check_normal(moments_of(w.view()), 0, 2 * std::sqrt(2.0 / (in + out)), n);
    lz::nn::init::kaiming_uniform(wf.view(), gen, {.nonlinearity = nonlinearity::relu});
    const double he = std::sqrt(6.0 / in);  // gain √2 · √(3/fan_in)
    check_uniform(moments_of(wf.view()), -he, he, n);
    lz::nn::init::kaiming_normal(w.view(), gen, {.mode = lz::nn::init::fan_mode::fan_out,
                                                 .nonlinearity = nonlinearity::relu});
    check_normal(moments_of(w.view()), 0, std::sqrt(2.0 / out), n);  // variance 2/n_out
    lz::nn::init::kaiming_normal(w.view(), gen, {.a = 0.2});  // leaky_relu(0.2): gain √(2/1.04)
    check_normal(moments_of(w.view()), 0, std::sqrt(2.0 / 1.04 / in), n);
    lz::nn::init::constant(w.view(), 0.5);
    BOOST_TEST(moments_of(w.view()).max == 0.5);
    lz::nn::init::zeros(w.view());
    lz::nn::init::ones(wf.view());
    BOOST_TEST(moments_of(w.view()).max == 0.0);
    BOOST_TEST(moments_of(wf.view()).min == 1.0);
}

BOOST_AUTO_TEST_CASE(orthogonal_initializer) {
    // Tall ([8, 5]: orthonormal columns) and wide ([3, 7]: orthonormal rows), with a gain.
    lz::tensor<double, lz::shape<8, 5>> tall;
    lz::tensor<double, lz::shape<3, 7>> wide;
    lz::nn::init::orthogonal(tall.view(), {3, 4});
    lz::nn::init::orthogonal(wide.view(), {3, 5}, 2.0);
    double worst = 0;
    for (std::size_t a = 0; a < 5; ++a)
        for (std::size_t b = 0; b < 5; ++b) {
            double dot = 0;
            for (std::size_t i = 0; i < 8; ++i) dot += tall(i, a) * tall(i, b);
            worst = std::max(worst, std::abs(dot - (a == b ? 1.0 : 0.0)));
        }
    for (std::size_t a = 0; a < 3; ++a)
        for (std::size_t b = 0; b < 3; ++b) {
            double dot = 0;
            for (std::size_t j = 0; j < 7; ++j) dot += wide(a, j) * wide(b, j);
            worst = std::max(worst, std::abs(dot - (a == b ? 4.0 : 0.0)));
        }
    BOOST_TEST(worst <= 1e-12);
}

BOOST_AUTO_TEST_CASE(torch_default_initialisation_of_a_network) {
    constexpr auto x = lz::var<"x", float, lz::shape<lz::dyn, 400>>;
    constexpr auto net = lz::nn::sequential(lz::nn::dense<400, 300>, lz::nn::relu, lz::nn::dense<300, 2>);
    lz::parameters params{net(x)};
    lz::nn::init::torch_default(net, params, 42);
    using W0 = lz::nn::dense_t<400, 300>::weight<"0", float>;
    using B0 = lz::nn::dense_t<400, 300>::bias<"0", float>;
    using W2 = lz::nn::dense_t<300, 2>::weight<"2", float>;
    const double bound0 = 1 / std::sqrt(400.0), bound2 = 1 / std::sqrt(300.0);
    check_uniform(moments_of(params[W0{}]), -bound0, bound0, 400 * 300);  // Linear: U(±1/√in)
    const auto b = moments_of(params[B0{}]);
    BOOST_TEST(b.min >= -bound0);
    BOOST_TEST(b.max < bound0);
    const auto w2 = moments_of(params[W2{}]);
    BOOST_TEST(w2.min >= -bound2);
    BOOST_TEST(w2.max < bound2);
    BOOST_TEST(w2.max > 0.8 * bound2);
    // Reproducible from the seed; each leaf its own stream; another seed, other values.
    auto again = params;
    lz::nn::init::torch_default(net, again, 42);
    BOOST_TEST(std::equal(params.flat().begin(), params.flat().end(), again.flat().begin()));
    BOOST_TEST(params[W0{}](0, 0) != params[W0{}](0, 1));
    lz::nn::init::torch_default(net, again, 43);
    BOOST_TEST(params[W0{}](0, 0) != again[W0{}](0, 0));
    // A leaf's values depend on its name and the seed only.
    lz::parameters alone{lz::nn::named<"0">(lz::nn::dense<400, 300>)(x)};
    lz::nn::init::torch_default(lz::nn::named<"0">(lz::nn::dense<400, 300>), alone, 42);
    BOOST_TEST(std::equal(alone[W0{}].data(), alone[W0{}].data() + 400 * 300, params[W0{}].data()));
    // The initializers on a store's leaf draw from that leaf's stream.
    lz::nn::init::xavier_uniform(alone, W0{}, 42);
    lz::tensor<float, lz::shape<400, 300>> same;
    lz::nn::init::xavier_uniform(same.view(), lz::nn::init::generator_for(W0{}, 42));
    BOOST_TEST(std::equal(same.data(), same.data() + same.size(), alone[W0{}].data()));
}
