// Diagnostic: a failed check poisons the expression, and nothing after it fails.
// lz::matmul(x, W) + b with x [64, 784] and W [128, 10]: the one error is
//   "leibniz::matmul: inner extents differ" (both shapes in its context),
// not a second one about `operator+` on void, nor any from the tanh, sum,
// grad, value_and_grad, eval or explain that follow. With -DLEIBNIZ_TWIN
// (W of shape [784, 10]) it compiles.
#include <leibniz/leibniz.hpp>

#include <string>

namespace lz = leibniz;

constexpr auto x = lz::var<"x", float, lz::shape<64, 784>>;
#ifdef LEIBNIZ_TWIN
constexpr auto W = lz::param<"W", float, lz::shape<784, 10>>;
#else
constexpr auto W = lz::param<"W", float, lz::shape<128, 10>>;
#endif
constexpr auto b = lz::param<"b", float, lz::shape<10>>;

float step(const lz::tensor<float, lz::shape<64, 784>>& xv, const lz::tensor<float, lz::shape_of<decltype(W)>>& Wv,
           const lz::tensor<float, lz::shape<10>>& bv, std::string& text) {
    const auto loss = lz::sum(lz::tanh(lz::matmul(x, W) + b));
    const auto env = lz::at(x = xv, W = Wv, b = bv);
    auto [dW, db] = lz::grad(loss, lz::wrt(W, b), env);
    const auto r = lz::value_and_grad(loss, lz::wrt(W, b), env);
    lz::workspace ws{loss};
    const auto [gW] = lz::grad(loss, lz::wrt(W), env, ws);
    text = lz::explain(loss, lz::wrt(b), env);
    return lz::eval(loss, env) + dW(0, 0) + db(0) + r.value + gW(0, 0);
}
