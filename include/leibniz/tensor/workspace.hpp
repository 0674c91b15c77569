#pragma once
// lz::workspace ws{f}: the memory of f's tensor tape, allocated once and reused.
// eval, grad and value_and_grad take it as their last argument and then
// allocate nothing: the buffers grow only when a larger batch arrives.
// Results for tensors are views into the workspace, valid until its next use;
// the overloads without a workspace return owning tensors instead.

#include <leibniz/core/eval.hpp>
#include <leibniz/core/forward.hpp>
#include <leibniz/core/reverse.hpp>
#include <leibniz/tensor/sweep.hpp>

#include <cstddef>
#include <new>
#include <tuple>
#include <utility>

namespace leibniz {

template <Expression E>
class workspace {
public:
    workspace() = default;
    explicit workspace(E) {}
    workspace(const workspace&) = delete;
    workspace& operator=(const workspace&) = delete;
    workspace(workspace&& other) noexcept
        : data_(std::exchange(other.data_, nullptr)), capacity_(std::exchange(other.capacity_, 0)) {}
    workspace& operator=(workspace&& other) noexcept {
        std::swap(data_, other.data_);
        std::swap(capacity_, other.capacity_);
        return *this;
    }
    ~workspace() { release(); }

    // At least `bytes` bytes, 64-byte aligned; allocates only to grow.
    std::byte* reserve(std::size_t bytes) {
        if (bytes > capacity_) {
            release();
            data_ = static_cast<std::byte*>(::operator new(bytes, std::align_val_t{tensor_alignment}));
            capacity_ = bytes;
        }
        return data_;
    }
    [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

private:
    void release() noexcept {
        if (data_) ::operator delete(data_, std::align_val_t{tensor_alignment});
        data_ = nullptr;
        capacity_ = 0;
    }
    std::byte* data_ = nullptr;
    std::size_t capacity_ = 0;
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

template <class F, class Wrt, bool WantValue, class Env>
auto tensor_value_and_grad(const Env& env, workspace<F>& ws) {
    using G = graph_of<F>;
    using Plan = fusion_plan<G, Wrt, WantValue>;
    using T = default_scalar_of<F>;
    const std::size_t batch = batch_extent<G>(env);
    const std::size_t buffers = tensor_bytes<G, Plan, T>(batch, true), scratch = scratch_bytes<G, T>(batch);
    std::byte* memory = ws.reserve(buffers + scratch);
    tensor_tape<G, Plan, T> values{};
    tensor_tape<G, Plan, T> adjoints{};
    lay_out<G, Plan, T>(values, &adjoints, env, memory, batch);
    const sweep_context context{std::span<std::byte>(memory + buffers, scratch), batch};
    tensor_forward_sweep<G, Plan, T>(values, env, context);
    tensor_reverse_sweep<G, Plan, T>(values, adjoints, context);
    return [&]<class... L>(boost::mp11::mp_list<L...>) {
        return std::pair{get<G::size - 1>(values), std::tuple{as_result(get<G::template index<L>>(adjoints))...}};
    }(typename Wrt::leaves{});
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
        return detail::as_result(get<G::size - 1>(values));
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
}

template <TensorExpression E, WithRespectTo W, Environment Env>
auto grad(E e, W w, const Env& env) {
    workspace<std::remove_cvref_t<E>> ws;
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
    }
}

template <TensorExpression E, WithRespectTo W, Environment Env>
auto value_and_grad(E e, W w, const Env& env) {
    workspace<std::remove_cvref_t<E>> ws;
    auto r = value_and_grad(e, w, env, ws);
    auto gradient = std::apply([](const auto&... g) { return std::tuple{detail::owned(g)...}; }, r.gradient);
    return value_and_gradient<decltype(r.value), decltype(gradient)>{r.value, gradient};
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

namespace detail {

// The leaves of a forward-mode sweep: each bound value paired with its tangent
// (zero where lz::tangent names none), as dual<T, 1> in workspace buffers.
template <class Leaves, class D>
struct dual_environment;
template <class... L, class D>
struct dual_environment<boost::mp11::mp_list<L...>, D> {
    std::tuple<std::conditional_t<(shape_of<L>::rank == 0), D, tensor_view<const D, shape_of<L>>>...> values;
    template <class Leaf>
    [[nodiscard]] const auto& get() const {
        return std::get<boost::mp11::mp_find<boost::mp11::mp_list<L...>, Leaf>::value>(values);
    }
};

// Bytes for a copy of every tensor leaf in element type T.
template <class T, class... L>
std::size_t leaf_bytes(boost::mp11::mp_list<L...>, std::size_t batch) {
    std::size_t bytes = 0;
    ((bytes += shape_of<L>::rank == 0 ? 0 : round_up(extents_with_batch<shape_of<L>>(batch).size() * sizeof(T))), ...);
    return bytes;
}

template <class F, class Env, class... TB>
auto dualize_leaves(const Env& env, const tangent_t<TB...>& direction, std::byte*& memory) {
    using T = default_scalar_of<F>;
    using D = dual<T, 1>;
    using TL = typename tangent_t<TB...>::leaves;
    return [&]<class... L>(boost::mp11::mp_list<L...>) {
        auto one = [&]<class Leaf>(Leaf*) {
            constexpr bool has_tangent = boost::mp11::mp_contains<TL, Leaf>::value;
            const auto& value = env.template get<Leaf>();
            if constexpr (shape_of<Leaf>::rank == 0) {
                D d{T(value)};
                if constexpr (has_tangent)
                    d.d[0] = T(boost::hana::at_c<boost::mp11::mp_find<TL, Leaf>::value>(direction.values));
                return d;
            } else {
                using S = shape_of<Leaf>;
                const auto extents = value.extents_object();
                D* out = reinterpret_cast<D*>(memory);
                memory += round_up(extents.size() * sizeof(D));
                for (std::size_t i = 0; i < extents.size(); ++i) out[i] = D{value.data()[i]};
                if constexpr (has_tangent) {
                    const auto& t = boost::hana::at_c<boost::mp11::mp_find<TL, Leaf>::value>(direction.values);
                    if (t.extents() != value.extents())
                        throw shape_error("leibniz::jvp: the tangent of leaf \"" + std::string(Leaf::name.view()) +
                                          "\" has extents " + extents_text(t.extents().data(), S::rank) +
                                          ", its value " + extents_text(value.extents().data(), S::rank));
                    for (std::size_t i = 0; i < extents.size(); ++i) out[i].d[0] = t.data()[i];
                }
                return tensor_view<const D, S>(out, extents);
            }
        };
        return dual_environment<boost::mp11::mp_list<L...>, D>{{one(static_cast<L*>(nullptr))...}};
    }(leaves_of<F>{});
}

}  // namespace detail

// lz::jvp(f, env, lz::tangent(W = V), ws): f and its derivative in direction V,
// by one forward sweep on dual numbers (kernels take their portable paths).
template <TensorExpression E, Environment Env, class... TB>
auto jvp(E, const Env& env, const tangent_t<TB...>& direction, workspace<std::remove_cvref_t<E>>& ws) {
    using F = std::remove_cvref_t<E>;
    using T = default_scalar_of<F>;
    using D = dual<T, 1>;
    static_assert(shape_of<F>::rank == 0, "leibniz::jvp: on tensor expressions the result must be a scalar (rank 0); "
                                          "contract it with a direction first, e.g. lz::sum(u * f)");
    if constexpr (detail::check_environment<F, Env>()) {
        using G = graph_of<F>;
        using Plan = fusion_plan<G, wrt_t<>>;
        const std::size_t batch = detail::batch_extent<G>(env);
        const std::size_t leaves = detail::leaf_bytes<D>(leaves_of<F>{}, batch);
        const std::size_t buffers = tensor_bytes<G, Plan, D>(batch, false), scratch = scratch_bytes<G, D>(batch);
        std::byte* memory = ws.reserve(leaves + buffers + scratch + tensor_alignment);
        std::byte* cursor = memory;
        const auto dual_env = detail::dualize_leaves<F>(env, direction, cursor);
        std::byte* rest = memory + detail::round_up(leaves + tensor_alignment);
        tensor_tape<G, Plan, D> values{};
        lay_out<G, Plan, D>(values, static_cast<tensor_tape<G, Plan, D>*>(nullptr), dual_env, rest, batch);
        tensor_forward_sweep<G, Plan, D>(values, dual_env, sweep_context{std::span<std::byte>(rest + buffers, scratch), batch});
        const D y = get<G::size - 1>(values);
        return value_and_tangent<T, T>{y.v, y.d[0]};
    }
}

template <TensorExpression E, Environment Env, class... TB>
auto jvp(E e, const Env& env, const tangent_t<TB...>& direction) {
    workspace<std::remove_cvref_t<E>> ws;
    return jvp(e, env, direction, ws);
}

}  // namespace leibniz
