// lz::wrt, lz::at and value_and_grad over 300 leaves, at compile time (a
// static test: it passes by compiling). clang limits fold expressions to 256
// operands and g++ instantiation depth to 900, so nothing on the way may fold
// over the leaves or recurse once per node: clang 14 stopped at
// `template <Leaf... Leaves> wrt(...)` with "instantiating fold expression
// with 300 arguments exceeded expression nesting limit of 256", then at the
// environment's and the checks' folds; g++ 12 at the tape's std::conjunction
// over the 899 nodes.
//
// Compile cost, measured with -fsyntax-only on 2 shared cores: g++ 12 ~60 s
// and 2.4 GB, clang 14 ~30 s and 1.4 GB (the 899-node graph, not the checks).
#include <leibniz/leibniz.hpp>

#include <array>
#include <cstddef>
#include <tuple>
#include <utility>

namespace lz = leibniz;

namespace {

constexpr std::size_t n = 300;

// "x000" ... "x299"
template <std::size_t I>
constexpr lz::fixed_string<5> leaf_name() {
    lz::fixed_string<5> s{"x000"};
    s.chars[1] = static_cast<char>('0' + I / 100);
    s.chars[2] = static_cast<char>('0' + I / 10 % 10);
    s.chars[3] = static_cast<char>('0' + I % 10);
    return s;
}
template <std::size_t I>
constexpr auto x = lz::var<leaf_name<I>()>;

// Σ_{Lo <= i < Hi} x_i·x_i, as a balanced tree (depth log2 n, no fold).
template <std::size_t Lo, std::size_t Hi>
constexpr auto sum_of_squares() {
    if constexpr (Hi - Lo == 1)
        return x<Lo> * x<Lo>;
    else
        return sum_of_squares<Lo, (Lo + Hi) / 2>() + sum_of_squares<(Lo + Hi) / 2, Hi>();
}

constexpr double value_at(std::size_t i) { return 0.25 + 0.01 * static_cast<double>(i); }

constexpr auto f = sum_of_squares<0, n>();
static_assert([]<std::size_t... I>(std::index_sequence<I...>) { return lz::wrt(x<I>...).size; }(
                  std::make_index_sequence<n>{}) == n);
constexpr auto computed = []<std::size_t... I>(std::index_sequence<I...>) {
    return lz::value_and_grad(f, lz::wrt(x<I>...), lz::at((x<I> = value_at(I))...));
}(std::make_index_sequence<n>{});

// f = Σ x_i² (the same balanced sum), ∂f/∂x_i = 2·x_i (x + x: exact).
constexpr double expected_value(std::size_t lo, std::size_t hi) {
    return hi - lo == 1 ? value_at(lo) * value_at(lo)
                        : expected_value(lo, (lo + hi) / 2) + expected_value((lo + hi) / 2, hi);
}
static_assert(computed.value == expected_value(0, n));
static_assert(std::get<0>(computed.gradient) == 2 * value_at(0));
static_assert(std::get<137>(computed.gradient) == 2 * value_at(137));
static_assert(std::get<n - 1>(computed.gradient) == 2 * value_at(n - 1));

}  // namespace
