#pragma once
// Fused in-place updates: lz::assign(target, expr, env) evaluates an
// elementwise expression into a tensor in one SIMD loop — the loop of a fused
// elementwise group (core/fused.hpp), whose kernel is expr with each distinct
// leaf replaced by input_leaf<J> (J its position in leaves_of<expr>, first use
// first) and whose inputs are the values env binds to those leaves. Nothing
// is allocated, nothing is differentiated.
//
//   lz::assign(v, mu * v + g, env);      // v ← μ·v + g   (v a tensor or a view)
//   lz::assign(p, p - eta * v, env);     // p ← p − η·v   (p bound in env too)
//   lz::assign(P, P - eta * v, env);     // the same, naming the target by its leaf
//
// Every operation of expr must be elementwise (matmul, a reduction, softmax...
// are a compile error); its leaves are numbers (rank 0) or tensors that
// broadcast, NumPy-style, to the target's shape, which the expression's shape
// must broadcast to as well (checked at compile time for static extents, else
// an lz::shape_error naming both extents). The target may be a leaf of expr:
// each element is read before it is written, in the same iteration, so
// elementwise aliasing is safe (a target that overlaps a leaf's memory
// otherwise — shifted, or broadcast — is not).
//
// When every tensor leaf has the target's extents (an optimizer's update), the
// loop runs over the flat buffer, one row; otherwise over the target's shape,
// with broadcast leaves read through the fused loop's cursors.

#include <leibniz/core/bind.hpp>
#include <leibniz/core/fused.hpp>
#include <leibniz/core/graph.hpp>
#include <leibniz/core/plan.hpp>
#include <leibniz/tensor/tensor.hpp>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <type_traits>

