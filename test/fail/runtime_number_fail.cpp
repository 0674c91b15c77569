// Diagnostic: a run-time number inside an expression (w * 2.0).
// Without LEIBNIZ_TWIN this must fail with
//   "leibniz: a run-time number cannot appear in an expression";
// with -DLEIBNIZ_TWIN (the corrected code: a literal, 2_c) it must compile.
#include <leibniz/leibniz.hpp>

namespace lz = leibniz;
using namespace lz::literals;

constexpr auto w = lz::var<"w">;

double misuse() {
#ifdef LEIBNIZ_TWIN
    return lz::eval(w * 2_c, lz::at(w = 1.5));
#else
    return lz::eval(w * 2.0, lz::at(w = 1.5));
#endif
}
