#pragma once
// The catalogue of leibniz's scalar ops, shared by the op tests.
//
// Every op appears once, as a *case*: how to build it from leaves (a generic
// lambda, so the same case builds on double, float or any other leaf), its
// reference value from <cmath> (or the obvious formula), the points at which
// its value is checked (its whole domain: negative, small, large, kinks) and
// the points at which its derivatives are checked against finite differences
// (a narrower range, kinks and ties excluded by a margin), and the local
// length scale L of the op at a point, from which the FD step is chosen.
//
// The laws (ops_values_test, ops_derivatives_test, ops_modes_test,
// ops_float_test, ops_dual_test, ops_reference_test) are written once, as
// templates over a case, and run over every case of the catalogue -- like
// Boost.Hana's laws. Helpers at the end: rel_error (the error measure),
// richardson (the finite difference), summary (the printed figures).

#include <leibniz/scalar.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <string>
#include <initializer_list>
#include <limits>
#include <numbers>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace lzt {

namespace lz = leibniz;
using namespace lz::literals;

// The leaves every case is built on: x (and y for binary ops), of scalar type T.
template <class T>
inline constexpr auto X = lz::var<"x", T>;
template <class T>
inline constexpr auto Y = lz::var<"y", T>;

struct point {
    double x, y;
};

// ---------------------------------------------------------------- sampling

// A linear grid of n points over [lo, hi] (cell centres, so the ends are not
// hit) plus n_log magnitudes spaced logarithmically over [min_mag, max_mag],
// positive if hi > 0 and negated if lo < 0, kept if inside [clip_lo, clip_hi].
inline std::vector<double> spread(double lo, double hi, int n, double min_mag, double max_mag, int n_log,
                                  double clip_lo = -INFINITY, double clip_hi = INFINITY) {
    std::vector<double> p;
    for (int i = 0; i < n; ++i) p.push_back(lo + (hi - lo) * (i + 0.5) / n);
    for (int k = 0; k < n_log; ++k) {
        const double t = n_log == 1 ? 0.0 : double(k) / (n_log - 1);
        const double m = std::exp(std::log(min_mag) + t * (std::log(max_mag) - std::log(min_mag)));
        if (hi > 0 && m >= clip_lo && m <= clip_hi) p.push_back(m);
        if (lo < 0 && -m >= clip_lo && -m <= clip_hi) p.push_back(-m);
    }
    std::sort(p.begin(), p.end());
    p.erase(std::unique(p.begin(), p.end()), p.end());
    return p;
}

inline std::vector<double> with(std::vector<double> p, std::initializer_list<double> extra) {
    p.insert(p.end(), extra.begin(), extra.end());
    std::sort(p.begin(), p.end());
    p.erase(std::unique(p.begin(), p.end()), p.end());
    return p;
}

// Drops the points closer than `margin` to a kink.
inline std::vector<double> away_from(std::vector<double> p, std::initializer_list<double> kinks, double margin) {
    std::erase_if(p, [&](double v) {
        return std::any_of(kinks.begin(), kinks.end(), [&](double k) { return std::abs(v - k) < margin; });
    });
    return p;
}

// Every pair (x, y) with x from xs and y from ys that satisfies keep(x, y).
template <class Keep>
std::vector<point> pairs(const std::vector<double>& xs, const std::vector<double>& ys, Keep keep) {
    std::vector<point> p;
    for (double x : xs)
        for (double y : ys)
            if (keep(x, y)) p.push_back({x, y});
    return p;
}
inline std::vector<point> pairs(const std::vector<double>& xs, const std::vector<double>& ys) {
    return pairs(xs, ys, [](double, double) { return true; });
}

// ---------------------------------------------------------------- cases

using ref1 = double (*)(double);
using ref2 = double (*)(double, double);
using len1 = double (*)(double);
using len2 = double (*)(double, double);

template <class Build>
struct unary_case {
    static constexpr int arity = 1;
    std::string_view name;
    Build build;                 // [](auto a) { return lz::exp(a); }
    ref1 ref;                    // the value, from <cmath> or the formula
    std::vector<double> values;  // points of the value check
    std::vector<double> fd;      // points of the derivative checks (no kinks)
    len1 length;                 // local length scale L(x): FD step = L/1024
};

