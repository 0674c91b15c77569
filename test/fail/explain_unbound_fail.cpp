// Diagnostic: lz::explain on a tensor expression with a leaf left unbound (W).
// The one error is "leibniz: a leaf of the expression is not bound" (the leaf
// is the template argument of report_unbound_leaf), not a cascade ending in
// Boost.Hana. With -DLEIBNIZ_TWIN (W bound) it compiles.
#include <leibniz/leibniz.hpp>

#include <string>

namespace lz = leibniz;

constexpr auto x = lz::var<"x", double, lz::shape<4, 3>>;
constexpr auto W = lz::param<"W", double, lz::shape<3, 2>>;

std::string explained(const lz::tensor<double, lz::shape<4, 3>>& xv, const lz::tensor<double, lz::shape<3, 2>>& Wv) {
#ifdef LEIBNIZ_TWIN
    const auto env = lz::at(x = xv, W = Wv);
#else
    const auto env = lz::at(x = xv);
    (void)Wv;
#endif
    return lz::explain(lz::sum(lz::tanh(lz::matmul(x, W))), lz::wrt(W), env);
}
