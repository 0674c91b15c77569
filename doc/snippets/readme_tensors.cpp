#include <leibniz/leibniz.hpp>

#include <cstdio>

namespace lz = leibniz;

int main() {
    // A batch of inputs, whose row count (lz::dyn) is bound at run time, and two parameters.
    constexpr auto x = lz::var<"x", float, lz::shape<lz::dyn, 3>>;
    constexpr auto w = lz::param<"w", float, lz::shape<3>>;
    constexpr auto b = lz::param<"b", float>;
    constexpr auto f = lz::mean(lz::softplus(lz::matmul(x, w) + b));  // a scalar

    lz::tensor<float, lz::shape<2, 3>> xs{{1, 2, 3}, {4, 5, 6}};
    lz::tensor<float, lz::shape<3>> weights{0.1f, -0.2f, 0.3f};
    const auto env = lz::at(x = xs, w = weights, b = 0.5f);  // tensors are bound as views: no copy

    lz::workspace ws{f};  // the tape's memory: sized by the first call, reused by the next ones
    auto [dw, db] = lz::grad(f, lz::wrt(w, b), env, ws);  // dw: a view into ws; db: a float
    std::printf("df/dw = [%.4f, %.4f, %.4f], df/db = %.4f\n", dw(0), dw(1), dw(2), db);
}
