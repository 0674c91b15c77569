// Diagnostic: lz::wrt(...) names a leaf the expression does not contain.
// Without LEIBNIZ_TWIN this must fail with
//   "leibniz::grad: a variable in lz::wrt(...) is not a leaf of the expression";
// with -DLEIBNIZ_TWIN (the corrected code: x is a leaf of it) it must compile.
#include <leibniz/leibniz.hpp>

namespace lz = leibniz;

constexpr auto w = lz::var<"w">;
constexpr auto x = lz::var<"x">;

double misuse() {
#ifdef LEIBNIZ_TWIN
    return std::get<0>(lz::grad(w * w + x, lz::wrt(x), lz::at(w = 1.0, x = 2.0)));
#else
    return std::get<0>(lz::grad(w * w, lz::wrt(x), lz::at(w = 1.0)));
#endif
}
