#pragma once
// lz::eval(f, env[, ws]): f's value, for scalar and tensor expressions alike.
// The forward sweep (core/sweep.hpp) walks the plan's steps in topological
// order: no recursion, no allocation once the workspace exists, no virtual
// call; constexpr for scalar expressions where the ops are. Also the checks
// every entry point makes of its environment.

#include <leibniz/config.hpp>
#include <leibniz/core/bind.hpp>
#include <leibniz/core/domain.hpp>
#include <leibniz/core/dual.hpp>
#include <leibniz/core/workspace.hpp>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/set.hpp>

#include <initializer_list>
#include <type_traits>
#include <utility>

namespace leibniz {

namespace detail {

template <bool Ok, class Leaf>
constexpr bool report_unbound_leaf() {
    static_assert(Ok,
                  "leibniz: a leaf of the expression is not bound; bind it in lz::at(...), e.g. "
                  "lz::at(w = 1.0) (the leaf is the template argument of report_unbound_leaf)");
    return Ok;
}
template <bool Ok, class Leaf>
constexpr bool report_foreign_binding() {
    static_assert(Ok,
                  "leibniz: lz::at(...) binds a name the expression does not contain (the leaf is the "
                  "template argument of report_foreign_binding); remove it, or wrap the environment "
                  "in lz::lenient(...) to ignore extra bindings");
    return Ok;
}

// Every leaf bound; in a strict environment, nothing else bound but the
// leaves of E's domain (domain_of<E>: a derivative may be evaluated where its
// function is). An expression without leaves (a constant, such as a constant
// derivative) takes any environment.
template <class E, class Env>
constexpr bool check_environment() {
    using leaves = leaves_of<E>;
    using domain = domain_of<E>;
    using bound = typename Env::leaves;
    constexpr bool all_bound = []<class... L>(boost::mp11::mp_list<L...>) {
        return all_true<Env::template binds_t<L>::value...>();
    }(leaves{});
    constexpr bool none_foreign = !Env::strict || boost::mp11::mp_empty<domain>::value || []<class... L>(boost::mp11::mp_list<L...>) {
        return all_true<boost::mp11::mp_set_contains<domain, L>::value...>();
    }(bound{});
    if constexpr (!all_bound) {
        return []<class... L>(boost::mp11::mp_list<L...>) {
            return all_true<report_unbound_leaf<Env::template binds_t<L>::value, L>()...>();
        }(leaves{});
    } else if constexpr (!none_foreign) {
        return []<class... L>(boost::mp11::mp_list<L...>) {
            return all_true<report_foreign_binding<boost::mp11::mp_set_contains<domain, L>::value, L>()...>();
        }(bound{});
    } else {
        return true;
    }
}

// The scalar type a sweep computes in: the expression's, or the dual type
// bound to one of its leaves (all dual bindings must agree).
template <class D, class B>
struct pick_dual {
    using type = std::conditional_t<is_dual_v<B>, B, D>;
};
template <class E, class Env>
struct sweep_scalar;
template <class E, bool S, class... B>
struct sweep_scalar<E, environment<S, B...>> {
    using type = boost::mp11::mp_fold<boost::mp11::mp_list<typename B::value_type...>, default_scalar_of<E>,
                                      boost::mp11::mp_quote_trait<pick_dual>::template fn>;
};

}  // namespace detail

template <class E, class Env>
using sweep_scalar_t = typename detail::sweep_scalar<std::remove_cvref_t<E>, std::remove_cvref_t<Env>>::type;

// lz::eval(f, lz::at(w = 0.7)): the value of f at a point. A tensor result is
// an owning lz::tensor (the call allocates a workspace; pass one to avoid it).
template <Expression E, Environment Env>
constexpr auto eval(E e, const Env& env) {
    using F = std::remove_cvref_t<E>;
    if constexpr (!detail::check_environment<F, Env>()) {
        return poison{};  // reported by the check: nothing after it fails
    } else if constexpr (detail::needs_workspace<F>) {
        workspace<F> ws;
        return detail::owned(eval(e, env, ws));
    } else {
        return detail::run_sweeps<F, wrt_t<>, true, false, sweep_scalar_t<F, Env>>(env, nullptr, {}, 0);
    }
}

// lz::eval(f, env, ws): f's value; a tensor result is a view into ws, valid
// until ws's next use.
template <Expression E, Environment Env>
auto eval(E, const Env& env, workspace<std::remove_cvref_t<E>>& ws) {
    using F = std::remove_cvref_t<E>;
    if constexpr (detail::check_environment<F, Env>())
        return detail::tied(detail::run_sweeps_in<F, wrt_t<>, true, false, sweep_scalar_t<F, Env>>(env, ws), ws);
    else
        return poison{};  // reported by the check
}

// A workspace made for another expression: one error naming both (the
// declared return type keeps the caller's code free of further errors).
namespace detail {
template <class F, class WorkspaceExpression>
constexpr void report_foreign_workspace() {
    static_assert(dependent_false<F, WorkspaceExpression>,
                  "leibniz: the workspace was made for another expression; make one per expression, "
                  "lz::workspace ws{f} (the call's expression F and the workspace's expression are the "
                  "template arguments of report_foreign_workspace)");
}
template <class E, class WE>
concept foreign_workspace = !std::same_as<std::remove_cvref_t<E>, WE>;
}  // namespace detail

template <Expression E, Environment Env, class WE>
    requires detail::foreign_workspace<E, WE>
poison eval(E, const Env&, workspace<WE>&) {
    if constexpr (!poisoned<WE>) detail::report_foreign_workspace<std::remove_cvref_t<E>, WE>();
    return {};
}

// A poisoned expression: a check has failed and said so; nothing more to report.
template <Environment Env>
constexpr poison eval(poison, const Env&) {
    return {};
}
template <Environment Env, class WE>
poison eval(poison, const Env&, workspace<WE>&) {
    return {};
}

}  // namespace leibniz
