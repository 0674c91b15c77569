// leibniz::kernels reductions (reduce.hpp), softmax (softmax.hpp) and the SIMD
// helpers they share (simd.hpp: simd::exp, partial loads, copy).
//
// References are plain loops in long double. Every kernel runs on each
// architecture of `archs`: default_arch (AVX-512 with -march=native, SSE2
// without), xsimd::sse2 and fma3<avx2> where the build supports them (the
// generic, non-masked partial loads and the integer-exponent exp), and
// xsimd::unavailable, which forces the portable loops that dual numbers take.
//
// Buffers hold exactly the elements a kernel may touch, 5 elements past a
// 16-byte boundary (pointers need no alignment), between guard elements that
// must survive (a write outside shows); outputs of an overwriting kernel start
// as NaN (a kernel that reads its output shows NaN).
//
// Error bounds (u = unit roundoff of T):
// * sum: |s − s_ref| ≤ (n + 2)·u·Σ|x| — the worst case of any summation order.
// * max, min: exact.
// * exp: ≤ 2 ulp (float, double) against long double; special values exact.
// * logsumexp, softmax, log-softmax: bounds of the form c·u·(n + |x − m| + 8),
//   spelled out at each check; a wrong block rescaling or a lost tail misses
//   them by orders of magnitude.
// * the derivative rules: 1e-8 against central differences (h = 1e-5), to
//   rounding between the dual and double paths.
// Derivative rules (double): the vjp kernels against central finite
// differences of the forward kernels, and the dual<double, 1> forward path:
// its values equal the double path's and its tangents equal the tangent
// rules computed in plain loops (there are no jvp kernels: forward mode runs
// the forward kernels on duals).

#define BOOST_TEST_MODULE reduce_softmax
#include <boost/test/unit_test.hpp>

#include <leibniz/core/dual.hpp>
#include <leibniz/ops/exp.hpp>
#include <leibniz/ops/log.hpp>
#include <leibniz/kernels/reduce.hpp>
#include <leibniz/kernels/softmax.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace kn = leibniz::kernels;

namespace {

using archs = std::tuple<kn::default_arch, xsimd::sse2, xsimd::fma3<xsimd::avx2>, xsimd::unavailable>;

template <class F>
void for_each_arch(F&& f) {
    std::apply([&](auto... a) { (f(a), ...); }, archs{});
}

template <class T, class Arch>
std::string arch_name() {
    std::string t = std::is_same_v<T, float> ? "float" : "double";
    if constexpr (kn::simd_path<T, Arch>)
        return t + "/" + Arch::name();
    else
        return t + "/portable";
}

using floating_types = std::tuple<float, double>;
using dual1 = leibniz::dual<double, 1>;

constexpr std::size_t lengths[] = {1, 3, 17, 64, 127, 1000};
constexpr std::size_t outer_inner[] = {1, 3, 17};
constexpr std::size_t axis_lengths[] = {1, 3, 17, 64, 127, 300};  // 300: past one 256-row cascade run

template <class T>
constexpr double unit_roundoff = std::numeric_limits<T>::epsilon() / 2;

template <class T>
constexpr T nan_v = std::numeric_limits<T>::quiet_NaN();
template <class T>
constexpr T inf_v = std::numeric_limits<T>::infinity();

// n elements at an odd offset from an aligned address, between guards.
template <class T>
struct buffer {
    static constexpr std::size_t guard = 5;
    static constexpr T sentinel = T(-12345.25);
    std::vector<T> storage;
    std::size_t n;
    explicit buffer(std::size_t count, T fill = nan_v<T>) : storage(count + 2 * guard, sentinel), n(count) {
        std::fill(data(), data() + n, fill);
    }
    T* data() { return storage.data() + guard; }
    const T* data() const { return storage.data() + guard; }
    T& operator[](std::size_t i) { return data()[i]; }
    const T& operator[](std::size_t i) const { return data()[i]; }
    bool guards_intact() const {
        for (std::size_t i = 0; i < guard; ++i)
            if (storage[i] != sentinel || storage[guard + n + i] != sentinel) return false;
        return true;
    }
};

template <class T>
buffer<T> random_buffer(std::size_t n, std::mt19937& gen, double lo = -1.0, double hi = 1.0) {
    buffer<T> b(n);
    std::uniform_real_distribution<double> u(lo, hi);
    for (std::size_t i = 0; i < n; ++i) b[i] = T(u(gen));
    return b;
}

// worst = max(worst, e), where a NaN e wins (std::max would drop it).
void raise(double& worst, double e) {
    if (!(e <= worst)) worst = e;
}

// |a − b| ≤ tol, NaN never passes.
bool close(long double a, long double b, long double tol) { return std::fabs(a - b) <= tol; }

// ------------------------------------------------------------------ references

template <class T>
long double ref_max(const T* x, std::size_t n, std::size_t stride = 1) {
    long double m = -INFINITY;
    for (std::size_t i = 0; i < n; ++i) m = std::max(m, (long double)x[i * stride]);
    return m;
}
template <class T>
long double ref_min(const T* x, std::size_t n, std::size_t stride = 1) {
    long double m = INFINITY;
    for (std::size_t i = 0; i < n; ++i) m = std::min(m, (long double)x[i * stride]);
    return m;
}
template <class T>
long double ref_logsumexp(const T* x, std::size_t n, std::size_t stride = 1) {
    const long double m = ref_max(x, n, stride);
    long double s = 0;
    for (std::size_t i = 0; i < n; ++i) s += std::exp((long double)x[i * stride] - m);
    return m + std::log(s);
}

}  // namespace

// ====================================================================== exp

