// Diagnostics of lz::nn's layers. Each test defines one FAIL_* macro
// (leibniz_compile_fail(... CASE FAIL_*)), and its one error must be ours,
// first, with g++ and clang++:
//   FAIL_DENSE_INPUT       dense<4, 3> applied to x [N, 5]
//                          "leibniz::nn::dense<In, Out>: the input must be [N, In] or [In]"
//                          (the input's shape and In are the template arguments of check_dense_input)
//   FAIL_BATCH_NORM_INPUT  batch_norm1d<6> after dense<4, 3>
//                          "leibniz::nn::batch_norm1d<F>: the input must be [N, F]"
// The twin (-DLEIBNIZ_TWIN, no FAIL_* macro) chains matching extents.
#include <leibniz/leibniz.hpp>

namespace lz = leibniz;

constexpr auto x = lz::var<"x", float, lz::shape<lz::dyn, 4>>;
constexpr auto x5 = lz::var<"x5", float, lz::shape<lz::dyn, 5>>;

float loss(const lz::tensor<float, lz::shape<lz::dyn, 4>>& xs, const lz::tensor<float, lz::shape<lz::dyn, 5>>& xs5) {
#if defined(FAIL_DENSE_INPUT)
    constexpr auto net = lz::nn::sequential(lz::nn::dense<4, 3>, lz::nn::relu, lz::nn::dense<3, 2>);
    constexpr auto f = lz::mean(net(x5));
    lz::parameters params{f};
    return lz::eval(f, lz::at(params, x5 = xs5));
#elif defined(FAIL_BATCH_NORM_INPUT)
    constexpr auto net = lz::nn::sequential(lz::nn::dense<4, 3>, lz::nn::batch_norm1d<6>);
    constexpr auto f = lz::mean(net(x));
    lz::parameters params{f};
    return lz::eval(f, lz::at(params, x = xs));
#else
    constexpr auto net = lz::nn::sequential(lz::nn::dense<4, 3>, lz::nn::batch_norm1d<3>, lz::nn::relu, lz::nn::dense<3, 2>);
    constexpr auto f = lz::mean(net(x));
    lz::parameters params{f};
    constexpr auto g = lz::mean(lz::nn::dense<5, 1>(x5));
    lz::parameters params5{g};
    return lz::eval(f, lz::at(params, x = xs)) + lz::eval(g, lz::at(params5, x5 = xs5));
#endif
}
