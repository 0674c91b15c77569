// Second derivatives and tensor-valued tangents of tensor expressions:
// lz::hvp, lz::hessian and lz::jvp with a tensor result, in float and double.
//
//   hvp        against central differences of grad along v,
//              (grad(θ + h·v) − grad(θ − h·v)) / 2h, on an expression where
//              every kernel family runs on dual numbers: matmul, a broadcast
//              bias, an extent-1 scale, a scalar (rank 0) parameter, tanh,
//              sigmoid, softmax, log_softmax, sum, mean, logsumexp along an
//              axis and max; with a tangent on the data x too (the mixed
//              derivatives ∂²f/∂θ∂x · v), for batches 1, 3 and 17.
//   least      f = ‖A·w − b‖²: hvp = 2AᵀA·v and hessian = 2AᵀA, from plain loops.
//   hessian    over all 124 parameters of that expression: symmetric, each
//              column the hvp along a unit tangent and the central difference
//              of grad along that unit tangent.
//   jvp        a tensor result (softmax of the logits) against central
//              differences of eval, and ⟨jvp(v), u⟩ = ⟨v, grad Σ u ⊙ f⟩.
//   alloc      hvp and tensor-valued jvp with a warm workspace allocate nothing.
// Float results are compared with the double references (central differences
// are taken in double only).
#define BOOST_TEST_MODULE tensor_hessian
#include "tensor_laws.hpp"  // Boost.Test, leibniz, and lzt::make_tensor / lzt::elements

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <new>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

using namespace lz::literals;

// ---------------------------------------------------------------- counting operator new
// The few replaceable forms the library and the standard library reach here
// (the nothrow and array forms call these by default); see tensor_alloc_test.cpp
// for a test that every form is counted.

namespace {
std::atomic<long> news{0};
void* counted(std::size_t size, std::size_t align) {
    news.fetch_add(1, std::memory_order_relaxed);
    const std::size_t n = (size ? size : 1) + align - 1;
    if (void* p = align > alignof(std::max_align_t) ? std::aligned_alloc(align, n / align * align) : std::malloc(n))
        return p;
    throw std::bad_alloc{};
}
// noinline: inlined into operator delete, g++ 12 sees free() of a pointer
// "from operator new" (-Wmismatched-new-delete), not knowing it is malloc's.
[[gnu::noinline]] void release(void* p) noexcept { std::free(p); }
}  // namespace