BOOST_AUTO_TEST_CASE_TEMPLATE(exp_accuracy_and_special_values, T, floating_types) {
    for_each_arch([](auto arch) {
        using Arch = decltype(arch);
        if constexpr (kn::simd_path<T, Arch>) {
            using B = xsimd::batch<T, Arch>;
            constexpr std::size_t W = B::size;
            const double lo = std::is_same_v<T, float> ? -87.3 : -708.3, hi = std::is_same_v<T, float> ? 88.7 : 709.7;
            double worst = 0, at = 0;
            alignas(64) T in[W], out[W];
            const std::size_t steps = 200000;
            for (std::size_t s = 0; s < steps; ++s) {
                for (std::size_t j = 0; j < W; ++j) in[j] = T(lo + (hi - lo) * double(s * W + j) / double(steps * W));
                kn::simd::exp<Arch>(B::load_aligned(in)).store_aligned(out);
                for (std::size_t j = 0; j < W; ++j) {
                    const long double ref = std::exp((long double)in[j]);
                    const long double ulp = std::ldexp(1.0L, std::ilogb(T(ref)) - std::numeric_limits<T>::digits + 1);
                    const double e = double(std::fabs(out[j] - ref) / ulp);
                    if (!(e <= worst)) worst = e, at = double(in[j]);
                }
            }
            BOOST_TEST(worst <= 2.0, (arch_name<T, Arch>()) << ": exp is off by " << worst << " ulp at " << at);

            // Overflow, gradual underflow, infinities, NaN, signed zero.
            const T specials[] = {-inf_v<T>, inf_v<T>, nan_v<T>, T(0), T(-0.0), T(1e4), T(-1e4), T(1), T(-1)};
            for (T v : specials) {
                std::fill(in, in + W, v);
                kn::simd::exp<Arch>(B::load_aligned(in)).store_aligned(out);
                const T ref = std::exp(v);
                const bool ok =
                    std::isnan(ref)
                        ? std::isnan(out[0])
                        : (out[0] == ref || close(out[0], ref, 2 * std::numeric_limits<T>::epsilon() * std::fabs(ref)));
                BOOST_TEST(ok, (arch_name<T, Arch>()) << ": exp(" << v << ") = " << out[0] << ", expected " << ref);
            }
            // Denormal results: within one denormal step of the reference.
            const T denorm_in[] = {T(std::is_same_v<T, float> ? -90.0 : -710.0),
                                   T(std::is_same_v<T, float> ? -100.0 : -740.0)};
            for (T v : denorm_in) {
                std::fill(in, in + W, v);
                kn::simd::exp<Arch>(B::load_aligned(in)).store_aligned(out);
                const T ref = std::exp(v);
                BOOST_TEST(close(out[0], ref, 2 * std::numeric_limits<T>::denorm_min()),
                           (arch_name<T, Arch>()) << ": exp(" << v << ") = " << out[0] << ", expected " << ref);
            }
        }
    });
}

// ln x on float lanes (the cross-entropy kernel's per-row log): within 1 ulp
// of long double's over the positive normal floats (geometric steps from
// FLT_MIN to FLT_MAX, and densely over [1, 1000], the sums it takes), NaN
// and +inf kept.
BOOST_AUTO_TEST_CASE(log_positive_accuracy) {
    for_each_arch([](auto arch) {
        using Arch = decltype(arch);
        if constexpr (kn::simd_path<float, Arch>) {
            using B = xsimd::batch<float, Arch>;
            constexpr std::size_t W = B::size;
            alignas(64) float in[W], out[W];
            double worst = 0, at = 0;
            const auto check = [&] {
                kn::simd::log_positive<Arch>(B::load_aligned(in)).store_aligned(out);
                for (std::size_t j = 0; j < W; ++j) {
                    const long double ref = std::log((long double)in[j]);
                    const long double ulp =
                        ref == 0 ? std::numeric_limits<float>::denorm_min()
                                 : std::ldexp(1.0L, std::ilogb(float(ref)) - std::numeric_limits<float>::digits + 1);
                    const double e = double(std::fabs(out[j] - ref) / ulp);
                    if (!(e <= worst)) worst = e, at = double(in[j]);
                }
            };
            const std::size_t steps = 100000;
            const double lo = std::log(double(std::numeric_limits<float>::min())),
                         hi = std::log(double(std::numeric_limits<float>::max()));
            for (std::size_t s = 0; s < steps; ++s) {
                for (std::size_t j = 0; j < W; ++j) in[j] = float(std::exp(lo + (hi - lo) * double(s * W + j) / double(steps * W)));
                check();
                for (std::size_t j = 0; j < W; ++j) in[j] = float(1.0 + 999.0 * double(s * W + j) / double(steps * W));
                check();
            }
            BOOST_TEST(worst <= 1.0, (arch_name<float, Arch>()) << ": log_positive is off by " << worst << " ulp at " << at);
            for (const float v : {inf_v<float>, nan_v<float>}) {
                std::fill(in, in + W, v);
                kn::simd::log_positive<Arch>(B::load_aligned(in)).store_aligned(out);
                BOOST_TEST((std::isnan(v) ? std::isnan(out[0]) : out[0] == v), "log_positive(" << v << ") = " << out[0]);
            }
        }
    });
}

// ====================================================================== copy

BOOST_AUTO_TEST_CASE_TEMPLATE(copy_every_length, T, floating_types) {
    std::mt19937 gen(1);
    for_each_arch([&](auto arch) {
        using Arch = decltype(arch);
        for (std::size_t n : {0, 1, 3, 17, 64, 65, 127, 1000}) {
            const auto x = random_buffer<T>(n, gen);
            buffer<T> y(n);
            kn::copy<T, Arch>(y.data(), x.data(), n);
            BOOST_TEST(std::equal(x.data(), x.data() + n, y.data()), (arch_name<T, Arch>()) << ": copy n=" << n);
            BOOST_TEST(y.guards_intact(), (arch_name<T, Arch>()) << ": copy n=" << n << " wrote outside");
        }
    });
}

// ====================================================================== whole-array reductions

BOOST_AUTO_TEST_CASE_TEMPLATE(sum_max_min_logsumexp_against_plain_loops, T, floating_types) {
    std::mt19937 gen(2);
    for_each_arch([&](auto arch) {
        using Arch = decltype(arch);
        std::vector<std::size_t> ns(std::begin(lengths), std::end(lengths));
        ns.push_back(100000);
        if constexpr (kn::simd_path<T, Arch>) ns.push_back(1000000);
        for (std::size_t n : ns) {
            const auto x = random_buffer<T>(n, gen, -3.0, 3.0);
            long double s = 0, a = 0;
            for (std::size_t i = 0; i < n; ++i) s += x[i], a += std::fabs((long double)x[i]);
            const std::string what = (arch_name<T, Arch>()) + " n=" + std::to_string(n);
            const T ks = kn::sum<T, Arch>(x.data(), n);
            BOOST_TEST(close(ks, s, (n + 2) * unit_roundoff<T> * a), what << ": sum " << ks << " vs " << double(s));
            BOOST_TEST((kn::max<T, Arch>(x.data(), n) == T(ref_max(x.data(), n))), what << ": max");
            BOOST_TEST((kn::min<T, Arch>(x.data(), n) == T(ref_min(x.data(), n))), what << ": min");
            const long double l = ref_logsumexp(x.data(), n);
            const T kl = kn::logsumexp<T, Arch>(x.data(), n);
            // Each exp within 2 ulp, the sum's rounding, the final log and add.
            BOOST_TEST(close(kl, l, (n + 16) * unit_roundoff<T> * (1 + std::fabs(l))),
                       what << ": logsumexp " << kl << " vs " << double(l));
        }
    });
}

