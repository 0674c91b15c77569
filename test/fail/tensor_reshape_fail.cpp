// Diagnostic: reshape of [64, 10] (640 elements) to [5, 10] (50 elements).
// Without LEIBNIZ_TWIN this must fail with
//   "leibniz::reshape: the shapes hold different numbers of elements"
// and both shapes, shape<64, 10> and shape<5, 10>, in the compiler's output
// (the template arguments From and To of detail::check_reshape); with
// -DLEIBNIZ_TWIN (to [5, 128]) it must compile.
#include <leibniz/leibniz.hpp>

namespace lz = leibniz;

constexpr auto x = lz::var<"x", double, lz::shape<64, 10>>;

#ifdef LEIBNIZ_TWIN
auto reshaped() { return lz::reshape<lz::shape<5, 128>>(x); }
#else
auto reshaped() { return lz::reshape<lz::shape<5, 10>>(x); }
#endif
