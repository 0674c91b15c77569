// Tensor laws (tensor_laws.hpp) for NumPy broadcasting of scalars and at rank 3:
// a scalar leaf against a tensor (s * a, a / s, s - a), literals (2·a + 1), fused chains
// tanh(a*x + b) with a row and with scalars, and rank 3: [dyn,3,17] + [3,1]
// (a middle axis broadcast) and [dyn,1,17] * [dyn,3,1] (both operands broadcast).
#define BOOST_TEST_MODULE tensor_broadcast_scalar_rank3
#include "tensor_laws.hpp"

using namespace lz::literals;
using lzt::elementwise;
using lzt::family;
template <std::size_t... E>
using sh = lz::shape<E...>;
constexpr auto dyn = lz::dyn;
using scalar = sh<>;

BOOST_TEST_GLOBAL_FIXTURE(lzt_report);

BOOST_AUTO_TEST_CASE(scalars) {
    using x = sh<dyn, 17>;
    lzt::check_all("broadcast scalar", {1, 3, 17, 64, 127},
                   family<scalar, x>("s * [dyn,17]", [](auto s, auto a) { return s * a; },
                                     elementwise([](double s, double a) { return s * a; })),
                   family<x, scalar>("[dyn,17] / s", [](auto a, auto s) { return a / s; },
                                     elementwise([](double a, double s) { return a / s; }), 0.5, 2),
                   family<scalar, x>("s - [dyn,17]", [](auto s, auto a) { return s - a; },
                                     elementwise([](double s, double a) { return s - a; })),
                   family<x>("2*a + 1", [](auto a) { return 2_c * a + 1_c; }, elementwise([](double a) { return 2 * a + 1; })));
}

BOOST_AUTO_TEST_CASE(fused_chains) {
    lzt::check_all("fused chain", {1, 3, 17, 64, 127},
                   family<sh<17>, sh<dyn, 17>, sh<17>>("tanh(a*x + b), a and b rows",
                                                       [](auto a, auto x, auto b) { return lz::tanh(a * x + b); },
                                                       elementwise([](double a, double x, double b) { return std::tanh(a * x + b); })),
                   family<scalar, sh<dyn, 3>, scalar>("tanh(a*x + b), a and b scalars",
                                                      [](auto a, auto x, auto b) { return lz::tanh(a * x + b); },
                                                      elementwise([](double a, double x, double b) { return std::tanh(a * x + b); })));
}

BOOST_AUTO_TEST_CASE(rank3) {
    lzt::check_all("broadcast rank 3", {1, 3, 17, 64, 127},
                   family<sh<dyn, 3, 17>, sh<3, 1>>("[dyn,3,17] + [3,1]", [](auto a, auto b) { return a + b; },
                                                    elementwise([](double a, double b) { return a + b; })),
                   family<sh<dyn, 1, 17>, sh<dyn, 3, 1>>("[dyn,1,17] * [dyn,3,1]", [](auto a, auto b) { return a * b; },
                                                         elementwise([](double a, double b) { return a * b; })));
}
