#pragma once
// dual<T, N>: a value and N tangents, for forward mode. Nestable:
// dual<dual<double, 1>, 1> carries second derivatives.
//
// Arithmetic is defined here. The elementary functions (exp, sin, ...) on
// duals are defined by each op's header from that op's tangent rule
// (see lift() below), so the rule for a function lives in one place.

#include <leibniz/core/expr.hpp>

#include <array>
#include <compare>
#include <concepts>
#include <cstddef>
#include <ostream>
#include <type_traits>
#include <utility>

namespace leibniz {

template <class T, std::size_t N = 1>
struct dual;

template <class T>
struct is_dual : std::false_type {};
template <class T, std::size_t N>
struct is_dual<dual<T, N>> : std::true_type {};
template <class T>
inline constexpr bool is_dual_v = is_dual<std::remove_cvref_t<T>>::value;

template <class T, std::size_t N>
struct base_scalar<dual<T, N>> {
    using type = base_scalar_t<T>;
};

template <class T, std::size_t N>
struct dual {
    using value_type = T;
    static constexpr std::size_t tangents = N;

    T v{};                // the value
    std::array<T, N> d{}; // the tangents: directional derivatives of v

    constexpr dual() = default;
    // From a number: a constant, all tangents zero.
    template <class U>
        requires(!is_dual_v<U> && std::constructible_from<T, const U&>) || std::same_as<U, T>
    constexpr dual(const U& value) : v(T(value)) {}
    constexpr dual(const T& value, const std::array<T, N>& tangent) : v(value), d(tangent) {}

    // The i-th unit tangent: the seed of a forward sweep.
    [[nodiscard]] static constexpr dual variable(const T& value, std::size_t i) {
        dual r{value};
        r.d[i] = T(1);
        return r;
    }

    // ------------------------------------------------------------ arithmetic
    friend constexpr dual operator+(const dual& a) { return a; }
    friend constexpr dual operator-(const dual& a) {
        dual r{-a.v};
        for (std::size_t i = 0; i < N; ++i) r.d[i] = -a.d[i];
        return r;
    }
    friend constexpr dual operator+(const dual& a, const dual& b) {
        dual r{a.v + b.v};
        for (std::size_t i = 0; i < N; ++i) r.d[i] = a.d[i] + b.d[i];
        return r;
    }
    friend constexpr dual operator-(const dual& a, const dual& b) {
        dual r{a.v - b.v};
        for (std::size_t i = 0; i < N; ++i) r.d[i] = a.d[i] - b.d[i];
        return r;
    }
    friend constexpr dual operator*(const dual& a, const dual& b) {
        dual r{a.v * b.v};
        for (std::size_t i = 0; i < N; ++i) r.d[i] = a.d[i] * b.v + a.v * b.d[i];
        return r;
    }
    friend constexpr dual operator/(const dual& a, const dual& b) {
        dual r{a.v / b.v};
        for (std::size_t i = 0; i < N; ++i) r.d[i] = (a.d[i] - r.v * b.d[i]) / b.v;
        return r;
    }
    constexpr dual& operator+=(const dual& b) { return *this = *this + b; }
    constexpr dual& operator-=(const dual& b) { return *this = *this - b; }
    constexpr dual& operator*=(const dual& b) { return *this = *this * b; }
    constexpr dual& operator/=(const dual& b) { return *this = *this / b; }

    // With a plain number s (a constant): no tangent arithmetic wasted on zeros.
    template <class S>
    static constexpr bool is_constant = std::same_as<S, T> || (!is_dual_v<S> && std::constructible_from<T, const S&>);

    template <class S> requires is_constant<S>
    friend constexpr dual operator+(const dual& a, const S& s) { return dual{a.v + T(s), a.d}; }
    template <class S> requires is_constant<S>
    friend constexpr dual operator+(const S& s, const dual& a) { return dual{T(s) + a.v, a.d}; }
    template <class S> requires is_constant<S>
    friend constexpr dual operator-(const dual& a, const S& s) { return dual{a.v - T(s), a.d}; }
    template <class S> requires is_constant<S>
    friend constexpr dual operator-(const S& s, const dual& a) { return T(s) + (-a); }
    template <class S> requires is_constant<S>
    friend constexpr dual operator*(const dual& a, const S& s) {
        dual r{a.v * T(s)};
        for (std::size_t i = 0; i < N; ++i) r.d[i] = a.d[i] * T(s);
        return r;
    }
    template <class S> requires is_constant<S>
    friend constexpr dual operator*(const S& s, const dual& a) { return a * s; }
    template <class S> requires is_constant<S>
    friend constexpr dual operator/(const dual& a, const S& s) {
        dual r{a.v / T(s)};
        for (std::size_t i = 0; i < N; ++i) r.d[i] = a.d[i] / T(s);
        return r;
    }
    template <class S> requires is_constant<S>
    friend constexpr dual operator/(const S& s, const dual& a) { return dual{T(s)} / a; }

