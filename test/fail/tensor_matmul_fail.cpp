// Diagnostic: matmul with inner extents that differ.
//   (no CASE)          [64, 784]·[128, 10]   (784 ≠ 128)
//   FAIL_VECTOR_LEFT   [784]·[128, 10]       (the vector-matrix form: 784 ≠ 128)
// Without LEIBNIZ_TWIN this must fail with
//   "leibniz::matmul: inner extents differ"
// and both shapes (shape<64, 784> or shape<784>, and shape<128, 10>) in the
// compiler's output (as the template arguments of detail::check_matmul); with
// -DLEIBNIZ_TWIN (W of shape [784, 10]) it must compile.
#include <leibniz/leibniz.hpp>

namespace lz = leibniz;

constexpr auto x = lz::var<"x", float, lz::shape<64, 784>>;
constexpr auto v = lz::var<"v", float, lz::shape<784>>;
#ifdef LEIBNIZ_TWIN
constexpr auto W = lz::param<"W", float, lz::shape<784, 10>>;
#else
constexpr auto W = lz::param<"W", float, lz::shape<128, 10>>;
#endif

#ifdef FAIL_VECTOR_LEFT
auto layer() { return lz::matmul(v, W); }
#else
auto layer() { return lz::matmul(x, W); }
#endif
#ifdef LEIBNIZ_TWIN
auto one_sample() { return lz::matmul(v, W); }
#endif
