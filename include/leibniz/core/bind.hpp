#pragma once
// Binding environments: `lz::at(w = 0.7, x = 2.0)` maps leaves to values.
// The values are held in a boost::hana::tuple; lookup is by the leaf's type.

#include <leibniz/config.hpp>
#include <leibniz/core/expr.hpp>

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/unpack.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/set.hpp>

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

namespace leibniz {

template <class Leaf, class V>
struct binding {
    using leaf_type = Leaf;
    using value_type = V;
    V value;
};

namespace detail {

template <class Leaf, class V>
constexpr bool check_binding_type() {
    using T = typename Leaf::scalar_type;
    // Accepted: the leaf's own scalar type, a dual number over it (nested forward
    // mode), or an integer (converted exactly, for `w = 1`).
    constexpr bool same_base = std::is_same_v<base_scalar_t<V>, T>;
    constexpr bool integer = std::is_integral_v<V> && !std::is_same_v<V, bool>;
    static_assert(same_base || integer,
                  "leibniz: the value bound to a leaf must have the leaf's scalar type "
                  "(e.g. a double for lz::var<\"w\">, a float for lz::var<\"w\", float>); "
                  "mixing scalar types is not converted silently");
    return same_base || integer;
}

template <class Leaf, class V>
constexpr bool report_not_a_tensor() {
    static_assert(dependent_false<Leaf, V>,
                  "leibniz: a leaf of rank > 0 binds a tensor: an lz::tensor or an lz::tensor_view of the "
                  "leaf's scalar type and shape, or a contiguous container of its elements (std::vector, "
                  "std::array, std::span) (include <leibniz/leibniz.hpp>)");
    return false;
}

// Selects the tensor layer's overload of bind_tensor for a flat contiguous
// container (core/bind_tensor.hpp), found by argument-dependent lookup.
struct flat_values {};

template <class Leaf, class Value>
constexpr auto make_binding(Value&& value) {
    using V = std::remove_cvref_t<Value>;
    // After a failed check a stand-in binding is returned, so the
    // static_assert is the only error (no cascade in the caller's code).
    using stand_in = binding<Leaf, typename Leaf::scalar_type>;
    if constexpr (Leaf::shape_type::rank > 0) {
        // A tensor: the tensor layer checks its type and extents (found by ADL).
        if constexpr (requires { bind_tensor<Leaf>(std::forward<Value>(value)); }) {
            return bind_tensor<Leaf>(std::forward<Value>(value));
        } else if constexpr (requires { bind_tensor<Leaf>(flat_values{}, std::forward<Value>(value)); }) {
            return bind_tensor<Leaf>(flat_values{}, std::forward<Value>(value));  // std::vector, std::array, std::span
        } else {
            report_not_a_tensor<Leaf, V>();
            return stand_in{};
        }
    } else if constexpr (!check_binding_type<Leaf, V>()) {
        return stand_in{};
    } else {
        if constexpr (std::is_integral_v<V>)
            return binding<Leaf, typename Leaf::scalar_type>{static_cast<typename Leaf::scalar_type>(value)};
        else
            return binding<Leaf, V>{value};
    }
}

template <class B>
using leaf_of_binding = typename B::leaf_type;

// What an environment (or a tangent) holds for a bound value: the value
// itself, except a named tensor's address, which becomes a view of it
// (core/bind_tensor.hpp). `W = t` then builds one pointer in the caller's
// function, not a view: a network's main with hundreds of bindings next to
// its fill loops cost g++ -O2 seconds more per binding of a view (L = 128
// MLP of bench/compile_time: 14.8 s for its fills and lz::at, 7.1 s so).
template <class V>
struct env_value {
    using type = V;
    static constexpr const V& of(const V& v) { return v; }
};

}  // namespace detail

// Strict environments reject bindings for names the expression lacks; a
// lenient one (lz::lenient(env)) ignores them, e.g. to evaluate a derivative
// that no longer contains every variable of the original expression.
template <bool Strict, class... Bindings>
struct environment {
    using leaves = boost::mp11::mp_list<typename Bindings::leaf_type...>;
    using values_type = boost::hana::tuple<typename Bindings::value_type...>;
    static constexpr bool strict = Strict;

    values_type values;

