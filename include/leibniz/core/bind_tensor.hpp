#pragma once
// Binding tensors to leaves: `x = t` where t is an lz::tensor or lz::tensor_view
// binds a read-only view (no copy). The scalar type must be the leaf's; static
// extents must agree at compile time; a dyn extent of the leaf takes the
// value's extent, checked against the other leaves when the expression runs.
//
// A flat contiguous container of the leaf's scalar type (std::vector,
// std::array, std::span, anything with std::data and std::size) binds as a view of the
// leaf's shape, row-major: its size must be the shape's number of elements (a
// std::array or fixed-extent std::span: checked at compile time; otherwise an
// lz::shape_error naming the leaf and both sizes). A shape with one dyn extent
// takes it from the size, which must be a multiple of the other extents'
// product; two or more dyn extents cannot be inferred (a compile error: bind a
// tensor_view with its extents).

#include <leibniz/core/bind.hpp>
#include <leibniz/tensor/tensor.hpp>

#include <array>
#include <cstddef>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace leibniz {

namespace detail {
template <Shape Leaf, Shape Value>
constexpr bool extents_compatible() {
    if (Leaf::rank != Value::rank) return false;
    for (std::size_t i = 0; i < Leaf::rank; ++i)
        if (Leaf::extents[i] != dyn && Value::extents[i] != dyn && Leaf::extents[i] != Value::extents[i]) return false;
    return true;
}

// The shapes of the leaf and of the bound tensor are the template arguments.
template <Shape LeafShape, Shape ValueShape>
constexpr bool check_bound_shape() {
    constexpr bool ok = extents_compatible<LeafShape, ValueShape>();
    static_assert(ok, "leibniz: the tensor bound to a leaf has the wrong shape (the leaf's shape and the tensor's "
                      "shape are the template arguments of check_bound_shape)");
    return ok;
}
}  // namespace detail

template <class Leaf, class T, Shape S>
auto bind_tensor(const tensor_view<T, S>& value) {
    using LT = typename Leaf::scalar_type;
    using LS = typename Leaf::shape_type;
    static_assert(std::is_same_v<std::remove_const_t<T>, LT>,
                  "leibniz: the tensor bound to a leaf must have the leaf's scalar type (float and double are not "
                  "converted silently)");
    if constexpr (detail::check_bound_shape<LS, S>()) {
        detail::extents_of<LS> extents;
        if constexpr (LS::is_static && std::is_same_v<S, LS>)  // checked by the types: nothing to do at run time
            return binding<Leaf, tensor_view<const LT, LS>>{tensor_view<const LT, LS>(value.data(), extents)};
        for (std::size_t i = 0; i < LS::rank; ++i) {
            const std::size_t got = value.extent(i);
            if (LS::extents[i] != dyn && got != LS::extents[i])  // only a dyn extent of the value can disagree here
                throw shape_error("leibniz: leaf \"" + std::string(Leaf::name.view()) + "\": extent " +
                                  std::to_string(i) + " is " + std::to_string(got) + ", the leaf's shape needs " +
                                  std::to_string(LS::extents[i]));
            extents.values[i] = got;
        }
        return binding<Leaf, tensor_view<const LT, LS>>{tensor_view<const LT, LS>(value.data(), extents)};
    }
}

namespace detail {
// A named tensor of the leaf's own static shape and scalar type, bound by
// address: the environment holds a view of it (core/bind.hpp, env_value).
template <class T, Shape S>
struct tensor_address {
    const T* data;
};
template <class T, Shape S>
struct env_value<tensor_address<T, S>> {
    using type = tensor_view<const T, S>;
    static type of(const tensor_address<T, S>& a) { return type(a.data, extents_of<S>{}); }
};
}  // namespace detail

template <class Leaf, class T, Shape S>
auto bind_tensor(const tensor<T, S>& value) {
    if constexpr (S::is_static && std::is_same_v<S, typename Leaf::shape_type> &&
                  std::is_same_v<T, typename Leaf::scalar_type>)
        return binding<Leaf, detail::tensor_address<T, S>>{value.data()};  // checked by the types
    else
        return bind_tensor<Leaf>(value.view());
}

// A temporary tensor would die before the view bound to the leaf is used.
template <class Leaf, class T, Shape S>
auto bind_tensor(tensor<T, S>&& value) {
    static_assert(detail::dependent_false<Leaf, T>,
                  "leibniz: binding a temporary lz::tensor would leave the leaf viewing freed memory; bind a named "
                  "tensor (or a tensor_view of memory that outlives the call)");
    return bind_tensor<Leaf>(value.view());
}

// ---------------------------------------------------------------- flat containers

