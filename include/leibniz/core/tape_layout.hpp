#pragma once
// Where the tape's tensors live: the bytes they take for a run-time batch
// extent, and how their slots are laid out in a workspace's memory (lay_out).
// Also what every step may need besides the tapes (sweep_context).

#include <leibniz/config.hpp>
#include <leibniz/core/bind_tensor.hpp>
#include <leibniz/core/tape.hpp>
#include <leibniz/tensor/tensor.hpp>

#include <array>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

namespace leibniz {

// ---------------------------------------------------------------- run-time extents

namespace detail {

// The batch extent: every dyn extent of every bound leaf must agree.
template <class G, class Env>
std::size_t batch_extent(const Env& env) {
    std::size_t batch = 0;
    std::string_view first;  // the leaf that set the batch; a view of its static name, so nothing allocates
    [&]<class... Nodes>(boost::mp11::mp_list<Nodes...>) LEIBNIZ_ALWAYS_INLINE {
        (void)std::initializer_list<int>{([&]() LEIBNIZ_ALWAYS_INLINE {
             if constexpr (is_leaf<Nodes>::value && shape_of<Nodes>::rank > 0) {
                 const auto& view = env.template get<Nodes>();
                 for (std::size_t i = 0; i < shape_of<Nodes>::rank; ++i) {
                     if (shape_of<Nodes>::extents[i] != dyn) continue;
                     const std::size_t e = view.extent(i);
                     if (first.empty()) {
                         batch = e;
                         first = Nodes::name.view();
                     } else if (e != batch) {
                         throw shape_error("leibniz: leaf \"" + std::string(Nodes::name.view()) +
                                           "\" has batch (dyn) extent " + std::to_string(e) + ", but leaf \"" + std::string(first) +
                                           "\" has " + std::to_string(batch));
                     }
                 }
             }
         }(), 0)...};
    }(typename G::nodes{});
    return batch;
}

template <Shape S>
extents_of<S> extents_with_batch(std::size_t batch) {
    extents_of<S> e;
    for (std::size_t i = 0; i < S::rank; ++i) e.values[i] = S::extents[i] == dyn ? batch : S::extents[i];
    return e;
}

inline std::size_t round_up(std::size_t bytes) { return (bytes + tensor_alignment - 1) / tensor_alignment * tensor_alignment; }

}  // namespace detail

// Bytes of workspace a sweep needs: a value buffer for every stored op node of
// rank > 0 and, with adjoints, an adjoint buffer for every active stored node.
template <class G, class Plan, class T>
std::size_t tensor_bytes(std::size_t batch, bool adjoints) {
    std::size_t bytes = 0;
    [&]<class... Nodes>(boost::mp11::mp_list<Nodes...>) LEIBNIZ_ALWAYS_INLINE {
        [&]<std::size_t... K>(std::index_sequence<K...>) LEIBNIZ_ALWAYS_INLINE {
            (void)std::initializer_list<int>{([&]() LEIBNIZ_ALWAYS_INLINE {
                 if constexpr (shape_of<Nodes>::rank > 0 && !Plan::interior[K]) {
                     const std::size_t size = detail::extents_with_batch<shape_of<Nodes>>(batch).size() * sizeof(T);
                     if (is_node<Nodes>::value) bytes += detail::round_up(size);
                     if (adjoints && Plan::active[K]) bytes += detail::round_up(size);
                 }
             }(), 0)...};
        }(std::index_sequence_for<Nodes...>{});
    }(typename G::nodes{});
    return bytes;
}

// Scratch memory for ops that need it (a matrix product packs panels): the
// largest need of any op in the graph, shared, placed after the buffers.
// An op states `template <class T> static std::size_t scratch_bytes(extents...)`.
template <class Op, class T, class... Args>
constexpr bool uses_scratch =
    requires { Op::template scratch_bytes<T>(detail::extents_with_batch<shape_of<Args>>(0)...); };

template <class G, class T>
std::size_t scratch_bytes(std::size_t batch) {
    std::size_t bytes = 0;
    [&]<class... Nodes>(boost::mp11::mp_list<Nodes...>) LEIBNIZ_ALWAYS_INLINE {
        (void)std::initializer_list<int>{([&]() LEIBNIZ_ALWAYS_INLINE {
             if constexpr (is_node<Nodes>::value) {
                 [&]<class Op, class... Args>(node<Op, Args...>*) LEIBNIZ_ALWAYS_INLINE {
                     if constexpr (uses_scratch<Op, T, Args...>)
                         bytes = std::max(bytes, Op::template scratch_bytes<T>(
                                                     detail::extents_with_batch<shape_of<Args>>(batch)...));
                 }(static_cast<Nodes*>(nullptr));
             }
         }(), 0)...};
    }(typename G::nodes{});
    return detail::round_up(bytes);
}

// Points the tensor slots of the tapes at workspace memory and the leaves'
// slots at their bindings.
template <class G, class Plan, class T, class Tape, class Env>
void lay_out(Tape& values, Tape* adjoints, const Env& env, std::byte* memory, std::size_t batch) {
    [&]<class... Nodes>(boost::mp11::mp_list<Nodes...>) LEIBNIZ_ALWAYS_INLINE {
        [&]<std::size_t... K>(std::index_sequence<K...>) LEIBNIZ_ALWAYS_INLINE {
            (void)std::initializer_list<int>{([&]() LEIBNIZ_ALWAYS_INLINE {
                 if constexpr (shape_of<Nodes>::rank > 0 && !Plan::interior[K]) {
                     using S = shape_of<Nodes>;
                     const auto extents = detail::extents_with_batch<S>(batch);
                     const std::size_t bytes = detail::round_up(extents.size() * sizeof(T));
                     if constexpr (is_leaf<Nodes>::value) {
                         const auto& bound = env.template get<Nodes>();
                         // Values of leaves are read, never written: the view is const in spirit.
                         get<K>(values) = tensor_view<T, S>(const_cast<T*>(bound.data()), extents);
                     } else {
                         get<K>(values) = tensor_view<T, S>(reinterpret_cast<T*>(memory), extents);
                         memory += bytes;
                     }
                     if constexpr (Plan::active[K]) {
                         if (adjoints) {
                             get<K>(*adjoints) = tensor_view<T, S>(reinterpret_cast<T*>(memory), extents);
                             memory += bytes;
                         }
                     }
                 }
             }(), 0)...};
        }(std::index_sequence_for<Nodes...>{});
    }(typename G::nodes{});
}

// What every step of a tensor sweep may need besides the tapes.
struct sweep_context {
    std::span<std::byte> scratch;  // for ops that state scratch_bytes
    std::size_t batch = 0;         // the run-time (dyn) extent
};

}  // namespace leibniz
