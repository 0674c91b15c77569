// Diagnostic: a float bound to a double leaf (no silent conversion).
// Without LEIBNIZ_TWIN this must fail with
//   "leibniz: the value bound to a leaf must have the leaf's scalar type";
// with -DLEIBNIZ_TWIN (the corrected code: a double) it must compile.
#include <leibniz/leibniz.hpp>

namespace lz = leibniz;

constexpr auto w = lz::var<"w">;

double misuse() {
#ifdef LEIBNIZ_TWIN
    return lz::eval(w * w, lz::at(w = 1.5));
#else
    return lz::eval(w * w, lz::at(w = 1.5f));
#endif
}