BOOST_AUTO_TEST_CASE_TEMPLATE(reductions_of_special_values, T, floating_types) {
    for_each_arch([](auto arch) {
        using Arch = decltype(arch);
        const std::string a = (arch_name<T, Arch>());
        for (std::size_t n : {1, 3, 17, 64, 127}) {
            for (std::size_t at : {std::size_t{0}, n / 2, n - 1}) {
                const std::string what = a + " n=" + std::to_string(n) + " at " + std::to_string(at);
                buffer<T> x(n, T(0.5));
                x[at] = nan_v<T>;
                BOOST_TEST(std::isnan(kn::max<T, Arch>(x.data(), n)), what << ": max propagates NaN");
                BOOST_TEST(std::isnan(kn::min<T, Arch>(x.data(), n)), what << ": min propagates NaN");
                BOOST_TEST(std::isnan(kn::sum<T, Arch>(x.data(), n)), what << ": sum propagates NaN");
                BOOST_TEST(std::isnan(kn::logsumexp<T, Arch>(x.data(), n)), what << ": logsumexp propagates NaN");
                x[at] = inf_v<T>;
                BOOST_TEST((kn::max<T, Arch>(x.data(), n) == inf_v<T>), what);
                BOOST_TEST((kn::logsumexp<T, Arch>(x.data(), n) == inf_v<T>), what << ": logsumexp with +inf");
                x[at] = -inf_v<T>;
                BOOST_TEST((kn::min<T, Arch>(x.data(), n) == -inf_v<T>), what);
                if (n > 1)
                    BOOST_TEST(close(kn::logsumexp<T, Arch>(x.data(), n), T(0.5) + std::log(T(n - 1)), 1e-5),
                               what << ": logsumexp with a −inf element");
            }
            buffer<T> all(n, -inf_v<T>);
            BOOST_TEST((kn::logsumexp<T, Arch>(all.data(), n) == -inf_v<T>), a << ": logsumexp of all −inf");
        }
        // Of nothing: the identities.
        const T* none = nullptr;
        BOOST_TEST((kn::sum<T, Arch>(none, 0) == T(0)));
        BOOST_TEST((kn::max<T, Arch>(none, 0) == -inf_v<T>));
        BOOST_TEST((kn::min<T, Arch>(none, 0) == inf_v<T>));
        BOOST_TEST((kn::logsumexp<T, Arch>(none, 0) == -inf_v<T>));
    });
}

BOOST_AUTO_TEST_CASE_TEMPLATE(logsumexp_never_overflows, T, floating_types) {
    std::mt19937 gen(3);
    for_each_arch([&](auto arch) {
        using Arch = decltype(arch);
        for (std::size_t n : {1, 3, 17, 64, 127, 1000, 20000}) {
            for (double scale : {1e4, -1e4}) {
                auto x = random_buffer<T>(n, gen, 0.0, 1.0);
                for (std::size_t i = 0; i < n; ++i) x[i] = T(scale * double(x[i]));
                const T l = kn::logsumexp<T, Arch>(x.data(), n);
                const long double r = ref_logsumexp(x.data(), n);
                BOOST_TEST(std::isfinite(l), (arch_name<T, Arch>()) << " n=" << n << ": logsumexp " << l);
                BOOST_TEST(close(l, r, 64 * unit_roundoff<T> * std::fabs(r) + 1e-3),
                           (arch_name<T, Arch>()) << " n=" << n << ": " << l << " vs " << double(r));
            }
        }
    });
}

// ====================================================================== axis reductions

BOOST_AUTO_TEST_CASE_TEMPLATE(axis_reductions_against_plain_loops, T, floating_types) {
    std::mt19937 gen(4);
    for_each_arch([&](auto arch) {
        using Arch = decltype(arch);
        for (std::size_t outer : outer_inner)
            for (std::size_t axis : axis_lengths)
                for (std::size_t inner : outer_inner)
                    for (bool acc : {false, true}) {
                        const std::string what = (arch_name<T, Arch>()) + " [" + std::to_string(outer) + ", " +
                                                 std::to_string(axis) + ", " + std::to_string(inner) + "]" +
                                                 (acc ? " accumulate" : "");
                        const auto x = random_buffer<T>(outer * axis * inner, gen, -3.0, 3.0);
                        const auto start = random_buffer<T>(outer * inner, gen);
                        auto run = [&](auto kernel, auto reference, long double tol_per_unit, const char* name) {
                            buffer<T> out = acc ? start : buffer<T>(outer * inner);
                            kernel(x.data(), outer, axis, inner, out.data(), acc);
                            bool ok = out.guards_intact();
                            for (std::size_t o = 0; o < outer; ++o)
                                for (std::size_t i = 0; i < inner; ++i) {
                                    const T* col = x.data() + o * axis * inner + i;
                                    const long double r =
                                        reference(col, axis, inner) + (acc ? start[o * inner + i] : 0);
                                    ok = ok && close(out[o * inner + i], r,
                                                     tol_per_unit * unit_roundoff<T> * (4 + std::fabs(r)));
                                }
                            BOOST_TEST(ok, what << ": " << name);
                        };
                        auto ref_sum = [](const T* c, std::size_t n, std::size_t st) {
                            long double s = 0;
                            for (std::size_t a = 0; a < n; ++a) s += c[a * st];
                            return s;
                        };
                        run([](auto... a) { kn::sum_axis<T, Arch>(a...); }, ref_sum, 4.0 * (axis + 2), "sum_axis");
                        run([](auto... a) { kn::max_axis<T, Arch>(a...); },
                            [](const T* c, std::size_t n, std::size_t st) { return ref_max(c, n, st); }, 2, "max_axis");
                        run([](auto... a) { kn::min_axis<T, Arch>(a...); },
                            [](const T* c, std::size_t n, std::size_t st) { return ref_min(c, n, st); }, 2, "min_axis");
                        run([](auto... a) { kn::logsumexp_axis<T, Arch>(a...); },
                            [](const T* c, std::size_t n, std::size_t st) { return ref_logsumexp(c, n, st); },
                            4.0 * (axis + 16), "logsumexp_axis");
                    }
    });
}

