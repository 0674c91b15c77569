#pragma once
// Laws every tensor op must satisfy, written once and run over a list of
// op-building lambdas (as Boost.Hana's laws/ do for its concepts).
//
// A *case family* is a generic lambda that, given lzt::as<T> (T = float or
// double), builds an lzt::op_case: the op's expression y = op(leaves...), the
// leaves in a std::tuple, a reference implementation (plain loops over the
// bound tensors, in double) and the interval the inputs are drawn from;
// lzt::family<Shapes...>(name, build, reference) makes one with leaves a, b,
// c, d of the given shapes. lzt::check_laws(op_class, family, batches) runs
// every law, for every batch (the run-time extent of the leaves' lz::dyn), in
// double and in float, on
//
//     f = Σ u ⊙ op(x)      (u a bound constant tensor with y's extents)
//
//   value      ∂f/∂u = y against the reference, and f against Σ u ⊙ reference
//   fd         ∂f/∂xⱼ from lz::value_and_grad against central differences (double)
//   tangent    lz::jvp along v against the central difference along v     (double)
//   adjoint    ⟨u, J·v⟩ = ⟨v, Jᵀ·u⟩: jvp(f) along v — every leaf at once and
//              each leaf alone — against Σ ⟨v, grad f⟩
//   modes      forward = reverse: jvp along the unit vector eⱼ against (grad f)ⱼ
//              at sampled j, and jvp's value against value_and_grad's
//   float/dbl  float gradients against double gradients at the same point
//
// Every call goes through one lz::workspace per case and type, reused across
// all calls (so each law also exercises reuse and growth of the workspace).
// Residuals are relative (see each check); the largest of each kind per op
// class and type is kept in lzt::stats() and printed at the end of the program
// (BOOST_TEST_GLOBAL_FIXTURE(lzt_report)), so a drift shows as a number.
//
// Compile time: the laws run on std::vector<double>s behind std::function
// (lzt::erase), so their code is compiled once per program; each family
// instantiates two library calls per type (value_and_grad and jvp of f).

#include <boost/test/unit_test.hpp>

#include <leibniz/leibniz.hpp>
#include <leibniz/ops/log_softmax.hpp>
#include <leibniz/ops/softmax.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace lz = leibniz;