void* operator new(std::size_t size) { return counted(size, 1); }
void* operator new(std::size_t size, std::align_val_t align) { return counted(size, std::size_t(align)); }
void operator delete(void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { release(p); }

namespace {

template <std::size_t... E>
using sh = lz::shape<E...>;
constexpr auto dyn = lz::dyn;

// ---------------------------------------------------------------- helpers

// A tensor of shape S (its dyn extent is `batch`) or, for rank 0, a number.
template <class T, class S>
using value_t = std::conditional_t<S::rank == 0, T, lz::tensor<T, S>>;

template <class T, class S>
value_t<T, S> make(std::size_t batch) {
    if constexpr (S::rank == 0)
        return T(0);
    else
        return lzt::make_tensor<T, S>(batch);
}

using lzt::elements;

template <class T, class S>
value_t<T, S> random_value(std::size_t batch, std::mt19937& rng, double lo, double hi) {
    auto v = make<T, S>(batch);
    std::uniform_real_distribution<double> d(lo, hi);
    for (auto& e : elements(v)) e = T(d(rng));
    return v;
}

// a + h·v, element by element.
template <class V>
V shifted(const V& a, double h, const V& v) {
    V r = a;
    auto out = elements(r);
    using T = std::remove_cvref_t<decltype(out[0])>;
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = T(double(out[i]) + h * double(elements(v)[i]));
    return r;
}

// The same values in another scalar type.
template <class U, class V>
auto cast(const V& a) {
    if constexpr (std::is_arithmetic_v<V>) {
        return U(a);
    } else {
        lz::tensor<U, typename V::shape_type> r(a.view().extents_object());
        for (std::size_t i = 0; i < a.size(); ++i) r.data()[i] = U(a.data()[i]);
        return r;
    }
}

// All elements of a tuple of results (numbers, tensors or views), in order, as doubles.
template <class V>
void append(std::vector<double>& out, const V& part) {
    for (auto e : elements(part)) out.push_back(double(e));
}
template <class... V>
std::vector<double> flat(const std::tuple<V...>& parts) {
    std::vector<double> out;
    std::apply([&](const auto&... p) { (append(out, p), ...); }, parts);
    return out;
}
template <class V>
std::vector<double> flat1(const V& v) {
    std::vector<double> out;
    append(out, v);
    return out;
}

// max |a − b| relative to max |b| (at least `floor`).
double rel_diff(const std::vector<double>& a, const std::vector<double>& b, double floor = 1e-3) {
    BOOST_REQUIRE_EQUAL(a.size(), b.size());
    double num = 0, den = floor;
    for (std::size_t i = 0; i < a.size(); ++i) {
        num = std::max(num, std::abs(a[i] - b[i]));
        den = std::max(den, std::abs(b[i]));
    }
    return num / den;
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
}

std::vector<double> central(const std::vector<double>& plus, const std::vector<double>& minus, double h) {
    std::vector<double> d(plus.size());
    for (std::size_t i = 0; i < d.size(); ++i) d[i] = (plus[i] - minus[i]) / (2 * h);
    return d;
}

template <class T>
constexpr const char* type_name() {
    return std::is_same_v<T, float> ? "float" : "double";
}

template <class T>
constexpr double tolerance = std::is_same_v<T, float> ? 1e-4 : 1e-6;

// ---------------------------------------------------------------- the expression with every kernel family

template <class T>
struct net {
    static constexpr auto x = lz::var<"x", T, sh<dyn, 3>>;
    static constexpr auto y = lz::var<"y", T, sh<dyn, 3>>;
    static constexpr auto u = lz::var<"u", T, sh<dyn, 3>>;  // the cotangent of the jvp check
    static constexpr auto W1 = lz::param<"W1", T, sh<3, 17>>;
    static constexpr auto b1 = lz::param<"b1", T, sh<17>>;
    static constexpr auto s = lz::param<"s", T, sh<1>>;
    static constexpr auto W2 = lz::param<"W2", T, sh<17, 3>>;
    static constexpr auto b2 = lz::param<"b2", T, sh<3>>;
    static constexpr auto k = lz::param<"k", T>;  // rank 0

    static constexpr auto h = lz::tanh(lz::matmul(x, W1) + b1) * s;
    static constexpr auto logits = (lz::matmul(h, W2) + b2) * k;
    static constexpr auto probs = lz::softmax(logits);
    static constexpr auto f = lz::sum(probs * lz::sigmoid(logits)) - lz::mean(lz::log_softmax(logits) * y) +
                              lz::mean(lz::logsumexp(h, lz::axis<1>)) + 0.5_c * lz::max(h);
    static constexpr auto all = lz::wrt(W1, b1, s, W2, b2, k);
};

// A point (or a direction) for net<T>.
template <class T>
struct net_point {
    value_t<T, sh<dyn, 3>> x, y, u;
    value_t<T, sh<3, 17>> W1;
    value_t<T, sh<17>> b1;
    value_t<T, sh<1>> s;
    value_t<T, sh<17, 3>> W2;
    value_t<T, sh<3>> b2;
    T k;

    static net_point random(std::size_t batch, unsigned seed) {
        std::mt19937 rng(seed);
        return {random_value<T, sh<dyn, 3>>(batch, rng, -1, 1), random_value<T, sh<dyn, 3>>(batch, rng, 0, 1),
                random_value<T, sh<dyn, 3>>(batch, rng, -1, 1), random_value<T, sh<3, 17>>(batch, rng, -1, 1),
                random_value<T, sh<17>>(batch, rng, -0.5, 0.5), random_value<T, sh<1>>(batch, rng, 0.5, 1.5),
                random_value<T, sh<17, 3>>(batch, rng, -1, 1), random_value<T, sh<3>>(batch, rng, -0.5, 0.5),
                random_value<T, sh<>>(batch, rng, 0.5, 1.5)};
    }
    static net_point zero(std::size_t batch) {
        return {make<T, sh<dyn, 3>>(batch), make<T, sh<dyn, 3>>(batch), make<T, sh<dyn, 3>>(batch),
                make<T, sh<3, 17>>(batch),  make<T, sh<17>>(batch),     make<T, sh<1>>(batch),
                make<T, sh<17, 3>>(batch),  make<T, sh<3>>(batch),      T(0)};
    }
    [[nodiscard]] net_point moved(double step, const net_point& v) const {
        return {shifted(x, step, v.x),   y,
                u,                       shifted(W1, step, v.W1),
                shifted(b1, step, v.b1), shifted(s, step, v.s),
                shifted(W2, step, v.W2), shifted(b2, step, v.b2),
                shifted(k, step, v.k)};
    }
    template <class U>
    [[nodiscard]] net_point<U> as() const {
        return {cast<U>(x), cast<U>(y), cast<U>(u), cast<U>(W1), cast<U>(b1), cast<U>(s), cast<U>(W2), cast<U>(b2), U(k)};
    }
    [[nodiscard]] auto env() const {
        using N = net<T>;
        return lz::at(N::x = x, N::y = y, N::W1 = W1, N::b1 = b1, N::s = s, N::W2 = W2, N::b2 = b2, N::k = k);
    }
    [[nodiscard]] auto tangent() const {  // this point as a direction: every parameter and the data x
        using N = net<T>;
        return lz::tangent(N::W1 = W1, N::b1 = b1, N::s = s, N::W2 = W2, N::b2 = b2, N::k = k, N::x = x);
    }
    // Parameter j, counting the elements of net::all's leaves in order.
    T& param(std::size_t j) {
        for (const std::span<T> part :
             {elements(W1), elements(b1), elements(s), elements(W2), elements(b2), elements(k)}) {
            if (j < part.size()) return part[j];
            j -= part.size();
        }
        throw std::out_of_range("net_point::param");
    }
    // The parameters as one vector, in net::all's order.
    [[nodiscard]] std::vector<double> params() const { return flat(std::tie(W1, b1, s, W2, b2, k)); }
};

// The reference H·v of net: central differences of the double gradient.
std::vector<double> net_hvp_reference(const net_point<double>& p, const net_point<double>& v) {
    using N = net<double>;
    constexpr double step = 1e-4;
    const auto plus = p.moved(step, v), minus = p.moved(-step, v);
    return central(flat(lz::grad(N::f, N::all, plus.env())), flat(lz::grad(N::f, N::all, minus.env())), step);
}

template <class T>
void check_net_hvp(std::size_t batch) {
    using N = net<T>;
    const auto p = net_point<double>::random(batch, 11 + unsigned(batch));
    const auto v = net_point<double>::random(batch, 97 + unsigned(batch));
    const auto reference = net_hvp_reference(p, v);

    const auto pt = p.template as<T>(), vt = v.template as<T>();
    lz::workspace ws{N::f};
    const auto hv = lz::hvp(N::f, N::all, pt.env(), vt.tangent(), ws);
    static_assert(std::is_same_v<std::tuple_element_t<0, std::remove_cvref_t<decltype(hv)>>,
                                 lz::tensor_view<const T, sh<3, 17>>>);
    static_assert(std::is_same_v<std::tuple_element_t<5, std::remove_cvref_t<decltype(hv)>>, T>);
    const double r = rel_diff(flat(hv), reference);
    BOOST_TEST_MESSAGE(type_name<T>() << " batch " << batch << ": hvp vs central differences of grad: " << r);
    BOOST_TEST(r < tolerance<T>, "batch " << batch << ": hvp vs central differences of grad, residual " << r);

    // Structured bindings; without a workspace the results own their memory and agree.
    const auto [hW1, hb1, hs, hW2, hb2, hk] = lz::hvp(N::f, N::all, pt.env(), vt.tangent());
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(hW2)>, lz::tensor<T, sh<17, 3>>>);
    BOOST_TEST(rel_diff(flat(std::tie(hW1, hb1, hs, hW2, hb2, hk)), flat(hv), 1e-30) == 0.0);
}

}  // namespace

