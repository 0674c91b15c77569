// Diagnostic: a derivative evaluates in its function's environment (d(x·y, x)
// = y keeps x in its domain), but a name in neither f nor d(f, x) is refused
// as for any expression. Without LEIBNIZ_TWIN this must fail with
//   "leibniz: lz::at(...) binds a name the expression does not contain";
// with -DLEIBNIZ_TWIN (f's own environment) it must compile.
#include <leibniz/leibniz.hpp>

namespace lz = leibniz;

constexpr auto x = lz::var<"x">;
constexpr auto y = lz::var<"y">;
constexpr auto z = lz::var<"z">;

double misuse() {
#ifdef LEIBNIZ_TWIN
    return lz::eval(lz::d(x * y, x), lz::at(x = 1.0, y = 2.0));
#else
    return lz::eval(lz::d(x * y, x), lz::at(x = 1.0, y = 2.0, z = 3.0));
#endif
}