namespace lzt {

// Central differences per leaf: 24 elements, 6 under the sanitizers. Two
// sweeps each, they were most of the laws' run time in the clang -O0 ASan
// build (tensor_log_softmax_test 24 s); memory errors do not depend on which
// element is perturbed, and the g++ build checks all 24.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr std::size_t fd_samples = 6;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr std::size_t fd_samples = 6;
#else
inline constexpr std::size_t fd_samples = 24;
#endif
#else
inline constexpr std::size_t fd_samples = 24;
#endif

template <class T>
struct type_tag {
    using type = T;
};
template <class T>
inline constexpr type_tag<T> as{};

// ---------------------------------------------------------------- values of leaves

template <class Leaf>
using leaf_t = std::remove_cvref_t<Leaf>;

template <lz::Shape S>
constexpr std::size_t dyn_count() {
    std::size_t n = 0;
    for (std::size_t e : S::extents) n += e == lz::dyn;
    return n;
}

// What binds to a leaf: its scalar type for rank 0, else an owning tensor.
template <class Leaf, class T = typename leaf_t<Leaf>::scalar_type>
using value_for = std::conditional_t<(leaf_t<Leaf>::shape_type::rank == 0), T,
                                     lz::tensor<T, typename leaf_t<Leaf>::shape_type>>;

// A zero tensor of shape S whose dyn extent (at most one) is `batch`.
template <class T, lz::Shape S>
lz::tensor<T, S> make_tensor(std::size_t batch) {
    static_assert(dyn_count<S>() <= 1, "lzt: at most one dyn extent per shape");
    if constexpr (dyn_count<S>() == 0)
        return lz::tensor<T, S>();
    else
        return lz::tensor<T, S>(batch);
}

// The elements of a scalar or a tensor, as a span.
template <class T>
    requires std::is_arithmetic_v<T>
std::span<T> elements(T& v) {
    return {&v, 1};
}
template <class T>
    requires std::is_arithmetic_v<T>
std::span<const T> elements(const T& v) {
    return {&v, 1};
}
template <class V>
    requires requires(V& v) { v.data(); v.size(); }
auto elements(V& v) {
    return std::span(v.data(), v.size());
}

// The extents of a scalar (none) or a tensor, as a vector.
template <class V>
std::vector<std::size_t> extents_vec(const V& v) {
    if constexpr (std::is_arithmetic_v<V>)
        return {};
    else
        return std::vector<std::size_t>(v.extents().begin(), v.extents().end());
}

template <class V>
std::vector<double> to_doubles(const V& v) {
    std::vector<double> out;
    for (auto e : elements(v)) out.push_back(double(e));
    return out;
}

// ---------------------------------------------------------------- statistics

inline std::map<std::string, double>& stats() {
    static std::map<std::string, double> s;
    return s;
}
inline void record(std::string_view op_class, std::string_view law, std::string_view type, double residual) {
    auto& worst = stats()[std::string(op_class) + "|" + std::string(law) + "|" + std::string(type)];
    worst = std::max(worst, residual);
}
template <class T>
constexpr std::string_view type_name() {
    return std::is_same_v<T, float> ? "float" : "double";
}

// Prints the worst residual of each law per op class at the end of the program.
struct report_fixture {
    report_fixture() = default;
    report_fixture(const report_fixture&) = delete;
    report_fixture& operator=(const report_fixture&) = delete;
    ~report_fixture() {
        if (stats().empty()) return;
        std::printf("%-34s %-10s %-7s %s\n", "op class", "law", "type", "max residual");
        for (const auto& [key, value] : stats()) {
            const auto a = key.find('|'), b = key.rfind('|');
            std::printf("%-34s %-10s %-7s %.3g\n", key.substr(0, a).c_str(), key.substr(a + 1, b - a - 1).c_str(),
                        key.substr(b + 1).c_str(), value);
        }
    }
};

// ---------------------------------------------------------------- tolerances

struct tolerances {
    double value, fd, tangent, adjoint, modes, float_grad;
};
template <class T>
constexpr tolerances default_tolerances() {
    if constexpr (std::is_same_v<T, double>)
        return {.value = 1e-12, .fd = 1e-6, .tangent = 1e-6, .adjoint = 1e-12, .modes = 1e-12, .float_grad = 0};
    else
        return {.value = 1e-5, .fd = 0, .tangent = 0, .adjoint = 1e-5, .modes = 1e-5, .float_grad = 1e-4};
}

// ---------------------------------------------------------------- cases

template <class Y, class Leaves, class Ref>
struct op_case {
    std::string_view name;
    Y y;            // the op applied to the leaves
    Leaves leaves;  // std::tuple of the leaves, in the order the reference takes them
    Ref reference;  // (const value_for<leaf>&...) -> std::vector<double>, row-major
    double lo = -2, hi = 2;
    double value_scale = 1;  // loosens the value tolerance (long sums in float)
};

template <lz::Expression Y, class... L, class Ref>
auto make_case(std::string_view name, Y y, std::tuple<L...> leaves, Ref reference, double lo = -2, double hi = 2,
               double value_scale = 1) {
    return op_case<Y, std::tuple<L...>, Ref>{name, y, leaves, reference, lo, hi, value_scale};
}

// The I-th leaf of a family: a, b, c, d (vars of scalar type T).
template <class T, lz::Shape S, std::size_t I>
constexpr auto nth_leaf() {
    static_assert(I < 4, "lzt::family: at most four leaves");
    if constexpr (I == 0)
        return lz::var<"a", T, S>;
    else if constexpr (I == 1)
        return lz::var<"b", T, S>;
    else if constexpr (I == 2)
        return lz::var<"c", T, S>;
    else
        return lz::var<"d", T, S>;
}

// A case family over leaves a, b, ... of shapes S...: build(a, b, ...) is the
// op, reference(a_value, b_value, ...) its plain-loop value.
template <lz::Shape... S, class Build, class Ref>
auto family(std::string_view name, Build build, Ref reference, double lo = -2, double hi = 2, double value_scale = 1) {
    return [=](auto tag) {
        using T = typename decltype(tag)::type;
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
            return make_case(name, build(nth_leaf<T, S, I>()...), std::tuple{nth_leaf<T, S, I>()...}, reference, lo,
                             hi, value_scale);
        }(std::index_sequence_for<S...>{});
    };
}

template <class Leaves>
constexpr std::size_t leaf_count = std::tuple_size_v<Leaves>;

template <class Leaves>
constexpr bool has_dyn_leaf() {
    return []<class... L>(std::type_identity<std::tuple<L...>>) {
        return ((dyn_count<typename leaf_t<L>::shape_type>() > 0) || ...);
    }(std::type_identity<Leaves>{});
}

// The inputs of a case: one value per leaf, in a tuple.
template <class T, class Leaves>
struct inputs_of;
template <class T, class... L>
struct inputs_of<T, std::tuple<L...>> {
    using type = std::tuple<value_for<L, T>...>;
};
template <class T, class Leaves>
using inputs_t = typename inputs_of<T, Leaves>::type;

template <class Leaf, class T>
value_for<Leaf, T> make_value(std::size_t batch) {
    if constexpr (leaf_t<Leaf>::shape_type::rank == 0)
        return T(0);
    else
        return make_tensor<T, typename leaf_t<Leaf>::shape_type>(batch);
}

template <class T, class... L>
std::tuple<value_for<L, T>...> make_inputs(const std::tuple<L...>&, std::size_t batch) {
    return {make_value<L, T>(batch)...};
}

template <class Tuple, class F>
void for_each_index(F f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (f(std::integral_constant<std::size_t, I>{}), ...);
    }(std::make_index_sequence<std::tuple_size_v<Tuple>>{});
}

