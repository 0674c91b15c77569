#pragma once
// Where the tape's tensors live: the bytes they take for a run-time batch
// extent, and the cells laid out in a workspace's memory (lay_out), with the
// leaves' cells pointing at their bound data. Also what every step may need
// besides the tapes (sweep_context).
//
// Compile time (DESIGN §4): everything here runs as loops over constexpr
// tables of the graph's nodes, and reads the environment's bindings in one
// pack expansion, so no function is instantiated per node.

#include <leibniz/config.hpp>
#include <leibniz/core/bind_tensor.hpp>
#include <leibniz/core/tape.hpp>
#include <leibniz/tensor/tensor.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace leibniz {

// What every step of a sweep may need besides the tapes.
struct sweep_context {
    std::span<std::byte> scratch;  // for ops that state scratch_bytes
    std::size_t batch = 0;         // the run-time (dyn) extent
};

namespace detail {

constexpr std::size_t round_up(std::size_t bytes) { return (bytes + tensor_alignment - 1) / tensor_alignment * tensor_alignment; }

template <Shape S>
constexpr std::size_t static_elements() {
    std::size_t n = 1;
    for (std::size_t i = 0; i < S::rank; ++i)
        if (S::extents[i] != dyn) n *= S::extents[i];
    return n;
}
template <Shape S>
constexpr std::size_t dyn_extents() {
    std::size_t n = 0;
    for (std::size_t i = 0; i < S::rank; ++i) n += S::extents[i] == dyn;
    return n;
}

// The graph's nodes as constexpr tables.
template <class G, class Plan, class T>
struct node_table;
template <class... Nodes, class Plan, class T>
struct node_table<graph<boost::mp11::mp_list<Nodes...>>, Plan, T> {
    static constexpr std::size_t n = sizeof...(Nodes);
    static constexpr std::array<std::size_t, n> rank{shape_of<Nodes>::rank...};
    static constexpr std::array<std::size_t, n> static_elements{detail::static_elements<shape_of<Nodes>>()...};
    static constexpr std::array<std::size_t, n> dyn_extents{detail::dyn_extents<shape_of<Nodes>>()...};
    static constexpr std::array<std::size_t, n> element_size{sizeof(element_t<Nodes, T>)...};
    static constexpr std::array<bool, n> leaf{is_leaf<Nodes>::value...};

    // A tensor of node k has a buffer: rank > 0 and not fused away.
    static constexpr bool stored(std::size_t k) { return rank[k] > 0 && !Plan::interior[k]; }
    static constexpr bool no_dyn = [] {
        for (std::size_t d : dyn_extents)
            if (d != 0) return false;
        return true;
    }();
    static constexpr std::size_t bytes(std::size_t k, std::size_t batch, std::size_t element) {
        std::size_t count = static_elements[k];
        for (std::size_t i = 0; i < dyn_extents[k]; ++i) count *= batch;
        return round_up(count * element);
    }
};

// The position in the environment of every leaf of G (the number of
// bindings, the null entry after them, for other nodes). One lookup per
// binding, in G's index map: nothing is instantiated per node.
template <class G, class EnvLeaves>
struct binding_slots;
template <class G, class... L>
struct binding_slots<G, boost::mp11::mp_list<L...>> {
    static constexpr std::array<std::size_t, G::size> value = [] {
        std::array<std::size_t, G::size> position{};
        position.fill(sizeof...(L));
        constexpr std::array<std::size_t, sizeof...(L) + 1> node{position_in<G, L>::type::value..., std::size_t(-1)};
        for (std::size_t j = 0; j < sizeof...(L); ++j)
            if (node[j] != std::size_t(-1)) position[node[j]] = j;
        return position;
    }();
};

// One bound value as the tape sees it: a tensor's address, or a number.
template <class V>
void* bound_data(const V&) {
    return nullptr;
}
template <class E, class S>
void* bound_data(const tensor_view<E, S>& v) {
    return const_cast<std::remove_const_t<E>*>(v.data());  // leaves are read, never written
}
template <class T, class V>
constexpr T bound_number(const V& v) {
    return T(v);
}
template <class T, class E, class S>
constexpr T bound_number(const tensor_view<E, S>&) {
    return T(0);
}

// Checks one bound tensor's dyn extents against the batch (the first sets it).
template <class V>
void check_batch(const V&, bool, std::string_view, std::size_t&, std::string_view&) {}
template <class E, class S>
void check_batch(const tensor_view<E, S>& view, bool in_graph, std::string_view name, std::size_t& batch,
                 std::string_view& first) {
    if (!in_graph) return;
    for (std::size_t i = 0; i < S::rank; ++i) {
        if (S::extents[i] != dyn) continue;
        const std::size_t e = view.extent(i);
        if (first.empty()) {
            batch = e;
            first = name;
        } else if (e != batch) {
            throw shape_error("leibniz: leaf \"" + std::string(name) + "\" has batch (dyn) extent " + std::to_string(e) +
                              ", but leaf \"" + std::string(first) + "\" has " + std::to_string(batch));
        }
    }
}

// The batch extent: every dyn extent of every bound leaf of G must agree.
template <class G, class Env>
std::size_t batch_extent(const Env& env) {
    std::size_t batch = 0;
    std::string_view first;  // the leaf that set the batch; a view of its static name, so nothing allocates
    [&]<class... L>(boost::mp11::mp_list<L...>) {
        constexpr std::array<bool, sizeof...(L) + 1> in_graph{G::template contains_t<L>::value..., false};
        constexpr std::array<std::string_view, sizeof...(L) + 1> names{L::name.view()..., {}};
        env.unpack([&](const auto&... v) {
            std::size_t j = 0;
            (void)std::initializer_list<int>{(check_batch(v, in_graph[j], names[j], batch, first), ++j, 0)...};
        });
    }(typename Env::leaves{});
    return batch;
}

}  // namespace detail

