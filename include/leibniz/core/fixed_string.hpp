#pragma once
// Compile-time names: a leaf is named by a string that is part of its type,
// so `lz::var<"w">` and `lz::var<"x">` are different types.

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace leibniz {

template <std::size_t N>
struct fixed_string {
    char chars[N]{};

    constexpr fixed_string(const char (&text)[N]) noexcept { std::copy_n(text, N, chars); }

    [[nodiscard]] constexpr std::string_view view() const noexcept { return {chars, N - 1}; }
    [[nodiscard]] static constexpr std::size_t size() noexcept { return N - 1; }

    template <std::size_t M>
    [[nodiscard]] constexpr bool operator==(const fixed_string<M>& other) const noexcept {
        return view() == other.view();
    }
};

}  // namespace leibniz
