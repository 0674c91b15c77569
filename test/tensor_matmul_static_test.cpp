// Tensor laws (tensor_laws.hpp) for matmul on static shapes: [3, 17]·[17, 1],
// [17, 64]·[64, 3], [127, 1]·[1, 64] (an outer product) and matrix·vector
// [3, 64]·[64].
// Every [dyn, k] operand runs with the batch m = 1, 3, 17, 64, 127 at run
// time (every edge of the register tiles and cache blocks in m). matmul runs
// on the run-time-extent kernels (kernels::gemm and gemv) for static shapes
// too (there are no static-shape kernels).
// Backward: δA = δ·Bᵀ and δB = Aᵀ·δ (the transposed gemm kernels); for a
// vector x, δA = δ·xᵀ (an outer product) and δx = Aᵀ·δ.
// (Four files: matmul instantiates many kernels per pair of shapes.)
#define BOOST_TEST_MODULE tensor_matmul_static
#include "tensor_laws.hpp"

using lzt::family;
template <std::size_t... E>
using sh = lz::shape<E...>;

namespace {
auto mm = [](auto a, auto b) { return lz::matmul(a, b); };
auto mm_ref = [](const auto& a, const auto& b) { return lzt::ref_matmul(lzt::ref(a), lzt::ref(b)); };
}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(lzt_report);

BOOST_AUTO_TEST_CASE(static_shapes) {
    lzt::check_all("matmul", {},
                   family<sh<3, 17>, sh<17, 1>>("[3,17]·[17,1]", mm, mm_ref),
                   family<sh<17, 64>, sh<64, 3>>("[17,64]·[64,3]", mm, mm_ref, -2, 2, 4),
                   family<sh<127, 1>, sh<1, 64>>("[127,1]·[1,64]", mm, mm_ref));
}

BOOST_AUTO_TEST_CASE(matrix_vector) {
    lzt::check_all("matmul (vector)", {}, family<sh<3, 64>, sh<64>>("[3,64]·[64]", mm, mm_ref, -2, 2, 4));
}
