// Diagnostic: sum over axis 2 of a rank-2 tensor [64, 10].
// Without LEIBNIZ_TWIN this must fail with
//   "leibniz: reducing an axis the operand does not have"
// and the operand's shape, shape<64, 10>, in the compiler's output (the
// template arguments of detail::check_axis); with -DLEIBNIZ_TWIN (axis 1) it
// must compile.
#include <leibniz/leibniz.hpp>

namespace lz = leibniz;

constexpr auto x = lz::var<"x", double, lz::shape<64, 10>>;

#ifdef LEIBNIZ_TWIN
auto row_sums() { return lz::sum(x, lz::axis<1>); }
#else
auto row_sums() { return lz::sum(x, lz::axis<2>); }
#endif
