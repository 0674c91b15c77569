// Tensor laws (tensor_laws.hpp) for transpose (δA = δᵀ): static [17, 3],
// [1, 127] and [64, 64], and [dyn, 17] → [17, dyn] with the batch
// 1, 3, 17, 64, 127 at run time; and transpose(transpose(a)) = a.
#define BOOST_TEST_MODULE tensor_transpose
#include "tensor_laws.hpp"

using lzt::family;
template <std::size_t... E>
using sh = lz::shape<E...>;
constexpr auto dyn = lz::dyn;

namespace {
auto tr = [](auto a) { return lz::transpose(a); };
auto tr_ref = [](const auto& a) { return lzt::ref_transpose(lzt::ref(a)); };
}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(lzt_report);

BOOST_AUTO_TEST_CASE(transpose) {
    lzt::check_all("transpose", {1, 3, 17, 64, 127},
                   family<sh<17, 3>>("[17,3]ᵀ", tr, tr_ref),
                   family<sh<1, 127>>("[1,127]ᵀ", tr, tr_ref),
                   family<sh<64, 64>>("[64,64]ᵀ", tr, tr_ref),
                   family<sh<dyn, 17>>("[dyn,17]ᵀ", tr, tr_ref),
                   family<sh<3, 17>>("(aᵀ)ᵀ", [](auto a) { return lz::transpose(lz::transpose(a)); },
                                     [](const auto& a) { return lzt::to_doubles(a); }));
}
