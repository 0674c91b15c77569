#pragma once
// Reverse mode: grad, value_and_grad.
//
// After the forward sweep, the reverse sweep walks the nodes from the output
// down and hands each operand its share of the node's adjoint (δ), through the
// op's `vjp` rule. What the compiler needs to see to match hand-written code
// (DESIGN §4) is decided here, at compile time, by a plan:
//   - only nodes that depend on a differentiated leaf ("active") get adjoints;
//   - an operand's first contribution is a store, later ones are adds, so no
//     adjoint is ever zeroed and `δ + 0.0` never appears.

#include <leibniz/core/eval.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>
#include <utility>

namespace leibniz {

// lz::wrt(w, x): the leaves to differentiate with respect to, in this order.
template <class... Leaves>
struct wrt_t {
    using leaves = boost::mp11::mp_list<Leaves...>;
    static constexpr std::size_t size = sizeof...(Leaves);
};

namespace detail {
// Every one a leaf. A loop over an array, not `template <Leaf... Leaves>`: that
// is a fold, and clang limits fold nesting to 256 operands.
template <class... L>
constexpr bool all_leaves() {
    return all_true<Leaf<L>...>();
}
}  // namespace detail

template <class... Leaves>
    requires(detail::all_leaves<Leaves...>())
constexpr wrt_t<std::remove_cvref_t<Leaves>...> wrt(Leaves...) {
    return {};
}

template <class W>
struct is_wrt : std::false_type {};
template <class... L>
struct is_wrt<wrt_t<L...>> : std::true_type {};
template <class W>
concept WithRespectTo = is_wrt<std::remove_cvref_t<W>>::value;

// The plan of a reverse sweep over graph G for the leaves in Wrt.
template <class G, class Wrt>
struct reverse_plan {
    using E = edges<G>;
    static constexpr std::size_t n = G::size;

    static constexpr auto make_active() {
        std::array<bool, n> active{};
        [&]<class... L>(boost::mp11::mp_list<L...>) {  // a loop, not a fold: any number of leaves
            const std::array<std::size_t, sizeof...(L)> leaves{G::template index<L>...};
            for (std::size_t i : leaves) active[i] = true;
        }(typename Wrt::leaves{});
        for (std::size_t k = 0; k < n; ++k)
            for (std::size_t e = E::begin[k]; e < E::begin[k + 1]; ++e)
                if (active[E::target[e]]) active[k] = true;
        return active;
    }
    static constexpr std::array<bool, n> active = make_active();

    // store_first[e]: edge e is the first contribution its operand receives
    // in the reverse order (highest consumer first, operands left to right).
    static constexpr auto make_store_first() {
        std::array<bool, E::count + 1> first{};
        std::array<bool, n> seen{};
        seen[n - 1] = true;  // the output's adjoint is the seed
        for (std::size_t k = n; k-- > 0;) {
            if (!active[k]) continue;
            for (std::size_t e = E::begin[k]; e < E::begin[k + 1]; ++e) {
                const std::size_t c = E::target[e];
                if (!active[c]) continue;
                first[e] = !seen[c];
                seen[c] = true;
            }
        }
        return first;
    }
    static constexpr auto store_first = make_store_first();

