// Tensor laws (tensor_laws.hpp) for matmul, part C: static [17, 64]·[64, 3] and [127, 1]·[1, 64];
// matrix·vector [dyn, k]·[k] for k = 1, 17.
// Every [dyn, k] operand runs with the batch m = 1, 3, 17, 64, 127 at run
// time (every edge of the register tiles and cache blocks in m); static
// shapes take the compile-time specialisations for small shapes.
// Backward: δA = δ·Bᵀ and δB = Aᵀ·δ (the transposed gemm kernels); for a
// vector x, δA = δ·xᵀ (an outer product) and δx = Aᵀ·δ.
// (Four TUs: matmul instantiates many kernels per pair of shapes.)
#define BOOST_TEST_MODULE tensor_matmul_c
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

BOOST_AUTO_TEST_CASE(static_shapes) {
    lzt::check_all("matmul", {},
                   family<sh<17, 64>, sh<64, 3>>("[17,64]·[64,3]", mm, mm_ref, -2, 2, 4),
                   family<sh<127, 1>, sh<1, 64>>("[127,1]·[1,64]", mm, mm_ref));
}

BOOST_AUTO_TEST_CASE(matrix_vector) {
    lzt::check_all("matmul (vector)", {1, 3, 17, 64, 127},
                   family<sh<dyn, 1>, sh<1>>("[dyn,1]·[1]", mm, mm_ref),
                   family<sh<dyn, 17>, sh<17>>("[dyn,17]·[17]", mm, mm_ref));
}
