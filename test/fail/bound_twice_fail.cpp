// Diagnostic: the same leaf bound twice in one lz::at(...).
// Without LEIBNIZ_TWIN this must fail with
//   "leibniz::at: the same leaf is bound twice";
// with -DLEIBNIZ_TWIN (the corrected code) it must compile.
#include <leibniz/leibniz.hpp>

namespace lz = leibniz;

constexpr auto w = lz::var<"w">;
constexpr auto x = lz::var<"x">;

double misuse() {
#ifdef LEIBNIZ_TWIN
    return lz::eval(w * x, lz::at(w = 1.0, x = 2.0));
#else
    return lz::eval(w * x, lz::at(w = 1.0, w = 2.0));
#endif
}