    // needed[k]: the reverse sweep reads node k's value — an active node's
    // own value when its rule reads y, its operands' when the rule reads them
    // (per the op's traits) — or computing such a value needs it. A sweep that
    // only wants the gradient computes nothing else: grad of softplus(a) reads
    // a, never softplus(a).
    static constexpr auto make_needed() {
        constexpr std::array<op_traits, n> traits = []<class... N>(boost::mp11::mp_list<N...>) {
            return std::array<op_traits, n>{[] {
                if constexpr (is_node<N>::value)
                    return traits_of<typename N::op>();
                else
                    return op_traits{.reads_operands = false};
            }()...};
        }(typename G::nodes{});
        std::array<bool, n> needed{};
        for (std::size_t k = 0; k < n; ++k) {
            if (!active[k]) continue;
            if (traits[k].reads_result) needed[k] = true;
            if (traits[k].reads_operands)
                for (std::size_t e = E::begin[k]; e < E::begin[k + 1]; ++e) needed[E::target[e]] = true;
        }
        for (std::size_t k = n; k-- > 0;)
            if (needed[k])
                for (std::size_t e = E::begin[k]; e < E::begin[k + 1]; ++e) needed[E::target[e]] = true;
        return needed;
    }
    static constexpr std::array<bool, n> needed = make_needed();
};

namespace detail {

template <class Op, std::size_t P, class G, class Y, class... V>
constexpr auto apply_vjp(const G& g, const Y& y, const V&... v) {
    if constexpr (sizeof...(V) == 1)
        return Op::vjp(g, y, v...);
    else
        return Op::template vjp<P>(g, y, v...);
}

// One node's step of the reverse sweep: pass δ_K to each active operand.
// Active and Store are bit masks over the operands (bit P: operand P is
// active / receives its first contribution here, so it is stored, not added).
template <class Step, std::size_t K, std::uint64_t Active, std::uint64_t Store, class Tape>
LEIBNIZ_ALWAYS_INLINE constexpr void reverse_step(const Tape& values, Tape& adjoints) {
    if constexpr (Active != 0) [&]<class Op, std::size_t... C>(op_step<Op, C...>*) LEIBNIZ_ALWAYS_INLINE {
        [&]<std::size_t... P>(std::index_sequence<P...>) LEIBNIZ_ALWAYS_INLINE {
            auto pass = [&]<std::size_t Pos, std::size_t Target>() LEIBNIZ_ALWAYS_INLINE {
                if constexpr ((Active >> Pos) & 1u) {
                    auto contribution = apply_vjp<Op, Pos>(get<K>(adjoints), get<K>(values), get<C>(values)...);
                    if constexpr ((Store >> Pos) & 1u)
                        get<Target>(adjoints) = contribution;
                    else
                        get<Target>(adjoints) += contribution;
                }
            };
            (pass.template operator()<P, C>(), ...);
        }(std::make_index_sequence<sizeof...(C)>{});
    }(static_cast<Step*>(nullptr));
}

template <class Plan, std::size_t K>
constexpr std::uint64_t operand_mask(bool store) {
    std::uint64_t mask = 0;
    for (std::size_t e = Plan::E::begin[K]; e < Plan::E::begin[K + 1]; ++e) {
        const bool bit = store ? Plan::store_first[e] : Plan::active[Plan::E::target[e]];
        if (bit) mask |= std::uint64_t{1} << (e - Plan::E::begin[K]);
    }
    return mask;
}

// The reverse sweep from a given output adjoint δ(f) = seed. grad seeds 1;
// a fused tensor loop seeds the adjoint it loaded for the current elements.
template <class G, class Plan, class T, class Seed>
LEIBNIZ_ALWAYS_INLINE constexpr void reverse_sweep(const tape<G, T>& values, tape<G, T>& adjoints, const Seed& seed) {
    get<G::size - 1>(adjoints) = seed;
    [&]<class... Steps>(boost::mp11::mp_list<Steps...>) LEIBNIZ_ALWAYS_INLINE {
        [&]<std::size_t... I>(std::index_sequence<I...>) LEIBNIZ_ALWAYS_INLINE {
            // Leaves, literals and inactive nodes have an empty Active mask: nothing to pass.
            (void)std::initializer_list<int>{
                (reverse_step<Steps, G::size - 1 - I,
                              Plan::active[G::size - 1 - I] ? operand_mask<Plan, G::size - 1 - I>(false) : 0,
                              operand_mask<Plan, G::size - 1 - I>(true)>(values, adjoints),
                 0)...};
        }(std::index_sequence_for<Steps...>{});
    }(boost::mp11::mp_reverse<steps_t<G>>{});
}

template <class G, class Plan, class T>
LEIBNIZ_ALWAYS_INLINE constexpr void reverse_sweep(const tape<G, T>& values, tape<G, T>& adjoints) {
    reverse_sweep<G, Plan, T>(values, adjoints, value_t<boost::mp11::mp_back<typename G::nodes>, T>(1));
}

template <bool Ok, class Leaf>
constexpr bool report_not_a_leaf_of_expression() {
    static_assert(Ok,
                  "leibniz::grad: a variable in lz::wrt(...) is not a leaf of the expression (it is the "
                  "template argument of report_not_a_leaf_of_expression)");
    return Ok;
}

template <class F, class Wrt>
constexpr bool check_wrt() {
    using G = graph_of<F>;
    return []<class... L>(boost::mp11::mp_list<L...>) {
        return all_true<report_not_a_leaf_of_expression<G::template contains<L>, L>()...>();
    }(typename Wrt::leaves{});
}

template <class F, class Wrt, class Env>
LEIBNIZ_ALWAYS_INLINE constexpr auto run_reverse(const Env& env) {
    using G = graph_of<F>;
    using T = sweep_scalar_t<F, Env>;
    using Plan = reverse_plan<G, Wrt>;
    tape<G, T> values{};
    forward_sweep<G, T>(values, env);
    tape<G, T> adjoints{};
    reverse_sweep<G, Plan, T>(values, adjoints);
    return [&]<class... L>(boost::mp11::mp_list<L...>) {
        return std::pair{get<G::size - 1>(values), std::tuple{get<G::template index<L>>(adjoints)...}};
    }(typename Wrt::leaves{});
}

}  // namespace detail

template <class V, class Gradients>
struct value_and_gradient {
    V value;
    Gradients gradient;
};

namespace detail {
// What grad returns after a failed check (reported there): one poison per leaf
// in wrt, so `auto [dw, dx] = lz::grad(...)` adds no error of its own.
template <class L>
using poison_for = poison;
template <class Wrt>
struct poisoned_gradient;
template <class... L>
struct poisoned_gradient<wrt_t<L...>> {
    using type = std::tuple<poison_for<L>...>;
};
template <class Wrt>
using poisoned_gradient_t = typename poisoned_gradient<std::remove_cvref_t<Wrt>>::type;
}  // namespace detail

// lz::grad(f, lz::wrt(w, x), env): the gradients, in the order of wrt
// (`auto [dw, dx] = ...`). lz::grad(f, w, env): the one gradient.
template <ScalarExpression E, WithRespectTo W, Environment Env>
constexpr auto grad(E, W, const Env& env) {
    using F = std::remove_cvref_t<E>;
    if constexpr (detail::check_environment<F, Env>() && detail::check_wrt<F, std::remove_cvref_t<W>>())
        return detail::run_reverse<F, std::remove_cvref_t<W>>(env).second;
    else
        return detail::poisoned_gradient_t<W>{};  // reported by the check
}

template <ScalarExpression E, Leaf L, Environment Env>
constexpr auto grad(E e, L l, const Env& env) {
    return std::get<0>(grad(e, wrt(l), env));
}

// lz::value_and_grad(f, w, env): {value, ∂f/∂w} for one leaf.
template <ScalarExpression E, Leaf L, Environment Env>
constexpr auto value_and_grad(E e, L l, const Env& env);

// lz::value_and_grad(f, lz::wrt(...), env): {value, gradient} from one sweep.
template <ScalarExpression E, WithRespectTo W, Environment Env>
constexpr auto value_and_grad(E, W, const Env& env) {
    using F = std::remove_cvref_t<E>;
    if constexpr (detail::check_environment<F, Env>() && detail::check_wrt<F, std::remove_cvref_t<W>>()) {
        auto [value, gradient] = detail::run_reverse<F, std::remove_cvref_t<W>>(env);
        return value_and_gradient<decltype(value), decltype(gradient)>{value, gradient};
    } else {
        return value_and_gradient<poison, detail::poisoned_gradient_t<W>>{};  // reported by the check
    }
}

template <ScalarExpression E, Leaf L, Environment Env>
constexpr auto value_and_grad(E e, L l, const Env& env) {
    auto r = value_and_grad(e, wrt(l), env);
    return value_and_gradient<decltype(r.value), std::tuple_element_t<0, decltype(r.gradient)>>{r.value,
                                                                                                std::get<0>(r.gradient)};
}

// A poisoned expression: a check has failed and said so; nothing more to report.
template <WithRespectTo W, Environment Env>
constexpr auto grad(poison, W, const Env&) {
    return detail::poisoned_gradient_t<W>{};
}
template <Leaf L, Environment Env>
constexpr poison grad(poison, L, const Env&) {
    return {};
}
template <WithRespectTo W, Environment Env>
constexpr auto value_and_grad(poison, W, const Env&) {
    return value_and_gradient<poison, detail::poisoned_gradient_t<W>>{};
}
template <Leaf L, Environment Env>
constexpr auto value_and_grad(poison, L, const Env&) {
    return value_and_gradient<poison, poison>{};
}

}  // namespace leibniz
