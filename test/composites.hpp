#pragma once
// The composite law, run by forward_test.cpp and forward_more_test.cpp.
//
// The derivative modes on composite expressions (acceptance criterion 4, and
// 10 for float and dual scalars): several ops, shared subexpressions, several
// leaves. For every composite, at 60 random points of a box (fixed seed,
// points near a kink of the composite rejected):
//
//   jvp == grad          jvp along each leaf == that component of grad, and a
//                        random direction's jvp == grad·direction
//   eval(d) == jvp       lz::eval(lz::d(f, leaf), lenient(env)) for each leaf
//   jacobian == grad     lz::jacobian(f, wrt(all leaves))
//   value_and_grad       == eval and grad (to 1e-14: FMA contraction differs
//                        between the inlined copies of the sweep)
//   hessian              against the FD of grad (Richardson, h = 2⁻¹⁰), and
//                        symmetric; for composites with ≤ 3 leaves also against
//                        eval(d(d(f, a), b))
//   grad                 against the FD of f
//
// Comparisons of modes ("exact"): rel(a, b) = |a − b| / max(|b|, 1e-3·m),
// m = 1 + max_i |∂f/∂leaf_i| (one floor per point: sums in a different order
// lose relative accuracy only on a component that cancels to ≪ the others),
// tolerance 1e-12. FD comparisons: rel = |a − b| / max(|b|, 1e-3·(1 + |f|)),
// for the Hessian 1e-3·m; tolerance 1e-7.

#include "op_cases.hpp"

#include <array>
#include <cstdint>
#include <iomanip>
#include <limits>
#include <random>
#include <string>

namespace lzt {

inline constexpr double exact_tolerance = 1e-12;
inline constexpr double fd_tolerance = 1e-7;
inline constexpr double contraction_tolerance = 1e-14;  // a few ulp, after cancellation

template <class F, class... L>
struct composite {
    static constexpr std::size_t n = sizeof...(L);
    using point = std::array<double, n>;
    std::string_view name;
    F f;
    std::tuple<L...> leaves;
    std::array<std::pair<double, double>, n> box;
    bool (*valid)(const point&);
};

template <class F, class... L>
composite<F, L...> composite_of(std::string_view name, F f, std::array<std::pair<double, double>, sizeof...(L)> box,
                        bool (*valid)(const std::array<double, sizeof...(L)>&), L... leaves) {
    return {name, f, {leaves...}, box, valid};
}

template <class C, class T = double>
auto env_at(const C& c, const std::array<T, C::n>& p) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return lz::at((std::get<I>(c.leaves) = p[I])...);
    }(std::make_index_sequence<C::n>{});
}

template <class Tuple>
auto to_array(const Tuple& t) {
    return std::apply([](auto... v) { return std::array{v...}; }, t);
}

template <class C>
auto gradient(const C& c, const typename C::point& p) {
    return to_array(std::apply([&](auto... l) { return lz::grad(c.f, lz::wrt(l...), env_at(c, p)); }, c.leaves));
}

// A reproducible uniform double in [lo, hi) (mt19937_64 is specified exactly).
struct uniform {
    std::mt19937_64 rng{20240601};
    double operator()(double lo, double hi) { return lo + (hi - lo) * double(rng() >> 11) * 0x1p-53; }
};

template <class C>
std::vector<typename C::point> points_of(const C& c, std::size_t count) {
    uniform u;
    std::vector<typename C::point> ps;
    while (ps.size() < count) {
        typename C::point p;
        for (std::size_t i = 0; i < C::n; ++i) p[i] = u(c.box[i].first, c.box[i].second);
        if (c.valid(p)) ps.push_back(p);
    }
    return ps;
}