// lz::at(leaf₀ = in₀, leaf₁ = in₁, ..., extra...)
template <class Leaves, class Inputs, class... Extra>
auto bind_all(const Leaves& leaves, const Inputs& in, const Extra&... extra) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return lz::at((std::get<I>(leaves) = std::get<I>(in))..., extra...);
    }(std::make_index_sequence<leaf_count<Leaves>>{});
}
template <class Leaves, class Inputs>
auto tangent_of(const Leaves& leaves, const Inputs& v) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return lz::tangent((std::get<I>(leaves) = std::get<I>(v))...);
    }(std::make_index_sequence<leaf_count<Leaves>>{});
}
template <class Leaves>
auto wrt_all(const Leaves& leaves) {
    return std::apply([](auto... l) { return lz::wrt(l...); }, leaves);
}

// ---------------------------------------------------------------- the contraction f = Σ u ⊙ y

template <class Y>
using contraction_leaf = lz::leaf<"u_", lz::scalar_of<Y>, lz::shape_of<Y>, lz::var_kind>;

template <class Y>
auto contraction(Y y) {
    constexpr contraction_leaf<Y> u{};
    if constexpr (lz::shape_of<Y>::rank == 0)
        return u * y;
    else
        return lz::sum(u * y);
}

// ---------------------------------------------------------------- reference helpers

// A row-major tensor given by its data and extents, for references.
struct ref_tensor {
    std::vector<double> data;
    std::vector<std::size_t> extents;
};
template <class V>
ref_tensor ref(const V& v) {
    return {to_doubles(v), extents_vec(v)};
}

// NumPy broadcasting of any number of operands, by plain index arithmetic:
// out[i] = fn(a[i'], b[i''], ...).
template <class Fn, class... V>
std::vector<double> broadcast_map(Fn fn, const V&... in) {
    const std::array<ref_tensor, sizeof...(V)> t{ref(in)...};
    std::size_t rank = 0;
    for (const auto& x : t) rank = std::max(rank, x.extents.size());
    std::vector<std::size_t> out(rank, 1);
    for (const auto& x : t)
        for (std::size_t i = 0; i < x.extents.size(); ++i) {
            const std::size_t e = x.extents[x.extents.size() - 1 - i];
            std::size_t& o = out[rank - 1 - i];
            if (e != 1) {
                if (o != 1 && o != e) throw std::logic_error("lzt::broadcast_map: the extents do not broadcast");
                o = e;
            }
        }
    std::size_t n = 1;
    for (auto e : out) n *= e;
    std::vector<double> y(n);
    std::vector<std::size_t> index(rank);
    for (std::size_t flat = 0; flat < n; ++flat) {
        std::size_t rest = flat;
        for (std::size_t d = rank; d-- > 0;) {
            index[d] = rest % out[d];
            rest /= out[d];
        }
        std::array<double, sizeof...(V)> args{};
        for (std::size_t k = 0; k < t.size(); ++k) {
            const auto& x = t[k];
            std::size_t off = 0;
            for (std::size_t d = 0; d < x.extents.size(); ++d) {
                const std::size_t od = rank - x.extents.size() + d;
                off = off * x.extents[d] + (x.extents[d] == 1 ? 0 : index[od]);
            }
            args[k] = x.data[off];
        }
        y[flat] = std::apply(fn, args);
    }
    return y;
}

// A reference for an elementwise op: fn on doubles, broadcast.
template <class Fn>
auto elementwise(Fn fn) {
    return [fn](const auto&... in) { return broadcast_map(fn, in...); };
}

// [outer, axis, inner] of extents e around axis k.
struct layout {
    std::size_t outer = 1, axis = 1, inner = 1;
};
inline layout layout_around(const std::vector<std::size_t>& e, std::size_t k) {
    layout l;
    for (std::size_t i = 0; i < k; ++i) l.outer *= e[i];
    l.axis = e[k];
    for (std::size_t i = k + 1; i < e.size(); ++i) l.inner *= e[i];
    return l;
}

// The reduction of every axis-K fibre of a tensor by fn(std::vector<double> fibre).
template <class Fn>
std::vector<double> reduce_axis(const ref_tensor& t, std::size_t k, Fn fn) {
    const layout l = layout_around(t.extents, k);
    std::vector<double> y(l.outer * l.inner);
    std::vector<double> fibre(l.axis);
    for (std::size_t o = 0; o < l.outer; ++o)
        for (std::size_t i = 0; i < l.inner; ++i) {
            for (std::size_t a = 0; a < l.axis; ++a) fibre[a] = t.data[(o * l.axis + a) * l.inner + i];
            y[o * l.inner + i] = fn(fibre);
        }
    return y;
}

inline double ref_sum(const std::vector<double>& v) {
    long double s = 0;
    for (double x : v) s += x;
    return double(s);
}
inline double ref_mean(const std::vector<double>& v) { return ref_sum(v) / double(v.size()); }
inline double ref_max(const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); }
inline double ref_min(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }
inline double ref_logsumexp(const std::vector<double>& v) {
    const double m = ref_max(v);
    long double s = 0;
    for (double x : v) s += std::exp((long double)(x - m));
    return m + double(std::log(s));
}

// Whole-tensor and per-axis references, for lzt::family:
//   [](const auto& a) { return lzt::reduce_all(a, lzt::ref_sum); }
//   [](const auto& a) { return lzt::reduce_axis(lzt::ref(a), 1, lzt::ref_max); }
template <class V, class Fn>
std::vector<double> reduce_all(const V& a, Fn fn) {
    return {fn(to_doubles(a))};
}

