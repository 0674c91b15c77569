// Tensor laws (tensor_laws.hpp) for NumPy broadcasting of a row against a
// batch (the batch 1, 3, 17, 64, 127 at run time): a bias row [dyn, n] + [n]
// for n = 1, 3, 17, 64, 127, whose gradient is the sum over the batch, reduced
// in registers by the fused backward loop; the row first ([17] - [dyn, 17]);
// and the other binary ops against a row, [dyn, 17] op [17]: - / pow max min.
#define BOOST_TEST_MODULE tensor_broadcast_row
#include "tensor_laws.hpp"

using lzt::elementwise;
using lzt::family;
template <std::size_t... E>
using sh = lz::shape<E...>;
constexpr auto dyn = lz::dyn;

namespace {
auto add = [](auto a, auto b) { return a + b; };
auto add_ref = elementwise([](double a, double b) { return a + b; });
}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(lzt_report);

BOOST_AUTO_TEST_CASE(bias_row) {
    lzt::check_all("broadcast", {1, 3, 17, 64, 127},
                   family<sh<dyn, 1>, sh<1>>("[dyn,1] + [1]", add, add_ref),
                   family<sh<dyn, 3>, sh<3>>("[dyn,3] + [3]", add, add_ref),
                   family<sh<dyn, 17>, sh<17>>("[dyn,17] + [17]", add, add_ref),
                   family<sh<dyn, 64>, sh<64>>("[dyn,64] + [64]", add, add_ref),
                   family<sh<dyn, 127>, sh<127>>("[dyn,127] + [127]", add, add_ref));
}

BOOST_AUTO_TEST_CASE(bias_row_ops) {
    using x = sh<dyn, 17>;
    using row = sh<17>;
    lzt::check_all("broadcast", {1, 3, 17, 64, 127},
                   family<row, x>("[17] - [dyn,17]", [](auto a, auto b) { return a - b; },
                                  elementwise([](double a, double b) { return a - b; })),
                   family<x, row>("[dyn,17] - [17]", [](auto a, auto b) { return a - b; },
                                  elementwise([](double a, double b) { return a - b; })),
                   family<x, row>("[dyn,17] / [17]", [](auto a, auto b) { return a / b; },
                                  elementwise([](double a, double b) { return a / b; }), 0.5, 2),
                   family<x, row>("pow([dyn,17], [17])", [](auto a, auto b) { return lz::pow(a, b); },
                                  elementwise([](double a, double b) { return std::pow(a, b); }), 0.5, 2),
                   family<x, row>("max([dyn,17], [17])", [](auto a, auto b) { return lz::max(a, b); },
                                  elementwise([](double a, double b) { return std::max(a, b); })),
                   family<x, row>("min([dyn,17], [17])", [](auto a, auto b) { return lz::min(a, b); },
                                  elementwise([](double a, double b) { return std::min(a, b); })));
}
