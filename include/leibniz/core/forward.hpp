#pragma once
// Forward mode, for scalar and tensor expressions alike: the sweeps on dual
// numbers.
//   jvp(f, env, lz::tangent(W = V)[, ws])          f and its derivative J·V along V (one forward sweep)
//   hvp(f, lz::wrt(W...), env, lz::tangent(W = V)[, ws])
//                                                  H·V: the reverse sweep of grad on duals
//                                                  (forward over reverse)
//   hessian(f, lz::wrt(W...), env)                 the full N×N matrix of second derivatives
//   jacobian(f, lz::wrt(w, x), env)                all partial derivatives of a scalar
//                                                  expression in one sweep on dual<T, n>
// For a tensor expression the leaves are copied into the workspace as
// dual<T, 1>: value and tangent (0 for a leaf lz::tangent does not name). The
// kernels take their portable paths on duals (kernels::simd_path,
// kernels::simd::batch_for): the same rules as for float and double, on plain
// loops. A scalar expression runs on dual numbers on the stack.

#include <leibniz/core/dual.hpp>
#include <leibniz/core/reverse.hpp>

#include <array>
#include <cstddef>
#include <span>
#include <string>
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
    return tangent_t<binding<Leaves, typename detail::env_value<Values>::type>...>{
        {detail::env_value<Values>::of(bindings.value)...}};
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
    return (report_tangent_not_bound<Env::template binds_t<L>::value, L>() && ...);
}

}  // namespace detail

// lz::jacobian(f, lz::wrt(w, x), env): ∂f/∂w, ∂f/∂x by one forward sweep on
// dual<T, 2>, for a scalar expression (every node of rank 0).
template <Expression E, class... L, Environment Env>
constexpr auto jacobian(E, wrt_t<L...>, const Env& env) {
    using F = std::remove_cvref_t<E>;
    using T = sweep_scalar_t<F, Env>;
    constexpr std::size_t n = sizeof...(L);
    if constexpr (detail::needs_workspace<F>) {
        static_assert(detail::dependent_false<E>,
                      "leibniz::jacobian: takes scalar expressions only; on a tensor expression use lz::grad (a "
                      "scalar f), lz::jvp (J·v along a tangent) or lz::hvp / lz::hessian (second derivatives)");
    } else if constexpr (detail::check_environment<F, Env>() && detail::check_wrt<F, wrt_t<L...>>()) {
        auto seeded = detail::dualize<T, n>(env, detail::seed_along<T, L...>);
        return eval(F{}, seeded).d;
    }
}


namespace detail {

// The leaves of a forward-mode sweep: each bound value paired with its tangent
// (zero where lz::tangent names none), as dual<T, 1> in workspace buffers.
template <class Leaves, class D>
struct dual_environment;
template <class... L, class D>
struct dual_environment<boost::mp11::mp_list<L...>, D> {
    using leaves = boost::mp11::mp_list<L...>;
    // Indices stay integers: no tangent, read by gather, pick, one_hot.
    std::tuple<std::conditional_t<(shape_of<L>::rank == 0), D,
                                  tensor_view<const std::conditional_t<is_integer_scalar<scalar_of<L>>, scalar_of<L>, D>,
                                              shape_of<L>>>...>
        values;
    template <class F>
    decltype(auto) unpack(F&& f) const {
        return std::apply(std::forward<F>(f), values);
    }
    template <class Leaf>
    [[nodiscard]] const auto& get() const {
        return std::get<boost::mp11::mp_find<boost::mp11::mp_list<L...>, Leaf>::value>(values);
    }
};

// Bytes for one buffer of element type T per tensor node N (a node listed
// twice gets two); scalars need none.
template <class T, class... N>
std::size_t buffer_bytes(boost::mp11::mp_list<N...>, std::size_t batch) {
    std::size_t bytes = 0;
    ((bytes += shape_of<N>::rank == 0 ? 0 : round_up(extents_with_batch<shape_of<N>>(batch).size() * sizeof(T))), ...);
    return bytes;
}

// Copies every leaf of F into `memory` as dual<T, 1> (advancing it by
// buffer_bytes<dual<T, 1>>(leaves_of<F>{}, batch)). `call` names the public
// function in the error for a tangent of the wrong extents.
template <class F, class Env, class... TB>
auto dualize_leaves(const Env& env, const tangent_t<TB...>& direction, std::byte*& memory, const char* call) {
    using T = default_scalar_of<F>;
    using D = dual<T, 1>;
    using TL = typename tangent_t<TB...>::leaves;
    return [&]<class... L>(boost::mp11::mp_list<L...>) {
        auto one = [&]<class Leaf>(Leaf*) {
            constexpr bool has_tangent = boost::mp11::mp_contains<TL, Leaf>::value;
            const auto& value = env.template get<Leaf>();
            if constexpr (is_integer_scalar<scalar_of<Leaf>> && shape_of<Leaf>::rank > 0) {
                return value;  // indices stay integers: no tangent
            } else if constexpr (shape_of<Leaf>::rank == 0) {
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
                        throw shape_error(std::string(call) + ": the tangent of leaf \"" +
                                          std::string(Leaf::name.view()) + "\" has extents " +
                                          extents_text(t.extents().data(), S::rank) + ", its value " +
                                          extents_text(value.extents().data(), S::rank));
                    for (std::size_t i = 0; i < extents.size(); ++i) out[i].d[0] = t.data()[i];
                }
                return tensor_view<const D, S>(out, extents);
            }
        };
        return dual_environment<boost::mp11::mp_list<L...>, D>{{one(static_cast<L*>(nullptr))...}};
    }(leaves_of<F>{});
}

