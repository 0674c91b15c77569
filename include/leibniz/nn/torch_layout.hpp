#pragma once
// How a leaf's elements map to PyTorch's tensor of the same state-dict name.
//
// The library computes a dense layer as y = x·W + b with W stored [in, out],
// so that a batch [N, in] multiplies it without a transpose. PyTorch's
// nn.Linear stores weight as [out, in] (y = x·Wᵀ + b). The names are the
// same ("0.weight"); the values are transposed. A dense weight is a param
// leaf of kind lz::nn::linear_weight_kind, so the layout travels with the
// leaf's type and a weights file (safetensors) can ask, leaf by leaf:
//
//   lz::nn::torch_layout<L>::transposed     true for a dense weight
//   lz::nn::torch_layout<L>::extents        PyTorch's shape ([out, in] for a dense weight)
//   lz::nn::torch_layout<L>::to_torch(ours, theirs)    copy into PyTorch's layout
//   lz::nn::torch_layout<L>::from_torch(theirs, ours)  copy from it
//
// Every other leaf (biases, batch norm's weight and running statistics, a raw
// lz::param) is stored as PyTorch stores it. PyTorch's BatchNorm1d also has a
// "num_batches_tracked" buffer (an int64 count), which lz::nn does not keep
// (it only matters for momentum=None): a file writer may write 0 or skip it.

#include <leibniz/core/expr.hpp>

#include <array>
#include <cstddef>
#include <type_traits>

namespace leibniz::nn {

// The kind of a dense layer's weight: a parameter PyTorch stores transposed.
struct linear_weight_kind : param_kind {};

template <class L>
struct torch_layout {
    using leaf = std::remove_cvref_t<L>;
    using shape_type = typename leaf::shape_type;
    static constexpr bool transposed = std::is_same_v<typename leaf::kind, linear_weight_kind>;
    static_assert(!transposed || shape_type::rank == 2, "leibniz::nn::torch_layout: a dense weight is a matrix");
    static constexpr std::size_t rank = shape_type::rank;
    static constexpr std::array<std::size_t, rank> extents = [] {
        std::array<std::size_t, rank> e = shape_type::extents;
        if constexpr (transposed) e = {shape_type::extents[1], shape_type::extents[0]};
        return e;
    }();

    // theirs[j, i] = ours[i, j] for a dense weight; a copy otherwise.
    template <class T>
    static void to_torch(const T* ours, T* theirs) {
        copy<false>(ours, theirs);
    }
    template <class T>
    static void from_torch(const T* theirs, T* ours) {
        copy<true>(theirs, ours);
    }

private:
    template <bool FromTorch, class T>
    static void copy(const T* src, T* dst) {
        if constexpr (transposed) {
            constexpr std::size_t in = shape_type::extents[0], out = shape_type::extents[1];
            for (std::size_t i = 0; i < in; ++i)
                for (std::size_t j = 0; j < out; ++j) {
                    if constexpr (FromTorch)
                        dst[i * out + j] = src[j * in + i];
                    else
                        dst[j * in + i] = src[i * out + j];
                }
        } else {
            for (std::size_t k = 0; k < shape_type::size; ++k) dst[k] = src[k];
        }
    }
};

}  // namespace leibniz::nn
