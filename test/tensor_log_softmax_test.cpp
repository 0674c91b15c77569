// Tensor laws (tensor_laws.hpp) for log_softmax along the last axis
// (δa = δ − exp(y)·Σ δ per row): [dyn, n] for n = 1, 3, 17, 64, 127, a
// vector [17], and rank 3 [dyn, 3, 17] (rows are the last axis).
#define BOOST_TEST_MODULE tensor_log_softmax
#include "tensor_laws.hpp"

using lzt::family;
template <std::size_t... E>
using sh = lz::shape<E...>;
constexpr auto dyn = lz::dyn;

namespace {
auto op = [](auto a) { return lz::log_softmax(a); };
auto op_ref = [](const auto& a) { return lzt::ref_softmax(lzt::ref(a), true); };
}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(lzt_report);

BOOST_AUTO_TEST_CASE(log_softmax) {
    lzt::check_all("log_softmax", {1, 3, 17, 64, 127},
                   family<sh<dyn, 1>>("log_softmax [dyn,1]", op, op_ref, -4, 4),
                   family<sh<dyn, 3>>("log_softmax [dyn,3]", op, op_ref, -4, 4),
                   family<sh<dyn, 17>>("log_softmax [dyn,17]", op, op_ref, -4, 4),
                   family<sh<dyn, 64>>("log_softmax [dyn,64]", op, op_ref, -4, 4),
                   family<sh<dyn, 127>>("log_softmax [dyn,127]", op, op_ref, -4, 4),
                   family<sh<17>>("log_softmax [17]", op, op_ref, -4, 4),
                   family<sh<dyn, 3, 17>>("log_softmax [dyn,3,17]", op, op_ref, -4, 4));
}