// C = A·B for A [m×k] and B [k×n] or B [k] (then C [m]).
inline std::vector<double> ref_matmul(const ref_tensor& a, const ref_tensor& b) {
    const std::size_t m = a.extents.at(0), k = a.extents.at(1), n = b.extents.size() == 2 ? b.extents[1] : 1;
    if (b.extents.at(0) != k) throw std::logic_error("lzt::ref_matmul: inner extents differ");
    std::vector<double> c(m * n);
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            long double s = 0;
            for (std::size_t p = 0; p < k; ++p) s += (long double)a.data[i * k + p] * b.data[p * n + j];
            c[i * n + j] = double(s);
        }
    return c;
}

inline std::vector<double> ref_transpose(const ref_tensor& a) {
    const std::size_t m = a.extents.at(0), n = a.extents.at(1);
    std::vector<double> t(m * n);
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) t[j * m + i] = a.data[i * n + j];
    return t;
}

// a and b joined along axis k.
inline std::vector<double> ref_concat(const ref_tensor& a, const ref_tensor& b, std::size_t k) {
    const layout la = layout_around(a.extents, k), lb = layout_around(b.extents, k);
    std::vector<double> y;
    for (std::size_t o = 0; o < la.outer; ++o) {
        y.insert(y.end(), a.data.begin() + std::ptrdiff_t(o * la.axis * la.inner),
                 a.data.begin() + std::ptrdiff_t((o + 1) * la.axis * la.inner));
        y.insert(y.end(), b.data.begin() + std::ptrdiff_t(o * lb.axis * lb.inner),
                 b.data.begin() + std::ptrdiff_t((o + 1) * lb.axis * lb.inner));
    }
    return y;
}

// softmax (or log_softmax) along the last axis, in long double.
inline std::vector<double> ref_softmax(const ref_tensor& a, bool log) {
    const std::size_t cols = a.extents.back(), rows = cols ? a.data.size() / cols : 0;
    std::vector<double> y(a.data.size());
    for (std::size_t r = 0; r < rows; ++r) {
        const double* x = a.data.data() + r * cols;
        const double m = *std::max_element(x, x + cols);
        long double s = 0;
        for (std::size_t j = 0; j < cols; ++j) s += std::exp((long double)x[j] - m);
        for (std::size_t j = 0; j < cols; ++j)
            y[r * cols + j] = log ? double((long double)x[j] - m - std::log(s)) : double(std::exp((long double)x[j] - m) / s);
    }
    return y;
}

// ---------------------------------------------------------------- type erasure

// A point: the batch and each leaf's elements (a scalar leaf has one).
struct point {
    std::size_t batch = 0;
    std::vector<std::vector<double>> leaf;
};

struct erased_case {
    std::string name;
    double lo = -2, hi = 2, value_scale = 1;
    bool has_dyn = false;
    std::function<std::vector<std::size_t>(std::size_t batch)> sizes;  // elements per leaf, and y's
    std::function<std::vector<double>(const point&)> reference;
    // value_and_grad of f = Σ u ⊙ y with respect to the leaves and u: ∂f/∂u = y.
    struct gradient {
        double value = 0;
        std::vector<std::vector<double>> leaf;  // ∂f/∂leaf
        std::vector<double> y;                  // ∂f/∂u
    };
    std::function<gradient(const point&, const std::vector<double>& u)> grad_f;
    struct tangent {
        double value = 0, derivative = 0;
    };
    std::function<tangent(const point&, const std::vector<double>& u, const point& direction)> jvp_f;
};
// (Not a Boost.Test macro: this runs inside every case's instantiations.)
inline void require_size(std::size_t got, std::size_t expected) {
    if (got != expected)
        throw std::logic_error("lzt: " + std::to_string(got) + " elements where " + std::to_string(expected) +
                               " were expected");
}

template <class T, class Leaves>
inputs_t<T, Leaves> to_inputs(const Leaves& leaves, const point& p) {
    auto in = make_inputs<T>(leaves, p.batch);
    for_each_index<Leaves>([&](auto i) {
        auto dst = elements(std::get<i>(in));
        const auto& src = p.leaf[i];
        require_size(dst.size(), src.size());
        for (std::size_t j = 0; j < dst.size(); ++j) dst[j] = static_cast<T>(src[j]);
    });
    return in;
}

template <class T, lz::Shape S>
auto to_value(const std::vector<double>& u, std::size_t batch) {
    if constexpr (S::rank == 0) {
        return static_cast<T>(u.at(0));
    } else {
        auto t = make_tensor<T, S>(batch);
        require_size(t.size(), u.size());
        for (std::size_t j = 0; j < u.size(); ++j) t.data()[j] = static_cast<T>(u[j]);
        return t;
    }
}

template <class Tuple>
std::vector<std::vector<double>> to_vectors(const Tuple& t) {
    std::vector<std::vector<double>> out;
    for_each_index<Tuple>([&](auto i) { out.push_back(to_doubles(std::get<i>(t))); });
    return out;
}

