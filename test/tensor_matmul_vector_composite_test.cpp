// Tensor laws (tensor_laws.hpp) for matmul: matrix·vector [dyn, k]·[k] for
// k = 1, 17, 127; vector·matrix [k]·[k, n] (NumPy's row vector times a matrix,
// issue 8) with static k and n, dyn n, and dyn k; and composites: a matrix times its own transpose (a leaf
// reaching one matmul twice: both adjoints add up), aᵀ·b, and a dense layer
// sigmoid(x·W + b).
// Every [dyn, k] operand runs with the batch m = 1, 3, 17, 64, 127 at run
// time (every edge of the register tiles and cache blocks in m). matmul runs
// on the run-time-extent kernels (kernels::gemm and gemv) for static shapes
// too (there are no static-shape kernels).
// Backward: δA = δ·Bᵀ and δB = Aᵀ·δ (the transposed gemm kernels); for a
// vector x, δA = δ·xᵀ (an outer product) and δx = Aᵀ·δ; for v·B, δv = B·δ
// (gemv) and δB = v·δᵀ (an outer product), the forward Bᵀ·v (the transposed
// gemv, vectorized along n; B is not packed).
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

// y[j] = Σ_p v[p]·B[p, j], a plain loop in long double.
auto vm_ref = [](const auto& v, const auto& b) {
    const lzt::ref_tensor rv = lzt::ref(v), rb = lzt::ref(b);
    const std::size_t k = rb.extents.at(0), n = rb.extents.at(1);
    if (rv.extents.at(0) != k) throw std::logic_error("vm_ref: inner extents differ");
    std::vector<double> y(n);
    for (std::size_t j = 0; j < n; ++j) {
        long double s = 0;
        for (std::size_t p = 0; p < k; ++p) s += (long double)rv.data[p] * rb.data[p * n + j];
        y[j] = double(s);
    }
    return y;
};

// n = 1, 5, 37 and 70 (and the batch 1, 3, 17, 64, 127 where n is dyn) cover the
// gemv's blocks of four vectors, single vectors and scalar tail for float and
// double at every SIMD width; k = dyn runs with k = the batch.
BOOST_AUTO_TEST_CASE(vector_matrix) {
    lzt::check_all("matmul (vector·matrix)", {1, 3, 17, 64, 127},
                   family<sh<17>, sh<17, 1>>("[17]·[17,1]", mm, vm_ref),
                   family<sh<3>, sh<3, 5>>("[3]·[3,5]", mm, vm_ref),
                   family<sh<17>, sh<17, 37>>("[17]·[17,37]", mm, vm_ref),
                   family<sh<31>, sh<31, 70>>("[31]·[31,70]", mm, vm_ref),
                   family<sh<17>, sh<17, dyn>>("[17]·[17,dyn]", mm, vm_ref),
                   family<sh<dyn>, sh<dyn, 5>>("[dyn]·[dyn,5]", mm, vm_ref));
}

// One-sample inference: a dense layer on a vector, sigmoid(x·W + b), against
// the same layer on a batch of one row (its rows are the vector forms' values).
BOOST_AUTO_TEST_CASE(vector_matrix_layer_equals_one_row_batch) {
    constexpr auto x = lz::var<"x", double, sh<7>>;
    constexpr auto xr = lz::var<"xr", double, sh<1, 7>>;
    constexpr auto W = lz::param<"W", double, sh<7, 5>>;
    constexpr auto b = lz::param<"b", double, sh<5>>;
    lz::tensor<double, sh<7>> xv;
    lz::tensor<double, sh<1, 7>> xrv;
    lz::tensor<double, sh<7, 5>> Wv;
    lz::tensor<double, sh<5>> bv;
    for (std::size_t i = 0; i < 7; ++i) xv(i) = xrv(0, i) = std::sin(1.0 + double(i));
    for (std::size_t i = 0; i < 35; ++i) Wv.data()[i] = 0.3 * std::cos(0.7 * double(i));
    for (std::size_t i = 0; i < 5; ++i) bv(i) = 0.1 * double(i);
    const auto one = lz::value_and_grad(lz::sum(lz::sigmoid(lz::matmul(x, W) + b)), lz::wrt(W, b),
                                        lz::at(x = xv, W = Wv, b = bv));
    const auto row = lz::value_and_grad(lz::sum(lz::sigmoid(lz::matmul(xr, W) + b)), lz::wrt(W, b),
                                        lz::at(xr = xrv, W = Wv, b = bv));
    BOOST_TEST(std::abs(one.value - row.value) <= 1e-14);
    BOOST_TEST(lz::max_abs_diff(std::get<0>(one.gradient), std::get<0>(row.gradient)) <= 1e-14);
    BOOST_TEST(lz::max_abs_diff(std::get<1>(one.gradient), std::get<1>(row.gradient)) <= 1e-14);
    static_assert(std::is_same_v<lz::shape_of<decltype(lz::matmul(x, W))>, sh<5>>);
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
