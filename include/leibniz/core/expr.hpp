#pragma once
// The Expression concept and the three kinds of node:
//   leaf<Name, T, Shape, Kind>  a named input (lz::var, lz::param); its value lives in a binding
//   literal<R>                  a compile-time constant (2_c, 0.5_c, lz::c<1, 2>)
//   node<Op, Args...>           an operation applied to operands; the behaviour is in Op
// Every node is an empty type: the expression is the program, the values live elsewhere.

#include <leibniz/core/fixed_string.hpp>
#include <leibniz/core/op_protocol.hpp>
#include <leibniz/core/rational.hpp>
#include <leibniz/tensor/shape.hpp>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>

#include <array>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <type_traits>

namespace leibniz {

struct expression_base {};

template <class E>
concept Expression = std::derived_from<std::remove_cvref_t<E>, expression_base> &&
                     std::is_empty_v<std::remove_cvref_t<E>>;

// ---------------------------------------------------------------- scalar types

template <class T>
struct base_scalar {
    using type = T;
};
template <class T>
using base_scalar_t = typename base_scalar<T>::type;

namespace detail {

// A faster e^x for a SIMD batch type: <leibniz/core/simd.hpp>, the engine's
// glue to the kernels, specialises this for xsimd batches of float and double
// with kernels::simd::exp (13 vector instructions on AVX-512 against ~20 for
// xsimd::exp, <= 1.05 ulp). The sweeps, the only code that runs ops on
// batches, include that header; a scalar-only program never sees xsimd.
template <class T>
struct batch_exp {
    static constexpr bool available = false;
};

// e^a in the ops' rules: a batch's faster exp if it has one, else exp found
// as usual (std::exp for numbers, leibniz::exp for dual numbers, xsimd::exp
// by argument-dependent lookup for other batches).
template <class T>
T exp_of(const T& a) {
    if constexpr (batch_exp<T>::available) {
        return batch_exp<T>::apply(a);
    } else {
        using std::exp;
        return exp(a);
    }
}

}  // namespace detail

// ---------------------------------------------------------------- leaves

struct var_kind {};    // any input
struct param_kind {};  // an input that training collects

template <class Leaf, class V>
struct binding;

namespace detail {
template <class Leaf, class Value>
constexpr auto make_binding(Value&& value);
}

template <fixed_string Name, class T, Shape S, class Kind>
struct leaf : expression_base {
    static_assert(std::is_floating_point_v<T> || !std::is_arithmetic_v<T>,
                  "leibniz::var / lz::param: the scalar type of a leaf must be a floating-point type "
                  "(float, double, long double)");
    using scalar_type = T;
    using shape_type = S;
    using kind = Kind;
    static constexpr auto name = Name;

    // `w = 0.7` binds a value to this leaf (used inside lz::at(...)).
    template <class V>
    constexpr auto operator=(V&& value) const {
        return detail::make_binding<leaf>(std::forward<V>(value));
    }
};

template <fixed_string Name, class T = double, Shape S = shape<>>
inline constexpr leaf<Name, T, S, var_kind> var{};

template <fixed_string Name, class T = double, Shape S = shape<>>
inline constexpr leaf<Name, T, S, param_kind> param{};

template <class E>
struct is_leaf : std::false_type {};
template <fixed_string N, class T, class S, class K>
struct is_leaf<leaf<N, T, S, K>> : std::true_type {};

template <class E>
concept Leaf = is_leaf<std::remove_cvref_t<E>>::value;

template <class E>
concept Param = Leaf<E> && std::same_as<typename std::remove_cvref_t<E>::kind, param_kind>;

// ---------------------------------------------------------------- literals

template <rational R>
struct literal : expression_base {
    static_assert(R.den > 0 && R == R.normalized(), "leibniz: literal values are kept normalized");
    static constexpr rational value = R;
    using scalar_type = void;  // a literal adapts to the scalar type of its neighbours
    using shape_type = shape<>;

