// Tensor laws (tensor_laws.hpp) for reshape and flatten (the same elements in
// row-major order; δa = δ reshaped back): [dyn, 3, 17] → [dyn, 51] and back,
// static [6, 17] → [3, 34], flatten of [dyn, 3, 17] (keeps the batch) and of
// static [3, 17] (→ [51]), and a reshape between two elementwise ops.
#define BOOST_TEST_MODULE tensor_reshape
#include "tensor_laws.hpp"

using lzt::family;
template <std::size_t... E>
using sh = lz::shape<E...>;
constexpr auto dyn = lz::dyn;

namespace {
auto same = [](const auto& a) { return lzt::to_doubles(a); };
}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(lzt_report);

BOOST_AUTO_TEST_CASE(reshape_and_flatten) {
    lzt::check_all("reshape/flatten", {1, 3, 17, 64, 127},
                   family<sh<dyn, 3, 17>>("reshape [dyn,3,17] → [dyn,51]",
                                          [](auto a) { return lz::reshape<sh<dyn, 51>>(a); }, same),
                   family<sh<dyn, 51>>("reshape [dyn,51] → [dyn,3,17]",
                                       [](auto a) { return lz::reshape<sh<dyn, 3, 17>>(a); }, same),
                   family<sh<6, 17>>("reshape [6,17] → [3,34]", [](auto a) { return lz::reshape<sh<3, 34>>(a); }, same),
                   family<sh<dyn, 3, 17>>("flatten [dyn,3,17]", [](auto a) { return lz::flatten(a); }, same),
                   family<sh<3, 17>>("flatten [3,17]", [](auto a) { return lz::flatten(a); }, same),
                   family<sh<dyn, 3, 17>>("exp(reshape(a*a))",
                                          [](auto a) { return lz::exp(lz::reshape<sh<dyn, 51>>(a * a)); },
                                          [](const auto& a) {
                                              auto y = lzt::to_doubles(a);
                                              for (double& v : y) v = std::exp(v * v);
                                              return y;
                                          }));
}