template <class C>
void composite_law(const C& c) {
    constexpr std::size_t n = C::n;
    double worst_exact = 0, worst_fd = 0, worst_hfd = 0;
    std::size_t count = 0;
    for (const auto& p : points_of(c, 60)) {
        const auto env = env_at(c, p);
        const double value = lz::eval(c.f, env);
        const auto g = gradient(c, p);
        double m = 1;
        for (double gi : g) m = std::max(m, std::abs(gi));
        std::string where = std::string(c.name) + " at (";
        for (std::size_t i = 0; i < n; ++i) where += (i ? ", " : "") + std::to_string(p[i]);
        where += ")";
        auto exact = [&](double a, double b, const std::string& what) {
            const double e = rel_error(a, b, 1e-3 * m);
            worst_exact = std::max(worst_exact, e);
            BOOST_TEST(e <= exact_tolerance, where << ": " << what << " " << a << " vs " << b << " (rel " << e << ")");
        };

        // value_and_grad: the same sweep as eval and grad. Equal up to an ulp or
        // so, not bitwise: with -march=native GCC contracts a·b + c into FMAs
        // differently in differently inlined copies of the same sweep.
        {
            const auto r = std::apply([&](auto... l) { return lz::value_and_grad(c.f, lz::wrt(l...), env); }, c.leaves);
            BOOST_TEST(rel_error(r.value, value, 1e-3 * (1 + std::abs(value))) <= contraction_tolerance,
                       std::setprecision(17) << where << ": value_and_grad value " << r.value << " vs eval " << value);
            const auto rg = to_array(r.gradient);
            for (std::size_t i = 0; i < n; ++i)
                BOOST_TEST(rel_error(rg[i], g[i], 1e-3 * m) <= contraction_tolerance, std::setprecision(17) <<
                           where << ": value_and_grad gradient[" << i << "] " << rg[i] << " vs grad " << g[i]);
        }
        // jacobian
        const auto jac = std::apply([&](auto... l) { return lz::jacobian(c.f, lz::wrt(l...), env); }, c.leaves);
        for (std::size_t i = 0; i < n; ++i) exact(jac[i], g[i], "jacobian[" + std::to_string(i) + "] vs grad");

        // jvp along each leaf, eval(d) along each leaf, FD of f along each leaf
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            auto one = [&]<std::size_t J>(std::integral_constant<std::size_t, J>) {
                const auto leaf = std::get<J>(c.leaves);
                const std::string what = "d/d" + std::string(leaf.name.view());
                const double t = lz::jvp(c.f, env, lz::tangent(leaf = 1.0)).tangent;
                exact(t, g[J], what + " jvp vs grad");
                exact(lz::eval(lz::d(c.f, leaf), lz::lenient(env)), t, what + " eval(d) vs jvp");
                auto along = [&](double s) {
                    auto q = p;
                    q[J] = s;
                    return lz::eval(c.f, env_at(c, q));
                };
                const double fd = richardson<double>(along, p[J], 0x1p-10);
                const double e = rel_error(g[J], fd, 1e-3 * (1 + std::abs(value)));
                worst_fd = std::max(worst_fd, e);
                BOOST_TEST(e <= fd_tolerance,
                           where << ": " << what << " grad " << g[J] << ", FD " << fd << " (rel " << e << ")");
            };
            (one(std::integral_constant<std::size_t, I>{}), ...);

            // A random direction.
            uniform u;
            std::array<double, n> dir;
            for (auto& v : dir) v = u(-1, 1);
            const double t = lz::jvp(c.f, env, lz::tangent((std::get<I>(c.leaves) = dir[I])...)).tangent;
            double dot = 0;
            for (std::size_t i = 0; i < n; ++i) dot += g[i] * dir[i];
            exact(t, dot, "jvp(random direction) vs grad·direction");
        }(std::make_index_sequence<n>{});

        // hessian: symmetric, against the FD of grad, and (small n) against d(d(f)).
        const auto h = std::apply([&](auto... l) { return lz::hessian(c.f, lz::wrt(l...), env); }, c.leaves);
        double mh = 1;
        for (const auto& row : h)
            for (double v : row) mh = std::max(mh, std::abs(v));
        for (std::size_t j = 0; j < n; ++j) {
            std::array<double, n> fd_col;
            for (std::size_t i = 0; i < n; ++i) {
                fd_col[i] = richardson<double>(
                    [&](double s) {
                        auto q = p;
                        q[j] = s;
                        return gradient(c, q)[i];
                    },
                    p[j], 0x1p-10);
                const double e = rel_error(h[i][j], fd_col[i], 1e-3 * mh);
                worst_hfd = std::max(worst_hfd, e);
                BOOST_TEST(e <= fd_tolerance, where << ": hessian[" << i << "][" << j << "] " << h[i][j]
                                                    << ", FD of grad " << fd_col[i] << " (rel " << e << ")");
                const double es = rel_error(h[i][j], h[j][i], 1e-3 * mh);
                BOOST_TEST(es <= exact_tolerance, where << ": hessian not symmetric at " << i << ", " << j);
            }
        }
        if constexpr (n <= 3) {
            [&]<std::size_t... I>(std::index_sequence<I...>) {
                auto row = [&]<std::size_t A>(std::integral_constant<std::size_t, A>) {
                    const auto a = std::get<A>(c.leaves);
                    const auto da = lz::d(c.f, a);
                    auto cell = [&]<std::size_t B>(std::integral_constant<std::size_t, B>) {
                        const double s = lz::eval(lz::d(da, std::get<B>(c.leaves)), lz::lenient(env));
                        const double e = rel_error(s, h[A][B], 1e-3 * mh);
                        worst_exact = std::max(worst_exact, e);
                        BOOST_TEST(e <= exact_tolerance, where << ": eval(d(d(f))) [" << A << "][" << B << "] " << s
                                                               << " vs hessian " << h[A][B] << " (rel " << e << ")");
                    };
                    (cell(std::integral_constant<std::size_t, I>{}), ...);
                };
                (row(std::integral_constant<std::size_t, I>{}), ...);
            }(std::make_index_sequence<n>{});
        }
        ++count;
    }
    BOOST_TEST_MESSAGE(summary("comp", c.name, count, "modes", worst_exact, "grad vs FD", worst_fd)
                       << ", hessian vs FD " << worst_hfd);
}

// Rejects points within 0.05 of a kink of a composite.
inline bool near(double v, double kink) { return std::abs(v - kink) < 0.05; }

// The leaves the composites are built on.
inline constexpr auto w = lz::var<"w">;
inline constexpr auto x = lz::var<"x">;
inline constexpr auto b = lz::var<"b">;
inline constexpr auto t = lz::var<"t">;

}  // namespace lzt
