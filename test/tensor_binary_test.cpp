// Tensor laws (tensor_laws.hpp) for the binary elementwise ops on two tensors
// of one shape [dyn] (extents 1, 3, 17, 64, 127): + - * / pow min max, and a
// leaf used twice in one fused loop (a*a + a: both shares add up).
#define BOOST_TEST_MODULE tensor_binary
#include "tensor_laws.hpp"

using namespace lz::literals;
using lzt::elementwise;
using lzt::family;
using vec = lz::shape<lz::dyn>;

BOOST_TEST_GLOBAL_FIXTURE(lzt_report);

BOOST_AUTO_TEST_CASE(binary) {
    lzt::check_all(
        "binary elementwise", {1, 3, 17, 64, 127},
        family<vec, vec>("a + b", [](auto a, auto b) { return a + b; }, elementwise([](double a, double b) { return a + b; })),
        family<vec, vec>("a - b", [](auto a, auto b) { return a - b; }, elementwise([](double a, double b) { return a - b; })),
        family<vec, vec>("a * b", [](auto a, auto b) { return a * b; }, elementwise([](double a, double b) { return a * b; })),
        family<vec, vec>("a / b", [](auto a, auto b) { return a / b; }, elementwise([](double a, double b) { return a / b; }),
                         0.5, 2),
        family<vec, vec>("pow(a, b)", [](auto a, auto b) { return lz::pow(a, b); },
                         elementwise([](double a, double b) { return std::pow(a, b); }), 0.5, 2),
        family<vec, vec>("min(a, b)", [](auto a, auto b) { return lz::min(a, b); },
                         elementwise([](double a, double b) { return std::min(a, b); })),
        family<vec, vec>("max(a, b)", [](auto a, auto b) { return lz::max(a, b); },
                         elementwise([](double a, double b) { return std::max(a, b); })),
        family<vec>("a*a + a", [](auto a) { return a * a + a; }, elementwise([](double a) { return a * a + a; })));
}