// Where the adjoints of some leaves go instead of the workspace: into a buffer
// laid out like a parameter store (core/parameters.hpp), at offset[k]
// elements for leaf k. no_pins: nowhere else.
struct no_pins {
    static constexpr bool pinned(std::size_t) { return false; }
};
template <class G, class Layout>
struct store_pins {
    static constexpr std::size_t none = std::size_t(-1);
    // One lookup per leaf of the store, in G's index map: nothing is instantiated per node.
    template <class... P>
    static constexpr std::array<std::size_t, G::size> offsets(boost::mp11::mp_list<P...>) {
        std::array<std::size_t, G::size> offset{};
        offset.fill(none);
        constexpr std::array<std::size_t, sizeof...(P) + 1> node{detail::position_in<G, P>::type::value..., none};
        for (std::size_t j = 0; j < sizeof...(P); ++j)
            if (node[j] != none) offset[node[j]] = Layout::offset[j];
        return offset;
    }
    static constexpr std::array<std::size_t, G::size> offset = offsets(typename Layout::leaves{});
    static constexpr bool pinned(std::size_t k) { return offset[k] != none; }
};

namespace detail {
// Where each buffer goes, node by node (value, then adjoint), as an offset in
// bytes from the start of the workspace, for batch extent `batch`.
template <class G, class Plan, class T, class Pins>
struct buffer_offsets {
    using table = node_table<G, Plan, T>;
    std::array<std::size_t, table::n + 1> value{}, adjoint{};
    std::size_t total = 0;
    constexpr buffer_offsets(std::size_t batch, bool adjoints) {
        for (std::size_t k = 0; k < table::n; ++k) {
            if (!table::stored(k)) continue;
            const std::size_t bytes = table::bytes(k, batch, sizeof(T));
            if (!table::leaf[k]) {
                value[k] = total;
                total += bytes;
            }
            if (adjoints && Plan::active[k] && !Pins::pinned(k)) {
                adjoint[k] = total;
                total += bytes;
            }
        }
    }
};
// For a graph without dyn extents, the offsets are constants.
template <class G, class Plan, class T, class Pins, bool Adjoints>
inline constexpr buffer_offsets<G, Plan, T, Pins> static_offsets{0, Adjoints};
}  // namespace detail

// Bytes of workspace a sweep needs: a value buffer for every stored op node of
// rank > 0 and, with adjoints, an adjoint buffer for every active stored node
// whose adjoint is not pinned elsewhere.
template <class G, class Plan, class T, class Pins = no_pins>
std::size_t tensor_bytes(std::size_t batch, bool adjoints) {
    if constexpr (detail::node_table<G, Plan, T>::no_dyn)
        return adjoints ? detail::static_offsets<G, Plan, T, Pins, true>.total
                        : detail::static_offsets<G, Plan, T, Pins, false>.total;
    else
        return detail::buffer_offsets<G, Plan, T, Pins>(batch, adjoints).total;
}

