#pragma once
// Parameter stores (DESIGN §5): every `param` leaf of an expression in one
// flat, 64-byte-aligned buffer.
//
//   lz::parameters params{loss};                 // the param leaves of loss, zeroed
//                                                // (its type: lz::parameters<lz::params_of<decltype(loss)>>)
//   params[W1]                                   // a view of W1's elements (a reference for a scalar)
//   params.find("W1")                            // by run-time name: a view with its extents, for files
//   params.for_each([](auto leaf, auto view) {}) // each leaf with its view, in store order
//   params.flat(), params.size()                 // every element, for an optimizer's one pass
//   lz::at(params, x = xs, y = ys)               // binds every parameter at once
//   lz::grad(loss, params, env, ws)              // gradients laid out like the store
//
//   lz::buffers bufs{loss};                      // the buffer leaves (running statistics): the same
//                                                // store, never differentiated
//   lz::at(params, bufs, x = xs)                 // binds both stores at once
//
// The order of the leaves is lz::params_of<E>: the param leaves of E in the
// order the expression first uses them (depth first, left to right — for a
// network, layer by layer), each once. Tensors follow one another without
// padding, so flat() is exactly size() elements, and a gradient laid out like
// the store (lz::parameter_view) can be swept with it element by element.

#include <leibniz/core/bind_tensor.hpp>
#include <leibniz/core/graph.hpp>
#include <leibniz/tensor/tensor.hpp>

#include <array>
#include <cstddef>
#include <cstring>
#include <functional>
#include <new>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

namespace leibniz {

template <class L>
struct is_param_leaf : std::bool_constant<Param<L>> {};

// The param leaves of E, in first-use order.
template <Expression E>
using params_of = boost::mp11::mp_copy_if<leaves_of<E>, is_param_leaf>;

template <class L>
struct is_buffer_leaf : std::bool_constant<Buffer<L>> {};

// The buffer leaves of E (non-trainable state), in first-use order.
template <Expression E>
using buffers_of = boost::mp11::mp_copy_if<leaves_of<E>, is_buffer_leaf>;

namespace detail {
template <class... P>
constexpr bool check_store_leaves() {
    constexpr bool static_shapes = (shape_of<P>::is_static && ...);
    static_assert(static_shapes, "leibniz::parameters: a param leaf has a run-time (dyn) extent; a store holds "
                                 "parameters of static shape");
    constexpr bool one_type = sizeof...(P) == 0 ||
                              boost::mp11::mp_size<boost::mp11::mp_unique<
                                  boost::mp11::mp_list<typename P::scalar_type...>>>::value == 1;
    static_assert(one_type, "leibniz::parameters: the param leaves have different scalar types (float and double); "
                            "a store holds one");
    return static_shapes && one_type;
}
template <class... P>
struct store_scalar {
    using type = boost::mp11::mp_front<boost::mp11::mp_list<typename P::scalar_type..., double>>;
};
}  // namespace detail

// One parameter found by its run-time name: its elements and extents.
template <class T>
struct parameter_ref {
    std::string_view name;
    std::span<T> data;
    std::span<const std::size_t> extents;
};

// The layout shared by a store and the gradients laid out like it.
template <class... P>
struct parameter_layout {
    static_assert(detail::check_store_leaves<P...>());
    using scalar_type = typename detail::store_scalar<P...>::type;
    using leaves = boost::mp11::mp_list<P...>;
    static constexpr std::size_t count = sizeof...(P);
    static constexpr std::array<std::size_t, count + 1> offset = [] {
        std::array<std::size_t, count + 1> o{};
        constexpr std::array<std::size_t, count + 1> sizes{shape_of<P>::size..., 0};
        for (std::size_t i = 0; i < count; ++i) o[i + 1] = o[i] + sizes[i];
        return o;
    }();
    static constexpr std::size_t size = offset[count];
    template <class L>
    static constexpr std::size_t index = boost::mp11::mp_find<leaves, std::remove_cvref_t<L>>::value;
    template <class L>
    static constexpr bool holds = index<L> < count;
};

// A view of parameters (or of gradients) laid out like a store: what
// lz::grad(loss, params, env, ws) returns, valid until ws's next use.
template <class T, class Leaves>
class parameter_view;
template <class T, class... P>
class parameter_view<T, boost::mp11::mp_list<P...>> {
public:
    using layout = parameter_layout<P...>;
    using scalar_type = std::remove_const_t<T>;
    using leaves = typename layout::leaves;