BOOST_AUTO_TEST_CASE(hvp_matches_central_differences_of_grad) {
    for (std::size_t batch : {1, 3, 17}) {
        check_net_hvp<double>(batch);
        check_net_hvp<float>(batch);
    }
}

BOOST_AUTO_TEST_CASE(hvp_along_the_data_alone_or_one_parameter) {
    using N = net<double>;
    const auto p = net_point<double>::random(3, 5), v = net_point<double>::random(3, 6);
    lz::workspace ws{N::f};

    // Only the data x moves: ∂/∂x (∇_θ f)·v, the mixed second derivatives.
    // The leaves lz::tangent does not name have tangent 0.
    auto only_x = net_point<double>::zero(3);
    only_x.x = v.x;
    const double rx = rel_diff(flat(lz::hvp(N::f, N::all, p.env(), lz::tangent(N::x = v.x), ws)),
                               net_hvp_reference(p, only_x));
    BOOST_TEST_MESSAGE("hvp along x alone vs central differences: " << rx);
    BOOST_TEST(rx < 1e-6);

    auto only_b2 = net_point<double>::zero(3);
    only_b2.b2 = v.b2;
    const double rb = rel_diff(flat(lz::hvp(N::f, N::all, p.env(), lz::tangent(N::b2 = v.b2), ws)),
                               net_hvp_reference(p, only_b2));
    BOOST_TEST_MESSAGE("hvp along b2 alone vs central differences: " << rb);
    BOOST_TEST(rb < 1e-6);

    // A tangent whose batch is not its leaf's is a run-time error naming hvp.
    const lz::tensor<double, sh<dyn, 3>> wrong(4);
    try {
        (void)lz::hvp(N::f, N::all, p.env(), lz::tangent(N::x = wrong), ws);
        BOOST_FAIL("no exception");
    } catch (const lz::shape_error& e) {
        BOOST_TEST(std::string(e.what()).find("leibniz::hvp: the tangent of leaf \"x\" has extents [4, 3]") !=
                       std::string::npos,
                   e.what());
    }
}

