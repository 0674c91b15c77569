// Diagnostic: concat along axis 0 of [3, 17] and [3, 16] (the other extents
// differ). Without LEIBNIZ_TWIN this must fail with
//   "leibniz::concat: the operands' extents must agree except along the axis"
// and both shapes, shape<3, 17> and shape<3, 16>, in the compiler's output
// (the template arguments of detail::report_concat); with -DLEIBNIZ_TWIN
// (along axis 1) it must compile.
#include <leibniz/leibniz.hpp>

namespace lz = leibniz;

constexpr auto a = lz::var<"a", double, lz::shape<3, 17>>;
constexpr auto b = lz::var<"b", double, lz::shape<3, 16>>;

#ifdef LEIBNIZ_TWIN
auto joined() { return lz::concat(a, b, lz::axis<1>); }
#else
auto joined() { return lz::concat(a, b, lz::axis<0>); }
#endif