    // (mp_set_contains: the leaves are distinct, and mp_contains is a fold, which
    // clang limits to 256 operands.)
    template <class Leaf>
    static constexpr bool binds = boost::mp11::mp_set_contains<leaves, Leaf>::value;
    // The same as a type: what the engine reads per leaf (a variable template
    // instantiated per leaf is a symbol whose name carries the environment).
    template <class Leaf>
    using binds_t = boost::mp11::mp_set_contains<leaves, Leaf>;
    // Where Leaf's value is (a loop, not mp_find, which is a fold).
    template <class Leaf>
    static constexpr std::size_t index_of = [] {
        constexpr std::array<bool, sizeof...(Bindings) + 1> same{std::is_same_v<typename Bindings::leaf_type, Leaf>...,
                                                                 true};
        std::size_t i = 0;
        while (!same[i]) ++i;
        return i;
    }();

    template <class Leaf>
    [[nodiscard]] constexpr const auto& get() const {
        return boost::hana::at_c<index_of<Leaf>>(values);
    }

    // f(bound values...), in the order of `leaves`: the engine reads every
    // binding in one pack expansion (core/tape_layout.hpp).
    template <class F>
    constexpr decltype(auto) unpack(F&& f) const {
        return boost::hana::unpack(values, std::forward<F>(f));
    }

    // A copy with one leaf bound anew: env.with(w = 0.8). The leaf must be
    // bound already, to a value of the same type (a training step or a finite
    // difference changes values, not the shape of the environment).
    template <class Leaf, class V>
    [[nodiscard]] constexpr environment with(const binding<Leaf, V>& b) const {
        static_assert(binds<Leaf>, "leibniz: env.with(...) rebinds a leaf the environment does not bind; "
                                   "add it to lz::at(...) instead");
        environment copy = *this;
        if constexpr (binds<Leaf>) boost::hana::at_c<index_of<Leaf>>(copy.values) = detail::env_value<V>::of(b.value);
        return copy;
    }
};

template <class E>
struct is_environment : std::false_type {};
template <bool S, class... B>
struct is_environment<environment<S, B...>> : std::true_type {};

template <class E>
concept Environment = is_environment<std::remove_cvref_t<E>>::value;

namespace detail {
template <class... Leaves>
constexpr bool check_distinct_names() {
    constexpr bool ok = boost::mp11::mp_is_set<boost::mp11::mp_list<Leaves...>>::value;
    static_assert(ok, "leibniz::at: the same leaf is bound twice");
    return ok;
}

template <bool Strict, class... Leaves, class... Values>
constexpr auto make_environment(const binding<Leaves, Values>&... bindings) {
    using env = environment<Strict, binding<Leaves, typename env_value<Values>::type>...>;
    return env{typename env::values_type{env_value<Values>::of(bindings.value)...}};
}
// A large environment is built in a function of its own, so that the
// caller's function holds the bindings and a call, not every value's copy.
inline constexpr std::size_t inline_environment_limit = 16;
template <bool Strict, class... Leaves, class... Values>
LEIBNIZ_NOINLINE constexpr auto make_environment_out_of_line(const binding<Leaves, Values>&... bindings) {
    return make_environment<Strict>(bindings...);
}
template <bool Strict, class... Leaves, class... Values>
constexpr auto environment_of(const binding<Leaves, Values>&... bindings) {
    if constexpr (sizeof...(Leaves) > inline_environment_limit)
        return make_environment_out_of_line<Strict>(bindings...);
    else
        return make_environment<Strict>(bindings...);
}
}  // namespace detail

// lz::at(w = 0.7, x = 2.0): the point at which to evaluate or differentiate.
// Each leaf is bound once, and no two different leaves share a name (after
// that check's static_assert, the one error, the environment is lenient, so
// the code that uses it reports nothing more).
template <class... Leaves, class... Values>
constexpr auto at(const binding<Leaves, Values>&... bindings) {
    if constexpr (!detail::check_distinct_names<Leaves...>())
        return;
    else if constexpr (!detail::check_names_within<boost::mp11::mp_list<Leaves...>>())
        return detail::environment_of<false>(bindings...);
    else
        return detail::environment_of<true>(bindings...);
}

template <bool S, class... B>
constexpr auto lenient(const environment<S, B...>& env) {
    return environment<false, B...>{env.values};
}

}  // namespace leibniz
