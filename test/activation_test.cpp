// The activations (include/leibniz/ops/: elu, selu, celu, gelu exact and
// tanh, silu, mish, softsign, hardsigmoid, hardswish, log_sigmoid, prelu,
// softplus with beta and threshold; and relu, sigmoid, tanh, softplus,
// softmax, log_softmax) against PyTorch 1.13: test/ref/make_nn_ref.py wrote
// test/nn/nn_activations.txt, each on x [3, 8] (a dyn batch) holding ±50,
// ±1e4 and ±21 in its first row, in float64 and float32: the value, and the
// gradient of sum(f(x) ⊙ upstream) (prelu's: for x and the slope, one or
// per channel, and per channel on x [2, 3, 4], along axis 1). 1e-10 relative in double, 1e-5 in float (nn/nn_ref.hpp); a
// value or gradient that is NaN or Inf fails (so none at ±1e4).
// Then each new op in scalar expressions: lz::grad against a central
// difference, lz::d (the symbolic derivative, evaluated) and lz::jvp against
// lz::grad, lz::hessian against a difference of gradients, and its printing;
// and on tensors: ⟨J·v, u⟩ (forward mode) against ⟨v, Jᵀ·u⟩ (lz::grad), and
// lz::hvp against a difference of gradients.
#define BOOST_TEST_MODULE activation
#include "nn/nn_ref.hpp"

#include <leibniz/ops.hpp>

#include <random>

