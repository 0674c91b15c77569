// Tensor laws (tensor_laws.hpp) for max: over all elements and along
// each axis of a rank-3 tensor [dyn, 3, 17] (the batch 1, 3, 17, 64, 127 at
// run time is axis 0's extent), and along axes 1 and 2 of [dyn, 1, 127] (a
// fibre of one element; long fibres with SIMD tails). Ties are checked separately: ties share the gradient evenly.
// max_along_the_only_axis: max(a, axis 0) of a vector [dyn] and [3] is
// rank 0, and obeys the same laws (it did not compile before).
// max_ties_forward_equals_reverse: at ties jvp splits the tangent as grad
// splits the adjoint (the law in tensor_laws.hpp; jvp took the first tie's).
#define BOOST_TEST_MODULE tensor_reduce_max
#include "tensor_laws.hpp"

template <std::size_t... E>
using sh = lz::shape<E...>;
constexpr auto dyn = lz::dyn;

namespace {
auto all = [](auto a) { return lz::max(a); };
template <std::size_t K>
auto along = [](auto a) { return lz::max(a, lz::axis<K>); };
auto all_ref = [](const auto& a) { return lzt::reduce_all(a, lzt::ref_max); };
template <std::size_t K>
auto along_ref = [](const auto& a) { return lzt::reduce_axis(lzt::ref(a), K, lzt::ref_max); };
}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(lzt_report);

// Random inputs have distinct elements; the kinks of max/min are where two
// elements tie, farther than h = 1e-5 from every sample with near certainty.

BOOST_AUTO_TEST_CASE(max) {
    using lzt::family;
    lzt::check_all("max", {1, 3, 17, 64, 127},
                   family<sh<dyn, 3, 17>>("max(a) [dyn,3,17]", all, all_ref),
                   family<sh<dyn, 3, 17>>("max(a, axis 0) [dyn,3,17]", along<0>, along_ref<0>),
                   family<sh<dyn, 3, 17>>("max(a, axis 1) [dyn,3,17]", along<1>, along_ref<1>),
                   family<sh<dyn, 3, 17>>("max(a, axis 2) [dyn,3,17]", along<2>, along_ref<2>),
                   family<sh<dyn, 1, 127>>("max(a, axis 1) [dyn,1,127]", along<1>, along_ref<1>),
                   family<sh<dyn, 1, 127>>("max(a, axis 2) [dyn,1,127]", along<2>, along_ref<2>));
}

BOOST_AUTO_TEST_CASE(max_along_the_only_axis) {
    using lzt::family;
    static_assert(lz::shape_of<decltype(lz::max(lz::var<"w", double, sh<3>>, lz::axis<0>))>::rank == 0);
    lzt::check_all("max", {1, 3, 17, 64, 127},
                   family<sh<dyn>>("max(a, axis 0) [dyn]", along<0>, along_ref<0>),
                   family<sh<3>>("max(a, axis 0) [3]", along<0>, along_ref<0>));
}

BOOST_AUTO_TEST_CASE(max_ties_forward_equals_reverse) { lzt::check_ties_forward_equals_reverse<true>(); }