template <class T, class Case>
erased_case erase(const Case& c) {
    using Leaves = std::remove_cvref_t<decltype(c.leaves)>;
    using Y = decltype(c.y);
    using F = decltype(contraction(c.y));
    using U = contraction_leaf<Y>;
    static_assert(dyn_count<lz::shape_of<Y>>() <= 1, "lzt: the op's result may have one dyn extent at most");
    const Leaves leaves = c.leaves;
    erased_case e;
    e.name = std::string(c.name);
    e.lo = c.lo;
    e.hi = c.hi;
    e.value_scale = c.value_scale;
    e.has_dyn = has_dyn_leaf<Leaves>();
    e.sizes = [leaves](std::size_t batch) {
        std::vector<std::size_t> n;
        const auto in = make_inputs<T>(leaves, batch);
        for_each_index<Leaves>([&](auto i) { n.push_back(elements(std::get<i>(in)).size()); });
        if constexpr (lz::shape_of<Y>::rank == 0)
            n.push_back(1);
        else
            n.push_back(make_tensor<T, lz::shape_of<Y>>(batch).size());
        return n;
    };
    e.reference = [leaves, ref = c.reference](const point& p) {
        const auto in = to_inputs<T>(leaves, p);
        return std::apply(ref, in);
    };
    auto ws = std::make_shared<lz::workspace<F>>();
    e.grad_f = [leaves, ws](const point& p, const std::vector<double>& u) {
        const auto in = to_inputs<T>(leaves, p);
        const auto uv = to_value<T, lz::shape_of<Y>>(u, p.batch);
        const auto wrt = std::apply([](auto... l) { return lz::wrt(l..., U{}); }, leaves);
        const auto r = lz::value_and_grad(F{}, wrt, bind_all(leaves, in, U{} = uv), *ws);
        erased_case::gradient g;
        g.value = double(r.value);
        g.leaf = to_vectors(r.gradient);
        g.y = g.leaf.back();
        g.leaf.pop_back();
        return g;
    };
    e.jvp_f = [leaves, ws](const point& p, const std::vector<double>& u, const point& direction) {
        const auto in = to_inputs<T>(leaves, p);
        const auto dir = to_inputs<T>(leaves, direction);
        const auto uv = to_value<T, lz::shape_of<Y>>(u, p.batch);
        const auto r = lz::jvp(F{}, bind_all(leaves, in, U{} = uv), tangent_of(leaves, dir), *ws);
        return erased_case::tangent{double(r.value), double(r.tangent)};
    };
    return e;
}

// ---------------------------------------------------------------- the laws

