// Tensor laws (tensor_laws.hpp) for dot(a, b) = Σ aᵢ·bᵢ on vectors of length
// 1, 3, 17, 64 and 127 (δa = δ·b, δb = δ·a), and dot(a, a).
// Also the tie rule of the max/min reductions, which random inputs never
// meet: ties share the gradient evenly (torch.amax's convention).
#define BOOST_TEST_MODULE tensor_dot
#include "tensor_laws.hpp"

using lzt::family;
template <std::size_t... E>
using sh = lz::shape<E...>;

namespace {
auto dot = [](auto a, auto b) { return lz::dot(a, b); };
auto dot_ref = [](const auto& a, const auto& b) {
    long double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) s += (long double)a.data()[i] * b.data()[i];
    return std::vector<double>{double(s)};
};
}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(lzt_report);

BOOST_AUTO_TEST_CASE(dot_laws) {
    lzt::check_all("dot", {},
                   family<sh<1>, sh<1>>("dot [1]", dot, dot_ref),
                   family<sh<3>, sh<3>>("dot [3]", dot, dot_ref),
                   family<sh<17>, sh<17>>("dot [17]", dot, dot_ref),
                   family<sh<64>, sh<64>>("dot [64]", dot, dot_ref),
                   family<sh<127>, sh<127>>("dot [127]", dot, dot_ref),
                   family<sh<17>>("dot(a, a)", [](auto a) { return lz::dot(a, a); },
                                  [](const auto& a) { return dot_ref(a, a); }));
}

BOOST_AUTO_TEST_CASE(max_min_ties_share_the_gradient) {
    constexpr auto x = lz::var<"x", double, sh<lz::dyn, 3>>;
    lz::tensor<double, sh<lz::dyn, 3>> v(2);
    // row 0: a three-way tie for the largest; row 1: a two-way tie for the smallest
    const double values[] = {5, 5, 5, -1, 2, -1};
    std::copy(std::begin(values), std::end(values), v.data());

    const auto [g_max] = lz::grad(lz::max(x), lz::wrt(x), lz::at(x = v));  // whole tensor: 3 tie at 5
    const double want_max[] = {1.0 / 3, 1.0 / 3, 1.0 / 3, 0, 0, 0};
    for (std::size_t i = 0; i < 6; ++i) BOOST_TEST(g_max.data()[i] == want_max[i], "max, element " << i);

    const auto [g_min] = lz::grad(lz::min(x), lz::wrt(x), lz::at(x = v));  // whole tensor: 2 tie at -1
    const double want_min[] = {0, 0, 0, 0.5, 0, 0.5};
    for (std::size_t i = 0; i < 6; ++i) BOOST_TEST(g_min.data()[i] == want_min[i], "min, element " << i);

    const auto [g_row] = lz::grad(lz::sum(lz::min(x, lz::axis<1>)), lz::wrt(x), lz::at(x = v));  // per row
    const double want_row[] = {1.0 / 3, 1.0 / 3, 1.0 / 3, 0.5, 0, 0.5};
    for (std::size_t i = 0; i < 6; ++i) BOOST_TEST(g_row.data()[i] == want_row[i], "min along axis 1, element " << i);
}