BOOST_AUTO_TEST_CASE_TEMPLATE(axis_max_propagates_nan_per_column, T, floating_types) {
    for_each_arch([](auto arch) {
        using Arch = decltype(arch);
        const std::size_t outer = 2, axis = 5, inner = 19;
        buffer<T> x(outer * axis * inner, T(1));
        x[1 * axis * inner + 3 * inner + 7] = nan_v<T>;  // o = 1, a = 3, i = 7
        buffer<T> mx(outer * inner), mn(outer * inner);
        kn::max_axis<T, Arch>(x.data(), outer, axis, inner, mx.data(), false);
        kn::min_axis<T, Arch>(x.data(), outer, axis, inner, mn.data(), false);
        for (std::size_t k = 0; k < outer * inner; ++k) {
            const bool nan_here = k == inner + 7;
            BOOST_TEST(bool(std::isnan(mx[k])) == nan_here, (arch_name<T, Arch>()) << " max column " << k);
            BOOST_TEST(bool(std::isnan(mn[k])) == nan_here, (arch_name<T, Arch>()) << " min column " << k);
        }
    });
}

BOOST_AUTO_TEST_CASE_TEMPLATE(sum_rows_is_the_broadcast_adjoint, T, floating_types) {
    std::mt19937 gen(5);
    for_each_arch([&](auto arch) {
        using Arch = decltype(arch);
        for (std::size_t rows : {1, 3, 17, 64})
            for (std::size_t cols : {1, 3, 10, 17, 64, 127})
                for (bool acc : {false, true}) {
                    const auto g = random_buffer<T>(rows * cols, gen);
                    const auto start = random_buffer<T>(cols, gen);
                    buffer<T> out = acc ? start : buffer<T>(cols);
                    kn::sum_rows<T, Arch>(g.data(), rows, cols, out.data(), acc);
                    bool ok = out.guards_intact();
                    for (std::size_t c = 0; c < cols; ++c) {
                        long double s = acc ? start[c] : 0, a = acc ? std::fabs(start[c]) : 0;
                        for (std::size_t r = 0; r < rows; ++r) s += g[r * cols + c], a += std::fabs(g[r * cols + c]);
                        ok = ok && close(out[c], s, (rows + 3) * unit_roundoff<T> * a);
                    }
                    BOOST_TEST(ok, (arch_name<T, Arch>())
                                       << " sum_rows " << rows << "x" << cols << (acc ? " accumulate" : ""));
                }
    });
}

// ====================================================================== reduction adjoints

BOOST_AUTO_TEST_CASE_TEMPLATE(max_min_vjp_share_ties_evenly, T, floating_types) {
    std::mt19937 gen(6);
    for_each_arch([&](auto arch) {
        using Arch = decltype(arch);
        for (std::size_t n : lengths)
            for (std::size_t ties : {1, 2, 3})
                for (bool acc : {false, true}) {
                    if (ties > n) continue;
                    auto x = random_buffer<T>(n, gen);
                    // `ties` copies of the maximum 2 and of the minimum −2, at spread positions.
                    for (std::size_t t = 0; t < ties; ++t) x[(t * 7919) % n] = T(2);
                    for (std::size_t t = 0; t < ties && 2 * ties <= n; ++t) x[(t * 7919 + n / 2) % n] = T(-2);
                    const auto start = random_buffer<T>(n, gen);
                    const T g = T(0.75);
                    for (bool is_max : {true, false}) {
                        const T y = is_max ? kn::max<T, Arch>(x.data(), n) : kn::min<T, Arch>(x.data(), n);
                        const std::size_t c = std::count(x.data(), x.data() + n, y);
                        buffer<T> dx = acc ? start : buffer<T>(n);
                        if (is_max)
                            kn::max_vjp<T, Arch>(x.data(), n, y, g, dx.data(), acc);
                        else
                            kn::min_vjp<T, Arch>(x.data(), n, y, g, dx.data(), acc);
                        bool ok = dx.guards_intact() && c >= 1;
                        for (std::size_t i = 0; i < n; ++i) {
                            const T share = x[i] == y ? g / T(c) : T(0);
                            ok = ok && dx[i] == (acc ? start[i] + share : share);
                        }
                        BOOST_TEST(ok, (arch_name<T, Arch>())
                                           << " n=" << n << " ties=" << ties << (is_max ? " max" : " min") << "_vjp"
                                           << (acc ? " accumulate" : ""));
                    }
                }
    });
}