// One part of a dual result — the value (Part 0) or the tangent (Part 1): a
// number, or a tensor of T copied into `memory` (advanced past it).
template <std::size_t Part, class D>
auto dual_part(const D& x) {
    if constexpr (Part == 0)
        return x.v;
    else
        return x.d[0];
}
template <std::size_t Part, class D>
auto dual_part(const D& x, std::byte*&) {
    return dual_part<Part>(x);
}
template <std::size_t Part, class D, class S>
auto dual_part(const tensor_view<D, S>& x, std::byte*& memory) {
    using T = typename std::remove_const_t<D>::value_type;
    T* out = reinterpret_cast<T*>(memory);
    memory += round_up(x.size() * sizeof(T));
    for (std::size_t i = 0; i < x.size(); ++i) out[i] = dual_part<Part>(x.data()[i]);
    return tensor_view<const T, S>(out, x.extents_object());
}

template <class F>
constexpr bool check_hvp_output() {
    constexpr bool ok = shape_of<F>::rank == 0;
    static_assert(ok, "leibniz::hvp / leibniz::hessian: the expression must be a scalar (rank 0); reduce it first, "
                      "e.g. with lz::sum or lz::mean");
    return ok;
}

// Each wrt leaf of lz::hessian is the template argument of this check.
template <class Leaf>
constexpr bool check_hessian_leaf() {
    constexpr bool ok = shape_of<Leaf>::is_static;
    static_assert(ok, "leibniz::hessian: a leaf in lz::wrt(...) has a run-time (dyn) extent, so the size of the "
                      "Hessian is not known at compile time (the leaf is the template argument of "
                      "check_hessian_leaf); use lz::hvp(f, lz::wrt(...), env, lz::tangent(...)) for H·v");
    return ok;
}

}  // namespace detail

// ---------------------------------------------------------------- jvp

// lz::jvp(f, env, lz::tangent(W = V), ws): f and its derivative J·V along V, by
// one forward sweep on dual numbers. A scalar f gives {T, T}; a tensor f gives
// two lz::tensor_view<const T, S> into ws (value and tangent).
template <Expression E, Environment Env, class... TB>
auto jvp(E, const Env& env, const tangent_t<TB...>& direction, workspace<std::remove_cvref_t<E>>& ws) {
    using F = std::remove_cvref_t<E>;
    using T = default_scalar_of<F>;
    using D = dual<T, 1>;
    if constexpr (detail::check_environment<F, Env>() &&
                  detail::check_tangents_bound<Env>(typename tangent_t<TB...>::leaves{})) {
        using G = graph_of<F>;
        const std::size_t batch = detail::batch_extent<G>(env);
        const std::size_t leaves = detail::buffer_bytes<D>(leaves_of<F>{}, batch);
        const detail::sweep_layout layout = detail::sweep_layout_of<F, wrt_t<>, true, false, D>(batch);
        const std::size_t results = detail::buffer_bytes<T>(boost::mp11::mp_list<F, F>{}, batch);  // value, tangent
        std::byte* memory = ws.reserve(leaves + layout.bytes() + results);
        std::byte* cursor = memory;
        const auto dual_env = detail::dualize_leaves<F>(env, direction, cursor, "leibniz::jvp");
        const auto y = detail::run_sweeps<F, wrt_t<>, true, false, D>(dual_env, cursor, layout, batch);
        cursor += layout.bytes();
        auto value = detail::tied(detail::dual_part<0>(y, cursor), ws);
        auto tangent = detail::tied(detail::dual_part<1>(y, cursor), ws);
        return value_and_tangent<decltype(value), decltype(tangent)>{value, tangent};
    }
}

