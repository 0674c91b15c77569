#pragma once
// Forward mode: the same graph evaluated on dual numbers.
//   jvp(f, env, tangent(w = 1.0))      value and directional derivative
//   jacobian(f, wrt(w, x), env)        all partial derivatives in one sweep on dual<T, n>
//   hessian(f, wrt(w, x), env)         forward over reverse: the reverse sweep on dual<T, n>

#include <leibniz/core/reverse.hpp>

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

namespace leibniz {

// lz::tangent(w = 1.0, x = 0.5): the direction of a jvp. Bindings, as in lz::at.
template <class... Bindings>
struct tangent_t {
    boost::hana::tuple<typename Bindings::value_type...> values;
    using leaves = boost::mp11::mp_list<typename Bindings::leaf_type...>;
};

template <class... Leaves, class... Values>
constexpr auto tangent(const binding<Leaves, Values>&... bindings) {
    return tangent_t<binding<Leaves, Values>...>{{bindings.value...}};
}

template <class V, class D>
struct value_and_tangent {
    V value;
    D tangent;
};

namespace detail {

// Rebinds every value of env as dual<T, N>, with tangents from `seed(leaf)`.
template <class T, std::size_t N, bool S, class... B, class Seed>
constexpr auto dualize(const environment<S, B...>& env, Seed seed) {
    using D = dual<T, N>;
    return environment<S, binding<typename B::leaf_type, D>...>{
        {D{T(env.template get<typename B::leaf_type>()), seed(static_cast<typename B::leaf_type*>(nullptr))}...}};
}

// The tangents of leaf B when differentiating along L...: 1 at every position
// where B appears (a leaf named twice in wrt gets both columns, as in grad).
template <class T, class... L>
constexpr auto seed_along = []<class B>(B*) {
    return std::array<T, sizeof...(L)>{(std::is_same_v<B, L> ? T(1) : T(0))...};
};

template <bool Ok, class Leaf>
constexpr bool report_tangent_not_bound() {
    static_assert(Ok,
                  "leibniz::jvp / leibniz::hvp: lz::tangent(...) names a leaf that the environment does not bind "
                  "(it is the template argument of report_tangent_not_bound)");
    return Ok;
}

// Every leaf lz::tangent names is bound by the environment (one error per leaf).
template <class Env, class... L>
constexpr bool check_tangents_bound(boost::mp11::mp_list<L...>) {
    return (report_tangent_not_bound<Env::template binds<L>, L>() && ...);
}

}  // namespace detail

// lz::jvp(f, env, lz::tangent(w = 1.0)): f and its derivative in the direction given.
template <ScalarExpression E, Environment Env, class... TB>
constexpr auto jvp(E, const Env& env, const tangent_t<TB...>& direction) {
    using F = std::remove_cvref_t<E>;
    using T = sweep_scalar_t<F, Env>;
    using TL = typename tangent_t<TB...>::leaves;
    if constexpr (detail::check_environment<F, Env>() && detail::check_tangents_bound<Env>(TL{})) {
        auto seeded = detail::dualize<T, 1>(env, [&]<class L>(L*) {
            std::array<T, 1> t{};
            if constexpr (boost::mp11::mp_contains<TL, L>::value)
                t[0] = T(boost::hana::at_c<boost::mp11::mp_find<TL, L>::value>(direction.values));
            return t;
        });
        const auto y = eval(F{}, seeded);
        return value_and_tangent<T, T>{y.v, y.d[0]};
    }
}

// lz::jacobian(f, lz::wrt(w, x), env): ∂f/∂w, ∂f/∂x by one forward sweep on dual<T, 2>.
template <ScalarExpression E, class... L, Environment Env>
constexpr auto jacobian(E, wrt_t<L...>, const Env& env) {
    using F = std::remove_cvref_t<E>;
    using T = sweep_scalar_t<F, Env>;
    constexpr std::size_t n = sizeof...(L);
    if constexpr (detail::check_environment<F, Env>() && detail::check_wrt<F, wrt_t<L...>>()) {
        auto seeded = detail::dualize<T, n>(env, detail::seed_along<T, L...>);
        return eval(F{}, seeded).d;
    }
}

// lz::hessian(f, lz::wrt(w, x), env): the n×n matrix of second derivatives,
// forward over reverse: the reverse sweep runs on dual<T, n> seeded along each leaf.
template <ScalarExpression E, class... L, Environment Env>
constexpr auto hessian(E, wrt_t<L...>, const Env& env) {
    using F = std::remove_cvref_t<E>;
    using T = sweep_scalar_t<F, Env>;
    constexpr std::size_t n = sizeof...(L);
    if constexpr (detail::check_environment<F, Env>() && detail::check_wrt<F, wrt_t<L...>>()) {
        auto seeded = detail::dualize<T, n>(env, detail::seed_along<T, L...>);
        const auto gradient = detail::run_reverse<F, wrt_t<L...>>(seeded).second;
        std::array<std::array<T, n>, n> h{};
        [&]<std::size_t... I>(std::index_sequence<I...>) { ((h[I] = std::get<I>(gradient).d), ...); }(
            std::make_index_sequence<n>{});
        return h;
    }
}

}  // namespace leibniz
