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
        return value_and_gradient<decltype(value), decltype(gradient)>{value, gradient};
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
        return detail::run_sweeps_in<F, Wrt, false, true, sweep_scalar_t<F, Env>>(env, ws).second;
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
template <class F, class Leaves, bool WantValue, class Keep = boost::mp11::mp_list<>, class Env>
auto store_sweeps(const Env& env, workspace<F>& ws) {
    using layout = typename parameters<Leaves>::layout;
    using T = typename layout::scalar_type;
    using G = graph_of<F>;
    using Wrt = boost::mp11::mp_rename<Leaves, wrt_t>;
    using Pins = store_pins<G, layout>;
    const std::size_t batch = batch_extent<G>(env);
    const sweep_layout sweeps = sweep_layout_of<F, Wrt, WantValue, true, T, Pins, Keep>(batch);
    const std::size_t gradient_bytes = round_up(layout::size * sizeof(T));
    std::byte* memory = ws.reserve(gradient_bytes + sweeps.bytes());
    T* gradient = reinterpret_cast<T*>(memory);
    auto r = run_sweeps<F, Wrt, WantValue, true, T, Pins, Keep>(env, memory + gradient_bytes, sweeps, batch, gradient);
    if constexpr (boost::mp11::mp_empty<Keep>::value)
        return std::pair{r.first, parameter_view<T, Leaves>(gradient)};
    else
        return std::tuple{std::get<0>(r), parameter_view<T, Leaves>(gradient), std::get<2>(r)};
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

// ---------------------------------------------------------------- auxiliary outputs

// lz::with_aux(loss, logits, ...): the loss, and subexpressions of it whose
// values a caller wants from the same forward pass (JAX's has_aux): the
// logits for accuracy, a hidden layer, batch statistics.
template <class F, class... Aux>
struct with_aux_t {};

template <Expression F, Expression... Aux>
constexpr with_aux_t<std::remove_cvref_t<F>, std::remove_cvref_t<Aux>...> with_aux(F, Aux...) {
    return {};
}

// What value_and_grad(lz::with_aux(f, a...), ...) returns: aux is a's value
// (a view into ws for a tensor), or a std::tuple of them for several.
template <class V, class Gradients, class Aux>
struct value_gradient_aux {
    V value;
    Gradients gradient;
    Aux aux;
};

namespace detail {
template <bool Ok, class Aux>
constexpr bool report_aux_not_in_loss() {
    static_assert(Ok, "leibniz::with_aux: an auxiliary output is not a subexpression of the loss (it is the "
                      "template argument of report_aux_not_in_loss); with_aux returns values the loss's own "
                      "forward pass computes");
    return Ok;
}
template <class F, class... A>
constexpr bool check_aux() {
    return all_true<report_aux_not_in_loss<graph_of<F>::template contains_t<A>::value, A>()...>();
}
template <class Tuple>
auto aux_result(const Tuple& aux) {
    if constexpr (std::tuple_size_v<Tuple> == 1)
        return std::get<0>(aux);
    else
        return aux;
}
}  // namespace detail

// lz::value_and_grad(lz::with_aux(loss, logits), lz::wrt(...), env, ws):
// {value, gradient, aux}, one forward pass and one backward.
template <class F, class... A, WithRespectTo W, Environment Env>
auto value_and_grad(with_aux_t<F, A...>, W, const Env& env, workspace<F>& ws) {
    using Wrt = std::remove_cvref_t<W>;
    if constexpr (detail::check_scalar_output<F>() && detail::check_environment<F, Env>() &&
                  detail::check_wrt<F, Wrt>() && detail::check_aux<F, A...>()) {
        using T = sweep_scalar_t<F, Env>;
        using Keep = boost::mp11::mp_list<A...>;
        const std::size_t batch = detail::batch_extent<graph_of<F>>(env);
        const detail::sweep_layout layout = detail::sweep_layout_of<F, Wrt, true, true, T, no_pins, Keep>(batch);
        auto [value, gradient, aux] = detail::run_sweeps<F, Wrt, true, true, T, no_pins, Keep>(
            env, ws.reserve(layout.bytes()), layout, batch, nullptr, detail::tied_to<F>{ws});
        auto a = detail::aux_result(aux);
        return value_gradient_aux<decltype(value), decltype(gradient), decltype(a)>{value, gradient, a};
    } else {
        return value_gradient_aux<poison, detail::poisoned_gradient_t<W>, poison>{};  // reported by the check
    }
}

// lz::value_and_grad(lz::with_aux(loss, logits), params, env, ws): the same
// with the gradient laid out like the parameter store.
template <class F, class... A, class Leaves, Environment Env>
auto value_and_grad(with_aux_t<F, A...>, const parameters<Leaves>&, const Env& env, workspace<F>& ws) {
    if constexpr (detail::check_store_call<F, Leaves, Env>() && detail::check_aux<F, A...>()) {
        auto [value, gradient, aux] = detail::store_sweeps<F, Leaves, true, boost::mp11::mp_list<A...>>(env, ws);
        auto a = detail::aux_result(detail::tied(aux, ws));
        return value_gradient_aux<decltype(value), decltype(gradient), decltype(a)>{value, gradient, a};
    } else {
        return value_gradient_aux<poison, poison, poison>{};  // reported by the check
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
