// Diagnostics of lz::assign (core/assign.hpp). Each test defines one FAIL_*
// macro (leibniz_compile_fail(... CASE FAIL_*)), and its one error must be
// ours, first, with g++ and clang++:
//   FAIL_SHAPE            an expression of shape [4, 5] into a target [4, 3]
//                         "leibniz::assign: the expression's shape does not broadcast to the target's shape"
//                         (shape<4, 3> and shape<4, 5> are the template arguments of check_assign_shape)
//   FAIL_NOT_ELEMENTWISE  a matrix product assigned
//                         "leibniz::assign: assign takes elementwise expressions only"
//   FAIL_READ_ONLY_LEAF   the target named by a leaf that lz::at(W = t) bound read-only
//                         "leibniz::assign: the environment binds the target leaf to read-only memory"
// The twin (-DLEIBNIZ_TWIN, no FAIL_* macro) assigns what fits.
#include <leibniz/leibniz.hpp>

namespace lz = leibniz;
using namespace lz::literals;

constexpr auto W = lz::param<"W", float, lz::shape<4, 3>>;
constexpr auto G = lz::var<"G", float, lz::shape<4, 5>>;
constexpr auto A = lz::var<"A", float, lz::shape<4, 4>>;
constexpr auto eta = lz::var<"eta", float>;

void update(lz::tensor<float, lz::shape<4, 3>>& w, const lz::tensor<float, lz::shape<4, 5>>& g,
            const lz::tensor<float, lz::shape<4, 4>>& a) {
    const auto env = lz::at(W = w, G = g, A = a, eta = 0.1f);
#if defined(FAIL_SHAPE)
    lz::assign(w, eta * G + 1_c, env);
#elif defined(FAIL_NOT_ELEMENTWISE)
    lz::assign(w, W - eta * lz::matmul(A, W), env);
#elif defined(FAIL_READ_ONLY_LEAF)
    lz::assign(W, W - eta * W, env);
#else
    lz::assign(w, W - eta * W, env);
    lz::assign(w, 2_c * W, lz::at(lz::binding<std::remove_const_t<decltype(W)>, lz::tensor_view<float, lz::shape<4, 3>>>{
                                      w.view()}));
    lz::assign(W, W - eta * W, lz::at(lz::binding<std::remove_const_t<decltype(W)>,
                                                   lz::tensor_view<float, lz::shape<4, 3>>>{w.view()},
                                       eta = 0.1f));
#endif
}
