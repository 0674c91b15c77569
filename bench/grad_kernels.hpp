#pragma once
// The six gradient kernels compared by grad_bench (time) and by
// scripts/disasm (assembly, callgrind instruction counts): for each of three
// functions, the gradient leibniz generates (`grad_<f>_leibniz`) and a careful
// hand-written gradient of the same function (`grad_<f>_hand`).
//
// Every kernel reads its inputs through `in` and writes its gradient through
// `out`, and is compiled out of line in grad_kernels.cpp ([[gnu::noinline]],
// C linkage, so that the symbol is the plain name for objdump and callgrind):
// no input is a compile-time constant, and both sides pay the same call.
//
//   two_path   o = cos(w²) + sin(w²)                          in: w                       out: do/dw
//   net        L = (sigmoid(w2·relu(w1·x + b1) + b2) − t)²    in: w1, b1, w2, b2, x, t    out: dL/dw1, db1, dw2, db2
//   chain      a 30-node chain over a, b, c, d (see grad_kernels.cpp)   in: a, b, c, d   out: d/da, d/db, d/dc, d/dd

#include <array>
#include <cstddef>
#include <string_view>

extern "C" {
void grad_two_path_leibniz(const double* in, double* out);
void grad_two_path_hand(const double* in, double* out);
void grad_net_leibniz(const double* in, double* out);
void grad_net_hand(const double* in, double* out);
void grad_chain_leibniz(const double* in, double* out);
void grad_chain_hand(const double* in, double* out);
}

namespace grad_kernels {

using kernel_fn = void (*)(const double*, double*);

// The points the benchmark and the callgrind driver cycle through: each row
// holds the inputs of one call (only the first `inputs` entries are read).
inline constexpr std::size_t max_inputs = 6;
inline constexpr std::size_t point_count = 16;
using point_table = std::array<std::array<double, max_inputs>, point_count>;

// w in [0.3, 1.8]: w² crosses the regions where cos and sin change sign.
inline constexpr point_table two_path_points = [] {
    point_table p{};
    for (std::size_t i = 0; i < point_count; ++i) p[i][0] = 0.3 + 0.1 * static_cast<double>(i);
    return p;
}();

// w1, b1, w2, b2, x, t. Mostly on the active side of the relu (w1·x + b1 > 0),
// with a quarter of the points on the flat side (rows 3, 7, 11, 15), and the
// sigmoid's argument on both sides of 0.
inline constexpr point_table net_points = [] {
    point_table p{};
    for (std::size_t i = 0; i < point_count; ++i) {
        const double s = static_cast<double>(i) / static_cast<double>(point_count);
        const bool flat = i % 4 == 3;
        p[i] = {0.5 + s, flat ? -1.5 : 0.1 - 0.2 * s, 1.2 - 2.0 * s, -0.3 + 0.4 * s, 0.8 + 0.5 * s, i % 2 ? 1.0 : 0.0};
    }
    return p;
}();

// a, b, c, d in [0.2, 1.3].
inline constexpr point_table chain_points = [] {
    point_table p{};
    for (std::size_t i = 0; i < point_count; ++i) {
        const double s = static_cast<double>(i) / static_cast<double>(point_count);
        p[i] = {0.2 + s, 1.3 - s, 0.4 + 0.5 * s, 0.9 - 0.4 * s, 0.0, 0.0};
    }
    return p;
}();

struct function_info {
    std::string_view name;
    std::size_t inputs;
    std::size_t outputs;
    const point_table* points;
    kernel_fn leibniz;
    kernel_fn hand;
};

inline constexpr std::array<function_info, 3> functions{{
    {"two_path", 1, 1, &two_path_points, grad_two_path_leibniz, grad_two_path_hand},
    {"net", 6, 4, &net_points, grad_net_leibniz, grad_net_hand},
    {"chain", 4, 4, &chain_points, grad_chain_leibniz, grad_chain_hand},
}};

// The number of distinct nodes of each leibniz expression (checked by a
// static_assert in grad_kernels.cpp).
inline constexpr std::size_t chain_nodes = 30;

}  // namespace grad_kernels
