// Tensor laws (tensor_laws.hpp) for NumPy broadcasting, part B: the row first
// ([17] - [dyn, 17]), and the other binary ops against a bias row
// [dyn, 17] op [17]: - / pow max min (the batch 1, 3, 17, 64, 127 at run time).
#define BOOST_TEST_MODULE tensor_broadcast_b
#include "tensor_laws.hpp"

using lzt::elementwise;
using lzt::family;
template <std::size_t... E>
using sh = lz::shape<E...>;
constexpr auto dyn = lz::dyn;

BOOST_TEST_GLOBAL_FIXTURE(lzt_report);

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