// ---------------------------------------------------------------- least squares: H = 2AᵀA

namespace {

template <class T>
struct least_squares {
    static constexpr auto A = lz::var<"A", T, sh<dyn, 17>>;
    static constexpr auto b = lz::var<"b", T, sh<dyn>>;
    static constexpr auto w = lz::param<"w", T, sh<17>>;
    static constexpr auto r = lz::matmul(A, w) - b;
    static constexpr auto f = lz::sum(r * r);
};

template <class T>
void check_least_squares(std::size_t rows) {
    using L = least_squares<T>;
    std::mt19937 rng(3 + unsigned(rows));
    const auto a = random_value<T, sh<dyn, 17>>(rows, rng, -1, 1);
    const auto b = random_value<T, sh<dyn>>(rows, rng, -1, 1);
    const auto w = random_value<T, sh<17>>(rows, rng, -1, 1);
    const auto v = random_value<T, sh<17>>(rows, rng, -1, 1);
    const auto env = lz::at(L::A = a, L::b = b, L::w = w);

    std::vector<double> ata(17 * 17), expected(17, 0.0);  // 2AᵀA and 2AᵀA·v, plain loops in double
    for (std::size_t i = 0; i < 17; ++i)
        for (std::size_t j = 0; j < 17; ++j) {
            double s = 0;
            for (std::size_t m = 0; m < rows; ++m) s += double(a(m, i)) * double(a(m, j));
            ata[i * 17 + j] = 2 * s;
            expected[i] += 2 * s * double(v(j));
        }

    lz::workspace ws{L::f};
    const auto [hv] = lz::hvp(L::f, lz::wrt(L::w), env, lz::tangent(L::w = v), ws);
    const double r = rel_diff(flat1(hv), expected);
    BOOST_TEST_MESSAGE(type_name<T>() << " rows " << rows << ": least-squares hvp vs 2AtA v: " << r);
    BOOST_TEST(r < tolerance<T> / 10, "rows " << rows);

    const auto h = lz::hessian(L::f, lz::wrt(L::w), env);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(h)>, lz::tensor<T, sh<17, 17>>>);
    BOOST_TEST(rel_diff(flat1(h), ata) < tolerance<T> / 10, "rows " << rows);
}

}  // namespace

