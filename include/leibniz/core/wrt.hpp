#pragma once
// lz::wrt(w, x): the leaves a derivative is taken with respect to, and what
// grad-like calls return: value_and_gradient, and the poisoned results that
// stand in after a failed check (reported there, so nothing after it fails).

#include <leibniz/core/graph.hpp>

#include <cstddef>
#include <tuple>
#include <type_traits>

namespace leibniz {

// lz::wrt(w, x): the leaves to differentiate with respect to, in this order.
template <class... Leaves>
struct wrt_t {
    using leaves = boost::mp11::mp_list<Leaves...>;
    static constexpr std::size_t size = sizeof...(Leaves);
};

namespace detail {
// Every one a leaf. A loop over an array, not `template <Leaf... Leaves>`: that
// is a fold, and clang limits fold nesting to 256 operands.
template <class... L>
constexpr bool all_leaves() {
    return all_true<Leaf<L>...>();
}
}  // namespace detail

template <class... Leaves>
    requires(detail::all_leaves<Leaves...>())
constexpr wrt_t<std::remove_cvref_t<Leaves>...> wrt(Leaves...) {
    return {};
}

template <class W>
struct is_wrt : std::false_type {};
template <class... L>
struct is_wrt<wrt_t<L...>> : std::true_type {};
template <class W>
concept WithRespectTo = is_wrt<std::remove_cvref_t<W>>::value;

template <class V, class Gradients>
struct value_and_gradient {
    V value;
    Gradients gradient;
};

namespace detail {

template <bool Ok, class Leaf>
constexpr bool report_not_a_leaf_of_expression() {
    static_assert(Ok,
                  "leibniz::grad: a variable in lz::wrt(...) is not a leaf of the expression (it is the "
                  "template argument of report_not_a_leaf_of_expression)");
    return Ok;
}

// An integer leaf is data (labels, indices): its values are not variables
// of the function, so there is no derivative to take.
template <bool Ok, class Leaf>
constexpr bool report_integer_leaf_in_wrt() {
    static_assert(Ok,
                  "leibniz::grad: an integer leaf (labels, indices) has no gradient (it is data, not a variable "
                  "of the function); remove it from lz::wrt(...) (the leaf is the template argument of "
                  "report_integer_leaf_in_wrt)");
    return Ok;
}

// A buffer (running statistics) is state the expression reads, updated by
// its own rule (e.g. batch norm's momentum average), not by a gradient.
template <bool Ok, class Leaf>
constexpr bool report_buffer_leaf_in_wrt() {
    static_assert(Ok,
                  "leibniz::grad: a buffer leaf (lz::buffer: non-trainable state such as batch norm's running "
                  "statistics) has no gradient; it is updated by its own rule (lz::assign), not trained: remove it "
                  "from lz::wrt(...), or pass the parameter store, not the buffer store, to grad (the leaf is the "
                  "template argument of report_buffer_leaf_in_wrt)");
    return Ok;
}

template <class F, class Wrt>
constexpr bool check_wrt() {
    using G = graph_of<F>;
    return []<class... L>(boost::mp11::mp_list<L...>) {
        if constexpr (!all_true<!is_integer_scalar<typename L::scalar_type>...>())
            return all_true<report_integer_leaf_in_wrt<!is_integer_scalar<typename L::scalar_type>, L>()...>();
        else if constexpr (!all_true<!std::is_same_v<typename L::kind, buffer_kind>...>())
            return all_true<report_buffer_leaf_in_wrt<!std::is_same_v<typename L::kind, buffer_kind>, L>()...>();
        else
            return all_true<report_not_a_leaf_of_expression<G::template contains_t<L>::value, L>()...>();
    }(typename Wrt::leaves{});
}

// What grad returns after a failed check (reported there): one poison per leaf
// in wrt, so `auto [dw, dx] = lz::grad(...)` adds no error of its own.
template <class L>
using poison_for = poison;
template <class Wrt>
struct poisoned_gradient;
template <class... L>
struct poisoned_gradient<wrt_t<L...>> {
    using type = std::tuple<poison_for<L>...>;
};
template <class Wrt>
using poisoned_gradient_t = typename poisoned_gradient<std::remove_cvref_t<Wrt>>::type;

}  // namespace detail

}  // namespace leibniz
