#pragma once
// lz::workspace ws{f}: the memory of f's tensor tape, allocated once and reused.
// eval, grad and value_and_grad take it as their last argument and then
// allocate nothing: the buffers grow only when a larger batch arrives.
// Results for tensors are views into the workspace, valid until its next use;
// the overloads without a workspace return owning tensors instead. Each use
// (each reserve) advances the workspace's generation counter, and the views it
// returns are tied to it: with LEIBNIZ_CHECK_VIEWS (debug builds), reading one
// after a later use fails with detail::stale_workspace_view.

#include <leibniz/core/eval.hpp>
#include <leibniz/core/reverse.hpp>
#include <leibniz/core/sweep.hpp>

#include <cstddef>
#include <new>
#include <tuple>
#include <type_traits>
#include <utility>

namespace leibniz {

template <Expression E>
class workspace {
public:
    workspace() = default;
    explicit workspace(E) {}
    workspace(const workspace&) = delete;
    workspace& operator=(const workspace&) = delete;
    // A move invalidates the views of both workspaces.
    workspace(workspace&& other) noexcept
        : data_(std::exchange(other.data_, nullptr)), capacity_(std::exchange(other.capacity_, 0)) {
        ++other.generation_;
    }
    workspace& operator=(workspace&& other) noexcept {
        std::swap(data_, other.data_);
        std::swap(capacity_, other.capacity_);
        ++generation_;
        ++other.generation_;
        return *this;
    }
    ~workspace() { release(); }

