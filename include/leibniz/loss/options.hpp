#pragma once
// The options of the losses, spelled as PyTorch's keyword arguments:
//
//   lz::loss::huber(pred, target, lz::loss::delta(2_c), lz::loss::reduction::sum)
//   ≙ torch.nn.functional.huber_loss(pred, target, delta=2.0, reduction='sum')
//
// An option is a tag and a value: a literal (delta, beta, margin,
// label_smoothing, eps), an expression (weight, pos_weight: leaves the caller
// binds), a compile-time bool (log_input, full, log_target) or integer
// (ignore_index<-1>). Options come
// after the operands, in any order; a loss rejects one it does not take with
// a message naming the loss. Constants are literals (2_c, lz::c<1, 10>):
// they are exact and folded at compile time.

#include <leibniz/core/expr.hpp>
#include <leibniz/ops/mean.hpp>
#include <leibniz/ops/sum.hpp>

#include <cstddef>
#include <string_view>
#include <type_traits>

namespace leibniz::loss {

template <class Tag, class V>
struct option {
    using tag = Tag;
    V value;
};

namespace tags {
struct reduction {};
struct weight {};
struct pos_weight {};
struct delta {};
struct beta {};
struct margin {};
struct label_smoothing {};
struct log_input {};
struct log_target {};
struct full {};
struct eps {};
struct ignore_index {};
}  // namespace tags

// reduction='mean' (the default), 'sum', 'none'; kl_div also takes 'batchmean'.
namespace reduction {
struct mean_t {};
struct sum_t {};
struct none_t {};
struct batchmean_t {};
inline constexpr option<tags::reduction, mean_t> mean{};
inline constexpr option<tags::reduction, sum_t> sum{};
inline constexpr option<tags::reduction, none_t> none{};
inline constexpr option<tags::reduction, batchmean_t> batchmean{};
}  // namespace reduction

// Literal-valued options: lz::loss::delta(2_c), lz::loss::margin(lz::c<1, 2>).
template <Literal L>
constexpr option<tags::delta, L> delta(L l) { return {l}; }
template <Literal L>
constexpr option<tags::beta, L> beta(L l) { return {l}; }
template <Literal L>
constexpr option<tags::margin, L> margin(L l) { return {l}; }
template <Literal L>
constexpr option<tags::label_smoothing, L> label_smoothing(L l) { return {l}; }
template <Literal L>
constexpr option<tags::eps, L> eps(L l) { return {l}; }
// Expression-valued options: class weights [C] (a leaf the caller binds), pos_weight [C].
template <Expression W>
constexpr option<tags::weight, W> weight(W w) { return {w}; }
template <Expression W>
constexpr option<tags::pos_weight, W> pos_weight(W w) { return {w}; }
// Compile-time switches: lz::loss::log_input<false>, lz::loss::full<true>, lz::loss::log_target<true>.
template <bool B>
inline constexpr option<tags::log_input, std::bool_constant<B>> log_input{};
template <bool B>
inline constexpr option<tags::log_target, std::bool_constant<B>> log_target{};
template <bool B>
inline constexpr option<tags::full, std::bool_constant<B>> full{};
// cross_entropy on integer labels: a sample labelled I counts for nothing
// (PyTorch's ignore_index; its default, −100, applies when none is given).
template <long long I>
inline constexpr option<tags::ignore_index, std::integral_constant<long long, I>> ignore_index{};

namespace detail {

template <class T>
struct is_option : std::false_type {};
template <class Tag, class V>
struct is_option<option<Tag, V>> : std::true_type {};

template <class Tag, class... O>
inline constexpr bool has = (std::is_same_v<typename O::tag, Tag> || ...);

// The value of the first option tagged Tag, else the default.
template <class Tag, class D>
constexpr auto get(D d) {
    return d;
}
template <class Tag, class D, class O, class... Rest>
constexpr auto get(D d, O o, Rest... rest) {
    if constexpr (std::is_same_v<typename O::tag, Tag>)
        return o.value;
    else
        return get<Tag>(d, rest...);
}

// The loss (by name) and its options are the template arguments of this check.
template <fixed_string Loss, class Allowed, class... O>
constexpr bool check_options() {
    constexpr bool ok = ((is_option<O>::value && Allowed::template takes<typename O::tag>) && ...);
    static_assert(ok, "leibniz::loss: an option this loss does not take (the loss's name, the options it takes, "
                      "and the options given are the template arguments of check_options)");
    constexpr bool once = ((Allowed::template count<typename O::tag, O...> <= 1) && ...);
    static_assert(once, "leibniz::loss: an option given twice");
    return ok && once;
}
template <class... Tags>
struct takes_options {
    template <class T>
    static constexpr bool takes = (std::is_same_v<T, Tags> || ...);
    template <class T, class... O>
    static constexpr std::size_t count = (std::size_t{std::is_same_v<typename O::tag, T>} + ... + 0);
};

// Input and target of one shape (PyTorch broadcasts with a warning; here the
// shapes must agree). The loss's name and both shapes are the template arguments.
template <fixed_string Loss, Shape A, Shape B>
constexpr bool check_same_shape() {
    constexpr bool ok = std::is_same_v<A, B>;
    static_assert(ok, "leibniz::loss: input and target must have one shape (the loss's name and the two shapes "
                      "are the template arguments of check_same_shape)");
    return ok;
}

// reduction='mean' | 'sum' | 'none' over every element of e.
template <class R, class E>
constexpr auto reduce(E e) {
    if constexpr (std::is_same_v<R, reduction::none_t> || shape_of<E>::rank == 0)
        return e;
    else if constexpr (std::is_same_v<R, reduction::sum_t>)
        return leibniz::sum(e);
    else {
        static_assert(std::is_same_v<R, reduction::mean_t>,
                      "leibniz::loss: this loss takes reduction::mean, sum or none (batchmean is kl_div's)");
        return leibniz::mean(e);
    }
}

template <class... O>
using reduction_of = decltype(get<tags::reduction>(reduction::mean_t{}, O{}...));

}  // namespace detail

}  // namespace leibniz::loss
