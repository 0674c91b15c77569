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
// expression type carries a table of its leaves (name hash, name, one address
// per leaf type) sorted by hash, the merge of its operands' tables, so a check
// costs a loop over two short arrays per node (the 300-leaf balanced sum of
// test/wrt_many_leaves_test.cpp: 2700 entries in all) and no type lists. Only
// when the merge finds a clash are the leaves' types searched, to name both
// in the message. lz::at checks its bindings (bind.hpp).
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

// One row of a leaf table. `id` is one address per leaf type: equal ids, the
// same leaf; equal names and different ids, a clash.
template <class L>
inline constexpr char leaf_id = 0;
struct leaf_entry {
    std::uint64_t hash = 0;
    std::string_view name{};
    const void* id = nullptr;
};

// The merge of two sorted tables: each leaf once, sorted by hash; `clash` when
// two entries have one name and different ids. (Equal hashes of different
// names, a 64-bit collision, are kept side by side.)
template <std::size_t NA, std::size_t NB>
struct merged_leaf_entries {
    std::array<leaf_entry, NA + NB> entries{};
    std::size_t count = 0;
    bool clash = false;
};
template <std::size_t NA, std::size_t NB>
constexpr merged_leaf_entries<NA, NB> merge_leaf_entries(const std::array<leaf_entry, NA>& a,
                                                         const std::array<leaf_entry, NB>& b) {
    merged_leaf_entries<NA, NB> m;
    std::size_t i = 0, j = 0;
    while (i < NA || j < NB) {
        if (j == NB || (i < NA && a[i].hash < b[j].hash)) {
            m.entries[m.count++] = a[i++];
        } else if (i == NA || b[j].hash < a[i].hash) {
            m.entries[m.count++] = b[j++];
        } else if (a[i].id == b[j].id) {  // the same leaf in both
            m.entries[m.count++] = a[i++];
            ++j;
        } else {
            if (a[i].name == b[j].name) m.clash = true;
            m.entries[m.count++] = a[i++];
        }
    }
    return m;
}
template <std::size_t N, std::size_t NA, std::size_t NB>
constexpr std::array<leaf_entry, N> first_leaf_entries(const merged_leaf_entries<NA, NB>& m) {
    std::array<leaf_entry, N> out{};
    for (std::size_t k = 0; k < N; ++k) out[k] = m.entries[k];
    return out;
}

// leaf_table<E>::entries (its leaves) and ::clash (two of them share a name,
// a std::bool_constant). One static member per table, no more: each is a
// symbol whose name carries the table's type, which g++ mangles.
// `table` is the class that holds the entries: a node whose table is an
// operand's inherits it, so the checks below, keyed on `table`, are computed
// once for a whole chain that reuses its leaves.
template <class E>
struct leaf_table {  // a literal
    using table = leaf_table;
    static constexpr std::array<leaf_entry, 0> entries{};
    using clash = std::false_type;
};
template <fixed_string N, class T, class S, class K>
struct leaf_table<leaf<N, T, S, K>> {
    using table = leaf_table;
    static constexpr std::array<leaf_entry, 1> entries{
        leaf_entry{name_hash<leaf<N, T, S, K>>, leaf<N, T, S, K>::name.view(), &leaf_id<leaf<N, T, S, K>>}};
    using clash = std::false_type;
};
template <class A, class B>
struct leaf_table_merge {
    using table = leaf_table_merge;
    // (The merge is evaluated again rather than kept in a member: a member is a symbol.)
    static constexpr std::array<leaf_entry, merge_leaf_entries(A::entries, B::entries).count> entries =
        first_leaf_entries<merge_leaf_entries(A::entries, B::entries).count>(
            merge_leaf_entries(A::entries, B::entries));
    using clash = std::bool_constant<A::clash::value || B::clash::value ||
                                     merge_leaf_entries(A::entries, B::entries).clash>;
};
// Every leaf of b among a's (by id; both sorted by hash): a loop, no new table.
template <std::size_t NA, std::size_t NB>
constexpr bool includes_leaf_entries(const std::array<leaf_entry, NA>& a, const std::array<leaf_entry, NB>& b) {
    for (std::size_t j = 0, i = 0; j < NB; ++j) {
        while (i < NA && a[i].hash < b[j].hash) ++i;
        bool found = false;
        for (std::size_t k = i; k < NA && a[k].hash == b[j].hash; ++k) found = found || a[k].id == b[j].id;
        if (!found) return false;
    }
    return true;
}
template <class TA, class TB>
using includes_leaves = std::bool_constant<includes_leaf_entries(TA::entries, TB::entries)>;

// The table of two operands: one of them when it holds the other's leaves (a
// chain that uses its leaves again builds no new table), else the merge.
template <class A, class B>
using leaf_table_pair = std::conditional_t<
    includes_leaves<typename A::table, typename B::table>::value, typename A::table,
    std::conditional_t<includes_leaves<typename B::table, typename A::table>::value, typename B::table,
                       leaf_table_merge<typename A::table, typename B::table>>>;

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

// The first pair (i < j) of different leaves of one list with one name, or
// {-1, -1} (one leaf listed twice is not a clash).
template <class L>
struct find_clash_within;
template <class... A>
struct find_clash_within<boost::mp11::mp_list<A...>> {
    static constexpr clash_position value = [] {
        constexpr std::array<std::uint64_t, sizeof...(A) + 1> h{name_hash<A>..., 0};
        constexpr std::array<std::string_view, sizeof...(A) + 1> n{A::name.view()..., {}};
        constexpr std::array<const void*, sizeof...(A) + 1> id{&leaf_id<A>..., nullptr};
        for (std::size_t j = 1; j < sizeof...(A); ++j)
            for (std::size_t i = 0; i < j; ++i)
                if (h[i] == h[j] && id[i] != id[j] && n[i] == n[j]) return clash_position{i, j};
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