    // At least `bytes` bytes, 64-byte aligned; allocates only to grow. Every
    // call on the workspace starts here: it invalidates the views returned before.
    std::byte* reserve(std::size_t bytes) {
        ++generation_;
        if (bytes > capacity_) {
            release();
            data_ = static_cast<std::byte*>(::operator new(bytes, std::align_val_t{tensor_alignment}));
            capacity_ = bytes;
        }
        return data_;
    }
    [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
    // How many times it has been used (reserved) or moved; the views it
    // returned are valid while this is unchanged.
    [[nodiscard]] const std::size_t& generation() const noexcept { return generation_; }

private:
    void release() noexcept {
        if (data_) ::operator delete(data_, std::align_val_t{tensor_alignment});
        data_ = nullptr;
        capacity_ = 0;
    }
    std::byte* data_ = nullptr;
    std::size_t capacity_ = 0;
    std::size_t generation_ = 0;
};

template <Expression E>
workspace(E) -> workspace<E>;

namespace detail {

template <class T>
T as_result(const T& scalar) {
    return scalar;
}
template <class T, class S>
tensor_view<const T, S> as_result(const tensor_view<T, S>& view) {
    return view;
}
// A result of a call on ws, tied to ws's generation (see tensor_view::valid_while_unchanged).
inline constexpr const char* stale_workspace_view =
    "leibniz: this view into a workspace was invalidated by a later call on the same workspace "
    "(views are valid until the workspace's next use; copy one with lz::to_tensor to keep it)";
template <class T, class F>
T tied(const T& scalar, const workspace<F>&) {
    return scalar;
}
template <class T, class S, class F>
tensor_view<T, S> tied(const tensor_view<T, S>& view, const workspace<F>& ws) {
    return view.valid_while_unchanged(ws.generation(), stale_workspace_view);
}
template <class... R, class F>
std::tuple<R...> tied(const std::tuple<R...>& results, const workspace<F>& ws) {
    return std::apply([&](const auto&... r) { return std::tuple<R...>{tied(r, ws)...}; }, results);
}

template <class T>
T owned(const T& scalar) {
    return scalar;
}
template <class T, class S>
tensor<std::remove_const_t<T>, S> owned(const tensor_view<T, S>& view) {
    return to_tensor(view);
}

template <class F>
constexpr bool check_scalar_output() {
    constexpr bool ok = shape_of<F>::rank == 0;
    static_assert(ok, "leibniz::grad: the expression must be a scalar (rank 0) to take its gradient; reduce it "
                      "first, e.g. with lz::sum or lz::mean");
    return ok;
}

// The workspace of grad's sweeps over F on element type T, computed once per
// call: the value and adjoint buffers, then the scratch (in bytes).
struct reverse_layout {
    std::size_t buffers, scratch;
    [[nodiscard]] std::size_t bytes() const noexcept { return buffers + scratch; }
};
template <class F, class Wrt, bool WantValue, class T>
reverse_layout reverse_layout_of(std::size_t batch) {
    using G = graph_of<F>;
    return {tensor_bytes<G, fusion_plan<G, Wrt, WantValue>, T>(batch, true), scratch_bytes<G, T>(batch)};
}

// grad's forward and reverse sweeps on element type T — the leaves' own, or
// dual numbers for hvp — with the tape laid out at `memory` (layout.bytes()
// bytes, layout from reverse_layout_of<F, Wrt, WantValue, T>(batch)): f's
// value and, in wrt order, each leaf's adjoint (a view into memory for a
// tensor leaf).
template <class F, class Wrt, bool WantValue, class T, class Env>
auto reverse_sweeps(const Env& env, std::byte* memory, reverse_layout layout, std::size_t batch) {
    using G = graph_of<F>;
    using Plan = fusion_plan<G, Wrt, WantValue>;
    tensor_tape<G, Plan, T> values{};
    tensor_tape<G, Plan, T> adjoints{};
    lay_out<G, Plan, T>(values, &adjoints, env, memory, batch);
    const sweep_context context{std::span<std::byte>(memory + layout.buffers, layout.scratch), batch};
    tensor_forward_sweep<G, Plan, T>(values, env, context);
    tensor_reverse_sweep<G, Plan, T>(values, adjoints, context);
    return [&]<class... L>(boost::mp11::mp_list<L...>) {
        return std::pair{get<G::size - 1>(values), std::tuple{as_result(get<G::template index<L>>(adjoints))...}};
    }(typename Wrt::leaves{});
}

template <class F, class Wrt, bool WantValue, class Env>
auto tensor_value_and_grad(const Env& env, workspace<F>& ws) {
    using T = default_scalar_of<F>;
    const std::size_t batch = batch_extent<graph_of<F>>(env);
    const reverse_layout layout = reverse_layout_of<F, Wrt, WantValue, T>(batch);
    auto [value, gradient] = reverse_sweeps<F, Wrt, WantValue, T>(env, ws.reserve(layout.bytes()), layout, batch);
    return std::pair{value, tied(gradient, ws)};
}

}  // namespace detail

// lz::eval(f, env, ws): f's value; a tensor result is a view into ws.
template <TensorExpression E, Environment Env>
auto eval(E, const Env& env, workspace<std::remove_cvref_t<E>>& ws) {
    using F = std::remove_cvref_t<E>;
    if constexpr (detail::check_environment<F, Env>()) {
        using G = graph_of<F>;
        using Plan = fusion_plan<G, wrt_t<>>;
        using T = default_scalar_of<F>;
        const std::size_t batch = detail::batch_extent<G>(env);
        const std::size_t buffers = tensor_bytes<G, Plan, T>(batch, false), scratch = scratch_bytes<G, T>(batch);
        std::byte* memory = ws.reserve(buffers + scratch);
        tensor_tape<G, Plan, T> values{};
        lay_out<G, Plan, T>(values, static_cast<tensor_tape<G, Plan, T>*>(nullptr), env, memory, batch);
        tensor_forward_sweep<G, Plan, T>(values, env, sweep_context{std::span<std::byte>(memory + buffers, scratch), batch});
        return detail::tied(detail::as_result(get<G::size - 1>(values)), ws);
    } else {
        return poison{};  // reported by the check
    }
}

// lz::eval(f, env): f's value, owning (allocates a workspace for the call).
template <TensorExpression E, Environment Env>
auto eval(E e, const Env& env) {
    workspace<std::remove_cvref_t<E>> ws;
    return detail::owned(eval(e, env, ws));
}

// lz::grad(f, lz::wrt(W, b), env, ws): gradients in wrt order; tensors are views into ws.
template <TensorExpression E, WithRespectTo W, Environment Env>
auto grad(E, W, const Env& env, workspace<std::remove_cvref_t<E>>& ws) {
    using F = std::remove_cvref_t<E>;
    if constexpr (detail::check_scalar_output<F>() && detail::check_environment<F, Env>() &&
                  detail::check_wrt<F, std::remove_cvref_t<W>>())
        return detail::tensor_value_and_grad<F, std::remove_cvref_t<W>, false>(env, ws).second;
    else
        return detail::poisoned_gradient_t<W>{};  // reported by the check
}

template <TensorExpression E, WithRespectTo W, Environment Env>
auto grad(E e, W w, const Env& env) {
    workspace<std::remove_cvref_t<E>> ws;
    if constexpr (std::is_void_v<decltype(grad(e, w, env, ws))>)  // a failed check, reported there
        return grad(e, w, env, ws);
    else
        return std::apply([](const auto&... g) { return std::tuple{detail::owned(g)...}; }, grad(e, w, env, ws));
}

// One leaf: lz::grad(f, W, env[, ws]) is ∂f/∂W itself, as for scalar expressions.
template <TensorExpression E, Leaf L, Environment Env>
auto grad(E e, L l, const Env& env, workspace<std::remove_cvref_t<E>>& ws) {
    return std::get<0>(grad(e, wrt(l), env, ws));
}
template <TensorExpression E, Leaf L, Environment Env>
auto grad(E e, L l, const Env& env) {
    return std::get<0>(grad(e, wrt(l), env));
}

template <TensorExpression E, WithRespectTo W, Environment Env>
auto value_and_grad(E, W, const Env& env, workspace<std::remove_cvref_t<E>>& ws) {
    using F = std::remove_cvref_t<E>;
    if constexpr (detail::check_scalar_output<F>() && detail::check_environment<F, Env>() &&
                  detail::check_wrt<F, std::remove_cvref_t<W>>()) {
        auto [value, gradient] = detail::tensor_value_and_grad<F, std::remove_cvref_t<W>, true>(env, ws);
        return value_and_gradient<decltype(value), decltype(gradient)>{value, gradient};
    } else {
        return value_and_gradient<poison, detail::poisoned_gradient_t<W>>{};  // reported by the check
    }
}

template <TensorExpression E, WithRespectTo W, Environment Env>
auto value_and_grad(E e, W w, const Env& env) {
    workspace<std::remove_cvref_t<E>> ws;
    if constexpr (std::is_void_v<decltype(value_and_grad(e, w, env, ws))>) {  // a failed check, reported there
        return value_and_grad(e, w, env, ws);
    } else {
        auto r = value_and_grad(e, w, env, ws);
        auto gradient = std::apply([](const auto&... g) { return std::tuple{detail::owned(g)...}; }, r.gradient);
        return value_and_gradient<decltype(r.value), decltype(gradient)>{r.value, gradient};
    }
}

// One leaf: {value, ∂f/∂W}.
template <TensorExpression E, Leaf L, Environment Env>
auto value_and_grad(E e, L l, const Env& env, workspace<std::remove_cvref_t<E>>& ws) {
    auto r = value_and_grad(e, wrt(l), env, ws);
    return value_and_gradient<decltype(r.value), std::tuple_element_t<0, decltype(r.gradient)>>{r.value,
                                                                                                std::get<0>(r.gradient)};
}
template <TensorExpression E, Leaf L, Environment Env>
auto value_and_grad(E e, L l, const Env& env) {
    auto r = value_and_grad(e, wrt(l), env);
    return value_and_gradient<decltype(r.value), std::tuple_element_t<0, decltype(r.gradient)>>{
        r.value, std::move(std::get<0>(r.gradient))};
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

template <TensorExpression E, Environment Env, class WE>
    requires detail::foreign_workspace<E, WE>
poison eval(E, const Env&, workspace<WE>&) {
    if constexpr (!poisoned<WE>) detail::report_foreign_workspace<std::remove_cvref_t<E>, WE>();
    return {};
}
template <TensorExpression E, WithRespectTo W, Environment Env, class WE>
    requires detail::foreign_workspace<E, WE>
detail::poisoned_gradient_t<W> grad(E, W, const Env&, workspace<WE>&) {
    if constexpr (!poisoned<WE>) detail::report_foreign_workspace<std::remove_cvref_t<E>, WE>();
    return {};
}
template <TensorExpression E, Leaf L, Environment Env, class WE>
    requires detail::foreign_workspace<E, WE>
poison grad(E, L, const Env&, workspace<WE>&) {
    if constexpr (!poisoned<WE>) detail::report_foreign_workspace<std::remove_cvref_t<E>, WE>();
    return {};
}
template <TensorExpression E, WithRespectTo W, Environment Env, class WE>
    requires detail::foreign_workspace<E, WE>
value_and_gradient<poison, detail::poisoned_gradient_t<W>> value_and_grad(E, W, const Env&, workspace<WE>&) {
    if constexpr (!poisoned<WE>) detail::report_foreign_workspace<std::remove_cvref_t<E>, WE>();
    return {};
}
template <TensorExpression E, Leaf L, Environment Env, class WE>
    requires detail::foreign_workspace<E, WE>
value_and_gradient<poison, poison> value_and_grad(E, L, const Env&, workspace<WE>&) {
    if constexpr (!poisoned<WE>) detail::report_foreign_workspace<std::remove_cvref_t<E>, WE>();
    return {};
}

// A poisoned expression: a check has failed and said so; nothing more to report.
template <Environment Env, class WE>
poison eval(poison, const Env&, workspace<WE>&) {
    return {};
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