namespace detail {

// What the bound container is called in messages.
template <class R>
inline constexpr std::string_view container_name = "container";
template <class T, class A>
inline constexpr std::string_view container_name<std::vector<T, A>> = "std::vector";
template <class T, std::size_t N>
inline constexpr std::string_view container_name<std::array<T, N>> = "std::array";
template <class T, std::size_t N>
inline constexpr std::string_view container_name<std::span<T, N>> = "std::span";

// The size a container has at compile time (std::array, std::span<T, N>), or dyn.
template <class R>
inline constexpr std::size_t static_size = dyn;
template <class T, std::size_t N>
inline constexpr std::size_t static_size<std::array<T, N>> = N;
template <class T, std::size_t N>
    requires(N != std::dynamic_extent)
inline constexpr std::size_t static_size<std::span<T, N>> = N;

// A view (std::span) may be bound as a temporary: the memory is someone else's.
template <class R>
inline constexpr bool is_span = false;
template <class T, std::size_t N>
inline constexpr bool is_span<std::span<T, N>> = true;

// Contiguous memory with a size: std::data and std::size (not the concepts of
// <ranges>, a large header).
template <class R>
concept flat_container = requires(R& r) {
    { std::data(r) } -> std::convertible_to<const volatile void*>;
    { std::size(r) } -> std::convertible_to<std::size_t>;
};
template <class R>
using flat_element_t = std::remove_cv_t<std::remove_pointer_t<decltype(std::data(std::declval<R&>()))>>;

template <Shape S>
std::string shape_text() {
    std::string out = "[";
    for (std::size_t i = 0; i < S::rank; ++i)
        out += (i ? ", " : "") + (S::extents[i] == dyn ? std::string("dyn") : std::to_string(S::extents[i]));
    return out + "]";
}

// The product of the static extents.
template <Shape S>
constexpr std::size_t static_extent_product() {
    std::size_t n = 1;
    for (std::size_t e : S::extents)
        if (e != dyn) n *= e;
    return n;
}

template <class Leaf, class R>
constexpr bool check_flat_scalar() {
    constexpr bool ok = std::is_same_v<flat_element_t<R>, typename Leaf::scalar_type>;
    static_assert(ok, "leibniz: the container bound to a leaf must hold the leaf's scalar type (float and double are "
                      "not converted silently)");
    return ok;
}

// The leaf's shape and the container's size are the template arguments.
template <Shape LeafShape, std::size_t ContainerSize>
constexpr bool check_bound_size() {
    constexpr bool ok = ContainerSize == dyn ||
                        (LeafShape::is_static ? ContainerSize == LeafShape::size
                                              : (static_extent_product<LeafShape>() == 0
                                                     ? ContainerSize == 0
                                                     : ContainerSize % static_extent_product<LeafShape>() == 0));
    static_assert(ok, "leibniz: the container bound to a leaf does not hold the leaf's number of elements (the "
                      "leaf's shape and the container's size are the template arguments of check_bound_size)");
    return ok;
}

template <Shape LeafShape>
constexpr bool check_inferable_shape() {
    constexpr bool ok = dynamic_extent_count<LeafShape>() <= 1;
    static_assert(ok, "leibniz: a flat container cannot bind to a leaf with two or more dyn extents (its extents "
                      "cannot be inferred from the size); bind an lz::tensor_view with the extents, e.g. "
                      "lz::tensor_view<const float, lz::shape<lz::dyn, lz::dyn>>(v.data(), rows, cols)");
    return ok;
}

template <class R>
constexpr bool check_flat_lifetime() {
    constexpr bool ok = std::is_lvalue_reference_v<R> || is_span<std::remove_cvref_t<R>>;
    static_assert(ok, "leibniz: binding a temporary container would leave the leaf viewing freed memory; bind a "
                      "named container (or a std::span of memory that outlives the call)");
    return ok;
}

// x = v: a flat contiguous container viewed with the leaf's shape (selected by
// the tag flat_values in make_binding, core/bind.hpp; found by argument-dependent
// lookup in this namespace).
template <class Leaf, class R>
    requires flat_container<R>
auto bind_tensor(flat_values, R&& values) {
    using LT = typename Leaf::scalar_type;
    using LS = typename Leaf::shape_type;
    using C = std::remove_cvref_t<R>;
    using result = binding<Leaf, tensor_view<const LT, LS>>;
    if constexpr (!check_flat_lifetime<R>() || !check_flat_scalar<Leaf, R>() || !check_inferable_shape<LS>() ||
                  !check_bound_size<LS, static_size<C>>()) {
        return result{};  // reported above, alone
    } else {
        const std::size_t n = std::size(values);
        const LT* data = std::data(values);
        constexpr std::size_t fixed = static_extent_product<LS>();
        extents_of<LS> extents;
        if constexpr (LS::is_static) {
            if constexpr (static_size<C> == dyn) {
                if (n != LS::size)
                    throw shape_error("leibniz: leaf \"" + std::string(Leaf::name.view()) + "\" has " +
                                      std::to_string(LS::size) + " elements (shape " + shape_text<LS>() +
                                      ") but the bound " + std::string(container_name<C>) + " holds " +
                                      std::to_string(n));
            }
        } else {  // one dyn extent: the size divided by the other extents
            if (fixed == 0 ? n != 0 : n % fixed != 0)
                throw shape_error("leibniz: leaf \"" + std::string(Leaf::name.view()) + "\" of shape " +
                                  shape_text<LS>() + " takes a multiple of " + std::to_string(fixed) +
                                  " elements but the bound " + std::string(container_name<C>) + " holds " +
                                  std::to_string(n));
            for (std::size_t i = 0; i < LS::rank; ++i)
                if (LS::extents[i] == dyn) extents.values[i] = fixed == 0 ? 0 : n / fixed;
        }
        return result{tensor_view<const LT, LS>(data, extents)};
    }
}

}  // namespace detail

}  // namespace leibniz