BOOST_AUTO_TEST_CASE_TEMPLATE(axis_vjps_against_plain_loops, T, floating_types) {
    std::mt19937 gen(7);
    for_each_arch([&](auto arch) {
        using Arch = decltype(arch);
        for (std::size_t outer : outer_inner)
            for (std::size_t axis : axis_lengths)
                for (std::size_t inner : outer_inner)
                    for (bool acc : {false, true}) {
                        const std::string what = (arch_name<T, Arch>()) + " [" + std::to_string(outer) + ", " +
                                                 std::to_string(axis) + ", " + std::to_string(inner) + "]" +
                                                 (acc ? " accumulate" : "");
                        const std::size_t size = outer * axis * inner;
                        auto x = random_buffer<T>(size, gen, -3.0, 3.0);
                        // A tie with the maximum in every column where the axis allows it.
                        if (axis > 2)
                            for (std::size_t o = 0; o < outer; ++o)
                                for (std::size_t i = 0; i < inner; ++i) {
                                    x[o * axis * inner + i] = T(5);
                                    x[o * axis * inner + (axis - 1) * inner + i] = T(5);
                                }
                        const auto g = random_buffer<T>(outer * inner, gen);
                        const auto start = random_buffer<T>(size, gen);
                        buffer<T> mx(outer * inner), lse(outer * inner);
                        kn::max_axis<T, Arch>(x.data(), outer, axis, inner, mx.data(), false);
                        kn::logsumexp_axis<T, Arch>(x.data(), outer, axis, inner, lse.data(), false);

                        buffer<T> dmax = acc ? start : buffer<T>(size);
                        kn::max_axis_vjp<T, Arch>(x.data(), outer, axis, inner, mx.data(), g.data(), dmax.data(), acc);
                        buffer<T> dmin = acc ? start : buffer<T>(size);
                        buffer<T> mn(outer * inner);
                        kn::min_axis<T, Arch>(x.data(), outer, axis, inner, mn.data(), false);
                        kn::min_axis_vjp<T, Arch>(x.data(), outer, axis, inner, mn.data(), g.data(), dmin.data(), acc);
                        buffer<T> dlse = acc ? start : buffer<T>(size);
                        kn::logsumexp_axis_vjp<T, Arch>(x.data(), outer, axis, inner, lse.data(), g.data(), dlse.data(),
                                                        acc);

                        bool ok_max = dmax.guards_intact(), ok_min = dmin.guards_intact(),
                             ok_lse = dlse.guards_intact();
                        for (std::size_t o = 0; o < outer; ++o)
                            for (std::size_t i = 0; i < inner; ++i) {
                                const std::size_t k = o * inner + i;
                                std::size_t cmax = 0, cmin = 0;
                                for (std::size_t a = 0; a < axis; ++a) {
                                    cmax += x[(o * axis + a) * inner + i] == mx[k];
                                    cmin += x[(o * axis + a) * inner + i] == mn[k];
                                }
                                for (std::size_t a = 0; a < axis; ++a) {
                                    const std::size_t e = (o * axis + a) * inner + i;
                                    const T base = acc ? start[e] : T(0);
                                    ok_max = ok_max && dmax[e] == base + (x[e] == mx[k] ? g[k] / T(cmax) : T(0));
                                    ok_min = ok_min && dmin[e] == base + (x[e] == mn[k] ? g[k] / T(cmin) : T(0));
                                    const long double r =
                                        base + (long double)g[k] * std::exp((long double)x[e] - (long double)lse[k]);
                                    ok_lse = ok_lse && close(dlse[e], r, 8 * unit_roundoff<T> * (1 + std::fabs(r)));
                                }
                            }
                        BOOST_TEST(ok_max, what << ": max_axis_vjp");
                        BOOST_TEST(ok_min, what << ": min_axis_vjp");
                        BOOST_TEST(ok_lse, what << ": logsumexp_axis_vjp");
                    }
    });
}

// ====================================================================== softmax and log-softmax

namespace {

// Rows of the test data: random in [-3, 3], plus rows that exercise the
// blocked path (16 KiB blocks): increasing (the maximum moves into every new
// block), decreasing (it stays in the first), −inf (masked) elements, a steep
// ramp and a staircase whose steps (50 every 777 elements, mid-vector and
// mid-block) exceed softmax's rebase margin (32 for float), so the base moves
// inside blocks and within the two-vector steps of its loop.
template <class T>
buffer<T> softmax_input(std::size_t rows, std::size_t cols, int pattern, std::mt19937& gen) {
    auto x = random_buffer<T>(rows * cols, gen, -3.0, 3.0);
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) {
            T& v = x[r * cols + c];
            if (pattern == 1) v = T(double(c) / double(cols) * 20.0 - 10.0) + v * T(0.01);
            if (pattern == 2) v = T(10.0 - double(c) / double(cols) * 20.0) + v * T(0.01);
            if (pattern == 3 && c % 5 == 1 && c + 1 < cols) v = -inf_v<T>;  // never the whole row
            if (pattern == 3 && c < cols / 2 && cols > 1) v = -inf_v<T>;
            if (pattern == 4) v = T(double(c) * 0.05 - 10.0) + v;
            if (pattern == 5) v = T(50.0 * double(c / 777)) + v;
        }
    return x;
}

template <class T>
void ref_softmax_row(const T* x, std::size_t n, std::vector<long double>& p, std::vector<long double>& lp) {
    const long double m = ref_max(x, n);
    long double s = 0;
    for (std::size_t i = 0; i < n; ++i) s += std::exp((long double)x[i] - m);
    p.resize(n);
    lp.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        lp[i] = ((long double)x[i] - m) - std::log(s);
        p[i] = std::exp(lp[i]);
    }
}

}  // namespace

