#pragma once
// Exact compile-time rationals: the values of literal constants (2_c, 0.5_c),
// folded exactly when the symbolic derivative simplifies.

#include <cstdint>
#include <numeric>

namespace leibniz {

struct rational {
    std::intmax_t num = 0;
    std::intmax_t den = 1;

    [[nodiscard]] constexpr rational normalized() const {
        std::intmax_t n = num, d = den;
        if (d < 0) {
            n = -n;
            d = -d;
        }
        const std::intmax_t g = std::gcd(n, d);
        return g == 0 ? rational{0, 1} : rational{n / g, d / g};
    }
    friend constexpr rational operator+(rational a, rational b) {
        return rational{a.num * b.den + b.num * a.den, a.den * b.den}.normalized();
    }
    friend constexpr rational operator-(rational a, rational b) {
        return rational{a.num * b.den - b.num * a.den, a.den * b.den}.normalized();
    }
    friend constexpr rational operator*(rational a, rational b) {
        return rational{a.num * b.num, a.den * b.den}.normalized();
    }
    friend constexpr rational operator/(rational a, rational b) {
        return rational{a.num * b.den, a.den * b.num}.normalized();
    }
    friend constexpr rational operator-(rational a) { return {-a.num, a.den}; }
    friend constexpr bool operator==(rational a, rational b) = default;
    [[nodiscard]] constexpr bool is_integer() const { return den == 1; }
};

}  // namespace leibniz
