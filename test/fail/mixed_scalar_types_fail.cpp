// Diagnostic: one operation mixes a float leaf and a double leaf.
// Without LEIBNIZ_TWIN this must fail with
//   "leibniz: an operation mixes scalar types";
// with -DLEIBNIZ_TWIN (the corrected code: both float) it must compile.
#include <leibniz/leibniz.hpp>

namespace lz = leibniz;

#ifdef LEIBNIZ_TWIN
using S = float;
#else
using S = double;
#endif

constexpr auto f = lz::var<"f", float>;
constexpr auto d = lz::var<"d", S>;

float misuse() { return static_cast<float>(lz::eval(f * d, lz::at(f = 1.0f, d = S(2)))); }