template <class Build>
struct binary_case {
    static constexpr int arity = 2;
    std::string_view name;
    Build build;  // [](auto a, auto b) { return a * b; }
    ref2 ref;
    std::vector<point> values;
    std::vector<point> fd;
    len2 length_x;  // length scale along x, at (x, y)
    len2 length_y;  // along y
    bool fd_y = true;  // false: ∂/∂y is not defined at these points (checked elsewhere)
};

template <class Build>
unary_case<Build> unary(std::string_view name, Build build, ref1 ref, std::vector<double> values,
                        std::vector<double> fd, len1 length) {
    return {name, build, ref, std::move(values), std::move(fd), length};
}
template <class Build>
binary_case<Build> binary(std::string_view name, Build build, ref2 ref, std::vector<point> values,
                          std::vector<point> fd, len2 length_x, len2 length_y, bool fd_y = true) {
    return {name, build, ref, std::move(values), std::move(fd), length_x, length_y, fd_y};
}

// Length scales.
inline double unit_length(double) { return 1.0; }
inline double magnitude_length(double x) { return std::max(1.0, std::abs(x)); }
inline double self_length(double x) { return std::abs(x); }  // power-like ops, and distance to a kink at 0

// The wide value domain of an op defined on all reals, and the FD domain.
inline std::vector<double> all_reals() { return with(spread(-10, 10, 60, 1e-300, 1e300, 40), {0.0}); }
inline std::vector<double> positive_reals() { return spread(1e-300, 10, 40, 1e-300, 1e300, 80); }
inline std::vector<double> fd_reals() { return spread(-1000, 1000, 60, 1e-3, 1e3, 30); }
inline std::vector<double> fd_positive() { return spread(1e-4, 100, 50, 1e-4, 1e4, 60); }

// ---------------------------------------------------------------- the unary ops

