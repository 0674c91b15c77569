#pragma once
// lz::workspace ws{f}: the memory of f's tensor tape, allocated once and reused.
// eval, grad and value_and_grad take it as their last argument and then
// allocate nothing: the buffers grow only when a larger batch arrives.
// Results for tensors are views into the workspace, valid until its next use;
// the overloads without a workspace return owning tensors instead. Each use
// (each reserve) advances the workspace's generation counter, and the views it
// returns are tied to it: with LEIBNIZ_CHECK_VIEWS (debug builds), reading one
// after a later use fails with detail::stale_workspace_view.

#include <leibniz/core/fused.hpp>

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
constexpr T as_result(const T& scalar) {
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
    // An index sequence, not std::apply: its noexcept test is a fold, and clang caps folds at 256 operands.
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return std::tuple<R...>{tied(std::get<I>(results), ws)...};
    }(std::index_sequence_for<R...>{});
}

template <class T>
constexpr T owned(const T& scalar) {
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

// Whether F's tape holds tensors, and so needs workspace memory. A scalar
// expression (every node of rank 0) runs the same sweeps on a tape of numbers
// on the stack, in a constant expression if need be.
template <class F>
inline constexpr bool needs_workspace = has_tensors<graph_of<F>>;

// The workspace memory of a sweep over F on element type T for a batch
// extent: the value (and adjoint) buffers, then the scratch, in bytes.
struct sweep_layout {
    std::size_t buffers = 0, scratch = 0;
    [[nodiscard]] constexpr std::size_t bytes() const noexcept { return buffers + scratch; }
};
template <class F, class Wrt, bool WantValue, bool Reverse, class T, class Pins = no_pins,
          class Keep = boost::mp11::mp_list<>>
sweep_layout sweep_layout_of(std::size_t batch) {
    using G = graph_of<F>;
    using Plan = sweep_plan<G, Wrt, WantValue, Keep>;
    return {tensor_bytes<G, Plan, T, Pins>(batch, Reverse), scratch_bytes<G, Plan, T>(batch)};
}

// The sweeps on element type T — the leaves' own, or dual numbers for forward
// mode — with the tape's tensors laid out at `memory` (layout from
// sweep_layout_of with the same arguments; nothing for a scalar expression).
// Forward only: f's value. Reverse: f's value (if WantValue) and, in wrt
// order, each leaf's adjoint (a view into memory for a tensor leaf).
template <class O, class T, class Tape>
void copy_pinned_number(T* to, const Tape& adjoints, std::size_t batch) {
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(slot<O>(adjoints, batch))>, T>) *to = slot<O>(adjoints, batch);
}

// Pins: the wrt leaves whose adjoints go to `pinned` instead (laid out like a
// parameter store, core/tape_layout.hpp store_pins).
// Keep: subexpressions whose values are returned too (lz::with_aux), after
// the gradient, as a third member.
// Tie: applied to each gradient and aux result as it is put into its tuple
// (tied_to: bound to a workspace's generation, see tied). Done here, not by
// tied(tuple) afterwards: a second tuple built with std::get per element
// costs g++ a deduction through every base of the first, which for 2L + 2
// gradients of an L-layer network is quadratic in L (0.1 GB and 2 s at
// L = 100).
struct untied {
    template <class R>
    constexpr R operator()(const R& r) const {
        return r;
    }
};
template <class F, class Wrt, bool WantValue, bool Reverse, class T, class Pins = no_pins,
          class Keep = boost::mp11::mp_list<>, class Env, class Tie = untied>
LEIBNIZ_ALWAYS_INLINE constexpr auto run_sweeps(const Env& env, std::byte* memory, sweep_layout layout,
                                                std::size_t batch, T* pinned = nullptr, const Tie& tie = {}) {
    using G = graph_of<F>;
    using Plan = sweep_plan<G, Wrt, WantValue, Keep>;
    tape<G, Plan, T> values{};
    tape<G, Plan, T> adjoints{};
    sweep_context context{};
    if constexpr (needs_workspace<F>) {
        lay_out<G, Plan, T, Pins>(values, Reverse ? &adjoints : nullptr, env, memory, batch, pinned);
        context = sweep_context{std::span<std::byte>(memory + layout.buffers, layout.scratch), batch};
    }
    forward_sweep<G, Plan, T>(values, env, context);
    if constexpr (Reverse) {
        reverse_sweep<G, Plan, T>(values, adjoints, T(1), context);
        if constexpr (!std::is_same_v<Pins, no_pins>)  // a pinned scalar's adjoint is a number on the tape
            [&]<class... L>(boost::mp11::mp_list<L...>) {
                (copy_pinned_number<operand_for<L, T, G::template index_t<L>::value>>(
                     pinned + Pins::offset[G::template index_t<L>::value], adjoints, batch),
                 ...);
            }(typename Wrt::leaves{});
        // (Tuples of explicit types: deducing a tuple's type from 2L + 2 arguments costs g++ more.)
        auto value_and_gradient = [&]<class... L>(boost::mp11::mp_list<L...>) {
            return std::pair{
                as_result(slot<operand_for<F, T, G::size - 1>>(values, batch)),
                std::tuple<decltype(tie(
                    as_result(slot<operand_for<L, T, G::template index_t<L>::value>>(adjoints, batch))))...>{
                    tie(as_result(slot<operand_for<L, T, G::template index_t<L>::value>>(adjoints, batch)))...}};
        }(typename Wrt::leaves{});
        if constexpr (boost::mp11::mp_empty<Keep>::value) {
            return value_and_gradient;
        } else {
            auto aux = [&]<class... A>(boost::mp11::mp_list<A...>) {
                return std::tuple<decltype(tie(
                    as_result(slot<operand_for<A, T, G::template index_t<A>::value>>(values, batch))))...>{
                    tie(as_result(slot<operand_for<A, T, G::template index_t<A>::value>>(values, batch)))...};
            }(Keep{});
            return std::tuple{value_and_gradient.first, value_and_gradient.second, aux};
        }
    } else {
        return as_result(slot<operand_for<F, T, G::size - 1>>(values, batch));
    }
}

// Ties results to ws (see tied).
template <class F>
struct tied_to {
    const workspace<F>& ws;
    template <class R>
    auto operator()(const R& r) const {
        return tied(r, ws);
    }
};

// The sweeps of a call on ws: batch extent, layout, memory; the gradients tied to ws.
template <class F, class Wrt, bool WantValue, bool Reverse, class T, class Env>
auto run_sweeps_in(const Env& env, workspace<F>& ws) {
    const std::size_t batch = batch_extent<graph_of<F>>(env);
    const sweep_layout layout = sweep_layout_of<F, Wrt, WantValue, Reverse, T>(batch);
    if constexpr (Reverse)
        return run_sweeps<F, Wrt, WantValue, Reverse, T>(env, ws.reserve(layout.bytes()), layout, batch, nullptr,
                                                         tied_to<F>{ws});
    else  // the value alone: tied by the caller
        return run_sweeps<F, Wrt, WantValue, Reverse, T>(env, ws.reserve(layout.bytes()), layout, batch);
}

}  // namespace detail

}  // namespace leibniz
