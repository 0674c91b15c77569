// Tensor laws (tensor_laws.hpp) for the unary elementwise ops of trigonometry
// and the activations: sin, cos, tan, tanh, sigmoid, softplus, relu,
// leaky_relu (default and 0.2 slope), hard_tanh (the others are in
// tensor_unary_exp_log_pow_test.cpp). a has shape [dyn], run-time extents
// 1, 3, 17, 64, 127. The kinks (relu at 0, hard_tanh at ±1) are met with
// probability ~1e-7 by the random inputs, far below what a central difference
// with h = 1e-5 would notice.
#define BOOST_TEST_MODULE tensor_unary_trig_activation
#include "tensor_laws.hpp"

using namespace lz::literals;
using lzt::elementwise;
using lzt::family;
using vec = lz::shape<lz::dyn>;

BOOST_TEST_GLOBAL_FIXTURE(lzt_report);

BOOST_AUTO_TEST_CASE(trig_activation) {
    lzt::check_all(
        "unary elementwise", {1, 3, 17, 64, 127},
        family<vec>("sin", [](auto a) { return lz::sin(a); }, elementwise([](double a) { return std::sin(a); })),
        family<vec>("cos", [](auto a) { return lz::cos(a); }, elementwise([](double a) { return std::cos(a); })),
        family<vec>("tan", [](auto a) { return lz::tan(a); }, elementwise([](double a) { return std::tan(a); }), -1.2, 1.2),
        family<vec>("tanh", [](auto a) { return lz::tanh(a); }, elementwise([](double a) { return std::tanh(a); }), -4, 4),
        family<vec>("sigmoid", [](auto a) { return lz::sigmoid(a); },
                    elementwise([](double a) { return 1 / (1 + std::exp(-a)); }), -6, 6),
        family<vec>("softplus", [](auto a) { return lz::softplus(a); },
                    elementwise([](double a) { return std::log1p(std::exp(a)); }), -6, 6),
        family<vec>("relu", [](auto a) { return lz::relu(a); }, elementwise([](double a) { return a > 0 ? a : 0.0; })),
        family<vec>("leaky_relu", [](auto a) { return lz::leaky_relu(a); },
                    elementwise([](double a) { return a > 0 ? a : 0.01 * a; })),
        family<vec>("leaky_relu(a, 0.2)", [](auto a) { return lz::leaky_relu(a, 0.2_c); },
                    elementwise([](double a) { return a > 0 ? a : 0.2 * a; })),
        family<vec>("hard_tanh", [](auto a) { return lz::hard_tanh(a); },
                    elementwise([](double a) { return std::clamp(a, -1.0, 1.0); })));
}
