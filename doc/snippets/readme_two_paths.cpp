#include <leibniz/leibniz.hpp>

#include <cstdio>

namespace lz = leibniz;
using namespace lz::literals;

int main() {
    // The notes' two-path graph: o = p + q, p = cos(w²), q = sin(w²).
    constexpr auto w = lz::var<"w">;
    constexpr auto o = lz::cos(lz::pow(w, 2_c)) + lz::sin(lz::pow(w, 2_c));

    std::printf("o     = %s\n", lz::to_string(o).c_str());
    std::printf("do/dw = %s\n", lz::to_string(lz::d(o, w)).c_str());  // a new expression

    const auto at = lz::at(w = 0.7);
    std::printf("at w = 0.7: o = %.6f, do/dw = %.6f\n", lz::eval(o, at), lz::grad(o, w, at));
}
