// Diagnostics: flat containers bound to tensor leaves (issue 8). Each test
// defines one FAIL_* macro (leibniz_compile_fail(... CASE FAIL_*)), and its one
// error must be ours, first, with g++ and clang++:
//   FAIL_ARRAY_SIZE  a std::array<float, 11> bound to a leaf of shape [3, 4]
//                    "leibniz: the container bound to a leaf does not hold the leaf's number of elements"
//                    (shape<3, 4> and 11 are the template arguments of check_bound_size)
//   FAIL_SCALAR      a std::vector<double> bound to a float leaf
//                    "leibniz: the container bound to a leaf must hold the leaf's scalar type"
//   FAIL_TWO_DYN     a std::vector bound to a leaf of shape [dyn, dyn]
//                    "leibniz: a flat container cannot bind to a leaf with two or more dyn extents"
//   FAIL_TEMPORARY   a temporary std::vector
//                    "leibniz: binding a temporary container would leave the leaf viewing freed memory"
// The twin (-DLEIBNIZ_TWIN, no FAIL_* macro) binds the right containers.
#include <leibniz/leibniz.hpp>

#include <array>
#include <span>
#include <vector>

namespace lz = leibniz;

constexpr auto x = lz::var<"x", float, lz::shape<3, 4>>;
constexpr auto m = lz::var<"m", float, lz::shape<lz::dyn, lz::dyn>>;

float total(const std::vector<float>& values, [[maybe_unused]] const std::vector<double>& doubles,
            [[maybe_unused]] const std::array<float, 11>& eleven, [[maybe_unused]] const std::array<float, 12>& twelve) {
#if defined(FAIL_ARRAY_SIZE)
    const auto env = lz::at(x = eleven);
#elif defined(FAIL_SCALAR)
    const auto env = lz::at(x = doubles);
#elif defined(FAIL_TEMPORARY)
    const auto env = lz::at(x = std::vector<float>(12));
#else
    const auto env = lz::at(x = twelve);
#endif
    const float a = lz::eval(lz::sum(x), env);
#if defined(FAIL_TWO_DYN)
    const auto menv = lz::at(m = values);
#else
    const auto menv = lz::at(m = lz::tensor_view<const float, lz::shape<lz::dyn, lz::dyn>>(values.data(), 2, values.size() / 2));
#endif
    return a + lz::eval(lz::sum(m), menv) + lz::eval(lz::sum(x), lz::at(x = std::span<const float>(values)));
}