// Without a workspace: owning results (allocates, for a tensor expression).
// A scalar expression runs on dual numbers on the stack, in a constant
// expression if need be.
template <Expression E, Environment Env, class... TB>
constexpr auto jvp(E e, const Env& env, const tangent_t<TB...>& direction) {
    using F = std::remove_cvref_t<E>;
    if constexpr (detail::needs_workspace<F>) {
        workspace<F> ws;
        if constexpr (std::is_void_v<decltype(jvp(e, env, direction, ws))>) {  // a failed check, reported there
            return jvp(e, env, direction, ws);
        } else {
            const auto r = jvp(e, env, direction, ws);
            return value_and_tangent<decltype(detail::owned(r.value)), decltype(detail::owned(r.tangent))>{
                detail::owned(r.value), detail::owned(r.tangent)};
        }
    } else {
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
}

// ---------------------------------------------------------------- hvp

// lz::hvp(f, lz::wrt(W, b), env, lz::tangent(W = V), ws): the Hessian-vector
// product H·V of a scalar f, for each leaf of wrt in order (a std::tuple, like
// grad's: a view into ws for a tensor leaf, T for a scalar one). Forward over
// reverse: grad's sweeps run on dual<T, 1> leaves seeded with V, and the
// tangent of each gradient is (H·V) for that leaf. Leaves not named in
// lz::tangent have tangent 0; naming a leaf outside wrt (e.g. the data x)
// gives the mixed second derivatives ∂²f/∂W∂x · V.
template <Expression E, WithRespectTo W, Environment Env, class... TB>
auto hvp(E, W, const Env& env, const tangent_t<TB...>& direction, workspace<std::remove_cvref_t<E>>& ws) {
    using F = std::remove_cvref_t<E>;
    using Wrt = std::remove_cvref_t<W>;
    if constexpr (detail::check_hvp_output<F>() && detail::check_environment<F, Env>() &&
                  detail::check_wrt<F, Wrt>() &&
                  detail::check_tangents_bound<Env>(typename tangent_t<TB...>::leaves{})) {
        using T = default_scalar_of<F>;
        using D = dual<T, 1>;
        const std::size_t batch = detail::batch_extent<graph_of<F>>(env);
        const std::size_t leaves = detail::buffer_bytes<D>(leaves_of<F>{}, batch);
        const detail::sweep_layout sweeps = detail::sweep_layout_of<F, Wrt, false, true, D>(batch);
        const std::size_t results = detail::buffer_bytes<T>(typename Wrt::leaves{}, batch);
        std::byte* memory = ws.reserve(leaves + sweeps.bytes() + results);
        std::byte* cursor = memory;
        const auto dual_env = detail::dualize_leaves<F>(env, direction, cursor, "leibniz::hvp");
        const auto gradient = detail::run_sweeps<F, Wrt, false, true, D>(dual_env, memory + leaves, sweeps, batch).second;
        cursor = memory + leaves + sweeps.bytes();
        return std::apply([&](const auto&... g) { return std::tuple{detail::tied(detail::dual_part<1>(g, cursor), ws)...}; },
                          gradient);
    }
}

// Without a workspace: owning results (allocates).
template <Expression E, WithRespectTo W, Environment Env, class... TB>
auto hvp(E e, W w, const Env& env, const tangent_t<TB...>& direction) {
    workspace<std::remove_cvref_t<E>> ws;
    if constexpr (std::is_void_v<decltype(hvp(e, w, env, direction, ws))>)  // a failed check, reported there
        return hvp(e, w, env, direction, ws);
    else
        return std::apply([](const auto&... h) { return std::tuple{detail::owned(h)...}; },
                          hvp(e, w, env, direction, ws));
}

// ---------------------------------------------------------------- hessian

namespace detail {

// The unit tangents of lz::hessian: one per distinct wrt leaf, a T for a
// scalar leaf and a view of an owned zero tensor for a tensor leaf.
template <class T, class Leaf>
using unit_storage = std::conditional_t<(shape_of<Leaf>::rank == 0), T, tensor<T, shape_of<Leaf>>>;

template <class T, class Leaf>
using unit_binding =
    binding<Leaf, std::conditional_t<(shape_of<Leaf>::rank == 0), T, tensor_view<const T, shape_of<Leaf>>>>;

template <class T, class Leaves>
class unit_tangents;
template <class T, class... U>
class unit_tangents<T, boost::mp11::mp_list<U...>> {
public:
    unit_tangents() : direction_{{view_of(std::get<index<U>>(storage_))...}} {}
    unit_tangents(const unit_tangents&) = delete;
    unit_tangents& operator=(const unit_tangents&) = delete;

    // Element i of Leaf's tangent set to `value` (the others stay as they are).
    template <class Leaf>
    void set(std::size_t i, T value) {
        if constexpr (shape_of<Leaf>::rank == 0)
            boost::hana::at_c<index<Leaf>>(direction_.values) = value;
        else
            std::get<index<Leaf>>(storage_).data()[i] = value;
    }
    [[nodiscard]] const tangent_t<unit_binding<T, U>...>& direction() const { return direction_; }

private:
    template <class Leaf>
    static constexpr std::size_t index = boost::mp11::mp_find<boost::mp11::mp_list<U...>, Leaf>::value;
    static T view_of(const T&) { return T(0); }
    template <class S>
    static tensor_view<const T, S> view_of(const tensor<T, S>& t) {
        return t.view();
    }
    std::tuple<unit_storage<T, U>...> storage_{};  // declared first: direction_ views it
    tangent_t<unit_binding<T, U>...> direction_;
};

template <class T>
std::span<const T> elements_of(const T& scalar) {
    return {&scalar, 1};
}
template <class T, class S>
std::span<const T> elements_of(const tensor_view<const T, S>& view) {
    return {view.data(), view.size()};
}

// Writes `part` down column j of h from row `row` on, and moves row past it.
template <class T, std::size_t N>
void put_column(tensor<T, shape<N, N>>& h, std::size_t& row, std::size_t j, std::span<const T> part) {
    for (T x : part) h.data()[row++ * N + j] = x;
}

// The columns of the Hessian for the elements of wrt position Leaf (the first
// at column `offset`): hvp along each unit tangent; its result, flattened in
// wrt order, is the column.
template <class F, class Wrt, class Leaf, class Env, class Units, class T, std::size_t N>
void hessian_columns(const Env& env, Units& units, workspace<F>& ws, std::size_t offset, tensor<T, shape<N, N>>& h) {
    for (std::size_t i = 0; i < shape_of<Leaf>::size; ++i) {
        units.template set<Leaf>(i, T(1));
        const auto column = hvp(F{}, Wrt{}, env, units.direction(), ws);
        units.template set<Leaf>(i, T(0));
        std::size_t row = 0;
        std::apply([&](const auto&... part) { (put_column(h, row, offset + i, elements_of(part)), ...); }, column);
    }
}

template <class F, class... L, class Env, class T, std::size_t N>
void hessian_matrix(wrt_t<L...> w, const Env& env, tensor<T, shape<N, N>>& h) {
    unit_tangents<T, boost::mp11::mp_unique<boost::mp11::mp_list<L...>>> units;
    workspace<F> ws;  // one for all N hvps
    std::size_t offset = 0;
    ((hessian_columns<F, decltype(w), L>(env, units, ws, offset, h), offset += shape_of<L>::size), ...);
}

}  // namespace detail

// lz::hessian(f, lz::wrt(W, b), env): the N×N matrix of second derivatives of
// a scalar f, N the number of elements of the wrt leaves (each row-major, in
// wrt order): H(i, j) = ∂²f/∂θᵢ∂θⱼ. For a tensor expression, an
// lz::tensor<T, lz::shape<N, N>>, computed as N hvps along unit tangents,
// reusing one workspace (the wrt leaves need static shapes; otherwise use
// lz::hvp). For a scalar expression, a std::array<std::array<T, N>, N> from one
// reverse sweep on dual<T, N> seeded along each leaf, in a constant
// expression if need be.
template <Expression E, class... L, Environment Env>
constexpr auto hessian(E, wrt_t<L...> w, const Env& env) {
    using F = std::remove_cvref_t<E>;
    if constexpr (detail::needs_workspace<F>) {
        using T = default_scalar_of<F>;
        if constexpr ((detail::check_hessian_leaf<L>() && ...) && detail::check_hvp_output<F>() &&
                      detail::check_environment<F, Env>() && detail::check_wrt<F, wrt_t<L...>>()) {
            constexpr std::size_t n = (std::size_t{0} + ... + shape_of<L>::size);
            tensor<T, shape<n, n>> h;
            detail::hessian_matrix<F>(w, env, h);
            return h;
        }
    } else {
        using T = sweep_scalar_t<F, Env>;
        constexpr std::size_t n = sizeof...(L);
        if constexpr (detail::check_environment<F, Env>() && detail::check_wrt<F, wrt_t<L...>>()) {
            auto seeded = detail::dualize<T, n>(env, detail::seed_along<T, L...>);
            using D = sweep_scalar_t<F, decltype(seeded)>;
            const auto gradient = detail::run_sweeps<F, wrt_t<L...>, false, true, D>(seeded, nullptr, {}, 0).second;
            std::array<std::array<T, n>, n> h{};
            [&]<std::size_t... I>(std::index_sequence<I...>) { ((h[I] = std::get<I>(gradient).d), ...); }(
                std::make_index_sequence<n>{});
            return h;
        }
    }
}

// ---------------------------------------------------------------- what does not apply to tensors

}  // namespace leibniz