BOOST_AUTO_TEST_CASE(least_squares_hvp_and_hessian_are_2_AtA) {
    for (std::size_t rows : {1, 3, 17}) {
        check_least_squares<double>(rows);
        check_least_squares<float>(rows);
    }
}

// ---------------------------------------------------------------- the full Hessian of net

namespace {

template <class T>
void check_net_hessian() {
    using N = net<T>;
    const auto p = net_point<double>::random(17, 23);
    const auto pt = p.template as<T>();
    // Every parameter: W1 [3, 17], b1 [17], s [1], W2 [17, 3], b2 [3] and k: n = 124.
    const auto h = lz::hessian(N::f, N::all, pt.env());
    constexpr std::size_t n = 124;
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(h)>, lz::tensor<T, sh<n, n>>>);

    std::vector<double> transposed(n * n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) transposed[i * n + j] = double(h(j, i));
    const double asymmetry = rel_diff(flat1(h), transposed);
    BOOST_TEST_MESSAGE(type_name<T>() << " hessian asymmetry: " << asymmetry);
    BOOST_TEST(asymmetry < tolerance<T> / 10);

    // Column j: the hvp along the unit tangent e_j, and (double) the central
    // difference of grad along e_j.
    lz::workspace ws{N::f};
    double worst_hvp = 0, worst_fd = 0;
    for (std::size_t j = 0; j < n; ++j) {
        auto e = net_point<double>::zero(17);
        e.param(j) = 1;
        std::vector<double> column(n);
        for (std::size_t i = 0; i < n; ++i) column[i] = double(h(i, j));
        worst_hvp = std::max(worst_hvp, rel_diff(column, flat(lz::hvp(N::f, N::all, pt.env(),
                                                                       e.template as<T>().tangent(), ws)), 1e-30));
        worst_fd = std::max(worst_fd, rel_diff(column, net_hvp_reference(p, e)));
    }
    BOOST_TEST_MESSAGE(type_name<T>() << " hessian columns vs central differences of grad: " << worst_fd);
    BOOST_TEST(worst_hvp == 0.0, "hessian columns vs hvp along unit tangents: " << worst_hvp);
    BOOST_TEST(worst_fd < tolerance<T>);
}

}  // namespace

BOOST_AUTO_TEST_CASE(hessian_is_symmetric_and_its_columns_are_hvps) {
    check_net_hessian<double>();
    check_net_hessian<float>();
}

// ---------------------------------------------------------------- jvp with a tensor result