BOOST_AUTO_TEST_CASE_TEMPLATE(softmax_and_log_softmax_against_plain_loops, T, floating_types) {
    std::mt19937 gen(8);
    for_each_arch([&](auto arch) {
        using Arch = decltype(arch);
        std::vector<std::pair<std::size_t, std::size_t>> shapes;
        for (std::size_t rows : outer_inner)
            for (std::size_t cols : lengths) shapes.push_back({rows, cols});
        // Several blocks per row; more than 256 blocks (float: 4096 per block).
        shapes.push_back({2, 10000});
        shapes.push_back({1, 1100000 + 17});
        for (auto [rows, cols] : shapes)
            for (int pattern : {0, 1, 2, 3, 4, 5}) {
                if (cols > 100000 && pattern > 1) continue;
                const std::string what = (arch_name<T, Arch>()) + " " + std::to_string(rows) + "x" +
                                         std::to_string(cols) + " pattern " + std::to_string(pattern);
                const auto x = softmax_input<T>(rows, cols, pattern, gen);
                buffer<T> y(rows * cols), ly(rows * cols);
                kn::softmax_rows<T, Arch>(x.data(), rows, cols, y.data());
                kn::log_softmax_rows<T, Arch>(x.data(), rows, cols, ly.data());
                // In place gives the same bits.
                buffer<T> in_place = x, in_place_log = x;
                kn::softmax_rows<T, Arch>(in_place.data(), rows, cols, in_place.data());
                kn::log_softmax_rows<T, Arch>(in_place_log.data(), rows, cols, in_place_log.data());

                bool ok = y.guards_intact() && ly.guards_intact(), ok_log = true, same = true;
                // exp within 2 ulp of x − m (itself rounded: |x − m|·u), the row sum
                // (n·u, cascaded SIMD sums far less), the reciprocal: ≤ c·u·(|x − m| + n + 8).
                std::vector<long double> p, lp;
                double worst = 0, worst_log = 0;
                for (std::size_t r = 0; r < rows; ++r) {
                    const T* xr = x.data() + r * cols;
                    ref_softmax_row(xr, cols, p, lp);
                    const long double m = ref_max(xr, cols);
                    for (std::size_t c = 0; c < cols; ++c) {
                        const std::size_t k = r * cols + c;
                        const long double spread = std::isinf(xr[c]) ? 0 : std::fabs((long double)xr[c] - m);
                        const long double bound =
                            4 * unit_roundoff<T> * (spread + std::min<long double>(cols, 1e4) + 8);
                        const double e = double(std::fabs(y[k] - p[c]) / (p[c] + std::numeric_limits<T>::min()));
                        raise(worst, e / double(bound));
                        ok = ok && std::fabs(y[k] - p[c]) <= bound * p[c] + std::numeric_limits<T>::min();
                        const bool masked = std::isinf(lp[c]);
                        const double el = masked ? (ly[k] == lp[c] ? 0.0 : INFINITY)
                                                 : double(std::fabs(ly[k] - lp[c]) / (bound * (1 + std::fabs(lp[c]))));
                        raise(worst_log, el);
                        ok_log = ok_log && el <= 1;
                        same = same && (in_place[k] == y[k] || (std::isnan(in_place[k]) && std::isnan(y[k]))) &&
                               (in_place_log[k] == ly[k] || (std::isnan(in_place_log[k]) && std::isnan(ly[k])));
                    }
                }
                BOOST_TEST(ok, what << ": softmax off by " << worst << " of the bound");
                BOOST_TEST(ok_log, what << ": log_softmax off by " << worst_log << " of the bound");
                BOOST_TEST(same, what << ": in place differs");
            }
    });
}

BOOST_AUTO_TEST_CASE_TEMPLATE(softmax_no_nan_or_inf_up_to_1e4, T, floating_types) {
    std::mt19937 gen(9);
    for_each_arch([&](auto arch) {
        using Arch = decltype(arch);
        for (std::size_t cols : {1, 3, 17, 64, 127, 1000, 9000})
            for (double lo : {-1e4, 0.0}) {
                const std::size_t rows = 3;
                auto x = random_buffer<T>(rows * cols, gen, lo, 1e4);
                x[0] = T(1e4);
                x[rows * cols - 1] = T(-1e4);
                buffer<T> y(rows * cols), ly(rows * cols), lse(rows);
                kn::softmax_rows<T, Arch>(x.data(), rows, cols, y.data());
                kn::log_softmax_rows<T, Arch>(x.data(), rows, cols, ly.data());
                kn::logsumexp_axis<T, Arch>(x.data(), rows, cols, 1, lse.data(), false);
                bool finite = true;
                for (std::size_t k = 0; k < rows * cols; ++k)
                    finite = finite && std::isfinite(y[k]) && std::isfinite(ly[k]);
                for (std::size_t r = 0; r < rows; ++r) {
                    finite = finite && std::isfinite(lse[r]);
                    long double s = 0;
                    for (std::size_t c = 0; c < cols; ++c) s += y[r * cols + c];
                    BOOST_TEST(close(s, 1, 1e-3), (arch_name<T, Arch>()) << ": softmax row sums to " << double(s));
                }
                BOOST_TEST(finite, (arch_name<T, Arch>()) << " cols=" << cols << ": NaN or Inf from inputs up to ±1e4");
            }
    });
}

BOOST_AUTO_TEST_CASE_TEMPLATE(softmax_of_nonfinite_rows_is_nan, T, floating_types) {
    for_each_arch([](auto arch) {
        using Arch = decltype(arch);
        for (std::size_t cols : {1, 17, 10000}) {
            for (T bad : {-inf_v<T>, inf_v<T>, nan_v<T>}) {
                buffer<T> x(cols, T(0.25));
                if (bad == -inf_v<T>)
                    std::fill(x.data(), x.data() + cols, bad);  // all −inf: no finite element
                else
                    x[cols / 2] = bad;
                buffer<T> y(cols), ly(cols);
                kn::softmax_rows<T, Arch>(x.data(), 1, cols, y.data());
                kn::log_softmax_rows<T, Arch>(x.data(), 1, cols, ly.data());
                bool all_nan = true;
                for (std::size_t c = 0; c < cols; ++c) all_nan = all_nan && std::isnan(y[c]) && std::isnan(ly[c]);
                BOOST_TEST(all_nan, (arch_name<T, Arch>())
                                        << " cols=" << cols << " with " << bad << ": NaN row expected");
            }
        }
    });
}

// ====================================================================== softmax rules

namespace {

// The softmax rules' ingredients on one row set, in double.
struct rule_data {
    std::size_t rows, cols;
    buffer<double> x, y, ly, v, u;
};

rule_data make_rule_data(std::size_t rows, std::size_t cols, std::mt19937& gen) {
    rule_data d{rows,
                cols,
                random_buffer<double>(rows * cols, gen, -3, 3),
                buffer<double>(rows * cols),
                buffer<double>(rows * cols),
                random_buffer<double>(rows * cols, gen),
                random_buffer<double>(rows * cols, gen)};
    kn::softmax_rows(d.x.data(), rows, cols, d.y.data());
    kn::log_softmax_rows(d.x.data(), rows, cols, d.ly.data());
    return d;
}

// f(x + h·dir) − f(x − h·dir) over 2h, by the forward kernel `f`.
template <class F>
std::vector<double> central_difference(const rule_data& d, const double* dir, F&& f) {
    const std::size_t size = d.rows * d.cols;
    const double h = 1e-5;
    buffer<double> xp(size), xm(size), fp(size), fm(size);
    for (std::size_t k = 0; k < size; ++k) xp[k] = d.x[k] + h * dir[k], xm[k] = d.x[k] - h * dir[k];
    f(xp.data(), fp.data());
    f(xm.data(), fm.data());
    std::vector<double> r(size);
    for (std::size_t k = 0; k < size; ++k) r[k] = (fp[k] - fm[k]) / (2 * h);
    return r;
}

double dot(const double* a, const double* b, std::size_t n) {
    long double s = 0;
    for (std::size_t i = 0; i < n; ++i) s += (long double)a[i] * b[i];
    return double(s);
}

}  // namespace

