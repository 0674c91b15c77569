// Diagnostic: a leaf of the expression is not bound in lz::at(...).
// Without LEIBNIZ_TWIN this must fail with
//   "leibniz: a leaf of the expression is not bound";
// with -DLEIBNIZ_TWIN (the corrected code) it must compile.
#include <leibniz/leibniz.hpp>

namespace lz = leibniz;

constexpr auto w = lz::var<"w">;
constexpr auto x = lz::var<"x">;

double misuse() {
#ifdef LEIBNIZ_TWIN
    return lz::eval(w * x, lz::at(w = 1.0, x = 2.0));
#else
    return lz::eval(w * x, lz::at(w = 1.0));
#endif
}
