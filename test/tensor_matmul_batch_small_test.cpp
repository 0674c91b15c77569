// Tensor laws (tensor_laws.hpp) for matmul, a batch times a small matrix:
// [dyn, k]·[k, n] for (k, n) = (1, 1), (3, 17), (17, 3).
// Every [dyn, k] operand runs with the batch m = 1, 3, 17, 64, 127 at run
// time (every edge of the register tiles and cache blocks in m). matmul runs
// on the run-time-extent kernels (kernels::gemm and gemv) for static shapes
// too (there are no static-shape kernels).
// Backward: δA = δ·Bᵀ and δB = Aᵀ·δ (the transposed gemm kernels); for a
// vector x, δA = δ·xᵀ (an outer product) and δx = Aᵀ·δ.
// (Four files: matmul instantiates many kernels per pair of shapes.)
#define BOOST_TEST_MODULE tensor_matmul_batch_small
#include "tensor_laws.hpp"

using lzt::family;
template <std::size_t... E>
using sh = lz::shape<E...>;
constexpr auto dyn = lz::dyn;

namespace {
auto mm = [](auto a, auto b) { return lz::matmul(a, b); };
auto mm_ref = [](const auto& a, const auto& b) { return lzt::ref_matmul(lzt::ref(a), lzt::ref(b)); };
}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(lzt_report);

BOOST_AUTO_TEST_CASE(batch_times_matrix) {
    lzt::check_all("matmul", {1, 3, 17, 64, 127},
                   family<sh<dyn, 1>, sh<1, 1>>("[dyn,1]·[1,1]", mm, mm_ref),
                   family<sh<dyn, 3>, sh<3, 17>>("[dyn,3]·[3,17]", mm, mm_ref),
                   family<sh<dyn, 17>, sh<17, 3>>("[dyn,17]·[17,3]", mm, mm_ref));
}
