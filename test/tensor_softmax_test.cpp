// Tensor laws (tensor_laws.hpp) for softmax along the last axis
// (δa = y ⊙ (δ − Σ δ⊙y) per row): [dyn, n] for n = 1, 3, 17, 64, 127, a
// vector [17], and rank 3 [dyn, 3, 17] (rows are the last axis).
#define BOOST_TEST_MODULE tensor_softmax
#include "tensor_laws.hpp"

using lzt::family;
template <std::size_t... E>
using sh = lz::shape<E...>;
constexpr auto dyn = lz::dyn;

namespace {
auto op = [](auto a) { return lz::softmax(a); };
auto op_ref = [](const auto& a) { return lzt::ref_softmax(lzt::ref(a), false); };
}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(lzt_report);

BOOST_AUTO_TEST_CASE(softmax) {
    lzt::check_all("softmax", {1, 3, 17, 64, 127},
                   family<sh<dyn, 1>>("softmax [dyn,1]", op, op_ref, -4, 4),
                   family<sh<dyn, 3>>("softmax [dyn,3]", op, op_ref, -4, 4),
                   family<sh<dyn, 17>>("softmax [dyn,17]", op, op_ref, -4, 4),
                   family<sh<dyn, 64>>("softmax [dyn,64]", op, op_ref, -4, 4),
                   family<sh<dyn, 127>>("softmax [dyn,127]", op, op_ref, -4, 4),
                   family<sh<17>>("softmax [17]", op, op_ref, -4, 4),
                   family<sh<dyn, 3, 17>>("softmax [dyn,3,17]", op, op_ref, -4, 4));
}