BOOST_AUTO_TEST_CASE(softmax_rules_against_finite_differences_and_each_other) {
    std::mt19937 gen(10);
    for_each_arch([&](auto arch) {
        using Arch = decltype(arch);
        for (std::size_t rows : {1, 3})
            for (std::size_t cols : {1, 3, 17, 64, 127}) {
                const std::string what =
                    (arch_name<double, Arch>()) + " " + std::to_string(rows) + "x" + std::to_string(cols);
                const rule_data d = make_rule_data(rows, cols, gen);
                const std::size_t size = rows * cols;
                auto fwd = [&](const double* x, double* y) { kn::softmax_rows<double, Arch>(x, rows, cols, y); };
                auto fwd_log = [&](const double* x, double* y) {
                    kn::log_softmax_rows<double, Arch>(x, rows, cols, y);
                };

                // vjp: component k of Jᵀu is ⟨u, ∂f/∂x_k⟩, by a difference along e_k.
                buffer<double> jtu(size), ljtu(size);
                kn::softmax_rows_vjp<double, Arch>(d.y.data(), d.u.data(), rows, cols, jtu.data(), false);
                kn::log_softmax_rows_vjp<double, Arch>(d.ly.data(), d.u.data(), rows, cols, ljtu.data(), false);
                double ve = 0, lve = 0;
                std::vector<double> ek(size, 0.0);
                for (std::size_t k = 0; k < size && size <= 200; ++k) {
                    ek[k] = 1;
                    const auto col = central_difference(d, ek.data(), fwd);
                    const auto lcol = central_difference(d, ek.data(), fwd_log);
                    ek[k] = 0;
                    raise(ve, std::fabs(jtu[k] - dot(d.u.data(), col.data(), size)));
                    raise(lve, std::fabs(ljtu[k] - dot(d.u.data(), lcol.data(), size)));
                }
                BOOST_TEST(ve <= 1e-8, what << ": softmax_rows_vjp vs central differences: " << ve);
                BOOST_TEST(lve <= 1e-8, what << ": log_softmax_rows_vjp vs central differences: " << lve);

                // accumulate adds to what is there.
                buffer<double> acc = d.u, lacc = d.u;
                kn::softmax_rows_vjp<double, Arch>(d.y.data(), d.u.data(), rows, cols, acc.data(), true);
                kn::log_softmax_rows_vjp<double, Arch>(d.ly.data(), d.u.data(), rows, cols, lacc.data(), true);
                bool ok = acc.guards_intact() && lacc.guards_intact();
                for (std::size_t k = 0; k < size; ++k)
                    ok = ok && close(acc[k], d.u[k] + jtu[k], 1e-15) && close(lacc[k], d.u[k] + ljtu[k], 1e-15);
                BOOST_TEST(ok, what << ": vjp with accumulate");
            }
    });
}

BOOST_AUTO_TEST_CASE(softmax_rules_in_float_agree_with_double) {
    std::mt19937 gen(11);
    for_each_arch([&](auto arch) {
        using Arch = decltype(arch);
        for (std::size_t cols : {1, 3, 17, 64, 127, 1000}) {
            const std::size_t rows = 3, size = rows * cols;
            const rule_data d = make_rule_data(rows, cols, gen);
            buffer<float> y(size), ly(size), g(size);
            for (std::size_t k = 0; k < size; ++k) y[k] = float(d.y[k]), ly[k] = float(d.ly[k]), g[k] = float(d.u[k]);
            buffer<double> rv(size), rlv(size);
            buffer<float> fv(size), flv(size);
            kn::softmax_rows_vjp<double, Arch>(d.y.data(), d.u.data(), rows, cols, rv.data(), false);
            kn::log_softmax_rows_vjp<double, Arch>(d.ly.data(), d.u.data(), rows, cols, rlv.data(), false);
            kn::softmax_rows_vjp<float, Arch>(y.data(), g.data(), rows, cols, fv.data(), false);
            kn::log_softmax_rows_vjp<float, Arch>(ly.data(), g.data(), rows, cols, flv.data(), false);
            bool ok = true;
            const double tol = 1e-5 * std::sqrt(double(cols));
            for (std::size_t k = 0; k < size; ++k)
                ok = ok && close(fv[k], rv[k], tol) && close(flv[k], rlv[k], tol);
            BOOST_TEST(ok, (arch_name<float, Arch>()) << " 3x" << cols << ": float rules differ from double");
        }
    });
}

// ====================================================================== the dual<double, 1> path

