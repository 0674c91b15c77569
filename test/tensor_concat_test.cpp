// Tensor laws (tensor_laws.hpp) for concat along each axis (δa, δb = the two
// slices of δ): axis 0 of static [3, 17] and [64, 17]; axis 1 of [dyn, 3] and
// [dyn, 17], of [dyn, 1] and [dyn, 127]; rank 3 along axis 0 ([3,2,17] and
// [1,2,17]), axis 1 ([dyn,1,17] and [dyn,3,17]) and axis 2 ([dyn,3,1] and
// [dyn,3,127]); and a leaf concatenated with itself.
#define BOOST_TEST_MODULE tensor_concat
#include "tensor_laws.hpp"

using lzt::family;
template <std::size_t... E>
using sh = lz::shape<E...>;
constexpr auto dyn = lz::dyn;

namespace {
template <std::size_t K>
auto cat = [](auto a, auto b) { return lz::concat(a, b, lz::axis<K>); };
template <std::size_t K>
auto cat_ref = [](const auto& a, const auto& b) { return lzt::ref_concat(lzt::ref(a), lzt::ref(b), K); };
}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(lzt_report);

BOOST_AUTO_TEST_CASE(rank2) {
    lzt::check_all("concat", {1, 3, 17, 64, 127},
                   family<sh<3, 17>, sh<64, 17>>("concat axis 0 [3,17] [64,17]",
                                                 [](auto a, auto b) { return lz::concat(a, b); }, cat_ref<0>),
                   family<sh<dyn, 3>, sh<dyn, 17>>("concat axis 1 [dyn,3] [dyn,17]", cat<1>, cat_ref<1>),
                   family<sh<dyn, 1>, sh<dyn, 127>>("concat axis 1 [dyn,1] [dyn,127]", cat<1>, cat_ref<1>),
                   family<sh<dyn, 17>>("concat axis 1 (a, a)", [](auto a) { return lz::concat(a, a, lz::axis<1>); },
                                       [](const auto& a) { return lzt::ref_concat(lzt::ref(a), lzt::ref(a), 1); }));
}

BOOST_AUTO_TEST_CASE(rank3) {
    lzt::check_all("concat", {1, 3, 17, 64, 127},
                   family<sh<3, 2, 17>, sh<1, 2, 17>>("concat axis 0 [3,2,17] [1,2,17]", cat<0>, cat_ref<0>),
                   family<sh<dyn, 1, 17>, sh<dyn, 3, 17>>("concat axis 1 [dyn,1,17] [dyn,3,17]", cat<1>, cat_ref<1>),
                   family<sh<dyn, 3, 1>, sh<dyn, 3, 127>>("concat axis 2 [dyn,3,1] [dyn,3,127]", cat<2>, cat_ref<2>));
}