inline auto unary_cases() {
    constexpr double pi = std::numbers::pi;
    return std::tuple{
        unary("neg", [](auto a) { return -a; }, [](double a) { return -a; },  //
              all_reals(), fd_reals(), magnitude_length),
        unary("exp", [](auto a) { return lz::exp(a); }, [](double a) { return std::exp(a); },
              with(spread(-745, 709, 100, 1e-10, 700, 20), {0.0}), spread(-30, 30, 100, 1e-6, 30, 10),
              unit_length),
        unary("log", [](auto a) { return lz::log(a); }, [](double a) { return std::log(a); },  //
              with(positive_reals(), {1.0}), fd_positive(), self_length),
        unary("log1p", [](auto a) { return lz::log1p(a); }, [](double a) { return std::log1p(a); },
              with(spread(-1 + 1e-12, 10, 60, 1e-300, 1e300, 60, -1 + 1e-12), {-0.5, 0.0, -1.0 + 0x1p-40}),
              spread(-0.999, 1000, 60, 1e-6, 1e4, 40, -0.999),
              [](double a) { return 1.0 + a; }),
        unary("expm1", [](auto a) { return lz::expm1(a); }, [](double a) { return std::expm1(a); },
              with(spread(-745, 709, 100, 1e-300, 700, 40), {0.0}), spread(-30, 30, 100, 1e-8, 30, 20),
              unit_length),
        unary("sqrt", [](auto a) { return lz::sqrt(a); }, [](double a) { return std::sqrt(a); },
              with(positive_reals(), {0.0, 1.0, 4.0}), fd_positive(), self_length),
        unary("abs", [](auto a) { return lz::abs(a); }, [](double a) { return std::abs(a); },  //
              all_reals(), fd_reals(), self_length),
        unary("sin", [](auto a) { return lz::sin(a); }, [](double a) { return std::sin(a); },
              with(spread(-1e6, 1e6, 60, 1e-300, 1e6, 40), {0.0}), spread(-100, 100, 100, 1e-6, 100, 10),
              unit_length),
        unary("cos", [](auto a) { return lz::cos(a); }, [](double a) { return std::cos(a); },
              with(spread(-1e6, 1e6, 60, 1e-300, 1e6, 40), {0.0}), spread(-100, 100, 100, 1e-6, 100, 10),
              unit_length),
        unary("tan", [](auto a) { return lz::tan(a); }, [](double a) { return std::tan(a); },
              with(spread(-1.4, 1.4, 100, 1e-300, 1.4, 30), {0.0}), spread(-1.4, 1.4, 100, 1e-6, 1.4, 10),
              [](double a) { return std::min(1.0, pi / 2 - std::abs(a)); }),
        unary("tanh", [](auto a) { return lz::tanh(a); }, [](double a) { return std::tanh(a); },
              with(spread(-50, 50, 100, 1e-300, 50, 30), {0.0}), spread(-20, 20, 100, 1e-6, 20, 10),
              unit_length),
        // Formula references in long double (its own exp/log1p), so they are
        // not a copy of the library's overflow-free formulation.
        unary("sigmoid", [](auto a) { return lz::sigmoid(a); },
              [](double a) { return double(1.0L / (1.0L + std::exp(-static_cast<long double>(a)))); },
              with(spread(-700, 700, 100, 1e-300, 700, 30), {0.0}), spread(-30, 30, 100, 1e-6, 30, 10),
              unit_length),
        unary("softplus", [](auto a) { return lz::softplus(a); },
              [](double a) { return double(std::log1p(std::exp(static_cast<long double>(a)))); },
              with(spread(-700, 700, 100, 1e-300, 700, 30), {0.0}), spread(-30, 30, 100, 1e-6, 30, 10),
              unit_length),
        unary("relu", [](auto a) { return lz::relu(a); }, [](double a) { return a > 0 ? a : 0.0; },  //
              all_reals(), fd_reals(), self_length),
        unary("leaky_relu", [](auto a) { return lz::leaky_relu(a); },
              [](double a) { return a > 0 ? a : 0.01 * a; },  //
              all_reals(), fd_reals(), self_length),
        unary("leaky_relu_0.2", [](auto a) { return lz::leaky_relu(a, 0.2_c); },
              [](double a) { return a > 0 ? a : 0.2 * a; },  //
              all_reals(), fd_reals(), self_length),
        unary("hard_tanh", [](auto a) { return lz::hard_tanh(a); },
              [](double a) { return std::clamp(a, -1.0, 1.0); },
              with(all_reals(), {-1.0, 1.0, -0.5, 0.5}),
              away_from(spread(-100, 100, 100, 1e-3, 100, 20), {-1.0, 1.0}, 1e-3),
              [](double a) { return std::min(std::max(1.0, std::abs(a)), std::abs(std::abs(a) - 1.0)); }),
        unary("pow_2", [](auto a) { return lz::pow(a, 2_c); }, [](double a) { return std::pow(a, 2.0); },
              with(spread(-10, 10, 60, 1e-150, 1e150, 40), {0.0}), fd_reals(), magnitude_length),
        unary("pow_3", [](auto a) { return lz::pow(a, 3_c); }, [](double a) { return std::pow(a, 3.0); },
              with(spread(-10, 10, 60, 1e-100, 1e100, 40), {0.0}), fd_reals(), magnitude_length),
        unary("pow_-2", [](auto a) { return lz::pow(a, -2_c); }, [](double a) { return std::pow(a, -2.0); },
              away_from(spread(-10, 10, 60, 1e-150, 1e150, 40), {0.0}, 1e-300), fd_reals(), self_length),
        unary("pow_0.5", [](auto a) { return lz::pow(a, 0.5_c); }, [](double a) { return std::pow(a, 0.5); },
              with(positive_reals(), {0.0}), fd_positive(), self_length),
        unary("pow_1.5", [](auto a) { return lz::pow(a, 1.5_c); }, [](double a) { return std::pow(a, 1.5); },
              with(spread(1e-300, 10, 40, 1e-300, 1e200, 80), {0.0}), fd_positive(), self_length),
        unary("pow_1", [](auto a) { return lz::pow(a, 1_c); }, [](double a) { return a; },  //
              all_reals(), fd_reals(), magnitude_length),
        unary("pow_0", [](auto a) { return lz::pow(a, 0_c); }, [](double a) { return std::pow(a, 0.0); },
              all_reals(), fd_reals(), magnitude_length),
        // The derivatives of the piecewise ops, as the expressions lz::d builds: piecewise constant.
        unary("step", [](auto a) { return lz::step(a); }, [](double a) { return a > 0 ? 1.0 : 0.0; },  //
              all_reals(), fd_reals(), self_length),
        unary("sign", [](auto a) { return lz::sign(a); },
              [](double a) { return a > 0 ? 1.0 : (a < 0 ? -1.0 : 0.0); },  //
              all_reals(), fd_reals(), self_length),
        unary("leaky_step", [](auto a) { return lz::where(a > 0_c, 1_c, 0.2_c); },
              [](double a) { return a > 0 ? 1.0 : 0.2; },  //
              all_reals(), fd_reals(), self_length),
        unary("inside_unit", [](auto a) { return lz::where(lz::abs(a) < 1_c, 1_c, 0_c); },
              [](double a) { return (a > -1 && a < 1) ? 1.0 : 0.0; },  //
              with(all_reals(), {-1.0, 1.0}), away_from(spread(-100, 100, 100, 1e-3, 100, 20), {-1.0, 1.0}, 1e-3),
              [](double a) { return std::min(std::max(1.0, std::abs(a)), std::abs(std::abs(a) - 1.0)); }),
    };
}