namespace detail {

// Which elements of a leaf of n elements the element-wise checks visit:
// all of them up to `limit`, else the first, the last and random ones.
inline std::vector<std::size_t> sample(std::size_t n, std::size_t limit, std::mt19937_64& rng) {
    std::vector<std::size_t> s;
    if (n <= limit) {
        for (std::size_t i = 0; i < n; ++i) s.push_back(i);
    } else {
        s.push_back(0);
        s.push_back(n - 1);
        std::uniform_int_distribution<std::size_t> pick(1, n - 2);
        while (s.size() < limit) s.push_back(pick(rng));
    }
    return s;
}

inline double max_abs(const std::vector<double>& v) {
    double m = 0;
    for (double x : v) m = std::max(m, std::abs(x));
    return m;
}

// Random numbers that float represents exactly, so both types see the same ones.
inline std::vector<double> draw(std::size_t n, double lo, double hi, std::mt19937_64& rng) {
    std::uniform_real_distribution<double> dist(lo, hi);
    std::vector<double> v(n);
    for (double& x : v) x = double(float(dist(rng)));
    return v;
}

inline point draw_point(const erased_case& c, std::size_t batch, double lo, double hi, std::mt19937_64& rng) {
    point p{batch, {}};
    auto sizes = c.sizes(batch);
    sizes.pop_back();  // y's
    for (std::size_t n : sizes) p.leaf.push_back(draw(n, lo, hi, rng));
    return p;
}

inline double inner(const std::vector<std::vector<double>>& a, const std::vector<std::vector<double>>& b,
                     double* magnitude = nullptr) {
    double dot = 0, mag = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        for (std::size_t j = 0; j < a[i].size(); ++j) {
            dot += a[i][j] * b[i][j];
            mag += std::abs(a[i][j] * b[i][j]);
        }
    if (magnitude) *magnitude = mag;
    return dot;
}

// Every law for one case and one scalar type at point p; returns grad f.
inline std::vector<std::vector<double>> check_point(std::string_view op_class, const erased_case& c,
                                                    std::string_view type, const tolerances& tol, point p,
                                                    const std::vector<double>& u, const point& v,
                                                    std::mt19937_64& rng) {
    const bool is_double = type == "double";
    // Both sides of the adjoint and modes laws are sums of up to n terms, in
    // different orders (SIMD lanes against the portable loop on duals), and
    // may differ by γₙ ≈ n·ε relative to their magnitude: the tolerances grow
    // with n beyond 100 terms.
    std::size_t n = 0;
    for (std::size_t k : c.sizes(p.batch)) n = std::max(n, k);
    const double long_sum = std::max(1.0, double(n) / 100);
    const std::string at = c.name + " [" + std::string(type) + ", batch " + std::to_string(p.batch) + "]";

    // ---- f = Σ u ⊙ y by value_and_grad (with the workspace): ∂f/∂u = y
    const auto g = c.grad_f(p, u);
    const auto& grad = g.leaf;
    const double f0 = g.value;

    // ---- value against the plain loop: y itself, and f = Σ u ⊙ y
    const std::vector<double> want = c.reference(p);
    BOOST_REQUIRE_MESSAGE(g.y.size() == want.size(),
                          at << ": " << g.y.size() << " values, the reference has " << want.size());
    {
        const double scale = std::max(1.0, max_abs(want));
        double worst = 0, f_want = 0, f_mag = 0;
        for (std::size_t i = 0; i < want.size(); ++i) {
            BOOST_REQUIRE_MESSAGE(std::isfinite(g.y[i]) || !std::isfinite(want[i]),
                                  at << ": value " << i << " is " << g.y[i] << ", the reference " << want[i]);
            worst = std::max(worst, std::abs(g.y[i] - want[i]) / scale);
            f_want += u[i] * want[i];
            f_mag += std::abs(u[i] * want[i]);
        }
        worst = std::max(worst, std::abs(f0 - f_want) / std::max(1.0, f_mag));
        record(op_class, "value", type, worst);
        BOOST_TEST(worst <= tol.value * c.value_scale, at << ": value residual " << worst);
    }
    for (const auto& leaf : grad)
        for (double x : leaf) BOOST_REQUIRE_MESSAGE(std::isfinite(x), at << ": a gradient element is " << x);

    // ---- adjoint law ⟨u, J·v⟩ = ⟨v, Jᵀ·u⟩: every leaf at once, then each leaf alone
    auto zero = [&] {
        point z = v;
        for (auto& leaf : z.leaf) std::fill(leaf.begin(), leaf.end(), 0.0);
        return z;
    };
    {
        const auto t = c.jvp_f(p, u, v);
        double mag = 0;
        const double dot = inner(grad, v.leaf, &mag);
        const double residual = std::abs(t.derivative - dot) / std::max(mag, 1e-300);
        record(op_class, "adjoint", type, residual);
        BOOST_TEST(residual <= tol.adjoint * long_sum, at << ": <u, J v> = " << t.derivative << ", <v, J^T u> = " << dot);
        const double vr = std::abs(t.value - f0) / std::max(1.0, std::abs(f0));
        record(op_class, "modes", type, vr);
        BOOST_TEST(vr <= tol.modes * long_sum, at << ": jvp's value " << t.value << ", value_and_grad's " << f0);
    }
    if (grad.size() > 1) {
        for (std::size_t i = 0; i < grad.size(); ++i) {
            point dir = zero();
            dir.leaf[i] = v.leaf[i];
            const auto t = c.jvp_f(p, u, dir);
            double mag = 0;
            const double dot = inner(grad, dir.leaf, &mag);
            const double residual = std::abs(t.derivative - dot) / std::max(mag, 1e-300);
            record(op_class, "adjoint", type, residual);
            BOOST_TEST(residual <= tol.adjoint * long_sum,
                       at << ", leaf " << i << " alone: <u, J v> = " << t.derivative << ", <v, J^T u> = " << dot);
        }
    }

    // ---- forward = reverse along unit vectors
    for (std::size_t i = 0; i < grad.size(); ++i) {
        const double scale = std::max(1.0, max_abs(grad[i]));
        for (std::size_t j : sample(grad[i].size(), 4, rng)) {
            point dir = zero();
            dir.leaf[i][j] = 1;
            const auto t = c.jvp_f(p, u, dir);
            const double residual = std::abs(t.derivative - grad[i][j]) / scale;
            record(op_class, "modes", type, residual);
            BOOST_TEST(residual <= tol.modes * long_sum,
                       at << ", leaf " << i << " element " << j << ": jvp " << t.derivative << ", grad " << grad[i][j]);
        }
    }

    // ---- central finite differences (double only)
    if (is_double) {
        for (std::size_t i = 0; i < grad.size(); ++i)
            for (std::size_t j : sample(grad[i].size(), fd_samples, rng)) {
                const double x0 = p.leaf[i][j];
                const double h = 1e-5 * std::max(1.0, std::abs(x0));
                p.leaf[i][j] = x0 + h;
                const double fp = c.grad_f(p, u).value;
                p.leaf[i][j] = x0 - h;
                const double fm = c.grad_f(p, u).value;
                p.leaf[i][j] = x0;
                const double fd = (fp - fm) / (2 * h);
                const double residual = std::abs(fd - grad[i][j]) / std::max(1.0, std::abs(grad[i][j]));
                record(op_class, "fd", type, residual);
                BOOST_TEST(residual <= tol.fd, at << ", leaf " << i << " element " << j << ": grad " << grad[i][j]
                                                  << ", central difference " << fd);
            }
        // The tangent rule: jvp along v against the central difference along v.
        const double h = 1e-5;
        auto shifted = [&](double s) {
            point q = p;
            for (std::size_t i = 0; i < q.leaf.size(); ++i)
                for (std::size_t j = 0; j < q.leaf[i].size(); ++j) q.leaf[i][j] += s * v.leaf[i][j];
            return q;
        };
        const double fd = (c.grad_f(shifted(h), u).value - c.grad_f(shifted(-h), u).value) / (2 * h);
        const double t = c.jvp_f(p, u, v).derivative;
        const double residual = std::abs(fd - t) / std::max(1.0, std::abs(t));
        record(op_class, "tangent", type, residual);
        BOOST_TEST(residual <= tol.tangent, at << ": jvp along v " << t << ", central difference " << fd);
    }
    return grad;
}

}  // namespace detail

