#include <leibniz/leibniz.hpp>

#include <algorithm>
#include <array>
#include <cstdio>

namespace lz = leibniz;

int main() {
    // A batch of inputs, whose row count (lz::dyn) is bound at run time, and two parameters.
    constexpr auto x = lz::var<"x", float, lz::shape<lz::dyn, 3>>;
    constexpr auto w = lz::param<"w", float, lz::shape<3>>;
    constexpr auto b = lz::param<"b", float>;
    constexpr auto f = lz::mean(lz::softplus(lz::matmul(x, w) + b));  // a scalar

    lz::parameters params{f};  // every param leaf of f (w, then b) in one flat buffer, zeroed
    std::ranges::copy(std::array{0.1f, -0.2f, 0.3f}, params[w].data());  // params[w]: a view into it
    params[b] = 0.5f;                                                      // params[b]: a float&
    lz::tensor<float, lz::shape<2, 3>> xs{{1, 2, 3}, {4, 5, 6}};
    const auto env = lz::at(params, x = xs);  // binds every parameter and x, as views: no copy

    lz::workspace ws{f};  // the tape's memory: sized by the first call, reused by the next ones
    const auto [value, grads] = lz::value_and_grad(f, params, env, ws);  // grads: laid out like params, in ws
    std::printf("df/dw = [%.4f, %.4f, %.4f], df/db = %.4f\n", grads[w](0), grads[w](1), grads[w](2), grads[b]);

    // A step of gradient descent: one loop over both flat buffers, every parameter at once.
    for (std::size_t i = 0; i < params.size(); ++i) params.flat()[i] -= 0.1f * grads.flat()[i];
    std::printf("f = %.4f -> %.4f\n", value, lz::eval(f, env, ws));  // env holds views: it sees the update
}