namespace {

using namespace lz::literals;
constexpr auto dyn = lz::dyn;

const std::map<std::string, nnref::record>& cases() {
    static const auto all = nnref::read_file("nn_activations.txt");
    return all;
}

// InFloat = false: double only (a second literal value of an op whose float
// path another case checks, or an op of before issue 10; compile budget).
template <class T, bool InFloat = true, class F>
void against_torch(const std::string& id, F f) {
    if constexpr (InFloat || std::is_same_v<T, double>) {
        constexpr auto x = lz::var<"x", T, lz::shape<dyn, 8>>;
        nnref::check<T>(cases(), id + ".n3", f, std::make_tuple(x), std::make_tuple(x));
    }
}

template <class T>
void all_against_torch() {
    against_torch<T, false>("relu", [](auto x) { return lz::relu(x); });
    against_torch<T>("sigmoid", [](auto x) { return lz::sigmoid(x); });
    against_torch<T, false>("tanh", [](auto x) { return lz::tanh(x); });
    against_torch<T>("softplus", [](auto x) { return lz::softplus(x); });
    against_torch<T>("softplus.2", [](auto x) { return lz::softplus(x, 2_c); });
    against_torch<T, false>("softplus.0.5.10", [](auto x) { return lz::softplus(x, 0.5_c, 10_c); });
    against_torch<T>("elu", [](auto x) { return lz::elu(x); });
    against_torch<T, false>("elu.0.5", [](auto x) { return lz::elu(x, 0.5_c); });
    against_torch<T>("selu", [](auto x) { return lz::selu(x); });
    against_torch<T>("celu", [](auto x) { return lz::celu(x); });
    against_torch<T, false>("celu.2", [](auto x) { return lz::celu(x, 2_c); });
    against_torch<T>("gelu", [](auto x) { return lz::gelu(x); });
    against_torch<T>("gelu_tanh", [](auto x) { return lz::gelu(x, lz::tanh_approximation); });
    against_torch<T>("silu", [](auto x) { return lz::silu(x); });
    against_torch<T>("mish", [](auto x) { return lz::mish(x); });
    against_torch<T>("softsign", [](auto x) { return lz::softsign(x); });
    against_torch<T>("hardsigmoid", [](auto x) { return lz::hardsigmoid(x); });
    against_torch<T, false>("hardswish", [](auto x) { return lz::hardswish(x); });
    against_torch<T>("log_sigmoid", [](auto x) { return lz::log_sigmoid(x); });
    against_torch<T>("softmax", [](auto x) { return lz::softmax(x); });
    against_torch<T>("log_softmax", [](auto x) { return lz::log_softmax(x); });
    constexpr auto x = lz::var<"x", T, lz::shape<dyn, 8>>;
    constexpr auto w1 = lz::var<"w", T>;
    constexpr auto wc = lz::var<"w", T, lz::shape<8>>;
    const auto prelu = [](auto a, auto w) { return lz::prelu(a, w); };
    nnref::check<T>(cases(), "prelu.one.n3", prelu, std::make_tuple(x, w1), std::make_tuple(x, w1));
    nnref::check<T>(cases(), "prelu.channel.n3", prelu, std::make_tuple(x, wc), std::make_tuple(x, wc));
    // A slope per channel on [N, C, L]: along axis 1, as PyTorch's PReLU(C).
    constexpr auto x3 = lz::var<"x", T, lz::shape<dyn, 3, 4>>;
    constexpr auto w3 = lz::var<"w", T, lz::shape<3>>;
    nnref::check<T>(cases(), "prelu.channel_ncl.n2", prelu, std::make_tuple(x3, w3), std::make_tuple(x3, w3));
}

// One op in a scalar expression f(x) = op(x) at x0: grad against a central
// difference (relative 1e-7), d and jvp against grad (1e-14), the Hessian
// against a difference of gradients (1e-6), and its printing.
template <class F>
void scalar_rules(const std::string& name, F op, double x0, const std::string& printed) {
    constexpr auto x = lz::var<"x">;
    const auto f = op(x);
    const auto env = lz::at(x = x0);
    const double g = lz::grad(f, x, env);
    const double h = 1e-6;
    const double fd = (lz::eval(f, lz::at(x = x0 + h)) - lz::eval(f, lz::at(x = x0 - h))) / (2 * h);
    BOOST_TEST(std::abs(g - fd) <= 1e-7 * std::max(1.0, std::abs(fd)), name << " at " << x0 << ": grad " << g << ", central difference " << fd);
    const double d = lz::eval(lz::d(f, x), env);
    BOOST_TEST(std::abs(d - g) <= 1e-14 * std::max(1.0, std::abs(g)), name << ": d(f) = " << d << ", grad " << g);
    const double t = lz::jvp(f, env, lz::tangent(x = 1.0)).tangent;
    BOOST_TEST(std::abs(t - g) <= 1e-14 * std::max(1.0, std::abs(g)), name << ": jvp " << t << ", grad " << g);
    const double hess = lz::hessian(f, lz::wrt(x), env)[0][0];
    const double hfd = (lz::grad(f, x, lz::at(x = x0 + 1e-5)) - lz::grad(f, x, lz::at(x = x0 - 1e-5))) / 2e-5;
    BOOST_TEST(std::abs(hess - hfd) <= 1e-6 * std::max(1.0, std::abs(hfd)), name << ": hessian " << hess << ", difference of gradients " << hfd);
    BOOST_TEST(lz::to_string(f) == printed);
    BOOST_TEST(!lz::to_string(lz::d(f, x)).empty());
}

}  // namespace

BOOST_AUTO_TEST_CASE(against_torch_double) { all_against_torch<double>(); }
BOOST_AUTO_TEST_CASE(against_torch_float) { all_against_torch<float>(); }