namespace detail {
// lay_out for a graph whose steps run out of line (steps_out_of_line): the
// same stores, as loops over the tables. (Expanded, they are one statement
// per node in one function, and g++ -O2's time on that function grows faster
// than the graph: 1.2 s at 649 nodes, 0.3 s at 329.)
// place(offsets) with the buffers' offsets: constants without dyn extents.
template <class G, class Plan, class T, class Pins, class Place>
void with_offsets(std::size_t batch, bool adjoints, Place&& place) {
    if constexpr (node_table<G, Plan, T>::no_dyn) {
        if (adjoints)
            place(static_offsets<G, Plan, T, Pins, true>);
        else
            place(static_offsets<G, Plan, T, Pins, false>);
    } else {
        place(buffer_offsets<G, Plan, T, Pins>(batch, adjoints));
    }
}
template <class Pins>
constexpr std::size_t pin_offset(std::size_t k) {
    if constexpr (std::is_same_v<Pins, no_pins>)
        return 0;
    else
        return Pins::offset[k];
}
template <class G, class Plan, class T, class Pins, class Tape, class Env>
void lay_out_by_loops(Tape& values, Tape* adjoints, const Env& env, std::byte* memory, std::size_t batch,
                      T* pinned) {
    using table = node_table<G, Plan, T>;
    constexpr auto& position = binding_slots<G, typename Env::leaves>::value;
    env.unpack([&](const auto&... v) {
        const std::array<void*, sizeof...(v) + 1> data{bound_data(v)..., nullptr};
        const std::array<T, sizeof...(v) + 1> number{bound_number<T>(v)..., T(0)};
        for (std::size_t k = 0; k < table::n; ++k) {
            if (!table::leaf[k]) continue;
            if (table::rank[k] == 0)
                values.slots[k].value = number[position[k]];
            else
                values.slots[k].data = data[position[k]];
        }
    });
    auto place = [&](const auto& offsets) {
        for (std::size_t k = 0; k < table::n; ++k) {
            if (!table::stored(k)) continue;
            if (!table::leaf[k]) values.slots[k].data = memory + offsets.value[k];
            if (adjoints && Plan::active[k])
                adjoints->slots[k].data = Pins::pinned(k) ? static_cast<void*>(pinned + pin_offset<Pins>(k))
                                                          : static_cast<void*>(memory + offsets.adjoint[k]);
        }
    };
    with_offsets<G, Plan, T, Pins>(batch, adjoints != nullptr, place);
}
}  // namespace detail

// Points the cells of the tapes at workspace memory (values, then adjoints,
// node by node, as tensor_bytes counts them) and the leaves' cells at their
// bindings (a number is copied in); a pinned adjoint at `pinned` + its offset.
template <class G, class Plan, class T, class Pins = no_pins, class Tape, class Env>
void lay_out(Tape& values, Tape* adjoints, const Env& env, std::byte* memory, std::size_t batch,
             T* pinned = nullptr) {
    if constexpr (detail::steps_out_of_line<G>) {
        detail::lay_out_by_loops<G, Plan, T, Pins>(values, adjoints, env, memory, batch, pinned);
    } else {
        using table = detail::node_table<G, Plan, T>;
        constexpr auto& position = detail::binding_slots<G, typename Env::leaves>::value;
        // Expanded over the nodes as expressions, not a loop: for a small graph
        // everything folds to a few stores (no function is instantiated per node).
        env.unpack([&](const auto&... v) {
            const std::array<void*, sizeof...(v) + 1> data{detail::bound_data(v)..., nullptr};
            const std::array<T, sizeof...(v) + 1> number{detail::bound_number<T>(v)..., T(0)};
            [&]<std::size_t... K>(std::index_sequence<K...>) {
                (void)std::initializer_list<int>{
                    (table::leaf[K] ? (table::rank[K] == 0 ? void(values.slots[K].value = number[position[K]])
                                                           : void(values.slots[K].data = data[position[K]]))
                                    : void(),
                     0)...};
            }(std::make_index_sequence<table::n>{});
        });
        auto place = [&](const auto& offsets) {
            [&]<std::size_t... K>(std::index_sequence<K...>) {
                (void)std::initializer_list<int>{
                    (table::stored(K) && !table::leaf[K] ? void(values.slots[K].data = memory + offsets.value[K])
                                                         : void(),
                     0)...};
                if (adjoints)
                    (void)std::initializer_list<int>{
                        (table::stored(K) && Plan::active[K] && !Pins::pinned(K)
                             ? void(adjoints->slots[K].data = memory + offsets.adjoint[K])
                             : void(),
                         0)...};
                if constexpr (!std::is_same_v<Pins, no_pins>)
                    if (adjoints)
                        (void)std::initializer_list<int>{
                            (table::stored(K) && Plan::active[K] && Pins::pinned(K)
                                 ? void(adjoints->slots[K].data = pinned + Pins::offset[K])
                                 : void(),
                             0)...};
            }(std::make_index_sequence<table::n>{});
        };
        detail::with_offsets<G, Plan, T, Pins>(batch, adjoints != nullptr, place);
    }
}

}  // namespace leibniz