    parameter_view() = default;
    explicit parameter_view(T* data) : data_(data) {}

    template <Leaf L>
        requires(layout::template holds<L>)
    [[nodiscard]] decltype(auto) operator[](L) const {
        using S = shape_of<L>;
        T* p = data_ + layout::offset[layout::template index<L>];
        if constexpr (S::rank == 0)
            return *p;
        else
            return tensor_view<T, S>(p, detail::extents_of<S>{});
    }
    [[nodiscard]] std::span<T> flat() const noexcept { return {data_, layout::size}; }
    [[nodiscard]] static constexpr std::size_t size() noexcept { return layout::size; }
    [[nodiscard]] T* data() const noexcept { return data_; }

    // f(leaf, view) for each parameter, in store order.
    template <class F>
    void for_each(F&& f) const {
        ((f(P{}, (*this)[P{}])), ...);
    }

    // The parameter named `name`, if the store holds one.
    [[nodiscard]] std::optional<parameter_ref<T>> find(std::string_view name) const {
        std::optional<parameter_ref<T>> found;
        ((found || P::name.view() != name
              ? void()
              : void(found = parameter_ref<T>{P::name.view(),
                                              {data_ + layout::offset[layout::template index<P>], shape_of<P>::size},
                                              extents_of_leaf<P>()})),
         ...);
        return found;
    }

private:
    template <class L>
    static std::span<const std::size_t> extents_of_leaf() {
        static constexpr auto e = shape_of<L>::extents;
        return {e.data(), shape_of<L>::rank};
    }
    T* data_ = nullptr;
};

// lz::parameters params{expr}: owns the param leaves of expr, zeroed, in one
// flat 64-byte-aligned buffer. Copying copies the values (a snapshot, e.g.
// the best weights so far); moving moves the buffer.
template <class Leaves>
class parameters;
template <class... P>
class parameters<boost::mp11::mp_list<P...>> {
public:
    using layout = parameter_layout<P...>;
    using scalar_type = typename layout::scalar_type;
    using leaves = typename layout::leaves;
    using T = scalar_type;

    parameters() : data_(allocate()) {}
    template <Expression E>
    explicit parameters(E) : parameters() {}
    parameters(const parameters& other) : data_(allocate()) {
        std::memcpy(data_, other.data_, layout::size * sizeof(T));
    }
    parameters& operator=(const parameters& other) {
        if (this != &other) std::memcpy(data_, other.data_, layout::size * sizeof(T));
        return *this;
    }
    parameters(parameters&& other) noexcept : data_(std::exchange(other.data_, nullptr)) {}
    parameters& operator=(parameters&& other) noexcept {
        std::swap(data_, other.data_);
        return *this;
    }
    ~parameters() {
        if (data_) ::operator delete(data_, std::align_val_t{tensor_alignment});
    }

    template <Leaf L>
        requires(layout::template holds<L>)
    [[nodiscard]] decltype(auto) operator[](L l) {
        return view()[l];
    }
    template <Leaf L>
        requires(layout::template holds<L>)
    [[nodiscard]] decltype(auto) operator[](L l) const {
        return view()[l];
    }
    [[nodiscard]] parameter_view<T, leaves> view() noexcept { return parameter_view<T, leaves>(data_); }
    [[nodiscard]] parameter_view<const T, leaves> view() const noexcept { return parameter_view<const T, leaves>(data_); }
    [[nodiscard]] std::span<T> flat() noexcept { return {data_, layout::size}; }
    [[nodiscard]] std::span<const T> flat() const noexcept { return {data_, layout::size}; }
    [[nodiscard]] static constexpr std::size_t size() noexcept { return layout::size; }
    [[nodiscard]] static constexpr std::size_t count() noexcept { return layout::count; }