    template <class T>
    [[nodiscard]] static constexpr T as() {
        using B = base_scalar_t<T>;
        if constexpr (R.den == 1)
            return T(static_cast<B>(R.num));
        else
            return T(static_cast<B>(R.num) / static_cast<B>(R.den));
    }
};

template <class E>
struct is_literal : std::false_type {};
template <rational R>
struct is_literal<literal<R>> : std::true_type {};

template <class E>
concept Literal = is_literal<std::remove_cvref_t<E>>::value;

template <std::intmax_t N, std::intmax_t D = 1>
inline constexpr literal<rational{N, D}.normalized()> c{};

using zero_t = literal<rational{0, 1}>;
using one_t = literal<rational{1, 1}>;

namespace literals {

namespace detail {
// Parses "12", "0.5", "1e-3", "2.5e2" into an exact rational.
template <char... Cs>
constexpr rational parse_literal() {
    constexpr char text[] = {Cs...};
    std::intmax_t mantissa = 0, scale = 1;
    bool after_point = false;
    std::size_t i = 0;
    for (; i < sizeof...(Cs); ++i) {
        const char ch = text[i];
        if (ch == '\'') continue;
        if (ch == '.') {
            after_point = true;
            continue;
        }
        if (ch == 'e' || ch == 'E') break;
        if (ch < '0' || ch > '9') throw "leibniz: _c literals must be decimal numbers";
        mantissa = mantissa * 10 + (ch - '0');
        if (after_point) scale *= 10;
    }
    rational r{mantissa, scale};
    if (i < sizeof...(Cs)) {  // exponent
        ++i;
        bool negative = false;
        if (text[i] == '-' || text[i] == '+') negative = text[i++] == '-';
        int exponent = 0;
        for (; i < sizeof...(Cs); ++i) exponent = exponent * 10 + (text[i] - '0');
        for (int k = 0; k < exponent; ++k) r = negative ? r / rational{10, 1} : r * rational{10, 1};
    }
    return r.normalized();
}
}  // namespace detail

// 2_c, 0.5_c, 1e-3_c: compile-time constants that stay in the expression's type.
template <char... Cs>
constexpr auto operator""_c() {
    return literal<detail::parse_literal<Cs...>()>{};
}

}  // namespace literals

// ---------------------------------------------------------------- operation nodes

// What an op's backward rule reads and how it behaves: read by the evaluator,
// the fusion pass and the tape layout (never the op's name). Every op states
// `static constexpr op_traits traits{...}`.
// A reduction the fusion pass can fold into the loop of an elementwise operand.
enum class reduction : unsigned char { none, sum, mean };

struct op_traits {
    bool elementwise = true;     // y[i] depends on the operands' [i] only (after broadcasting)
    reduction reduces = reduction::none;  // sum or mean of all elements of its one operand
    bool reads_result = false;   // vjp reads y
    bool reads_operands = true;  // vjp reads the operands
};

template <class Op>
constexpr op_traits traits_of() {
    if constexpr (requires { Op::traits; })
        return Op::traits;
    else
        return op_traits{};
}

namespace detail {

// The scalar type of an expression: the leaves' type; literals adapt (void).
template <class A, class B>
struct combine_scalar;
template <class A>
struct combine_scalar<A, A> {
    using type = A;
};
template <class A>
struct combine_scalar<A, void> {
    using type = A;
};
template <class B>
struct combine_scalar<void, B> {
    using type = B;
};
template <>
struct combine_scalar<void, void> {
    using type = void;
};
template <class A, class B>
struct combine_scalar {
    using type = struct mixed_scalar_types;
};

template <class L, class R>
using combine_scalar_f = typename combine_scalar<L, R>::type;

template <class... Args>
using common_scalar = boost::mp11::mp_fold<boost::mp11::mp_list<typename Args::scalar_type...>, void,
                                           combine_scalar_f>;

// Result shape: an op may declare `template <class... S> using result_shape = ...`;
// otherwise it is elementwise and the operands broadcast.
template <class Op, class... S>
concept declares_result_shape = requires { typename Op::template result_shape<S...>; };

template <class Op, class... S>
struct result_shape_of;
template <class Op, class... S>
    requires declares_result_shape<Op, S...>
struct result_shape_of<Op, S...> {
    using type = typename Op::template result_shape<S...>;
};
template <class Op, class S>
    requires(!declares_result_shape<Op, S>)
struct result_shape_of<Op, S> {
    using type = S;
};
template <class Op, class SA, class SB>
    requires(!declares_result_shape<Op, SA, SB>)
struct result_shape_of<Op, SA, SB> {
    using type = broadcast_shape<SA, SB>;
};
template <class Op, class SA, class SB, class SC>
    requires(!declares_result_shape<Op, SA, SB, SC>)
struct result_shape_of<Op, SA, SB, SC> {
    using type = broadcast_shape<broadcast_shape<SA, SB>, SC>;
};

}  // namespace detail

template <class Op, class... Args>
struct node : expression_base {
    using op = Op;
    using operands = boost::mp11::mp_list<Args...>;
    static constexpr std::size_t arity = sizeof...(Args);
    using scalar_type = detail::common_scalar<Args...>;
    using shape_type = typename detail::result_shape_of<Op, typename Args::shape_type...>::type;
};

template <class E>
struct is_node : std::false_type {};
template <class Op, class... Args>
struct is_node<node<Op, Args...>> : std::true_type {};

template <class E>
using scalar_of = typename std::remove_cvref_t<E>::scalar_type;
template <class E>
using shape_of = typename std::remove_cvref_t<E>::shape_type;

// The scalar type an expression computes in when nothing else decides it.
template <class E>
using default_scalar_of = std::conditional_t<std::is_void_v<scalar_of<E>>, double, scalar_of<E>>;

namespace detail {

// All true: a loop over an array, not a fold `(B && ...)`, which clang limits to
// 256 operands (lz::wrt and lz::at take any number of leaves).
template <bool... B>
constexpr bool all_true() {
    constexpr std::array<bool, sizeof...(B) + 1> values{B..., true};
    for (bool b : values)
        if (!b) return false;
    return true;
}

// Reports a mix of scalar types with both types in the instantiation context.
template <class... Scalars>
constexpr bool check_scalar_types() {
    constexpr bool ok = !std::is_same_v<
        boost::mp11::mp_fold<boost::mp11::mp_list<Scalars...>, void, combine_scalar_f>, mixed_scalar_types>;
    static_assert(ok,
                  "leibniz: an operation mixes scalar types (e.g. float and double leaves); "
                  "give every leaf of an expression the same scalar type");
    return ok;
}

// An op meets its protocol (core/op_protocol.hpp): ElementwiseOp unless its
// traits say it is not elementwise, then TensorOp.
template <class Op, class... Shapes>
constexpr bool check_op() {
    if constexpr (requires { Op::traits.elementwise; } && !traits_of<Op>().elementwise)
        return check_tensor_op<Op, Shapes...>();
    else
        return check_elementwise_op<Op, sizeof...(Shapes)>();
}

template <class... Shapes>
constexpr bool check_shapes() {
    if constexpr (sizeof...(Shapes) == 2)
        return check_broadcastable<Shapes...>();
    else if constexpr (sizeof...(Shapes) == 3)  // lz::where(mask, a, b): the first two, then with the third
        return []<class SA, class SB, class SC>(boost::mp11::mp_list<SA, SB, SC>) {
            if constexpr (check_broadcastable<SA, SB>())
                return check_broadcastable<broadcast_shape<SA, SB>, SC>();
            else
                return false;
        }(boost::mp11::mp_list<Shapes...>{});
    else
        return true;
}

}  // namespace detail

// ---------------------------------------------------------------- poison

// What a builder returns when its check has failed, after the check's
// static_assert (the one error): an Expression that every builder and operator
// passes on unchanged, and that eval, grad, value_and_grad, explain (and their
// workspace forms) accept silently, so `lz::matmul(x, W) + b` with bad shapes
// reports the shapes and nothing after. A poisoned program never compiles, so
// its results are never computed: they convert to anything (the conversion is
// only declared).
struct poison : expression_base {
    using scalar_type = void;
    using shape_type = shape<>;
    template <class T>
    operator T() const;
    template <class... I>
    constexpr poison operator()(I...) const { return {}; }
    template <class I>
    constexpr poison operator[](I) const { return {}; }
};

// True if one of the expressions is poison: a check before has failed and said so.
template <class... E>
inline constexpr bool poisoned = (std::is_same_v<std::remove_cvref_t<E>, poison> || ...);

// Builds node<Op, Args...> after checking scalar types (and, for elementwise
// binary and ternary ops, that the shapes broadcast). Every op's builder goes through here.
template <class Op, Expression... Args>
constexpr auto make_node(Args...) {
    if constexpr (poisoned<Args...>) {
        return poison{};  // an operand's check failed, and said so
    } else if constexpr (!detail::check_op<Op, shape_of<Args>...>()) {
        return poison{};  // the op lacks a member of the protocol (core/op_protocol.hpp): reported there, alone
    } else if constexpr (!detail::check_scalar_types<scalar_of<Args>...>()) {
        return poison{};  // the static_assert above is the only error
    } else if constexpr (detail::declares_result_shape<Op, shape_of<Args>...>) {
        return node<Op, std::remove_cvref_t<Args>...>{};  // the op checks its own shapes
    } else if constexpr (!detail::check_shapes<shape_of<Args>...>()) {
        return poison{};
    } else {
        return node<Op, std::remove_cvref_t<Args>...>{};
    }
}

// A run-time number cannot be part of an expression's type.
template <class S>
concept runtime_number = std::is_arithmetic_v<std::remove_cvref_t<S>>;

namespace detail {
// The operators and builders that meet a run-time number declare poison as
// their return type, so the call's type is known without instantiating the
// body: this static_assert is then the first and only error, with every compiler.
template <class S>
constexpr void reject_runtime_number() {
    static_assert(dependent_false<S>,
                  "leibniz: a run-time number cannot appear in an expression; use a compile-time "
                  "literal (2_c, 0.5_c, lz::c<1, 2>) or a named lz::var bound in lz::at(...)");
}
// lz::max(e, 1), lz::min(e, 1): an axis or a constant was meant.
template <class S>
constexpr void reject_runtime_min_max() {
    static_assert(dependent_false<S>,
                  "leibniz::max / leibniz::min: a run-time integer is neither an axis nor an expression; "
                  "to reduce along axis K write lz::axis<K>, e.g. lz::max(e, lz::axis<1>); to compare with "
                  "a constant write a literal (1_c, 0.5_c) or a named lz::var bound in lz::at(...)");
}
// What lz::min / lz::max do with a run-time number.
template <class S>
constexpr void reject_min_max_operand() {
    if constexpr (std::is_integral_v<std::remove_cvref_t<S>>)
        reject_runtime_min_max<S>();
    else
        reject_runtime_number<S>();
}
}  // namespace detail

}  // namespace leibniz