// The laws for one case family, in double and float, at each batch.
inline void run_laws(std::string_view op_class, const erased_case& d, const erased_case& f,
                     const std::vector<std::size_t>& batches, const tolerances& tol_double,
                     const tolerances& tol_float) {
    std::seed_seq seed(d.name.begin(), d.name.end());
    std::mt19937_64 rng(seed);
    for (std::size_t batch : d.has_dyn ? batches : std::vector<std::size_t>{0}) {
        BOOST_TEST_CONTEXT(std::string(op_class) << ": " << d.name << ", batch " << batch) {
            const point p = detail::draw_point(d, batch, d.lo, d.hi, rng);
            const point v = detail::draw_point(d, batch, -1, 1, rng);
            const std::vector<double> u = detail::draw(d.sizes(batch).back(), -1, 1, rng);
            const auto gd = detail::check_point(op_class, d, "double", tol_double, p, u, v, rng);
            const auto gf = detail::check_point(op_class, f, "float", tol_float, p, u, v, rng);
            // float gradients against double gradients at the same point, for the same u
            for (std::size_t i = 0; i < gd.size(); ++i) {
                const double scale = std::max(1.0, detail::max_abs(gd[i]));
                double worst = 0;
                for (std::size_t j = 0; j < gd[i].size(); ++j) worst = std::max(worst, std::abs(gf[i][j] - gd[i][j]) / scale);
                record(op_class, "float/dbl", "float", worst);
                BOOST_TEST(worst <= tol_float.float_grad * f.value_scale,
                           d.name << ", leaf " << i << ": float gradient against double, residual " << worst);
            }
        }
    }
}

template <class Family>
void check_laws(std::string_view op_class, Family family, std::initializer_list<std::size_t> batches = {1, 3, 17, 64, 127},
                tolerances tol_double = default_tolerances<double>(), tolerances tol_float = default_tolerances<float>()) {
    run_laws(op_class, erase<double>(family(as<double>)), erase<float>(family(as<float>)),
             std::vector<std::size_t>(batches), tol_double, tol_float);
}

// check_laws for every family of a list.
template <class... Family>
void check_all(std::string_view op_class, std::initializer_list<std::size_t> batches, Family... family) {
    (check_laws(op_class, family, batches), ...);
}