    template <class F>
    void for_each(F&& f) {
        view().for_each(std::forward<F>(f));
    }
    template <class F>
    void for_each(F&& f) const {
        view().for_each(std::forward<F>(f));
    }
    [[nodiscard]] std::optional<parameter_ref<T>> find(std::string_view name) { return view().find(name); }
    [[nodiscard]] std::optional<parameter_ref<const T>> find(std::string_view name) const {
        return view().find(name);
    }

private:
    static T* allocate() {
        T* p = static_cast<T*>(::operator new(std::max<std::size_t>(layout::size, 1) * sizeof(T),
                                              std::align_val_t{tensor_alignment}));
        std::fill_n(p, layout::size, T(0));
        return p;
    }
    T* data_;
};

template <Expression E>
parameters(E) -> parameters<params_of<E>>;

// lz::buffers bufs{expr}: the store of expr's buffer leaves (running
// statistics). It is a parameter store in every respect (views, find,
// for_each, flat, lz::at, lz::assign over it) but its own type, so that
// `lz::buffers bufs{loss}` deduces the buffer leaves; passing it to lz::grad is
// the compile error of a buffer in lz::wrt (a buffer has no gradient).
template <class Leaves>
class buffers : public parameters<Leaves> {
public:
    using parameters<Leaves>::parameters;
};
template <Expression E>
buffers(E) -> buffers<buffers_of<E>>;

template <class S>
struct is_parameter_store : std::false_type {};
template <class L>
struct is_parameter_store<parameters<L>> : std::true_type {};
template <class S>
concept ParameterStore = is_parameter_store<std::remove_cvref_t<S>>::value;

// lz::at(params, x = xs, ...): every parameter of the store bound (as a view
// of its elements), and the other bindings given.
// A scalar parameter is bound by reference (std::reference_wrapper), as a
// tensor is by view: an environment made once sees every later update.
namespace detail {
template <class P, class V>
auto bind_stored(const V& value) {
    if constexpr (shape_of<P>::rank == 0)
        return binding<P, std::reference_wrapper<const V>>{std::cref(value)};
    else
        return make_binding<P>(value);
}
}  // namespace detail

template <class... P, class... Leaves, class... Values>
auto at(const parameters<boost::mp11::mp_list<P...>>& store, const binding<Leaves, Values>&... bindings) {
    return at(detail::bind_stored<P>(store[P{}])..., bindings...);
}
// A temporary store would leave the environment's views dangling.
template <class... P, class... Leaves, class... Values>
void at(const parameters<boost::mp11::mp_list<P...>>&& store, const binding<Leaves, Values>&... bindings) = delete;

// lz::at(params, bufs, x = xs, ...): both stores (parameters and buffers, or
// any two stores of distinct leaves) bound at once, and the other bindings.
template <class... P, class... B, class... Leaves, class... Values>
auto at(const parameters<boost::mp11::mp_list<P...>>& first, const parameters<boost::mp11::mp_list<B...>>& second,
        const binding<Leaves, Values>&... bindings) {
    return at(detail::bind_stored<P>(first[P{}])..., detail::bind_stored<B>(second[B{}])..., bindings...);
}
template <class... P, class... B, class... Leaves, class... Values>
void at(const parameters<boost::mp11::mp_list<P...>>&&, const parameters<boost::mp11::mp_list<B...>>&,
        const binding<Leaves, Values>&...) = delete;
template <class... P, class... B, class... Leaves, class... Values>
void at(const parameters<boost::mp11::mp_list<P...>>&, const parameters<boost::mp11::mp_list<B...>>&&,
        const binding<Leaves, Values>&...) = delete;

}  // namespace leibniz