namespace {

template <class T>
void check_tensor_jvp(std::size_t batch) {
    using N = net<T>;
    using D = net<double>;
    const auto p = net_point<double>::random(batch, 31 + unsigned(batch));
    const auto v = net_point<double>::random(batch, 37 + unsigned(batch));
    const auto pt = p.template as<T>(), vt = v.template as<T>();

    lz::workspace ws{N::probs};
    const auto t = lz::jvp(N::probs, lz::lenient(pt.env()), vt.tangent(), ws);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(t.tangent)>, lz::tensor_view<const T, sh<dyn, 3>>>);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(t.value)>, lz::tensor_view<const T, sh<dyn, 3>>>);
    BOOST_TEST(t.tangent.extent(0) == batch);

    // value: eval's; tangent: central differences of eval along v (double).
    BOOST_TEST(rel_diff(flat1(t.value), flat1(lz::eval(D::probs, lz::lenient(p.env())))) < tolerance<T> / 10);
    constexpr double step = 1e-5;
    const auto fd = central(flat1(lz::eval(D::probs, lz::lenient(p.moved(step, v).env()))),
                            flat1(lz::eval(D::probs, lz::lenient(p.moved(-step, v).env()))), step);
    const double r = rel_diff(flat1(t.tangent), fd);
    BOOST_TEST_MESSAGE(type_name<T>() << " batch " << batch << ": jvp vs central differences of eval: " << r);
    BOOST_TEST(r < tolerance<T>, "batch " << batch);

    // ⟨J·v, u⟩ = ⟨v, Jᵀ·u⟩, Jᵀ·u from grad of Σ u ⊙ f (parameters and x), in double.
    constexpr auto contracted = lz::sum(D::u * D::probs);
    const auto env_u = lz::at(D::x = p.x, D::u = p.u, D::W1 = p.W1, D::b1 = p.b1, D::s = p.s, D::W2 = p.W2,
                              D::b2 = p.b2, D::k = p.k);
    const auto [vW1, vb1, vs, vW2, vb2, vk, vx] =
        lz::grad(contracted, lz::wrt(D::W1, D::b1, D::s, D::W2, D::b2, D::k, D::x), env_u);
    const double lhs = dot(flat1(t.tangent), flat1(p.u));
    const double rhs = dot(v.params(), flat(std::tie(vW1, vb1, vs, vW2, vb2, vk))) + dot(flat1(v.x), flat1(vx));
    BOOST_TEST_MESSAGE(type_name<T>() << " batch " << batch << ": <J v, u> = " << lhs << ", <v, J^T u> = " << rhs);
    BOOST_TEST(std::abs(lhs - rhs) < tolerance<T> * std::max(1.0, std::abs(rhs)), lhs << " vs " << rhs);

    // Without a workspace: owning tensors, the same numbers.
    const auto owned = lz::jvp(N::probs, lz::lenient(pt.env()), vt.tangent());
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(owned.tangent)>, lz::tensor<T, sh<dyn, 3>>>);
    BOOST_TEST(rel_diff(flat1(owned.tangent), flat1(t.tangent), 1e-30) == 0.0);
    BOOST_TEST(rel_diff(flat1(owned.value), flat1(t.value), 1e-30) == 0.0);

    // A scalar result keeps its {T, T}.
    using scalar_ws = lz::workspace<std::remove_cvref_t<decltype(N::f)>>;
    static_assert(std::is_same_v<decltype(lz::jvp(N::f, pt.env(), vt.tangent(), std::declval<scalar_ws&>())),
                                 lz::value_and_tangent<T, T>>);
}

}  // namespace

BOOST_AUTO_TEST_CASE(jvp_with_a_tensor_result) {
    for (std::size_t batch : {1, 3, 17}) {
        check_tensor_jvp<double>(batch);
        check_tensor_jvp<float>(batch);
    }
}

// ---------------------------------------------------------------- no allocation with a warm workspace

BOOST_AUTO_TEST_CASE(hvp_and_jvp_allocate_nothing_with_a_warm_workspace) {
    using N = net<float>;
    const auto p = net_point<float>::random(17, 41), v = net_point<float>::random(17, 43);
    const auto env = p.env();
    const auto direction = v.tangent();
    lz::workspace ws{N::f};
    lz::workspace wj{N::probs};
    const auto penv = lz::lenient(env);
    double sink = 0;
    auto calls = [&] {
        const auto [hW1, hb1, hs, hW2, hb2, hk] = lz::hvp(N::f, N::all, env, direction, ws);
        sink += double(hW1(2, 16) + hb1(0) + hs(0) + hW2(16, 2) + hb2(1) + hk);
        const auto t = lz::jvp(N::probs, penv, direction, wj);
        sink += double(t.tangent(16, 2) + t.value(0, 0));
    };
    calls();  // sizes the workspaces
    const long before = news.load();
    for (int i = 0; i < 5; ++i) calls();
    const long allocations = news.load() - before;
    BOOST_TEST(allocations == 0, allocations << " allocations in 5 warm hvp + jvp calls");
    BOOST_TEST(std::isfinite(sink));
    const long probe = news.load();
    (void)lz::hvp(N::f, N::all, env, direction);  // the counter counts: without a workspace it allocates
    BOOST_TEST(news.load() > probe);
}
