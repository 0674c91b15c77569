// Diagnostic: two different leaves with one name (a leaf is identified by its
// name). Each test defines one FAIL_* macro (leibniz_compile_fail(... CASE FAIL_*)),
// and its one error must be ours, first, with g++ and clang++:
//   FAIL_EXPR    lz::matmul(x, W1) then lz::matmul(.., W2), both lz::param<"W", float, ...>
//                of shapes [3, 4] and [4, 2]: the expression meets both
//   FAIL_ENV     lz::at(W1 = ..., W2 = ...): the environment binds both
//   FAIL_SCALAR  lz::var<"s", float> and lz::var<"s", double> (named before the scalar types mix)
//   FAIL_KIND    lz::var<"b", float, shape<2>> and lz::param<"b", float, shape<2>>
// The message is "leibniz: two different leaves have the same name"; the two
// leaves are the template arguments of report_name_clash. The twin
// (-DLEIBNIZ_TWIN, no FAIL_* macro) names the second leaf of each pair anew.
#include <leibniz/leibniz.hpp>

namespace lz = leibniz;

constexpr auto x = lz::var<"x", float, lz::shape<2, 3>>;
constexpr auto W1 = lz::param<"W", float, lz::shape<3, 4>>;
#if defined(FAIL_EXPR) || defined(FAIL_ENV)
constexpr auto W2 = lz::param<"W", float, lz::shape<4, 2>>;
#else
constexpr auto W2 = lz::param<"W2", float, lz::shape<4, 2>>;
#endif
constexpr auto b = lz::param<"b", float, lz::shape<2>>;
#if defined(FAIL_KIND)
constexpr auto b_data = lz::var<"b", float, lz::shape<2>>;
#else
constexpr auto b_data = lz::var<"b_data", float, lz::shape<2>>;
#endif
constexpr auto s = lz::var<"s", float>;
#if defined(FAIL_SCALAR)
constexpr auto s_double = lz::var<"s", double>;
#else
constexpr auto s_double = lz::var<"s_double", double>;
#endif

float network(const lz::tensor<float, lz::shape<2, 3>>& xv, const lz::tensor<float, lz::shape<3, 4>>& W1v,
              [[maybe_unused]] const lz::tensor<float, lz::shape<4, 2>>& W2v,
              [[maybe_unused]] const lz::tensor<float, lz::shape<2>>& bv,
              [[maybe_unused]] const lz::tensor<float, lz::shape<2>>& dv) {
    const auto hidden = lz::tanh(lz::matmul(x, W1));
#if defined(FAIL_EXPR)
    const auto loss = lz::sum(lz::matmul(hidden, W2) + b);
    const auto env = lz::at(x = xv, W1 = W1v, b = bv);
#elif defined(FAIL_ENV)
    const auto loss = lz::sum(hidden);
    const auto env = lz::at(x = xv, W1 = W1v, W2 = W2v);  // W2 is another "W"
#else
    const auto loss = lz::sum(lz::matmul(hidden, W2) + b + b_data);
    const auto env = lz::at(x = xv, W1 = W1v, W2 = W2v, b = bv, b_data = dv);
#endif
    const auto [value, dW1] = lz::value_and_grad(loss, W1, env);
    return value + dW1(0, 0);
}

float data_and_param(const lz::tensor<float, lz::shape<2>>& bv, [[maybe_unused]] const lz::tensor<float, lz::shape<2>>& dv) {
#if defined(FAIL_KIND)
    return lz::eval(lz::sum(b * b_data), lz::lenient(lz::at(b = bv)));
#else
    return lz::eval(lz::sum(b * b_data), lz::at(b = bv, b_data = dv));
#endif
}

double mixed(float sv, [[maybe_unused]] double tv) {
#if defined(FAIL_SCALAR)
    return lz::eval(s * s_double, lz::lenient(lz::at(s = sv)));
#else
    return static_cast<double>(lz::eval(s, lz::at(s = sv))) + lz::eval(s_double, lz::at(s_double = tv));
#endif
}