// ---------------------------------------------------------------- ties of max/min
//
// Random inputs never tie; this law builds ties. At a tie of max (Max) or min,
// forward mode splits the tangent evenly among the tied elements, as reverse
// mode splits the adjoint (torch's forward mode does the same), so
// ⟨grad f, t⟩ = jvp(f, t), and both equal a plain loop's value, for
//   f = max(x)                   the whole tensor: 5 elements tie
//   f = Σ u ⊙ max(x, axis 1)     3 ties in row 0, 2 in row 1, none in row 2
//   f = Σ max(a, b)              the elementwise max, a = b at 3 positions
// and hvp goes through the same forward sweep: for f = max(x)², H·t = 2⟨s, t⟩ s
// with s = grad max(x) (1/5 at the ties), so ⟨H·t, w⟩ = ⟨t, H·w⟩.
template <bool Max>
void check_ties_forward_equals_reverse() {
    using sh35 = lz::shape<3, 5>;
    constexpr auto x = lz::var<"x", double, sh35>;
    constexpr auto u = lz::var<"u", double, lz::shape<3>>;
    constexpr auto a = lz::var<"a", double, lz::shape<6>>;
    constexpr auto b = lz::var<"b", double, lz::shape<6>>;
    auto reduce = [](auto e) { if constexpr (Max) return lz::max(e); else return lz::min(e); };
    auto reduce_rows = [](auto e) { if constexpr (Max) return lz::max(e, lz::axis<1>); else return lz::min(e, lz::axis<1>); };
    auto pick = [](auto p, auto q) { if constexpr (Max) return lz::max(p, q); else return lz::min(p, q); };
    const double sign = Max ? 1.0 : -1.0;  // values for min are those for max, negated
    const double top = 4 * sign;
    const char* name = Max ? "max" : "min";
    auto dot = [](const auto& p, const auto& q) {
        double s = 0;
        for (std::size_t i = 0; i < p.size(); ++i) s += p.data()[i] * q.data()[i];
        return s;
    };
    auto tangent_values = [](auto& t, double phase) {
        for (std::size_t i = 0; i < t.size(); ++i) t.data()[i] = 0.37 + phase + 0.1 * double(i + 1) * (i % 2 ? -1 : 1);
    };

    // x: ties of `top` at row 0 cols 0, 2, 4 and row 1 cols 1, 3; row 2's extreme 2.5 is alone.
    const double xs[15] = {4, 1, 4, -2, 4, /**/ 0.5, 4, -1, 4, 3, /**/ 2.5, -0.5, 1.5, 2, 0};
    lz::tensor<double, sh35> xv, t, w;
    for (std::size_t i = 0; i < 15; ++i) xv.data()[i] = xs[i] * sign;
    tangent_values(t, 0.0);
    tangent_values(w, -0.8);
    const lz::tensor<double, lz::shape<3>> uv{0.7, -1.3, 2.0};
    const auto env = lz::at(x = xv);

    // whole tensor
    {
        double mean = 0;
        for (std::size_t i = 0; i < 15; ++i) mean += xv.data()[i] == top ? t.data()[i] / 5 : 0.0;
        const auto [g] = lz::grad(reduce(x), lz::wrt(x), env);
        const double jvp = lz::jvp(reduce(x), env, lz::tangent(x = t)).tangent;
        BOOST_TEST(std::abs(jvp - mean) <= 1e-14, name << "(x): jvp " << jvp << ", the tied tangents' mean " << mean);
        BOOST_TEST(std::abs(dot(g, t) - jvp) <= 1e-14, name << "(x): <grad, t> " << dot(g, t) << ", jvp " << jvp);
    }
    // along axis 1
    {
        double expected = 0;
        for (std::size_t r = 0; r < 3; ++r) {
            double extreme = xv(r, 0), sum = 0, count = 0;
            for (std::size_t c = 1; c < 5; ++c) extreme = Max ? std::max(extreme, xv(r, c)) : std::min(extreme, xv(r, c));
            for (std::size_t c = 0; c < 5; ++c)
                if (xv(r, c) == extreme) sum += t(r, c), count += 1;
            expected += uv(r) * sum / count;
        }
        const auto f = lz::sum(u * reduce_rows(x));
        const auto xuenv = lz::at(x = xv, u = uv);
        const auto [g] = lz::grad(f, lz::wrt(x), xuenv);
        const double jvp = lz::jvp(f, xuenv, lz::tangent(x = t)).tangent;
        BOOST_TEST(std::abs(jvp - expected) <= 1e-14, name << "(x, axis 1): jvp " << jvp << ", plain loop " << expected);
        BOOST_TEST(std::abs(dot(g, t) - jvp) <= 1e-14, name << "(x, axis 1): <grad, t> " << dot(g, t) << ", jvp " << jvp);
    }
    // elementwise, ties at positions 0, 2, 5
    {
        const lz::tensor<double, lz::shape<6>> av{1 * sign, 2 * sign, -3 * sign, 0.5 * sign, 2 * sign, 7 * sign},
            bv{1 * sign, -1 * sign, -3 * sign, 1.5 * sign, 1 * sign, 7 * sign};
        lz::tensor<double, lz::shape<6>> ta, tb;
        tangent_values(ta, 0.2);
        tangent_values(tb, -0.6);
        double expected = 0;
        for (std::size_t i = 0; i < 6; ++i) {
            const bool a_wins = Max ? av(i) > bv(i) : av(i) < bv(i);
            expected += av(i) == bv(i) ? (ta(i) + tb(i)) / 2 : a_wins ? ta(i) : tb(i);
        }
        const auto f = lz::sum(pick(a, b));
        const auto abenv = lz::at(a = av, b = bv);
        const auto [ga, gb] = lz::grad(f, lz::wrt(a, b), abenv);
        const double jvp = lz::jvp(f, abenv, lz::tangent(a = ta, b = tb)).tangent;
        BOOST_TEST(std::abs(jvp - expected) <= 1e-14, name << "(a, b): jvp " << jvp << ", plain loop " << expected);
        BOOST_TEST(std::abs(dot(ga, ta) + dot(gb, tb) - jvp) <= 1e-14,
                   name << "(a, b): <grad, t> " << dot(ga, ta) + dot(gb, tb) << ", jvp " << jvp);
    }
    // hvp of f = max(x)²
    {
        const auto f = reduce(x) * reduce(x);
        const auto [ht] = lz::hvp(f, lz::wrt(x), env, lz::tangent(x = t));
        const auto [hw] = lz::hvp(f, lz::wrt(x), env, lz::tangent(x = w));
        double st = 0;
        for (std::size_t i = 0; i < 15; ++i) st += xv.data()[i] == top ? t.data()[i] / 5 : 0.0;
        for (std::size_t i = 0; i < 15; ++i) {
            const double expected = xv.data()[i] == top ? 2 * st / 5 : 0.0;
            BOOST_TEST(std::abs(ht.data()[i] - expected) <= 1e-14,
                       name << "(x)^2: (H t)[" << i << "] " << ht.data()[i] << ", 2<s, t> s " << expected);
        }
        BOOST_TEST(std::abs(dot(ht, w) - dot(t, hw)) <= 1e-14,
                   name << "(x)^2: <H t, w> " << dot(ht, w) << ", <t, H w> " << dot(t, hw));
    }
}

}  // namespace lzt

// For BOOST_TEST_GLOBAL_FIXTURE(lzt_report), which takes an unqualified name.
using lzt_report = lzt::report_fixture;
