#pragma once
// Reverse mode: grad and value_and_grad, for scalar and tensor expressions
// alike. The forward sweep stores what the backward rules read; the reverse
// sweep (core/sweep.hpp) walks the steps from the output down and hands each
// operand its share of the node's adjoint (δ). What the compiler needs to see
// to match hand-written code (DESIGN §4) is decided at compile time by the
// plan (core/plan.hpp): only nodes that depend on a differentiated leaf get
// adjoints, and an operand's first contribution is a store, later ones adds.

#include <leibniz/core/eval.hpp>
#include <leibniz/core/parameters.hpp>

#include <algorithm>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

namespace leibniz {

// lz::value_and_grad(f, lz::wrt(w, x), env[, ws]): {value, gradient} from one
// sweep; the gradients in the order of wrt. With ws, tensor results are views
// into it (valid until its next use) and nothing is allocated once it has
// grown; without, they are owning tensors.
template <Expression E, WithRespectTo W, Environment Env>
auto value_and_grad(E, W, const Env& env, workspace<std::remove_cvref_t<E>>& ws) {
    using F = std::remove_cvref_t<E>;
    using Wrt = std::remove_cvref_t<W>;
    if constexpr (detail::check_scalar_output<F>() && detail::check_environment<F, Env>() &&
                  detail::check_wrt<F, Wrt>()) {
        auto [value, gradient] = detail::run_sweeps_in<F, Wrt, true, true, sweep_scalar_t<F, Env>>(env, ws);
        auto tied = detail::tied(gradient, ws);
        return value_and_gradient<decltype(value), decltype(tied)>{value, tied};
    } else {
        return value_and_gradient<poison, detail::poisoned_gradient_t<W>>{};  // reported by the check
    }
}

template <Expression E, WithRespectTo W, Environment Env>
constexpr auto value_and_grad(E e, W w, const Env& env) {
    using F = std::remove_cvref_t<E>;
    using Wrt = std::remove_cvref_t<W>;
    if constexpr (!(detail::check_scalar_output<F>() && detail::check_environment<F, Env>() &&
                    detail::check_wrt<F, Wrt>())) {
        return value_and_gradient<poison, detail::poisoned_gradient_t<W>>{};  // reported by the check
    } else if constexpr (detail::needs_workspace<F>) {
        workspace<F> ws;
        auto r = value_and_grad(e, w, env, ws);
        auto gradient = std::apply([](const auto&... g) { return std::tuple{detail::owned(g)...}; }, r.gradient);
        return value_and_gradient<decltype(r.value), decltype(gradient)>{r.value, gradient};
    } else {
        auto [value, gradient] = detail::run_sweeps<F, Wrt, true, true, sweep_scalar_t<F, Env>>(env, nullptr, {}, 0);
        return value_and_gradient<decltype(value), decltype(gradient)>{value, gradient};
    }
}

// lz::grad(f, lz::wrt(w, x), env[, ws]): the gradients, in the order of wrt
// (`auto [dw, dx] = ...`). Its sweep skips what only the value needs.
template <Expression E, WithRespectTo W, Environment Env>
auto grad(E, W, const Env& env, workspace<std::remove_cvref_t<E>>& ws) {
    using F = std::remove_cvref_t<E>;
    using Wrt = std::remove_cvref_t<W>;
    if constexpr (detail::check_scalar_output<F>() && detail::check_environment<F, Env>() &&
                  detail::check_wrt<F, Wrt>())
        return detail::tied(detail::run_sweeps_in<F, Wrt, false, true, sweep_scalar_t<F, Env>>(env, ws).second, ws);
    else
        return detail::poisoned_gradient_t<W>{};  // reported by the check
}

template <Expression E, WithRespectTo W, Environment Env>
constexpr auto grad(E e, W w, const Env& env) {
    using F = std::remove_cvref_t<E>;
    using Wrt = std::remove_cvref_t<W>;
    if constexpr (!(detail::check_scalar_output<F>() && detail::check_environment<F, Env>() &&
                    detail::check_wrt<F, Wrt>())) {
        return detail::poisoned_gradient_t<W>{};  // reported by the check
    } else if constexpr (detail::needs_workspace<F>) {
        workspace<F> ws;
        return std::apply([](const auto&... g) { return std::tuple{detail::owned(g)...}; }, grad(e, w, env, ws));
    } else {
        return detail::run_sweeps<F, Wrt, false, true, sweep_scalar_t<F, Env>>(env, nullptr, {}, 0).second;
    }
}

// One leaf: lz::grad(f, w, env[, ws]) is ∂f/∂w itself, and
// lz::value_and_grad(f, w, env[, ws]) is {value, ∂f/∂w}.
template <Expression E, Leaf L, Environment Env>
constexpr auto grad(E e, L l, const Env& env) {
    return std::get<0>(grad(e, wrt(l), env));
}
template <Expression E, Leaf L, Environment Env>
auto grad(E e, L l, const Env& env, workspace<std::remove_cvref_t<E>>& ws) {
    return std::get<0>(grad(e, wrt(l), env, ws));
}
template <Expression E, Leaf L, Environment Env>
constexpr auto value_and_grad(E e, L l, const Env& env) {
    auto r = value_and_grad(e, wrt(l), env);
    return value_and_gradient<decltype(r.value), std::tuple_element_t<0, decltype(r.gradient)>>{
        r.value, std::move(std::get<0>(r.gradient))};
}
template <Expression E, Leaf L, Environment Env>
auto value_and_grad(E e, L l, const Env& env, workspace<std::remove_cvref_t<E>>& ws) {
    auto r = value_and_grad(e, wrt(l), env, ws);
    return value_and_gradient<decltype(r.value), std::tuple_element_t<0, decltype(r.gradient)>>{r.value,
                                                                                                std::get<0>(r.gradient)};
}

// ---------------------------------------------------------------- parameter stores

namespace detail {
template <class F, class Leaves>
constexpr bool check_store_type() {
    constexpr bool ok = std::is_same_v<typename parameters<Leaves>::scalar_type, default_scalar_of<F>>;
    static_assert(ok, "leibniz::grad: the parameter store's scalar type is not the expression's");
    return ok;
}

// The sweeps of grad with respect to every leaf of a store, the gradients
// written straight into a buffer at the start of ws laid out like the store.
template <class F, class Leaves, bool WantValue, class Env>
auto store_sweeps(const Env& env, workspace<F>& ws) {
    using layout = typename parameters<Leaves>::layout;
    using T = typename layout::scalar_type;
    using G = graph_of<F>;
    using Wrt = boost::mp11::mp_rename<Leaves, wrt_t>;
    using Pins = store_pins<G, layout>;
    const std::size_t batch = batch_extent<G>(env);
    const sweep_layout sweeps = sweep_layout_of<F, Wrt, WantValue, true, T, Pins>(batch);
    const std::size_t gradient_bytes = round_up(layout::size * sizeof(T));
    std::byte* memory = ws.reserve(gradient_bytes + sweeps.bytes());
    T* gradient = reinterpret_cast<T*>(memory);
    auto value = run_sweeps<F, Wrt, WantValue, true, T, Pins>(env, memory + gradient_bytes, sweeps, batch, gradient).first;
    return std::pair{value, parameter_view<T, Leaves>(gradient)};
}

template <class F, class Leaves, class Env>
constexpr bool check_store_call() {
    return check_scalar_output<F>() && check_environment<F, Env>() &&
           check_wrt<F, boost::mp11::mp_rename<Leaves, wrt_t>>() && check_store_type<F, Leaves>();
}
}  // namespace detail

// lz::grad(loss, params, env, ws): the gradient with respect to every
// parameter of the store, laid out like it (an lz::parameter_view into ws,
// valid until ws's next use: grads[W1], grads.flat()), so an optimizer sweeps
// params.flat() and grads.flat() in one pass.
template <Expression E, class Leaves, Environment Env>
auto grad(E, const parameters<Leaves>&, const Env& env, workspace<std::remove_cvref_t<E>>& ws) {
    using F = std::remove_cvref_t<E>;
    if constexpr (detail::check_store_call<F, Leaves, Env>())
        return detail::store_sweeps<F, Leaves, false>(env, ws).second;
    else
        return poison{};  // reported by the check
}
template <Expression E, class Leaves, Environment Env>
auto value_and_grad(E, const parameters<Leaves>&, const Env& env, workspace<std::remove_cvref_t<E>>& ws) {
    using F = std::remove_cvref_t<E>;
    if constexpr (detail::check_store_call<F, Leaves, Env>()) {
        auto [value, gradient] = detail::store_sweeps<F, Leaves, true>(env, ws);
        return value_and_gradient<decltype(value), decltype(gradient)>{value, gradient};
    } else {
        return value_and_gradient<poison, poison>{};  // reported by the check
    }
}
// Without a workspace: the gradient as an owning store (allocates).
template <Expression E, class Leaves, Environment Env>
auto grad(E e, const parameters<Leaves>& params, const Env& env) {
    workspace<std::remove_cvref_t<E>> ws;
    if constexpr (std::is_same_v<decltype(grad(e, params, env, ws)), poison>) {
        return poison{};
    } else {
        const auto view = grad(e, params, env, ws);
        parameters<Leaves> gradient;
        std::copy(view.flat().begin(), view.flat().end(), gradient.flat().begin());
        return gradient;
    }
}

// A workspace made for another expression: one error naming both.
template <Expression E, WithRespectTo W, Environment Env, class WE>
    requires detail::foreign_workspace<E, WE>
detail::poisoned_gradient_t<W> grad(E, W, const Env&, workspace<WE>&) {
    if constexpr (!poisoned<WE>) detail::report_foreign_workspace<std::remove_cvref_t<E>, WE>();
    return {};
}
template <Expression E, Leaf L, Environment Env, class WE>
    requires detail::foreign_workspace<E, WE>
poison grad(E, L, const Env&, workspace<WE>&) {
    if constexpr (!poisoned<WE>) detail::report_foreign_workspace<std::remove_cvref_t<E>, WE>();
    return {};
}
template <Expression E, WithRespectTo W, Environment Env, class WE>
    requires detail::foreign_workspace<E, WE>
value_and_gradient<poison, detail::poisoned_gradient_t<W>> value_and_grad(E, W, const Env&, workspace<WE>&) {
    if constexpr (!poisoned<WE>) detail::report_foreign_workspace<std::remove_cvref_t<E>, WE>();
    return {};
}
template <Expression E, Leaf L, Environment Env, class WE>
    requires detail::foreign_workspace<E, WE>
value_and_gradient<poison, poison> value_and_grad(E, L, const Env&, workspace<WE>&) {
    if constexpr (!poisoned<WE>) detail::report_foreign_workspace<std::remove_cvref_t<E>, WE>();
    return {};
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
template <WithRespectTo W, Environment Env, class WE>
auto grad(poison, W, const Env&, workspace<WE>&) {
    return detail::poisoned_gradient_t<W>{};
}
template <Leaf L, Environment Env, class WE>
poison grad(poison, L, const Env&, workspace<WE>&) {
    return {};
}
template <WithRespectTo W, Environment Env, class WE>
auto value_and_grad(poison, W, const Env&, workspace<WE>&) {
    return value_and_gradient<poison, detail::poisoned_gradient_t<W>>{};
}
template <Leaf L, Environment Env, class WE>
auto value_and_grad(poison, L, const Env&, workspace<WE>&) {
    return value_and_gradient<poison, poison>{};
}

}  // namespace leibniz
