// Tensor laws (tensor_laws.hpp) for NumPy broadcasting of a column:
// [dyn, 1] * [dyn, n] for n = 1, 3, 17, 64, 127 (the batch 1, 3, 17, 64, 127
// at run time). Along a row the column is one broadcast value, whose gradient
// the fused backward loop sums over the row.
#define BOOST_TEST_MODULE tensor_broadcast_column
#include "tensor_laws.hpp"

using lzt::elementwise;
using lzt::family;
template <std::size_t... E>
using sh = lz::shape<E...>;
constexpr auto dyn = lz::dyn;

namespace {
auto mul = [](auto a, auto b) { return a * b; };
auto mul_ref = elementwise([](double a, double b) { return a * b; });
}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(lzt_report);

BOOST_AUTO_TEST_CASE(column) {
    lzt::check_all("broadcast", {1, 3, 17, 64, 127},
                   family<sh<dyn, 1>, sh<dyn, 1>>("[dyn,1] * [dyn,1]", mul, mul_ref),
                   family<sh<dyn, 1>, sh<dyn, 3>>("[dyn,1] * [dyn,3]", mul, mul_ref),
                   family<sh<dyn, 1>, sh<dyn, 17>>("[dyn,1] * [dyn,17]", mul, mul_ref),
                   family<sh<dyn, 1>, sh<dyn, 64>>("[dyn,1] * [dyn,64]", mul, mul_ref),
                   family<sh<dyn, 1>, sh<dyn, 127>>("[dyn,1] * [dyn,127]", mul, mul_ref));
}