BOOST_AUTO_TEST_CASE(scalar_expressions) {
    for (const double x0 : {-1.3, 0.7, 2.2}) {
        scalar_rules("elu", [](auto x) { return lz::elu(x, 0.5_c); }, x0, "elu(x, 0.5)");
        scalar_rules("selu", [](auto x) { return lz::selu(x); }, x0, "selu(x)");
        scalar_rules("celu", [](auto x) { return lz::celu(x, 2_c); }, x0, "celu(x, 2)");
        scalar_rules("gelu", [](auto x) { return lz::gelu(x); }, x0, "gelu(x)");
        scalar_rules("gelu_tanh", [](auto x) { return lz::gelu(x, lz::tanh_approximation); }, x0, "gelu_tanh(x)");
        scalar_rules("silu", [](auto x) { return lz::silu(x); }, x0, "silu(x)");
        scalar_rules("mish", [](auto x) { return lz::mish(x); }, x0, "mish(x)");
        scalar_rules("softsign", [](auto x) { return lz::softsign(x); }, x0, "softsign(x)");
        scalar_rules("hardsigmoid", [](auto x) { return lz::hardsigmoid(x); }, x0, "hardsigmoid(x)");
        scalar_rules("hardswish", [](auto x) { return lz::hardswish(x); }, x0, "hardswish(x)");
        scalar_rules("log_sigmoid", [](auto x) { return lz::log_sigmoid(x); }, x0, "log_sigmoid(x)");
        scalar_rules("softplus beta", [](auto x) { return lz::softplus(x, 2_c, 3_c); }, x0,
                     "softplus(x, beta 2, threshold 3)");
        scalar_rules("erf", [](auto x) { return lz::erf(x); }, x0, "erf(x)");
        scalar_rules("prelu", [](auto x) { return lz::prelu(x, 0.25_c); }, x0, "prelu(x, 0.25)");
    }
}

// Forward mode on tensors: ⟨J·v, u⟩ = ⟨v, Jᵀ·u⟩, J·v from lz::jvp and Jᵀ·u
// from lz::grad of sum(f ⊙ u); and lz::hvp of sum(f ⊙ u) against a central
// difference of gradients.
template <class F>
void tensor_modes(const std::string& name, F op) {
    constexpr auto x = lz::var<"x", double, lz::shape<dyn, 8>>;
    constexpr auto u = lz::var<"u", double, lz::shape<dyn, 8>>;
    std::mt19937 rng(5);
    std::uniform_real_distribution<double> dist(-4.0, 4.0);
    lz::tensor<double, lz::shape<dyn, 8>> xs(3), us(3), vs(3);
    for (std::size_t i = 0; i < xs.size(); ++i) xs.data()[i] = dist(rng), us.data()[i] = dist(rng), vs.data()[i] = dist(rng) / 4;
    const auto f = op(x);
    const auto env = lz::at(x = xs, u = us);
    const auto jv = lz::jvp(f, lz::lenient(env), lz::tangent(x = vs)).tangent;
    const auto loss = lz::sum(f * u);
    const auto [gu] = lz::grad(loss, lz::wrt(x), env);
    double left = 0, right = 0, scale = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        left += jv.data()[i] * us.data()[i];
        right += vs.data()[i] * gu.data()[i];
        scale += std::abs(vs.data()[i] * gu.data()[i]);
    }
    BOOST_TEST(std::abs(left - right) <= 1e-13 * scale, name << ": <Jv, u> " << left << ", <v, J'u> " << right);
    const auto [hv] = lz::hvp(loss, lz::wrt(x), env, lz::tangent(x = vs));
    const double h = 1e-5;
    auto xp = xs, xm = xs;
    for (std::size_t i = 0; i < xs.size(); ++i) xp.data()[i] += h * vs.data()[i], xm.data()[i] -= h * vs.data()[i];
    const auto [gp] = lz::grad(loss, lz::wrt(x), lz::at(x = xp, u = us));
    const auto [gm] = lz::grad(loss, lz::wrt(x), lz::at(x = xm, u = us));
    double err = 0, norm = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const double fd = (gp.data()[i] - gm.data()[i]) / (2 * h);
        err = std::max(err, std::abs(hv.data()[i] - fd));
        norm = std::max(norm, std::abs(fd));
    }
    BOOST_TEST(err <= 1e-6 * std::max(norm, 1.0), name << ": hvp against a difference of gradients, error " << err);
}

BOOST_AUTO_TEST_CASE(tensor_forward_mode_and_hvp) {
    tensor_modes("gelu", [](auto x) { return lz::gelu(x); });
    tensor_modes("mish", [](auto x) { return lz::mish(x); });
    tensor_modes("selu", [](auto x) { return lz::selu(x); });
    tensor_modes("log_sigmoid", [](auto x) { return lz::log_sigmoid(x); });
}

BOOST_AUTO_TEST_CASE(report) {
    nnref::print_worst<double>("activations, double");
    nnref::print_worst<float>("activations, float");
}
