// Diagnostic: a tensor of shape [64, 11] bound to a leaf of shape [64, 10].
// Without LEIBNIZ_TWIN this must fail with
//   "leibniz: the tensor bound to a leaf has the wrong shape"
// and both shapes, shape<64, 10> (the leaf's) and shape<64, 11> (the
// tensor's), in the compiler's output (the template arguments of
// detail::check_bound_shape); with -DLEIBNIZ_TWIN ([64, 10]) it must compile.
#include <leibniz/leibniz.hpp>

namespace lz = leibniz;

constexpr auto x = lz::var<"x", float, lz::shape<64, 10>>;

float total() {
#ifdef LEIBNIZ_TWIN
    const lz::tensor<float, lz::shape<64, 10>> value;
#else
    const lz::tensor<float, lz::shape<64, 11>> value;
#endif
    return lz::eval(lz::sum(x), lz::at(x = value));
}
