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
#include <boost/mp11/bind.hpp>
#include <boost/mp11/list.hpp>
#include <boost/mp11/set.hpp>

#include <array>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

namespace leibniz {

struct expression_base {};

// (Class templates' ::value, not std::derived_from or the _v variable
// templates: a variable template instantiated for an expression type is a
// symbol named by that type, which g++ mangles even when nothing is emitted,
// and the types of a deep network's layers grow with depth.)
template <class E>
concept Expression = std::is_base_of<expression_base, std::remove_cvref_t<E>>::value &&
                     std::is_empty<std::remove_cvref_t<E>>::value;

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

struct var_kind {};     // any input
struct param_kind {};   // an input that training collects
struct buffer_kind {};  // non-trainable state (batch norm's running statistics): stored, never differentiated

template <class Leaf, class V>
struct binding;

namespace detail {
template <class Leaf, class Value>
constexpr auto make_binding(Value&& value);
}

// An integer leaf (lz::var<"y", std::int32_t, lz::shape<lz::dyn>>): data such
// as class labels or indices. It has no gradient, and feeds only the ops that
// take indices (their traits' integer_operands: lz::gather, lz::pick, lz::one_hot).
template <class T>
inline constexpr bool is_integer_scalar = std::is_integral_v<T> && !std::is_same_v<T, bool>;

namespace detail {
struct not_an_op;  // the `op` of a leaf or a literal (its traits: core/plan.hpp)
}

template <fixed_string Name, class T, Shape S, class Kind>
struct leaf : expression_base {
    using op = detail::not_an_op;  // so that a plan can read every node's traits per op, not per node
    static_assert(std::is_floating_point_v<T> || is_integer_scalar<T> || !std::is_arithmetic_v<T>,
                  "leibniz::var / lz::param: the scalar type of a leaf must be a floating-point type "
                  "(float, double, long double), or, for data such as class labels, an integer type "
                  "(std::int32_t, std::int64_t)");
    static_assert(!is_integer_scalar<T> || !std::is_base_of_v<param_kind, Kind>,
                  "leibniz::param: a parameter is trained by its gradient, and an integer leaf has none; "
                  "declare integer data (labels, indices) with lz::var");
    static_assert(!is_integer_scalar<T> || !std::is_same_v<Kind, buffer_kind>,
                  "leibniz::buffer: a buffer holds floating-point state (running statistics); declare integer "
                  "data (labels, indices) with lz::var");
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

// lz::buffer<"1.running_mean", float, lz::shape<8>>: state an expression reads
// but training does not optimise (running statistics). Bound like a var or a
// param, kept in a store of its own (lz::buffers, core/parameters.hpp), and
// never differentiated: lz::wrt(buffer) is a compile error that says why.
template <fixed_string Name, class T = double, Shape S = shape<>>
inline constexpr leaf<Name, T, S, buffer_kind> buffer{};

template <class E>
struct is_leaf : std::false_type {};
template <fixed_string N, class T, class S, class K>
struct is_leaf<leaf<N, T, S, K>> : std::true_type {};

template <class E>
concept Leaf = is_leaf<std::remove_cvref_t<E>>::value;

// A param leaf: its kind is param_kind or derives from it (lz::nn's dense
// weight, linear_weight_kind, which records that PyTorch stores it transposed).
template <class E>
concept Param = Leaf<E> && std::derived_from<typename std::remove_cvref_t<E>::kind, param_kind>;

template <class E>
concept Buffer = Leaf<E> && std::same_as<typename std::remove_cvref_t<E>::kind, buffer_kind>;

// ---------------------------------------------------------------- literals

template <rational R>
struct literal : expression_base {
    using op = detail::not_an_op;
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
    // Bit P set: operand P is an integer leaf (labels, indices; lz::gather,
    // lz::one_hot), which gets no adjoint; every other operand is not.
    unsigned integer_operands = 0;
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

// An integer operand (an index) leaves the scalar type to the others:
// gather(x, idx) computes in x's type, one_hot(y) adapts as a literal does.
template <class T>
using float_scalar_t = std::conditional_t<is_integer_scalar<T>, void, T>;

// The scalar type an op states for its result (one_hot<K, float>), else void.
template <class Op>
struct op_scalar {
    using type = void;
};
template <class Op>
    requires requires { typename Op::scalar_type; }
struct op_scalar<Op> {
    using type = typename Op::scalar_type;
};

template <class... Args>
using common_scalar = boost::mp11::mp_fold<boost::mp11::mp_list<float_scalar_t<typename Args::scalar_type>...>,
                                           void, combine_scalar_f>;

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
    using scalar_type = detail::combine_scalar_f<typename detail::op_scalar<Op>::type, detail::common_scalar<Args...>>;
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
        boost::mp11::mp_fold<boost::mp11::mp_list<float_scalar_t<Scalars>...>, void, combine_scalar_f>,
        mixed_scalar_types>;
    static_assert(ok,
                  "leibniz: an operation mixes scalar types (e.g. float and double leaves); "
                  "give every leaf of an expression the same scalar type");
    return ok;
}

// An integer leaf (labels, indices) feeds only the operands an op declares in
// traits.integer_operands, and those take nothing else. The op and the
// operand's position are the template arguments.
template <class Op, std::size_t P, bool Integer>
constexpr bool check_integer_operand() {
    constexpr bool takes = ((traits_of<Op>().integer_operands >> P) & 1u) != 0;
    if constexpr (Integer && !takes) {
        static_assert(!Integer || takes,
                      "leibniz: an integer leaf (labels, indices) feeds only ops that take indices (lz::gather, "
                      "lz::pick, lz::one_hot); it has no arithmetic of its own: to compute with labels, make them "
                      "floats with lz::one_hot<K>(y) (the op Op and the operand's position P are the template "
                      "arguments of check_integer_operand)");
    } else if constexpr (!Integer && takes) {
        static_assert(Integer || !takes,
                      "leibniz: an op takes indices here: this operand must be an integer leaf, "
                      "lz::var<\"y\", std::int32_t (or std::int64_t), shape> (the op Op and the operand's position P "
                      "are the template arguments of check_integer_operand)");
    }
    return Integer == takes;
}
template <class Op, class... Scalars>
constexpr bool check_integer_operands() {
    return []<std::size_t... P>(std::index_sequence<P...>) {
        return all_true<check_integer_operand<Op, P, is_integer_scalar<Scalars>>()...>();
    }(std::index_sequence_for<Scalars...>{});
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
// (A concept, not a variable template: no symbol per call, see Expression.)
template <class... E>
concept poisoned = (std::is_same<std::remove_cvref_t<E>, poison>::value || ...);

// ---------------------------------------------------------------- names

// A leaf is identified by its name: two different leaves with one name (other
// shapes, scalar types or kinds) in one expression or one environment are a
// compile error naming both. make_node checks it where operands meet: every
// expression type carries the set of its leaves as a hash trie (a type), the
// union of its operands' tries. The trie of a set is unique, so a union stops
// where both sides are one type: a chain that adds a leaf per node builds
// about log2(leaves) trie nodes per node, and operands that share their leaves
// cost next to nothing. (A sorted array per node, merged node by node, made
// the 128-layer MLP's expression alone quadratic: 3.7 s and 290 MB in g++.)
// Only when a union finds two leaves with one name are the leaves' types
// searched again, to name both in the message. lz::at checks its bindings
// (bind.hpp).
namespace detail {

// The distinct leaves of an expression, in no particular order. One template
// level per level of the expression (no alias or helper class in between), so
// a chain of several hundred nodes stays below the instantiation-depth limits.
template <class E>
struct leaf_set {  // a literal
    using type = boost::mp11::mp_list<>;
};
template <fixed_string N, class T, class S, class K>
struct leaf_set<leaf<N, T, S, K>> {
    using type = boost::mp11::mp_list<leaf<N, T, S, K>>;
};

// The leaves of LB not in LA (one mp_inherit of LA, then one lookup per leaf: linear).
template <class LA, class LB>
using new_leaves = boost::mp11::mp_remove_if_q<LB, boost::mp11::mp_bind_front<boost::mp11::mp_set_contains, LA>>;
template <class LA, class LB>
using leaf_union = boost::mp11::mp_append<LA, new_leaves<LA, LB>>;

template <class Op, class A>
struct leaf_set<node<Op, A>> {
    using type = typename leaf_set<A>::type;
};
template <class Op, class A, class B>
struct leaf_set<node<Op, A, B>> {
    using type = leaf_union<typename leaf_set<A>::type, typename leaf_set<B>::type>;
};
template <class Op, class... Args>
struct leaf_set<node<Op, Args...>> {  // three or more operands
    using type = boost::mp11::mp_fold<boost::mp11::mp_list<typename leaf_set<Args>::type...>, boost::mp11::mp_list<>,
                                      leaf_union>;
};

// FNV-1a of a leaf's name, once per leaf type.
template <class L>
inline constexpr std::uint64_t name_hash = [] {
    std::uint64_t h = 14695981039346656037ull;
    for (char ch : L::name.view()) h = (h ^ static_cast<unsigned char>(ch)) * 1099511628211ull;
    return h;
}();

// The trie's key of a leaf: its name's hash, mixed (splitmix64's finalizer) so
// that the low bits, which pick the branches, differ for names like W0, W1.
template <class L>
inline constexpr std::uint64_t trie_key = [] {
    std::uint64_t h = name_hash<L>;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    return h ^ (h >> 31);
}();

// A set of leaves: trie_empty, a trie_leaf (the leaves of one key: one leaf
// unless two names' keys collide) or a trie_node whose two sides hold the
// keys with bit D = 0 and 1, D the node's depth. A node holds two leaves or
// more, so a set has one trie (no empty node, no node above a single leaf).
struct trie_empty {};
template <std::uint64_t Key, class... L>
struct trie_leaf {};
template <class Zero, class One>
struct trie_node {};

// A trie and whether building it met two different leaves with one name.
template <class Trie, bool Clash = false>
struct trie_result {
    using trie = Trie;
    using clash = std::bool_constant<Clash>;
};

// The trie (at depth D) of two leaves (tries) with different keys KA, KB.
template <class A, std::uint64_t KA, class B, std::uint64_t KB, unsigned D,
          int Bits = int((KA >> D) & 1u) * 2 + int((KB >> D) & 1u)>
struct trie_split;
template <class A, std::uint64_t KA, class B, std::uint64_t KB, unsigned D>
struct trie_split<A, KA, B, KB, D, 0> {
    using type = trie_node<typename trie_split<A, KA, B, KB, (D + 1)>::type, trie_empty>;
};
template <class A, std::uint64_t KA, class B, std::uint64_t KB, unsigned D>
struct trie_split<A, KA, B, KB, D, 3> {
    using type = trie_node<trie_empty, typename trie_split<A, KA, B, KB, (D + 1)>::type>;
};
template <class A, std::uint64_t KA, class B, std::uint64_t KB, unsigned D>
struct trie_split<A, KA, B, KB, D, 1> {
    using type = trie_node<A, B>;
};
template <class A, std::uint64_t KA, class B, std::uint64_t KB, unsigned D>
struct trie_split<A, KA, B, KB, D, 2> {
    using type = trie_node<B, A>;
};

// Leaf X joins the leaves Ys of its key: already there, a clash (another leaf
// of X's name), or a key collision of two names (kept side by side).
template <class X, class... Ys>
struct trie_bucket_insert {
    using present = std::disjunction<std::is_same<X, Ys>...>;
    using clash = std::bool_constant<!present::value && ((X::name.view() == Ys::name.view()) || ...)>;
    using type = std::conditional_t<present::value || clash::value, trie_leaf<trie_key<X>, Ys...>,
                                    trie_leaf<trie_key<X>, Ys..., X>>;
};

// A node with one side replaced: side One when IsOne, else side Zero.
template <bool IsOne, class Zero, class One, class Side>
struct trie_with_side {
    using type = trie_node<Side, One>;
};
template <class Zero, class One, class Side>
struct trie_with_side<true, Zero, One, Side> {
    using type = trie_node<Zero, Side>;
};

// Inserts leaf X into trie T at depth D.
template <class T, class X, unsigned D>
struct trie_insert;
template <class X, unsigned D>
struct trie_insert<trie_empty, X, D> : trie_result<trie_leaf<trie_key<X>, X>> {};
template <std::uint64_t K, class... Ys, class X, unsigned D>
    requires(K == trie_key<X>)
struct trie_insert<trie_leaf<K, Ys...>, X, D>
    : trie_result<typename trie_bucket_insert<X, Ys...>::type, trie_bucket_insert<X, Ys...>::clash::value> {};
template <std::uint64_t K, class... Ys, class X, unsigned D>
    requires(K != trie_key<X>)
struct trie_insert<trie_leaf<K, Ys...>, X, D>
    : trie_result<typename trie_split<trie_leaf<K, Ys...>, K, trie_leaf<trie_key<X>, X>, trie_key<X>, D>::type> {};
template <class Zero, class One, class X, unsigned D>
struct trie_insert<trie_node<Zero, One>, X, D> {
    using one = std::bool_constant<((trie_key<X> >> D) & 1u) != 0>;
    using side = trie_insert<std::conditional_t<one::value, One, Zero>, X, (D + 1)>;
    using trie = typename trie_with_side<one::value, Zero, One, typename side::trie>::type;
    using clash = typename side::clash;
};

// Inserts the leaves of one key, one after another.
template <class T, unsigned D, class... X>
struct trie_insert_all : trie_result<T> {};
template <class T, unsigned D, class X, class... More>
struct trie_insert_all<T, D, X, More...> {
    using first = trie_insert<T, X, D>;
    using rest = trie_insert_all<typename first::trie, D, More...>;
    using trie = typename rest::trie;
    using clash = std::bool_constant<first::clash::value || rest::clash::value>;
};

// The union of tries A and B at depth D. One type: done; a leaf: inserted
// into the other; two nodes: side by side.
// (Here and above, traits are types, never variables: a variable or static
// member whose template arguments hold a trie is a symbol, and g++ mangles
// each one's name, which holds every leaf: quadratic in the leaves.)
template <class T>
struct trie_kind : std::integral_constant<int, 2> {};  // a node
template <>
struct trie_kind<trie_empty> : std::integral_constant<int, 0> {};
template <std::uint64_t K, class... L>
struct trie_kind<trie_leaf<K, L...>> : std::integral_constant<int, 1> {};

template <class A, class B, unsigned D,
          int Case = std::is_same<A, B>::value        ? 0
                     : trie_kind<A>::value == 0 ? 1
                     : trie_kind<B>::value == 0 ? 2
                     : trie_kind<A>::value == 1 ? 3
                     : trie_kind<B>::value == 1 ? 4
                                                : 5>
struct trie_union;
template <class A, class B, unsigned D>
struct trie_union<A, B, D, 0> : trie_result<A> {};
template <class A, class B, unsigned D>
struct trie_union<A, B, D, 1> : trie_result<B> {};
template <class A, class B, unsigned D>
struct trie_union<A, B, D, 2> : trie_result<A> {};
template <std::uint64_t K, class... X, class B, unsigned D>
struct trie_union<trie_leaf<K, X...>, B, D, 3> : trie_insert_all<B, D, X...> {};
template <class A, std::uint64_t K, class... X, unsigned D>
struct trie_union<A, trie_leaf<K, X...>, D, 4> : trie_insert_all<A, D, X...> {};
template <class Z1, class O1, class Z2, class O2, unsigned D>
struct trie_union<trie_node<Z1, O1>, trie_node<Z2, O2>, D, 5> {
    using zero = trie_union<Z1, Z2, (D + 1)>;
    using one = trie_union<O1, O2, (D + 1)>;
    using trie = trie_node<typename zero::trie, typename one::trie>;
    using clash = std::bool_constant<zero::clash::value || one::clash::value>;
};

// The number of leaves in a trie.
template <class T>
struct trie_size : std::integral_constant<std::size_t, 0> {};
template <std::uint64_t K, class... L>
struct trie_size<trie_leaf<K, L...>> : std::integral_constant<std::size_t, sizeof...(L)> {};
template <class Zero, class One>
struct trie_size<trie_node<Zero, One>>
    : std::integral_constant<std::size_t, trie_size<Zero>::value + trie_size<One>::value> {};

// leaf_table<E>::trie (its leaves), ::clash (two of them share a name) and
// ::size (how many), all std::integral_constants.
template <class T, class Clash>
struct leaf_table_of {
    using trie = T;
    using clash = Clash;
    using size = trie_size<T>;
};
template <class R>
using leaf_table_from = leaf_table_of<typename R::trie, typename R::clash>;
template <class A, class B>
using leaf_table_pair =
    leaf_table_from<trie_union<typename A::trie, typename B::trie, 0>>;  // (operands' clashes were reported)

template <class E>
struct leaf_table : leaf_table_of<trie_empty, std::false_type> {};  // a literal
template <fixed_string N, class T, class S, class K>
struct leaf_table<leaf<N, T, S, K>> : leaf_table_of<trie_leaf<trie_key<leaf<N, T, S, K>>, leaf<N, T, S, K>>, std::false_type> {};
template <class Op, class A>
struct leaf_table<node<Op, A>> : leaf_table<A> {};
template <class Op, class A, class B>
struct leaf_table<node<Op, A, B>> : leaf_table_pair<leaf_table<A>, leaf_table<B>> {};
template <class Op, class A, class B, class C>
struct leaf_table<node<Op, A, B, C>> : leaf_table_pair<leaf_table_pair<leaf_table<A>, leaf_table<B>>, leaf_table<C>> {};
template <class Op, class A, class B, class C, class D, class... More>  // (no op has more than three operands)
struct leaf_table<node<Op, A, B, C, D, More...>> : leaf_table<node<Op, node<Op, A, B, C>, D, More...>> {};

// The first pair (i in LA, j in LB) of leaves with one name, or {-1, -1}. LA and
// LB hold no clash each; a leaf in both is no clash (filtered out before).
struct clash_position {
    std::size_t a = std::size_t(-1), b = std::size_t(-1);
};
template <class LA, class LB>
struct find_clash;
template <class... A, class... B>
struct find_clash<boost::mp11::mp_list<A...>, boost::mp11::mp_list<B...>> {
    static constexpr clash_position value = [] {
        constexpr std::array<std::uint64_t, sizeof...(A) + 1> ha{name_hash<A>..., 0};
        constexpr std::array<std::uint64_t, sizeof...(B) + 1> hb{name_hash<B>..., 0};
        constexpr std::array<std::string_view, sizeof...(A) + 1> na{A::name.view()..., {}};
        constexpr std::array<std::string_view, sizeof...(B) + 1> nb{B::name.view()..., {}};
        for (std::size_t j = 0; j < sizeof...(B); ++j)
            for (std::size_t i = 0; i < sizeof...(A); ++i)
                if (ha[i] == hb[j] && na[i] == nb[j]) return clash_position{i, j};
        return clash_position{};
    }();
};

// The first pair (i < j) of leaves of a set with one name, or {-1, -1}.
template <class L>
struct find_clash_within;
template <class... A>
struct find_clash_within<boost::mp11::mp_list<A...>> {
    static constexpr clash_position value = [] {
        constexpr std::array<std::uint64_t, sizeof...(A) + 1> h{name_hash<A>..., 0};
        constexpr std::array<std::string_view, sizeof...(A) + 1> n{A::name.view()..., {}};
        for (std::size_t j = 1; j < sizeof...(A); ++j)
            for (std::size_t i = 0; i < j; ++i)
                if (h[i] == h[j] && n[i] == n[j]) return clash_position{i, j};  // (L is a set: different leaves)
        return clash_position{};
    }();
};

// The two leaves are the template arguments: the message's instantiation context names them.
template <class LeafA, class LeafB>
constexpr bool report_name_clash() {
    static_assert(dependent_false<LeafA, LeafB>,
                  "leibniz: two different leaves have the same name (e.g. lz::param<\"W\", float, lz::shape<3, 4>> "
                  "and lz::param<\"W\", float, lz::shape<4, 2>>); a leaf is identified by its name, so rename one "
                  "(the two leaves are the template arguments of report_name_clash)");
    return false;
}

// Reports the first clash between a leaf of LA and a leaf of LB (false), else true.
template <class LA, class LB>
constexpr bool check_name_clash() {
    if constexpr (boost::mp11::mp_empty<LA>::value || boost::mp11::mp_empty<LB>::value) {
        return true;
    } else {
        constexpr clash_position at = find_clash<LA, LB>::value;
        if constexpr (at.a == std::size_t(-1))
            return true;
        else
            return report_name_clash<boost::mp11::mp_at_c<LA, at.a>, boost::mp11::mp_at_c<LB, at.b>>();
    }
}

// Reports the first two distinct leaves of L (a set) with one name (false), else true.
template <class L>
constexpr bool check_names_within() {
    constexpr clash_position at = find_clash_within<L>::value;
    if constexpr (at.a == std::size_t(-1))
        return true;
    else
        return report_name_clash<boost::mp11::mp_at_c<L, at.a>, boost::mp11::mp_at_c<L, at.b>>();
}

// Each operand's new leaves against the leaves of the operands before it.
template <class Before, class L, class... Rest>
constexpr bool check_leaf_lists() {
    using added = new_leaves<Before, L>;
    if constexpr (!check_name_clash<Before, added>())
        return false;
    else if constexpr (sizeof...(Rest) == 0)
        return true;
    else
        return check_leaf_lists<boost::mp11::mp_append<Before, added>, Rest...>();
}

// No two distinct leaves with one name among the operands' leaves (each
// operand's own leaves were checked when it was built): the tables' merge
// decides; the leaves' types are searched only to report a clash.
template <class... Args>
constexpr bool report_leaf_names() {
    return check_leaf_lists<typename leaf_set<Args>::type...>();
}

}  // namespace detail

// Builds node<Op, Args...> after checking that no two different leaves share a
// name, the scalar types (and, for elementwise binary and ternary ops, that the
// shapes broadcast). Every op's builder goes through here.
template <class Op, Expression... Args>
constexpr auto make_node(Args...) {
    if constexpr (poisoned<Args...>) {
        return poison{};  // an operand's check failed, and said so
    } else if constexpr (detail::leaf_table<node<Op, std::remove_cvref_t<Args>...>>::clash::value) {
        detail::report_leaf_names<std::remove_cvref_t<Args>...>();
        return poison{};  // reported with both leaves, alone
    } else if constexpr (!detail::check_integer_operands<Op, scalar_of<Args>...>()) {
        return poison{};  // an integer leaf where the op takes none, or the reverse: reported there, alone
    } else if constexpr (!detail::check_op<Op, shape_of<Args>...>()) {
        return poison{};  // the op lacks a member of the protocol (core/op_protocol.hpp): reported there, alone
    } else if constexpr (!detail::check_scalar_types<typename detail::op_scalar<Op>::type, scalar_of<Args>...>()) {
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
concept runtime_number = std::is_arithmetic<std::remove_cvref_t<S>>::value;

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
