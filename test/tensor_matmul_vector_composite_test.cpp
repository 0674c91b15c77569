// Tensor laws (tensor_laws.hpp) for matmul: matrix·vector [dyn, k]·[k] for
// k = 1, 17, 127; and composites: a matrix times its own transpose (a leaf
// reaching one matmul twice: both adjoints add up), aᵀ·b, and a dense layer
// sigmoid(x·W + b).
// Every [dyn, k] operand runs with the batch m = 1, 3, 17, 64, 127 at run
// time (every edge of the register tiles and cache blocks in m). matmul runs
// on the run-time-extent kernels (kernels::gemm and gemv) for static shapes
// too (there are no static-shape kernels).
// Backward: δA = δ·Bᵀ and δB = Aᵀ·δ (the transposed gemm kernels); for a
// vector x, δA = δ·xᵀ (an outer product) and δx = Aᵀ·δ.
// (Four files: matmul instantiates many kernels per pair of shapes.)
#define BOOST_TEST_MODULE tensor_matmul_vector_composite
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

BOOST_AUTO_TEST_CASE(matrix_vector) {
    lzt::check_all("matmul (vector)", {1, 3, 17, 64, 127},
                   family<sh<dyn, 1>, sh<1>>("[dyn,1]·[1]", mm, mm_ref),
                   family<sh<dyn, 17>, sh<17>>("[dyn,17]·[17]", mm, mm_ref),
                   family<sh<dyn, 127>, sh<127>>("[dyn,127]·[127]", mm, mm_ref, -2, 2, 4));
}

BOOST_AUTO_TEST_CASE(transposes_and_layer) {
    auto transposed = [](const lzt::ref_tensor& r) {
        return lzt::ref_tensor{lzt::ref_transpose(r), {r.extents[1], r.extents[0]}};
    };
    lzt::check_all(
        "matmul (composite)", {1, 3, 17, 64, 127},
        family<sh<17, 3>>("a·aᵀ", [](auto a) { return lz::matmul(a, lz::transpose(a)); },
                          [=](const auto& a) { return lzt::ref_matmul(lzt::ref(a), transposed(lzt::ref(a))); }),
        family<sh<17, 3>, sh<17, 5>>(
            "aᵀ·b", [](auto a, auto b) { return lz::matmul(lz::transpose(a), b); },
            [=](const auto& a, const auto& b) { return lzt::ref_matmul(transposed(lzt::ref(a)), lzt::ref(b)); }),
        family<sh<dyn, 17>, sh<17, 5>, sh<5>>(
            "sigmoid(x·W + b)", [](auto x, auto w, auto b) { return lz::sigmoid(lz::matmul(x, w) + b); },
            [](const auto& x, const auto& w, const auto& b) {
                auto y = lzt::ref_matmul(lzt::ref(x), lzt::ref(w));
                for (std::size_t i = 0; i < y.size(); ++i) y[i] = 1 / (1 + std::exp(-(y[i] + double(b.data()[i % 5]))));
                return y;
            }));
}
