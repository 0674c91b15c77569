// Compile-time tests (acceptance criterion 8): this file passes by compiling.
//   - constexpr evaluation, reverse, forward, jacobian and hessian of
//     polynomials and piecewise ops (kinks included), as static_assert;
//   - the types of symbolic derivatives d(f, w) after simplification;
//   - the Expression concept, literals, graphs;
//   - negatives: misuse that must not compile in a SFINAE-friendly way,
//     as static_assert(!requires { ... }) (misuse that is reported by a
//     static_assert with our message is in test/fail/).
#include <leibniz/scalar.hpp>
#include <leibniz/tensor/tensor.hpp>

#include <concepts>
#include <tuple>
#include <type_traits>

namespace lz = leibniz;
using namespace lz::literals;

namespace {

constexpr auto w = lz::var<"w">;
constexpr auto x = lz::var<"x">;
constexpr auto b = lz::var<"b">;

template <class E, class F>
constexpr bool same = std::same_as<std::remove_cvref_t<E>, std::remove_cvref_t<F>>;

// ---------------------------------------------------------------- constexpr evaluation

static_assert(lz::eval(lz::d(x * x * x, x), lz::at(x = 2.0)) == 12.0);
static_assert(lz::eval(x * x * x, lz::at(x = 2.0)) == 8.0);
static_assert(lz::eval(3_c * x - 0.5_c, lz::at(x = 2.0)) == 5.5);
static_assert(lz::eval(-x / 4_c, lz::at(x = 2.0)) == -0.5);
static_assert(lz::eval(lz::pow(x, 3_c), lz::at(x = 2.0)) == 8.0);
static_assert(lz::eval(lz::pow(x, -2_c), lz::at(x = 2.0)) == 0.25);
static_assert(lz::eval(lz::pow(x, 0_c), lz::at(x = 2.0)) == 1.0);
static_assert(lz::eval(w * x, lz::at(w = 3, x = 2)) == 6.0);  // integer bindings
static_assert(lz::eval(lz::var<"f", float> * 2_c, lz::at(lz::var<"f", float> = 1.5f)) == 3.0f);

// reverse mode
static_assert(std::get<0>(lz::grad(w * w * x, lz::wrt(w, x), lz::at(w = 3.0, x = 2.0))) == 12.0);
static_assert(std::get<1>(lz::grad(w * w * x, lz::wrt(w, x), lz::at(w = 3.0, x = 2.0))) == 9.0);
static_assert(std::get<0>(lz::grad(w * w * x, lz::wrt(x, w), lz::at(w = 3.0, x = 2.0))) == 9.0);
static_assert(lz::grad(w * w * x, w, lz::at(w = 3.0, x = 2.0)) == 12.0);
static_assert(lz::grad(lz::pow(x, 4_c) - 2_c * x * x + 7_c, x, lz::at(x = 2.0)) == 4 * 8.0 - 8.0);
static_assert(lz::grad((w * x + b) / (1_c + w * w), b, lz::at(w = 1.0, x = 3.0, b = 5.0)) == 0.5);
static_assert(lz::value_and_grad(w * w * x, lz::wrt(w), lz::at(w = 3.0, x = 2.0)).value == 18.0);
static_assert(std::get<0>(lz::value_and_grad(w * w * x, lz::wrt(w), lz::at(w = 3.0, x = 2.0)).gradient) == 12.0);

// forward mode, jacobian, hessian
static_assert(lz::jvp(w * w * x, lz::at(w = 3.0, x = 2.0), lz::tangent(w = 1.0)).tangent == 12.0);
static_assert(lz::jvp(w * w * x, lz::at(w = 3.0, x = 2.0), lz::tangent(w = 1.0, x = 1.0)).tangent == 21.0);
static_assert(lz::jacobian(w * w * x, lz::wrt(w, x), lz::at(w = 3.0, x = 2.0))[1] == 9.0);
constexpr auto h = lz::hessian(w * w * x, lz::wrt(w, x), lz::at(w = 3.0, x = 2.0));
static_assert(h[0][0] == 4.0 && h[0][1] == 6.0 && h[1][0] == 6.0 && h[1][1] == 0.0);

// the piecewise ops and their kinks, at compile time
static_assert(lz::grad(lz::relu(x), x, lz::at(x = 0.0)) == 0.0);
static_assert(lz::grad(lz::relu(x), x, lz::at(x = 0.5)) == 1.0);
static_assert(lz::grad(lz::abs(x), x, lz::at(x = 0.0)) == 0.0);
static_assert(lz::grad(lz::abs(x), x, lz::at(x = -2.0)) == -1.0);
static_assert(lz::grad(lz::leaky_relu(x), x, lz::at(x = 0.0)) == 0.01);
static_assert(lz::grad(lz::leaky_relu(x, 0.2_c), x, lz::at(x = -1.0)) == 0.2);
static_assert(lz::grad(lz::hard_tanh(x), x, lz::at(x = 1.0)) == 0.0);
static_assert(lz::grad(lz::hard_tanh(x), x, lz::at(x = -0.5)) == 1.0);
static_assert(std::get<0>(lz::grad(lz::max(w, x), lz::wrt(w, x), lz::at(w = 1.0, x = 1.0))) == 0.5);
static_assert(std::get<1>(lz::grad(lz::min(w, x), lz::wrt(w, x), lz::at(w = 1.0, x = 1.0))) == 0.5);
static_assert(lz::eval(lz::d(lz::relu(x), x), lz::at(x = 0.0)) == 0.0);
static_assert(lz::eval(lz::d(lz::max(w, x), w), lz::at(w = 2.0, x = 2.0)) == 0.5);

// duals
using D = lz::dual<double, 2>;
static_assert((D::variable(3.0, 0) * D::variable(2.0, 1)).d[1] == 3.0);
static_assert(lz::eval(w * x, lz::at(w = D::variable(3.0, 0), x = D::variable(2.0, 1))).d[0] == 2.0);
static_assert(lz::primal(lz::dual<D, 1>{D{4.0}}) == 4.0);

// ---------------------------------------------------------------- the types of d()

static_assert(same<decltype(lz::d(w * w, w)), decltype(2_c * w)>);
static_assert(same<decltype(lz::d(7_c, x)), lz::zero_t>);
static_assert(same<decltype(lz::d(x, x)), lz::one_t>);
static_assert(same<decltype(lz::d(w, x)), lz::zero_t>);
static_assert(same<decltype(lz::d(9_c * x, x)), decltype(9_c)>);
static_assert(same<decltype(9_c), lz::literal<lz::rational{9, 1}>>);
static_assert(same<decltype(lz::d(x + 5_c, x)), lz::one_t>);
static_assert(same<decltype(lz::d(5_c + x, x)), lz::one_t>);
static_assert(same<decltype(lz::d(x - w, w)), decltype(-1_c)>);
static_assert(same<decltype(lz::d(-x, x)), lz::literal<lz::rational{-1, 1}>>);
static_assert(same<lz::without_domain<decltype(lz::d(w * x, w))>, decltype(x)>);  // x, in a node recording w and x
static_assert(same<decltype(lz::d(w * x + b, b)), lz::one_t>);
static_assert(same<decltype(lz::d(x * x * x, x)), decltype(3_c * (x * x))>);
static_assert(same<decltype(lz::d(lz::pow(x, 3_c), x)), decltype(3_c * lz::pow(x, 2_c))>);
static_assert(same<decltype(lz::d(lz::d(lz::pow(x, 3_c), x), x)), decltype(6_c * x)>);
static_assert(same<decltype(lz::d(lz::pow(x, 2_c), x)), decltype(2_c * x)>);
static_assert(same<decltype(lz::d(lz::pow(x, 1_c), x)), lz::one_t>);
static_assert(same<decltype(lz::d(x / 4_c, x)), decltype(lz::c<1, 4>)>);
static_assert(same<decltype(lz::d(lz::sin(x), x)), decltype(lz::cos(x))>);
static_assert(same<decltype(lz::d(lz::cos(x), x)), decltype(-lz::sin(x))>);
static_assert(same<decltype(lz::d(lz::exp(x), x)), decltype(lz::exp(x))>);
static_assert(same<decltype(lz::d(lz::log(x), x)), decltype(1_c / x)>);
static_assert(same<decltype(lz::d(lz::relu(x), x)), decltype(lz::step(x))>);
static_assert(same<decltype(lz::d(lz::abs(x), x)), decltype(lz::sign(x))>);
static_assert(same<decltype(lz::d(lz::softplus(x), x)), decltype(lz::sigmoid(x))>);
static_assert(same<decltype(lz::d(lz::step(x), x)), lz::zero_t>);
static_assert(same<decltype(lz::d(lz::exp(3_c * x), x)), decltype(3_c * lz::exp(3_c * x))>);
static_assert(same<decltype(lz::d(lz::exp(x), w)), lz::zero_t>);
// e + e → 2·e, 0·e → 0, literals folded and first.
static_assert(same<lz::without_domain<decltype(lz::d(w * x + x * w, w))>, decltype(2_c * x)>);
static_assert(same<decltype(lz::d(2_c * x * 3_c, x)), decltype(6_c)>);

// ---------------------------------------------------------------- concepts, literals, graphs

static_assert(lz::Expression<decltype(w)>);
static_assert(lz::Expression<decltype(2_c)>);
static_assert(lz::Expression<decltype(w * x + b)>);
static_assert(lz::Expression<decltype(lz::d(w * x, w))>);
static_assert(lz::Expression<const decltype(w)&>);
static_assert(!lz::Expression<double>);
static_assert(!lz::Expression<int>);
static_assert(!lz::Expression<lz::dual<double, 1>>);
static_assert(!lz::Expression<decltype(lz::at(w = 1.0))>);
static_assert(std::is_empty_v<decltype(lz::sigmoid(w * x + b))>);
static_assert(lz::Leaf<decltype(w)> && !lz::Leaf<decltype(w * x)> && !lz::Leaf<decltype(2_c)>);
static_assert(lz::Literal<decltype(2_c)> && !lz::Literal<decltype(w)>);
static_assert(lz::Param<decltype(lz::param<"W1">)> && !lz::Param<decltype(w)>);
static_assert(lz::Environment<decltype(lz::at(w = 1.0))>);

static_assert(same<decltype(0.5_c), decltype(lz::c<1, 2>)>);
static_assert(same<decltype(lz::c<2, 4>), decltype(lz::c<1, 2>)>);
static_assert(same<decltype(1e-3_c), lz::literal<lz::rational{1, 1000}>>);
static_assert(same<decltype(2.5e2_c), lz::literal<lz::rational{250, 1}>>);
static_assert(same<decltype(-2_c), lz::literal<lz::rational{-2, 1}>>);
static_assert(same<decltype(0_c), lz::zero_t> && same<decltype(1_c), lz::one_t>);

static_assert(lz::graph_of<decltype(lz::cos(w * w) + lz::sin(w * w))>::size == 5);
static_assert(lz::graph_of<decltype(w)>::size == 1);
static_assert(lz::graph_of<decltype(w * w)>::size == 2);
static_assert(std::is_same_v<lz::scalar_of<decltype(w * 2_c)>, double>);
static_assert(std::is_same_v<lz::scalar_of<decltype(lz::var<"f", float> * 2_c)>, float>);
static_assert(std::is_same_v<decltype(lz::eval(w, lz::at(w = 1))), double>);

// ---------------------------------------------------------------- negatives

template <class T>
constexpr bool can_grad = requires(T t) { lz::grad(t, lz::wrt(w), lz::at(w = 1.0)); };
static_assert(can_grad<decltype(w * w)>);
static_assert(!can_grad<double>);
static_assert(!can_grad<lz::dual<double, 1>>);

template <class T>
constexpr bool can_wrt = requires(T t) { lz::wrt(t); };
static_assert(can_wrt<decltype(w)>);
static_assert(!can_wrt<double>);
static_assert(!can_wrt<decltype(w * x)>);  // wrt takes leaves only
static_assert(!can_wrt<decltype(2_c)>);

template <class T>
constexpr bool can_d = requires(T t) { lz::d(w * w, t); };
static_assert(can_d<decltype(w)>);
static_assert(!can_d<decltype(w * w)>);
static_assert(!can_d<decltype(2_c)>);
static_assert(!can_d<double>);

template <class T>
constexpr bool can_eval = requires(T env) { lz::eval(w, env); };
static_assert(can_eval<decltype(lz::at(w = 1.0))>);
static_assert(!can_eval<double>);
static_assert(!can_eval<decltype(lz::tangent(w = 1.0))>);

template <class T>
constexpr bool can_apply_ops = requires(T t) { lz::exp(t); };
static_assert(can_apply_ops<decltype(w)>);
static_assert(can_apply_ops<lz::dual<double, 1>>);
static_assert(!can_apply_ops<double>);

template <class A, class B>
constexpr bool can_max = requires(A a, B b) { lz::max(a, b); };
static_assert(can_max<decltype(w), decltype(x)>);
// A run-time number beside an expression is taken by an overload that reports
// it (one error of ours) and whose declared type is lz::poison, so nothing
// after it fails; its body, the report, is never instantiated here.
static_assert(std::is_same_v<decltype(lz::max(w, 0.5)), lz::poison>);
static_assert(std::is_same_v<decltype(lz::min(1, w)), lz::poison>);
static_assert(std::is_same_v<decltype(w * 2.0), lz::poison>);
static_assert(!can_max<double, double>);

template <class S>
constexpr bool can_leaky_slope = requires(S s) { lz::leaky_relu(w, s); };
static_assert(can_leaky_slope<decltype(0.2_c)>);
static_assert(!can_leaky_slope<double>);  // the slope is a literal
static_assert(!can_leaky_slope<decltype(x)>);

// ---------------------------------------------------------------- a leaf's shape and scalar type

// lz::shape_of / lz::scalar_of name a leaf's shape from decltype of a constexpr
// leaf (a const type), with no std::remove_cvref_t.
constexpr auto X = lz::var<"X", float, lz::shape<20, 16>>;
constexpr auto P = lz::param<"P", double, lz::shape<lz::dyn, 3>>;
static_assert(std::is_const_v<decltype(X)>);
static_assert(std::is_same_v<lz::shape_of<decltype(X)>, lz::shape<20, 16>>);
static_assert(std::is_same_v<lz::scalar_of<decltype(X)>, float>);
static_assert(std::is_same_v<lz::shape_of<decltype(P)>, lz::shape<lz::dyn, 3>>);
static_assert(std::is_same_v<lz::shape_of<const decltype(P)&>, lz::shape<lz::dyn, 3>>);
static_assert(lz::shape_of<decltype(X)>::size == 320);
static_assert(std::is_same_v<lz::shape_of<decltype(X * lz::var<"Y", float>)>, lz::shape<20, 16>>);

// Leaves with distinct names never clash (issue 8: a name identifies a leaf);
// one leaf used twice is one leaf.
static_assert(!lz::detail::leaf_table<std::remove_cvref_t<decltype(X * X + lz::var<"Y", float>)>>::clash::value);
static_assert(lz::detail::leaf_table<std::remove_cvref_t<decltype(X * X + lz::var<"Y", float>)>>::size::value == 2);
static_assert(lz::detail::leaf_table<std::remove_cvref_t<decltype(w * x + x * b + w)>>::size::value == 3);

// ---------------------------------------------------------------- tensor views

// Without LEIBNIZ_CHECK_VIEWS (the default under NDEBUG) a view is a pointer
// and the extents, nothing more; a checked build adds the owner's counter, the
// generation it expects and the message (three words).
template <class T, class S>
struct pointer_and_extents {
    T* data;
    lz::detail::extents_of<S> extents;
};
template <class T, class S>
constexpr std::size_t view_words = sizeof(lz::tensor_view<T, S>) / sizeof(void*);
template <class T, class S>
constexpr std::size_t plain_words = sizeof(pointer_and_extents<T, S>) / sizeof(void*);
constexpr std::size_t guard_words = LEIBNIZ_CHECK_VIEWS ? 3 : 0;
static_assert(view_words<const float, lz::shape<lz::dyn, 3>> == plain_words<const float, lz::shape<lz::dyn, 3>> + guard_words);
static_assert(view_words<double, lz::shape<4, 3>> == plain_words<double, lz::shape<4, 3>> + guard_words);
static_assert(view_words<const float, lz::shape<lz::dyn>> == plain_words<const float, lz::shape<lz::dyn>> + guard_words);
static_assert(sizeof(lz::tensor_view<const float, lz::shape<lz::dyn, 3>>) == (3 + guard_words) * sizeof(void*));  // LP64
static_assert(std::is_trivially_copyable_v<lz::tensor_view<const float, lz::shape<lz::dyn, 3>>>);

}  // namespace
