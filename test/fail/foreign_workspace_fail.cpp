// Diagnostic: a workspace made for another expression, passed to eval, grad or
// value_and_grad of a tensor expression (one test each: CASE FAIL_EVAL,
// FAIL_GRAD, FAIL_VALUE_AND_GRAD). The one error is
//   "leibniz: the workspace was made for another expression"
// (both expressions are the template arguments of report_foreign_workspace);
// with -DLEIBNIZ_TWIN (each call with its own workspace) it compiles.
#include <leibniz/leibniz.hpp>

namespace lz = leibniz;

constexpr auto x = lz::var<"x", float, lz::shape<4, 3>>;
constexpr auto W = lz::param<"W", float, lz::shape<3, 2>>;
constexpr auto b = lz::param<"b", float, lz::shape<2>>;

float step(const lz::tensor<float, lz::shape<4, 3>>& xv, const lz::tensor<float, lz::shape<3, 2>>& Wv,
           const lz::tensor<float, lz::shape<2>>& bv) {
    const auto y = lz::tanh(lz::matmul(x, W) + b);
    const auto loss = lz::sum(y);
    const auto env = lz::at(x = xv, W = Wv, b = bv);
    lz::workspace for_y{y};
    lz::workspace for_loss{loss};
#if defined(FAIL_EVAL)
    const auto v = lz::eval(y, env, for_loss);
#else
    const auto v = lz::eval(y, env, for_y);
#endif
    const float first = v(0, 0);
#if defined(FAIL_GRAD)
    const auto [dW, db] = lz::grad(loss, lz::wrt(W, b), env, for_y);
#else
    const auto [dW, db] = lz::grad(loss, lz::wrt(W, b), env, for_loss);
#endif
    const float g = dW(0, 0) + db(0);
#if defined(FAIL_VALUE_AND_GRAD)
    const auto r = lz::value_and_grad(loss, W, env, for_y);
#else
    const auto r = lz::value_and_grad(loss, W, env, for_loss);
#endif
    return first + g + r.value + r.gradient(0, 0);
}