namespace leibniz {

namespace detail {

// ---------------------------------------------------------------- the kernel

// expr with each leaf replaced by input_leaf<J, T> (J: its position in Leaves);
// literals stay.
template <class Leaves, class T, class E>
struct assign_kernel {  // a literal
    using type = E;
};
template <class Leaves, class T, fixed_string N, class U, class S, class K>
struct assign_kernel<Leaves, T, leaf<N, U, S, K>> {
    using type = input_leaf<boost::mp11::mp_find<Leaves, leaf<N, U, S, K>>::value, T>;
};
template <class Leaves, class T, class Op, class... Args>
struct assign_kernel<Leaves, T, node<Op, Args...>> {
    using type = node<Op, typename assign_kernel<Leaves, T, Args>::type...>;
};

// ---------------------------------------------------------------- compile-time checks

// The first operation of the expression that is not elementwise is the template argument.
template <class Op>
constexpr bool report_assign_not_elementwise() {
    static_assert(dependent_false<Op>,
                  "leibniz::assign: assign takes elementwise expressions only (+, -, *, /, exp, where, ...); "
                  "matmul, sum, mean, softmax, transpose, reshape, concat... are not: evaluate them first "
                  "(lz::eval with a workspace) and bind the result to a leaf (the op is the template argument of "
                  "report_assign_not_elementwise)");
    return false;
}

template <class Nodes>
struct first_non_elementwise;
template <class... N>
struct first_non_elementwise<boost::mp11::mp_list<N...>> {
    static constexpr std::size_t value = [] {
        constexpr std::array<bool, sizeof...(N) + 1> bad{
            (is_node<N>::value && (!traits_of<typename N::op>().elementwise || traits_of<typename N::op>().reduces != reduction::none))...,
            true};
        std::size_t i = 0;
        while (!bad[i]) ++i;
        return i;
    }();
};

template <class E>
constexpr bool check_assign_elementwise() {
    using nodes = nodes_of<E>;
    constexpr std::size_t at = first_non_elementwise<nodes>::value;
    if constexpr (at == boost::mp11::mp_size<nodes>::value)
        return true;
    else
        return report_assign_not_elementwise<typename boost::mp11::mp_at_c<nodes, at>::op>();
}

// Whether an expression of shape Expr broadcasts to a target of shape Target
// as far as the static extents tell (dyn extents are checked at run time).
template <Shape Target, Shape Expr>
constexpr bool assign_broadcastable() {
    if (Expr::rank > Target::rank) return false;
    for (std::size_t i = 0; i < Expr::rank; ++i) {
        const std::size_t e = Expr::extents[Expr::rank - 1 - i], t = Target::extents[Target::rank - 1 - i];
        if (!(e == t || e == 1 || e == dyn || t == dyn)) return false;
    }
    return true;
}

// The target's shape and the expression's shape are the template arguments.
template <Shape TargetShape, Shape ExpressionShape>
constexpr bool check_assign_shape() {
    constexpr bool ok = assign_broadcastable<TargetShape, ExpressionShape>();
    static_assert(ok, "leibniz::assign: the expression's shape does not broadcast to the target's shape (the target's "
                      "shape and the expression's shape are the template arguments of check_assign_shape)");
    return ok;
}

template <class T, class E>
constexpr bool check_assign_scalar() {
    constexpr bool ok = std::is_void_v<scalar_of<E>> || std::is_same_v<scalar_of<E>, T>;
    static_assert(ok, "leibniz::assign: the expression's scalar type differs from the target's (float and double are "
                      "not converted silently)");
    return ok;
}

// The leaf is the template argument.
template <class Leaf>
constexpr bool report_assign_unbound() {
    static_assert(dependent_false<Leaf>,
                  "leibniz::assign: a leaf of the expression is not bound in the environment (the leaf is the "
                  "template argument of report_assign_unbound)");
    return false;
}

template <class Env, class Leaves>
struct first_unbound;
template <class Env, class... L>
struct first_unbound<Env, boost::mp11::mp_list<L...>> {
    static constexpr std::size_t value = [] {
        constexpr std::array<bool, sizeof...(L) + 1> bound{Env::template binds_t<L>::value..., false};
        std::size_t i = 0;
        while (bound[i]) ++i;
        return i;
    }();
};

template <class E, class Env>
constexpr bool check_assign_bound() {
    using leaves = leaves_of<E>;
    constexpr std::size_t at = first_unbound<Env, leaves>::value;
    if constexpr (at == boost::mp11::mp_size<leaves>::value)
        return true;
    else
        return report_assign_unbound<boost::mp11::mp_at_c<leaves, at>>();
}

template <class T, Shape S, class E, class Env>
constexpr bool check_assign() {
    if constexpr (!check_assign_elementwise<E>())
        return false;
    else if constexpr (!check_assign_scalar<T, E>())
        return false;
    else if constexpr (!check_assign_shape<S, shape_of<E>>())
        return false;
    else
        return check_assign_bound<E, Env>();
}

// ---------------------------------------------------------------- run-time checks

template <Shape S, class V>
std::string assign_extents_text(const V& v) {
    std::array<std::size_t, S::rank + 1> e{};
    for (std::size_t i = 0; i < S::rank; ++i) e[i] = v.extent(i);
    return extents_text(e.data(), S::rank);
}

// A tensor leaf's run-time extents against the target's: equal, or 1, along
// the trailing dimensions. A leaf whose last extent is dyn cannot be 1 against
// a target's last extent > 1: the loop reads such a leaf contiguously along
// the rows (decided from the static shapes, core/fused.hpp).
template <class Leaf, class V, class U, Shape S>
void check_assign_extents(const V& value, const tensor_view<U, S>& target) {
    using LS = shape_of<Leaf>;
    if constexpr (LS::rank > 0 && !(LS::is_static && S::is_static)) {  // static: checked at compile time
        bool ok = true;
        for (std::size_t i = 0; i < LS::rank; ++i) {
            const std::size_t e = value.extent(LS::rank - 1 - i), t = target.extent(S::rank - 1 - i);
            ok = ok && (e == t || e == 1);
        }
        if (!ok)
            throw shape_error("leibniz::assign: leaf \"" + std::string(Leaf::name.view()) + "\" has extents " +
                              assign_extents_text<LS>(value) + ", which do not broadcast to the target's extents " +
                              assign_extents_text<S>(target));
        if constexpr (LS::extents[LS::rank - 1] == dyn) {
            if (value.extent(LS::rank - 1) == 1 && target.extent(S::rank - 1) != 1 && value.size() != target.size())
                throw shape_error("leibniz::assign: leaf \"" + std::string(Leaf::name.view()) + "\" has extents " +
                                  assign_extents_text<LS>(value) + ": its last extent, dyn, is 1 against the target's " +
                                  assign_extents_text<S>(target) + "; broadcasting along the last dimension needs a "
                                  "static extent of 1 in the leaf's shape");
        }
    }
}

// ---------------------------------------------------------------- the loops

template <class V>
inline constexpr bool is_mutable_view = false;
template <class T, Shape S>
inline constexpr bool is_mutable_view<tensor_view<T, S>> = !std::is_const_v<T>;

// The value of a rank-0 leaf as a T; a tensor leaf's view as it is.
template <class Leaf, class T, class V>
inline decltype(auto) assign_input(const V& value) {
    if constexpr (shape_of<Leaf>::rank == 0)
        return T(value);
    else
        return (value);
}

// A tensor leaf's view over the flat buffer (it has the target's size n).
template <class Leaf, class T, class V>
inline auto assign_flat_input(const V& value, std::size_t n) {
    if constexpr (shape_of<Leaf>::rank == 0) {
        return T(value);
    } else {
        extents_of<shape<dyn>> e;
        e.values[0] = n;
        return tensor_view<const T, shape<dyn>>(value.data(), e);
    }
}

template <Shape S>
struct drop_front_extent;
template <std::size_t E0, std::size_t... E>
struct drop_front_extent<shape<E0, E...>> {
    using type = shape<E...>;
};

// Input `value` for slice i of a loop of rank Rank (leading dimension): a
// tensor of the loop's rank loses its leading dimension (index i, or 0 where
// its extent is 1); numbers and tensors of lower rank are read unchanged.
template <std::size_t Rank, class V>
auto assign_slice(const V& value, std::size_t i) {
    if constexpr (!is_tensor_view<V>::value) {
        return value;
    } else if constexpr (V::rank != Rank) {
        return value;
    } else {
        using R = typename drop_front_extent<typename V::shape_type>::type;
        extents_of<R> e;
        for (std::size_t d = 0; d < R::rank; ++d) e.values[d] = value.extent(d + 1);
        const std::size_t row = value.extent(0) == 1 ? 0 : i;
        return tensor_view<std::remove_reference_t<decltype(*value.data())>, R>(value.data() + row * e.size(), e);
    }
}

// The fused loop over a target of shape S. It sets every dyn extent of its
// loop from one run-time batch extent; where the target's dyn extents differ,
// the leading dimension is looped over here, one slice at a time.
template <class Kernel, class T, Shape S, class... In>
void assign_loop(const tensor_view<T, S>& out, const In&... in) {
    std::size_t batch = 0;
    bool one_batch = true, first = true;
    for (std::size_t d = 0; d < S::rank; ++d) {
        if (S::extents[d] != dyn) continue;
        if (first)
            batch = out.extent(d);
        else
            one_batch = one_batch && out.extent(d) == batch;
        first = false;
    }
    if (one_batch) {
        tensor_view<T, S> target = out;
        fused_loop<Kernel, T, S, reduction::none>::forward(target, batch, in...);
    } else if constexpr (S::rank > 1) {
        using R = typename drop_front_extent<S>::type;
        extents_of<R> e;
        for (std::size_t d = 0; d < R::rank; ++d) e.values[d] = out.extent(d + 1);
        const std::size_t inner = e.size();
        for (std::size_t i = 0; i < out.extent(0); ++i)
            assign_loop<Kernel, T, R>(tensor_view<T, R>(out.data() + i * inner, e), assign_slice<S::rank>(in, i)...);
    }
}

template <class E, class T, Shape S, class Env>
void assign_into(const tensor_view<T, S>& out, const Env& env) {
    using leaves = leaves_of<E>;
    using kernel = typename assign_kernel<leaves, T, E>::type;
    [&]<class... L>(boost::mp11::mp_list<L...>) LEIBNIZ_ALWAYS_INLINE {
        (void)std::initializer_list<int>{(check_assign_extents<L>(env.template get<L>(), out), 0)...};
        // Every tensor leaf of the target's size: one flat loop (a leaf of the
        // target's size that broadcasts to it has its extents, up to leading 1s).
        constexpr bool static_flat =
            S::is_static && all_true<(shape_of<L>::rank == 0 ||
                                      (shape_of<L>::is_static && shape_of<L>::size == S::size))...>();
        const std::size_t n = out.size();
        if constexpr (static_flat) {
            extents_of<shape<S::size>> e;
            tensor_view<T, shape<S::size>> flat(out.data(), e);
            fused_loop<kernel, T, shape<S::size>, reduction::none>::forward(
                flat, S::size, assign_flat_input<L, T>(env.template get<L>(), n)...);
        } else {
            bool same_size = true;
            (void)std::initializer_list<int>{([&] {
                 if constexpr (shape_of<L>::rank > 0) same_size = same_size && env.template get<L>().size() == n;
             }(), 0)...};
            if (same_size) {
                extents_of<shape<dyn>> e;
                e.values[0] = n;
                tensor_view<T, shape<dyn>> flat(out.data(), e);
                fused_loop<kernel, T, shape<dyn>, reduction::none>::forward(
                    flat, n, assign_flat_input<L, T>(env.template get<L>(), n)...);
            } else {
                assign_loop<kernel, T, S>(out, assign_input<L, T>(env.template get<L>())...);
            }
        }
    }(leaves{});
}

template <class Leaf>
constexpr bool report_assign_read_only_leaf() {
    static_assert(dependent_false<Leaf>,
                  "leibniz::assign: the environment binds the target leaf to read-only memory (`W = t` in "
                  "lz::at(...) binds a read-only view); pass the tensor itself as the target, lz::assign(t, expr, env), "
                  "or bind the leaf to a mutable lz::tensor_view (the leaf is the template argument of "
                  "report_assign_read_only_leaf)");
    return false;
}

template <class T>
constexpr bool report_assign_read_only_view() {
    static_assert(dependent_false<T>, "leibniz::assign: the target is a view of read-only memory "
                                      "(lz::tensor_view<const T, S>); assign writes into it");
    return false;
}

}  // namespace detail

// target ← expr, element by element, in one fused SIMD loop (see the top of
// this file). The target is an lz::tensor or an lz::tensor_view of mutable memory.
template <class T, Shape S, Expression E, Environment Env>
void assign(const tensor_view<T, S>& target, E, const Env& env) {
    using X = std::remove_cvref_t<E>;
    if constexpr (poisoned<X>) {
        return;  // the expression's own check has failed, and said so
    } else if constexpr (std::is_const_v<T>) {
        detail::report_assign_read_only_view<T>();
    } else if constexpr (detail::check_assign<T, S, X, std::remove_cvref_t<Env>>()) {
        detail::assign_into<X>(target, env);
    }
}

template <class T, Shape S, Expression E, Environment Env>
void assign(tensor<T, S>& target, E expr, const Env& env) {
    assign(target.view(), expr, env);
}

// The same, into the tensor that env binds to the leaf `target` (a binding
// to a mutable lz::tensor_view; `W = t` in lz::at(...) binds a read-only one).
template <Leaf L, Expression E, Environment Env>
void assign(L, E expr, const Env& env) {
    using Target = std::remove_cvref_t<L>;
    if constexpr (!std::remove_cvref_t<Env>::template binds<Target>) {
        detail::report_assign_unbound<Target>();
    } else if constexpr (!detail::is_mutable_view<std::remove_cvref_t<decltype(env.template get<Target>())>>) {
        detail::report_assign_read_only_leaf<Target>();
    } else {
        assign(env.template get<Target>(), expr, env);
    }
}

}  // namespace leibniz
