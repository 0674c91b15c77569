// Diagnostics of lz::loss. Each test defines one FAIL_* macro
// (leibniz_compile_fail(... CASE FAIL_*)), and its one error must be ours,
// first, with g++ and clang++:
//   FAIL_SHAPES            mse(x [N, 5], t [N, 4])
//                          "leibniz::loss: input and target must have one shape"
//                          (the loss's name and both shapes are the template arguments of check_same_shape)
//   FAIL_LABELS_RANK       cross_entropy(x [N, 5], y int32 [N, 2])
//                          "leibniz::loss::cross_entropy: logits [N, C] and integer labels [N]"
//                          (both shapes are the template arguments of check_cross_entropy)
//   FAIL_FLOAT_LABELS      cross_entropy(x [N, 5], y float [N])
//                          "leibniz::loss::cross_entropy: labels [N] are an integer leaf"
//   FAIL_NLL_FLOAT_LABELS  nll(x [N, 5], y float [N])
//                          "leibniz::loss::nll: the labels are an integer leaf"
//   FAIL_OPTION            mse(x, t, delta(2))
//                          "leibniz::loss: an option this loss does not take"
//   FAIL_OPTION_TWICE      huber(x, t, delta(2), delta(3))
//                          "leibniz::loss: an option given twice"
// The twin (-DLEIBNIZ_TWIN, no FAIL_* macro) writes each call right.
#include <leibniz/leibniz.hpp>

#include <cstdint>

namespace lz = leibniz;
namespace L = lz::loss;
using namespace lz::literals;

constexpr auto x = lz::var<"x", float, lz::shape<lz::dyn, 5>>;
constexpr auto t = lz::var<"t", float, lz::shape<lz::dyn, 5>>;
constexpr auto t4 = lz::var<"t4", float, lz::shape<lz::dyn, 4>>;
constexpr auto y = lz::var<"y", std::int32_t, lz::shape<lz::dyn>>;
constexpr auto y2 = lz::var<"y2", std::int32_t, lz::shape<lz::dyn, 2>>;
constexpr auto yf = lz::var<"yf", float, lz::shape<lz::dyn>>;

float loss(const lz::tensor<float, lz::shape<lz::dyn, 5>>& xs, const lz::tensor<float, lz::shape<lz::dyn, 5>>& ts,
           const lz::tensor<std::int32_t, lz::shape<lz::dyn>>& ys) {
#if defined(FAIL_SHAPES)
    const auto f = L::mse(x, t4);
#elif defined(FAIL_LABELS_RANK)
    const auto f = L::cross_entropy(x, y2);
#elif defined(FAIL_FLOAT_LABELS)
    const auto f = L::cross_entropy(x, yf);
#elif defined(FAIL_NLL_FLOAT_LABELS)
    const auto f = L::nll(lz::log_softmax(x), yf);
#elif defined(FAIL_OPTION)
    const auto f = L::mse(x, t, L::delta(2_c));
#elif defined(FAIL_OPTION_TWICE)
    const auto f = L::huber(x, t, L::delta(2_c), L::delta(3_c));
#else
    const auto f = L::mse(x, t) + L::cross_entropy(x, y) + L::nll(lz::log_softmax(x), y) + L::huber(x, t, L::delta(2_c));
#endif
    return lz::eval(f, lz::at(x = xs, t = ts, y = ys));
}
