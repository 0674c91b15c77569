// Diagnostic: [64, 3] + [4] (trailing extents 3 and 4 differ, neither is 1).
// Without LEIBNIZ_TWIN this must fail with
//   "leibniz: shapes cannot be broadcast together"
// and both shapes, shape<64, 3> and shape<4>, in the compiler's output (the
// template arguments of check_broadcastable); with -DLEIBNIZ_TWIN (a bias row
// of shape [3]) it must compile.
#include <leibniz/leibniz.hpp>

namespace lz = leibniz;

constexpr auto x = lz::var<"x", float, lz::shape<64, 3>>;
#ifdef LEIBNIZ_TWIN
constexpr auto b = lz::param<"b", float, lz::shape<3>>;
#else
constexpr auto b = lz::param<"b", float, lz::shape<4>>;
#endif

auto biased() { return lz::tanh(x + b); }
