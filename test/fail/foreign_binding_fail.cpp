// Diagnostic: lz::at(...) binds a name the expression does not contain
// (a strict environment). Without LEIBNIZ_TWIN this must fail with
//   "leibniz: lz::at(...) binds a name the expression does not contain";
// with -DLEIBNIZ_TWIN (the corrected code: lz::lenient) it must compile.
#include <leibniz/leibniz.hpp>

namespace lz = leibniz;

constexpr auto w = lz::var<"w">;
constexpr auto x = lz::var<"x">;

double misuse() {
#ifdef LEIBNIZ_TWIN
    return lz::eval(w * w, lz::lenient(lz::at(w = 1.0, x = 2.0)));
#else
    return lz::eval(w * w, lz::at(w = 1.0, x = 2.0));
#endif
}
