#pragma once
// Compile-time names: a leaf is named by a string that is part of its type,
// so `lz::var<"w">` and `lz::var<"x">` are different types. Names compose at
// compile time, so a layer can name its parameters as PyTorch's state dict
// does: `lz::to_fixed_string<0>() + ".weight"` is the name "0.weight".

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace leibniz {

template <std::size_t N>
struct fixed_string {
    char chars[N]{};

    constexpr fixed_string() noexcept = default;  // N - 1 NULs: filled by the functions below
    constexpr fixed_string(const char (&text)[N]) noexcept { std::copy_n(text, N, chars); }

    [[nodiscard]] constexpr std::string_view view() const noexcept { return {chars, N - 1}; }
    [[nodiscard]] static constexpr std::size_t size() noexcept { return N - 1; }

    template <std::size_t M>
    [[nodiscard]] constexpr bool operator==(const fixed_string<M>& other) const noexcept {
        return view() == other.view();
    }
};

// a + b: the names one after the other ("0" + ".weight" is "0.weight").
template <std::size_t N, std::size_t M>
[[nodiscard]] constexpr fixed_string<N + M - 1> operator+(const fixed_string<N>& a, const fixed_string<M>& b) noexcept {
    fixed_string<N + M - 1> joined;
    std::copy_n(a.chars, N - 1, joined.chars);
    std::copy_n(b.chars, M, joined.chars + N - 1);
    return joined;
}
template <std::size_t N, std::size_t M>
[[nodiscard]] constexpr fixed_string<N + M - 1> operator+(const fixed_string<N>& a, const char (&b)[M]) noexcept {
    return a + fixed_string<M>(b);
}
template <std::size_t N, std::size_t M>
[[nodiscard]] constexpr fixed_string<N + M - 1> operator+(const char (&a)[N], const fixed_string<M>& b) noexcept {
    return fixed_string<N>(a) + b;
}

namespace detail {
constexpr std::size_t decimal_digits(std::size_t value) noexcept {
    std::size_t digits = 1;
    for (; value >= 10; value /= 10) ++digits;
    return digits;
}
}  // namespace detail

// The decimal digits of Value as a name: to_fixed_string<12>() is "12".
template <std::size_t Value>
[[nodiscard]] constexpr fixed_string<detail::decimal_digits(Value) + 1> to_fixed_string() noexcept {
    fixed_string<detail::decimal_digits(Value) + 1> text;
    std::size_t value = Value;
    for (std::size_t i = detail::decimal_digits(Value); i-- > 0; value /= 10) text.chars[i] = static_cast<char>('0' + value % 10);
    return text;
}

}  // namespace leibniz