    // ------------------------------------------------------------ comparison
    // Duals compare by value, so piecewise rules (relu, abs, max) branch on the
    // value exactly as they do on plain numbers.
    friend constexpr bool operator==(const dual& a, const dual& b) { return a.v == b.v; }
    friend constexpr auto operator<=>(const dual& a, const dual& b) { return a.v <=> b.v; }
    template <class S> requires is_constant<S>
    friend constexpr bool operator==(const dual& a, const S& s) { return a.v == T(s); }
    template <class S> requires is_constant<S>
    friend constexpr auto operator<=>(const dual& a, const S& s) { return a.v <=> T(s); }

    friend std::ostream& operator<<(std::ostream& os, const dual& a) {
        os << a.v << " + [";
        for (std::size_t i = 0; i < N; ++i) os << (i ? ", " : "") << a.d[i];
        return os << "]ε";
    }
};

// The tensor sweeps keep duals in workspace bytes from ::operator new and
// use them through a cast pointer, with no constructor call. That is defined
// because dual is an implicit-lifetime type (C++20 [class.prop]: a trivial
// copy constructor and a trivial destructor), so the allocation creates the
// objects: keep it so.
static_assert(std::is_trivially_copy_constructible_v<dual<double, 1>> &&
                  std::is_trivially_destructible_v<dual<double, 1>> &&
                  std::is_trivially_copy_constructible_v<dual<dual<float, 2>, 3>>,
              "leibniz::dual must stay an implicit-lifetime type (see the comment above)");

// The value of a (possibly nested) dual, all the way down.
template <class T>
constexpr auto primal(const T& x) {
    if constexpr (is_dual_v<T>)
        return primal(x.v);
    else
        return x;
}

// Applies an op to dual operands: the value by the op's own rule on the
// values, each tangent by the op's tangent rule (`jvp`). This is the only
// place forward mode is implemented; ops only state their rules.
template <class Op, class T, std::size_t N, class... Rest>
constexpr dual<T, N> lift(const dual<T, N>& a, const Rest&... rest);

namespace detail {
// Zero in value and in every tangent, at every level of nesting.
template <class T>
constexpr bool is_zero_tangent(const T& t) {
    if constexpr (is_dual_v<T>) {
        if (!is_zero_tangent(t.v)) return false;
        for (const auto& e : t.d)
            if (!is_zero_tangent(e)) return false;
        return true;
    } else {
        return t == T(0);
    }
}

template <class Op, class... V>
constexpr auto apply_value(const V&... v) {
    if constexpr ((is_dual_v<V> || ...))
        return lift<Op>(v...);
    else
        return Op::value(v...);
}

template <class Op, std::size_t P, class G, class Y, class... V>
constexpr auto apply_jvp(const G& t, const Y& y, const V&... v) {
    if constexpr (sizeof...(V) == 1)
        return Op::jvp(t, y, v...);
    else
        return Op::template jvp<P>(t, y, v...);
}
}  // namespace detail

// The tangent of Op's result, operand by operand. A zero tangent contributes
// nothing even where the operand's partial is infinite or NaN (sqrt at 0,
// pow's ∂/∂b at a < 0): the zero is structural, as in JAX, not 0·inf = NaN.
template <class Op, class T, std::size_t N, class... Rest>
constexpr dual<T, N> lift(const dual<T, N>& a, const Rest&... rest) {
    static_assert((std::is_same_v<Rest, dual<T, N>> && ...), "leibniz::lift: operands must share one dual type");
    dual<T, N> r{detail::apply_value<Op>(a.v, rest.v...)};
    for (std::size_t i = 0; i < N; ++i) {
        [&]<std::size_t... P>(std::index_sequence<P...>) {
            const std::array<const dual<T, N>*, sizeof...(P)> ops{&a, &rest...};
            T sum = T(0);
            ((detail::is_zero_tangent(ops[P]->d[i])
                  ? void()
                  : void(sum = sum + detail::apply_jvp<Op, P>(ops[P]->d[i], r.v, a.v, rest.v...))),
             ...);
            r.d[i] = sum;
        }(std::make_index_sequence<1 + sizeof...(Rest)>{});
    }
    return r;
}

}  // namespace leibniz
