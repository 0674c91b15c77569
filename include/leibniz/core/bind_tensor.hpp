#pragma once
// Binding tensors to leaves: `x = t` where t is an lz::tensor or lz::tensor_view
// binds a read-only view (no copy). The scalar type must be the leaf's; static
// extents must agree at compile time; a dyn extent of the leaf takes the
// value's extent, checked against the other leaves when the expression runs.

#include <leibniz/core/bind.hpp>
#include <leibniz/tensor/tensor.hpp>

#include <string>

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

template <class Leaf, class T, Shape S>
auto bind_tensor(const tensor<T, S>& value) {
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

}  // namespace leibniz
