#pragma once
// A derivative keeps its function's domain. d(x·y, x) is y: the leaf x is
// gone from the expression, yet the derivative is a function of (x, y), and a
// user of JAX or SymPy evaluates it where f is evaluated — lz::at(x = 2.0,
// y = 3.0). lz::d wraps a result that lost some of f's leaves in a node of
// domain_op, which is the identity (value, tangent, adjoint, printing) and
// records f's leaves in its type; the environment check (core/eval.hpp)
// accepts a binding of any leaf of domain_of<E>: E's leaves and those every
// domain_op inside E records. A binding of a leaf in neither is still the
// same compile error, and a lost leaf need not be bound.
//
// A constant derivative (d(sin(x) + y, y) = 1, d(x³, x, x, x) = 6) stays the
// bare literal — the algebra keeps its zeros, ones and folded constants — and
// an expression without leaves evaluates in any environment: a constant is a
// function on every domain.
//
//   domain_of<E>              E's leaves, then the leaves its domain_op nodes record (a set)
//   without_domain<E>         the expression a domain node wraps (E for any other)
//   detail::with_domain<F>(r) r, wrapped when it lacks a leaf of domain_of<F>

#include <leibniz/core/expr.hpp>
#include <leibniz/core/graph.hpp>
#include <leibniz/core/print.hpp>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/bind.hpp>
#include <boost/mp11/list.hpp>
#include <boost/mp11/set.hpp>

#include <array>
#include <string>
#include <string_view>
#include <type_traits>

namespace leibniz {

// The identity on Inner, recording the leaves Domain (an mp_list) of the
// function Inner is a derivative of, and computing in that function's scalar
// type (a literal derivative of a float function evaluates in float).
template <class Inner, class Scalar, class Domain>
struct domain_op {
    using domain = Domain;
    using scalar_type = Scalar;
    static constexpr std::string_view name = "domain";
    // Prints as its operand, bare: the node keeps the operand's precedence.
    static constexpr int precedence = detail::precedence_of<Inner>();
    static constexpr std::array<int, 1> operand_precedence{0};
    static std::string text(const std::string&, const std::string& bare) { return bare; }
    static std::string latex(const std::string&, const std::string& bare) { return bare; }
    static constexpr op_traits traits{.reads_operands = false};

    template <class T>
    static constexpr T value(const T& a) { return a; }
    template <class T>
    static constexpr T jvp(const T& t, const T&, const T&) { return t; }
    template <class T>
    static constexpr T vjp(const T& g, const T&, const T&) { return g; }
    template <class A>
    static constexpr auto derivative(A) { return one_t{}; }
    static constexpr std::string_view local_derivative = "1";
};

namespace detail {
template <class N>
struct recorded_domain {
    using type = boost::mp11::mp_list<>;
};
template <class Inner, class Scalar, class Domain, class A>
struct recorded_domain<node<domain_op<Inner, Scalar, Domain>, A>> {
    using type = Domain;
};
template <class N>
using recorded_domain_t = typename recorded_domain<N>::type;

template <class E>
struct is_domain_node : std::false_type {};
template <class Inner, class Scalar, class Domain, class A>
struct is_domain_node<node<domain_op<Inner, Scalar, Domain>, A>> : std::true_type {};
template <class E>
struct domain_operands {
    using type = boost::mp11::mp_list<E>;
};
template <class Inner, class Scalar, class Domain, class A>
struct domain_operands<node<domain_op<Inner, Scalar, Domain>, A>> {
    using type = boost::mp11::mp_list<A>;
};
}  // namespace detail

// The expression a domain node wraps (E itself for any other expression):
// lz::without_domain<decltype(lz::d(w * x, w))> is decltype(x).
template <Expression E>
using without_domain = boost::mp11::mp_front<typename detail::domain_operands<std::remove_cvref_t<E>>::type>;

// The leaves an environment of E may bind: E's own, then those its
// derivatives' domain nodes record.
namespace detail {
// Without domain nodes (every expression but a derivative's), E's leaves
// as they are: no set operations on a large network's leaf list.
template <class Leaves, class Recorded>
struct domain_union {
    using type = boost::mp11::mp_unique<boost::mp11::mp_append<Leaves, Recorded>>;
};
template <class Leaves>
struct domain_union<Leaves, boost::mp11::mp_list<>> {
    using type = Leaves;
};
}  // namespace detail

template <Expression E>
using domain_of = typename detail::domain_union<
    leaves_of<E>, boost::mp11::mp_flatten<boost::mp11::mp_transform<detail::recorded_domain_t, nodes_of<E>>>>::type;

namespace detail {
// r (a derivative of F) as it is when it holds every leaf of F's domain, else
// wrapped in a domain node recording that domain.
template <class F, class R>
constexpr auto with_domain(R r) {
    using domain = domain_of<F>;
    using missing = boost::mp11::mp_remove_if_q<domain, boost::mp11::mp_bind_front<boost::mp11::mp_set_contains, leaves_of<R>>>;
    if constexpr (boost::mp11::mp_empty<missing>::value || is_literal<R>::value)
        return r;  // a constant keeps its literal type: it evaluates in any environment
    else
        return make_node<domain_op<R, scalar_of<F>, domain>>(r);
}
}  // namespace detail

}  // namespace leibniz
