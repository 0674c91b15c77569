// Tensor laws (tensor_laws.hpp) for matmul, a batch times a larger matrix:
// [dyn, k]·[k, n] for (k, n) = (64, 127), (127, 64).
// Every [dyn, k] operand runs with the batch m = 1, 3, 17, 64, 127 at run
// time (every edge of the register tiles and cache blocks in m). matmul runs
// on the run-time-extent kernels (kernels::gemm and gemv) for static shapes
// too (there are no static-shape kernels).
// Backward: δA = δ·Bᵀ and δB = Aᵀ·δ (the transposed gemm kernels); for a
// vector x, δA = δ·xᵀ (an outer product) and δx = Aᵀ·δ.
// (Four files: matmul instantiates many kernels per pair of shapes.)
#define BOOST_TEST_MODULE tensor_matmul_batch_large
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
    // float: k = 127 products per element lose up to ~k·ε relative to Σ|a·b|
    lzt::check_all("matmul", {1, 3, 17, 64, 127},
                   family<sh<dyn, 64>, sh<64, 127>>("[dyn,64]·[64,127]", mm, mm_ref, -2, 2, 4),
                   family<sh<dyn, 127>, sh<127, 64>>("[dyn,127]·[127,64]", mm, mm_ref, -2, 2, 4));
}