// ---------------------------------------------------------------- the binary ops

inline std::vector<double> wide_both_signs() {  // 24 values, |v| in [1e-150, 1e150]
    return spread(-3, 3, 4, 1e-150, 1e150, 10);
}
inline std::vector<double> fd_both_signs() {  // 12 values, |v| in [1e-3, 1e3]
    return spread(-5, 5, 4, 1e-3, 1e3, 4);
}

inline double x_magnitude(double x, double) { return magnitude_length(x); }
inline double y_magnitude(double, double y) { return magnitude_length(y); }

inline double ln_length(double a, double) {  // along b in a^b = exp(b·log a)
    return std::min(1.0, 1.0 / std::abs(std::log(a)));
}

inline auto binary_cases() {
    const std::vector<double> ties{-2.5, -1.0, 0.0, 0.5, 3.0};
    std::vector<point> minmax_values = pairs(wide_both_signs(), wide_both_signs());
    for (double t : ties) minmax_values.push_back({t, t});
    const auto minmax_fd = pairs(fd_both_signs(), fd_both_signs(), [](double x, double y) {
        return std::abs(x - y) > 1e-3 * std::max(1.0, std::abs(x));
    });
    auto tie_length = [](double x, double y) { return std::abs(x - y); };

    std::vector<point> pow_values = pairs(spread(1e-300, 10, 20, 1e-300, 1e300, 20), spread(-10, 10, 21, 0.5, 1, 2));
    for (double a : {-3.0, -1.5, -0.25})
        for (double b : {-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0}) pow_values.push_back({a, b});
    for (double b : {0.0, 0.5, 1.0, 2.0}) pow_values.push_back({0.0, b});

    return std::tuple{
        binary("add", [](auto a, auto b) { return a + b; }, [](double a, double b) { return a + b; },
               pairs(wide_both_signs(), wide_both_signs()), pairs(fd_both_signs(), fd_both_signs()), x_magnitude,
               y_magnitude),
        binary("sub", [](auto a, auto b) { return a - b; }, [](double a, double b) { return a - b; },
               pairs(wide_both_signs(), wide_both_signs()), pairs(fd_both_signs(), fd_both_signs()), x_magnitude,
               y_magnitude),
        binary("mul", [](auto a, auto b) { return a * b; }, [](double a, double b) { return a * b; },
               pairs(wide_both_signs(), wide_both_signs()), pairs(fd_both_signs(), fd_both_signs()), x_magnitude,
               y_magnitude),
        binary("div", [](auto a, auto b) { return a / b; }, [](double a, double b) { return a / b; },
               pairs(wide_both_signs(), wide_both_signs()), pairs(fd_both_signs(), fd_both_signs()), x_magnitude,
               [](double, double y) { return self_length(y); }),
        binary("pow", [](auto a, auto b) { return lz::pow(a, b); }, [](double a, double b) { return std::pow(a, b); },
               pow_values, pairs(spread(1e-3, 10, 6, 1e-3, 1e3, 6), spread(-5, 5, 10, 0.5, 1, 0)),
               [](double x, double) { return self_length(x); }, ln_length),
        // A negative base with an integer exponent: ∂/∂a only (∂/∂b = y·log(a) is NaN, as in PyTorch).
        binary("pow_negative_base", [](auto a, auto b) { return lz::pow(a, b); },
               [](double a, double b) { return std::pow(a, b); },
               pairs(spread(-1e100, -1e-100, 20, 1e-100, 1e100, 20), {-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0}),
               pairs(spread(-100, -1e-3, 20, 1e-3, 100, 0), {-3.0, -2.0, -1.0, 1.0, 2.0, 3.0}),
               [](double x, double) { return self_length(x); }, ln_length, /*fd_y=*/false),
        binary("max", [](auto a, auto b) { return lz::max(a, b); },
               [](double a, double b) { return std::max(a, b); }, minmax_values, minmax_fd, tie_length, tie_length),
        binary("min", [](auto a, auto b) { return lz::min(a, b); },
               [](double a, double b) { return std::min(a, b); }, minmax_values, minmax_fd, tie_length, tie_length),
        binary("max_share_a", [](auto a, auto b) { return lz::where(a > b, 1_c, 0_c) + 0.5_c * lz::where(a == b, 1_c, 0_c); },
               [](double a, double b) { return a > b ? 1.0 : (a == b ? 0.5 : 0.0); }, minmax_values, minmax_fd,
               tie_length, tie_length),
        binary("max_share_b", [](auto a, auto b) { return lz::where(b > a, 1_c, 0_c) + 0.5_c * lz::where(b == a, 1_c, 0_c); },
               [](double a, double b) { return b > a ? 1.0 : (a == b ? 0.5 : 0.0); }, minmax_values, minmax_fd,
               tie_length, tie_length),
        binary("min_share_a", [](auto a, auto b) { return lz::where(a < b, 1_c, 0_c) + 0.5_c * lz::where(a == b, 1_c, 0_c); },
               [](double a, double b) { return a < b ? 1.0 : (a == b ? 0.5 : 0.0); }, minmax_values, minmax_fd,
               tie_length, tie_length),
        binary("min_share_b", [](auto a, auto b) { return lz::where(b < a, 1_c, 0_c) + 0.5_c * lz::where(b == a, 1_c, 0_c); },
               [](double a, double b) { return b < a ? 1.0 : (a == b ? 0.5 : 0.0); }, minmax_values, minmax_fd,
               tie_length, tie_length),
    };
}

