// Diagnostic: lz::jvp on a tensor expression with a tangent for a leaf the
// environment does not bind (w: f has only x). Without LEIBNIZ_TWIN this must
// fail with
//   "leibniz::jvp / leibniz::hvp: lz::tangent(...) names a leaf that the environment does not bind"
// (before, the tensor jvp ignored such a tangent silently, where the scalar
// jvp rejected it); with -DLEIBNIZ_TWIN (the tangent names x) it must compile.
#include <leibniz/leibniz.hpp>

namespace lz = leibniz;

constexpr auto x = lz::var<"x", double, lz::shape<3>>;
[[maybe_unused]] constexpr auto w = lz::var<"w", double, lz::shape<3>>;  // used by the failing version only

double directional_derivative() {
    const lz::tensor<double, lz::shape<3>> value{1.0, 2.0, 3.0}, direction{1.0, 0.0, 0.0};
#ifdef LEIBNIZ_TWIN
    const auto r = lz::jvp(lz::sum(lz::exp(x)), lz::at(x = value), lz::tangent(x = direction));
#else
    const auto r = lz::jvp(lz::sum(lz::exp(x)), lz::at(x = value), lz::tangent(w = direction));
#endif
    return r.tangent;
}