BOOST_AUTO_TEST_CASE(dual_path_values_and_tangents) {
    std::mt19937 gen(12);
    for (std::size_t rows : {1, 3})
        for (std::size_t cols : {1, 3, 17, 64, 127}) {
            const std::string what = std::to_string(rows) + "x" + std::to_string(cols);
            const rule_data d = make_rule_data(rows, cols, gen);
            const std::size_t size = rows * cols;
            std::vector<dual1> xd(size), yd(size), lyd(size);
            for (std::size_t k = 0; k < size; ++k) xd[k] = dual1(d.x[k], {d.v[k]});
            kn::softmax_rows(xd.data(), rows, cols, yd.data());
            kn::log_softmax_rows(xd.data(), rows, cols, lyd.data());
            // The tangents by the rules, in plain loops: softmax's y ⊙ (v − Σ v⊙y),
            // log_softmax's v − Σ exp(y)⊙v, per row.
            std::vector<double> jv(size), ljv(size);
            for (std::size_t r = 0; r < rows; ++r) {
                const std::size_t o = r * cols;
                long double vy = 0, ev = 0;
                for (std::size_t c = 0; c < cols; ++c)
                    vy += (long double)d.v[o + c] * d.y[o + c], ev += std::exp((long double)d.ly[o + c]) * d.v[o + c];
                for (std::size_t c = 0; c < cols; ++c)
                    jv[o + c] = double(d.y[o + c] * (d.v[o + c] - vy)), ljv[o + c] = double(d.v[o + c] - ev);
            }
            bool ok = true;
            for (std::size_t k = 0; k < size; ++k)
                ok = ok && close(yd[k].v, d.y[k], 1e-15) &&
                     close(lyd[k].v, d.ly[k], 1e-14 * (1 + std::fabs(d.ly[k]))) && close(yd[k].d[0], jv[k], 1e-14) &&
                     close(lyd[k].d[0], ljv[k], 1e-14);
            BOOST_TEST(ok, what << ": softmax / log_softmax on dual<double, 1>");

            // Whole-array reductions: values as the double path, tangents as
            // the derivative rules (sum: Σv; max: v at the argmax; logsumexp: ⟨softmax, v⟩).
            const dual1 s = kn::sum(xd.data(), size), m = kn::max(xd.data(), size), mi = kn::min(xd.data(), size);
            const dual1 l = kn::logsumexp(xd.data(), size);
            const std::size_t am = std::max_element(d.x.data(), d.x.data() + size) - d.x.data();
            const std::size_t ai = std::min_element(d.x.data(), d.x.data() + size) - d.x.data();
            const double lv = kn::logsumexp(d.x.data(), size);
            buffer<double> p(size);
            kn::softmax_rows(d.x.data(), 1, size, p.data());
            BOOST_TEST(close(s.v, kn::sum(d.x.data(), size), 1e-13 * size), what);
            BOOST_TEST(close(s.d[0], kn::sum(d.v.data(), size), 1e-13 * size), what);
            BOOST_TEST((m.v == d.x[am] && m.d[0] == d.v[am]), what << ": max on duals");
            BOOST_TEST((mi.v == d.x[ai] && mi.d[0] == d.v[ai]), what << ": min on duals");
            BOOST_TEST(close(l.v, lv, 1e-14 * (1 + std::fabs(lv))), what << ": logsumexp value on duals");
            BOOST_TEST(close(l.d[0], dot(p.data(), d.v.data(), size), 1e-14), what << ": logsumexp tangent on duals");

            // ⟨J·v, u⟩ = ⟨v, Jᵀ·u⟩ for the reductions: tangents from the dual
            // path, adjoints from the vjp kernels (u = 1.5 on the scalar result).
            buffer<double> dmax(size), dlse(size);
            kn::max_vjp(d.x.data(), size, d.x[am], 1.5, dmax.data(), false);
            kn::logsumexp_vjp(d.x.data(), size, lv, 1.5, dlse.data(), false);
            BOOST_TEST(close(m.d[0] * 1.5, dot(d.v.data(), dmax.data(), size), 1e-14), what << ": max jvp/vjp");
            BOOST_TEST(close(l.d[0] * 1.5, dot(d.v.data(), dlse.data(), size), 1e-13), what << ": logsumexp jvp/vjp");

            // Axis kernels on duals: [rows, cols] reduced over cols (inner 1)
            // and over rows (inner = cols).
            for (bool over_rows : {false, true}) {
                const std::size_t outer = over_rows ? 1 : rows, axis = over_rows ? rows : cols,
                                  inner = over_rows ? cols : 1;
                const std::size_t out_n = outer * inner;
                std::vector<dual1> sd(out_n), md(out_n), ld(out_n);
                kn::sum_axis(xd.data(), outer, axis, inner, sd.data(), false);
                kn::max_axis(xd.data(), outer, axis, inner, md.data(), false);
                kn::logsumexp_axis(xd.data(), outer, axis, inner, ld.data(), false);
                buffer<double> sv(out_n), mv(out_n), lv2(out_n), st(out_n);
                kn::sum_axis(d.x.data(), outer, axis, inner, sv.data(), false);
                kn::max_axis(d.x.data(), outer, axis, inner, mv.data(), false);
                kn::logsumexp_axis(d.x.data(), outer, axis, inner, lv2.data(), false);
                kn::sum_axis(d.v.data(), outer, axis, inner, st.data(), false);
                // logsumexp's tangent: Σ_a exp(x − lse)·v, through its vjp with g = 1.
                buffer<double> w(size), ones(out_n, 1.0);
                kn::logsumexp_axis_vjp(d.x.data(), outer, axis, inner, lv2.data(), ones.data(), w.data(), false);
                bool okd = true;
                for (std::size_t k = 0; k < out_n; ++k) {
                    const std::size_t o = k / inner, i = k % inner;
                    long double lt = 0;
                    for (std::size_t a = 0; a < axis; ++a)
                        lt += w[(o * axis + a) * inner + i] * d.v[(o * axis + a) * inner + i];
                    okd = okd && close(sd[k].v, sv[k], 1e-13) && close(sd[k].d[0], st[k], 1e-13) && md[k].v == mv[k] &&
                          close(ld[k].v, lv2[k], 1e-13 * (1 + std::fabs(lv2[k]))) && close(ld[k].d[0], lt, 1e-13);
                }
                BOOST_TEST(
                    okd, what << (over_rows ? ": axis kernels over rows" : ": axis kernels over cols") << " on duals");
            }
        }
}

// ====================================================================== logsumexp_vjp against differences

BOOST_AUTO_TEST_CASE(logsumexp_vjp_against_finite_differences) {
    std::mt19937 gen(13);
    for_each_arch([&](auto arch) {
        using Arch = decltype(arch);
        for (std::size_t n : {1, 3, 17, 64, 127}) {
            auto x = random_buffer<double>(n, gen, -3, 3);
            const double y = kn::logsumexp<double, Arch>(x.data(), n), g = 0.7;
            buffer<double> dx(n);
            kn::logsumexp_vjp<double, Arch>(x.data(), n, y, g, dx.data(), false);
            double e = 0;
            for (std::size_t i = 0; i < n; ++i) {
                const double h = 1e-5, keep = x[i];
                x[i] = keep + h;
                const double fp = kn::logsumexp<double, Arch>(x.data(), n);
                x[i] = keep - h;
                const double fm = kn::logsumexp<double, Arch>(x.data(), n);
                x[i] = keep;
                raise(e, std::fabs(dx[i] - g * (fp - fm) / (2 * h)));
            }
            BOOST_TEST(e <= 1e-8, (arch_name<double, Arch>()) << " n=" << n << ": logsumexp_vjp vs differences: " << e);
            BOOST_TEST(dx.guards_intact());
        }
    });
}