// Runs f(case) for every case of a tuple of cases.
template <class Tuple, class F>
void for_each_case(const Tuple& cases, F&& f) {
    std::apply([&](const auto&... c) { (f(c), ...); }, cases);
}

// ---------------------------------------------------------------- comparisons

// Relative error of `got` against `expected`, with a floor:
//     rel = |got − expected| / max(|expected|, floor)
// Equal values (including equal infinities) have error 0; a NaN on exactly one
// side has error +inf, NaN on both sides 0.
inline double rel_error(double got, double expected, double floor = 0.0) {
    if (std::isnan(got) || std::isnan(expected)) return std::isnan(got) && std::isnan(expected) ? 0.0 : INFINITY;
    if (got == expected) return 0.0;
    const double denom = std::max(std::abs(expected), floor);
    return denom == 0.0 ? INFINITY : std::abs(got - expected) / denom;
}

// The largest power of two ≤ v (v > 0): steps that are exact in binary.
inline double pow2_floor(double v) { return std::exp2(std::floor(std::log2(v))); }

// Central finite difference of f at x with Richardson extrapolation:
//     D(s) = (f(x + s) − f(x − s)) / ((x + s) − (x − s))     (the step as rounded)
//     FD   = (4·D(h/2) − D(h)) / 3                            error O(h⁴)
// computed with the arguments in T (double or float), differences in double.
template <class T, class F>
double richardson(F f, double x, double h) {
    const T xt = static_cast<T>(x);
    auto D = [&](double s) {
        const T xp = static_cast<T>(xt + static_cast<T>(s));
        const T xm = static_cast<T>(xt - static_cast<T>(s));
        return (static_cast<double>(f(xp)) - static_cast<double>(f(xm))) /
               (static_cast<double>(xp) - static_cast<double>(xm));
    };
    return (4.0 * D(h / 2) - D(h)) / 3.0;
}

// One line of the summary printed with --log_level=message: the op, the
// number of points, and the largest errors of two checks.
inline std::string summary(const char* law, std::string_view name, std::size_t n, const char* a, double worst_a,
                           const char* b, double worst_b) {
    char line[200];
    std::snprintf(line, sizeof line, "%-6s %-18s points %4zu  max rel error: %s %.3g, %s %.3g", law, name.data(), n, a,
                  worst_a, b, worst_b);
    return line;
}

}  // namespace lzt
