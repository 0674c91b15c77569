// Diagnostics: a run-time number where an expression or an axis is expected.
// Each test defines one FAIL_* macro (leibniz_compile_fail(... CASE FAIL_*)),
// and its one error must be ours, first, with g++ and clang++:
//   FAIL_MIN_DOUBLE   lz::min(w, 0.5)    "leibniz: a run-time number cannot appear in an expression"
//   FAIL_POW_DOUBLE   lz::pow(w, 2.0)    (same)
//   FAIL_MAX_LEFT     lz::max(0.0, w)    (same)
//   FAIL_MUL_TENSOR   x * 0.5            (same; x a tensor)
//   FAIL_POW_INT      lz::pow(w, 2)      "leibniz::pow: a run-time integer exponent ... 2_c"
//   FAIL_SUM_INT      lz::sum(x, 1)      "leibniz: the axis of a reduction ... lz::axis<K>"
//   FAIL_MEAN_INT, FAIL_LOGSUMEXP_INT    (same)
//   FAIL_MAX_INT, FAIL_MIN_INT           "leibniz::max / leibniz::min: a run-time integer is neither an axis ..."
// The twin (-DLEIBNIZ_TWIN, no FAIL_* macro) is the corrected code: literals and lz::axis<K>.
#include <leibniz/leibniz.hpp>

namespace lz = leibniz;
using namespace lz::literals;

constexpr auto w = lz::var<"w">;
constexpr auto x = lz::var<"x", double, lz::shape<4, 3>>;

double scalars() {
    const auto env = lz::at(w = 1.5);
#if defined(FAIL_MIN_DOUBLE)
    const auto a = lz::min(w, 0.5);
#else
    const auto a = lz::min(w, 0.5_c);
#endif
#if defined(FAIL_POW_DOUBLE)
    const auto b = lz::pow(w, 2.0);
#elif defined(FAIL_POW_INT)
    const auto b = lz::pow(w, 2);
#else
    const auto b = lz::pow(w, 2_c);
#endif
#if defined(FAIL_MAX_LEFT)
    const auto c = lz::max(0.0, w);
#else
    const auto c = lz::max(0_c, w);
#endif
    return lz::eval(a + b + c, env) + lz::grad(a * b * c, w, env);
}

double tensors(const lz::tensor<double, lz::shape<4, 3>>& value) {
    const auto env = lz::at(x = value);
#if defined(FAIL_MUL_TENSOR)
    const auto y = x * 0.5;
#else
    const auto y = x * 0.5_c;
#endif
#if defined(FAIL_SUM_INT)
    const auto s = lz::sum(y, 1);
#else
    const auto s = lz::sum(y, lz::axis<1>);
#endif
#if defined(FAIL_MEAN_INT)
    const auto m = lz::mean(y, 1);
#else
    const auto m = lz::mean(y, lz::axis<1>);
#endif
#if defined(FAIL_LOGSUMEXP_INT)
    const auto l = lz::logsumexp(y, 1);
#else
    const auto l = lz::logsumexp(y, lz::axis<1>);
#endif
#if defined(FAIL_MAX_INT)
    const auto hi = lz::max(y, 1);
#else
    const auto hi = lz::max(y, lz::axis<1>);
#endif
#if defined(FAIL_MIN_INT)
    const auto lo = lz::min(y, 1);
#else
    const auto lo = lz::min(y, lz::axis<1>);
#endif
    const auto f = lz::sum(s + m + l + hi + lo);
    const auto [g] = lz::grad(f, lz::wrt(x), env);
    return lz::eval(f, env) + g(0, 0);
}
