// leibniz::kernels::gemm, gemv and outer against plain loops.
//
// Error bound. The reference is computed in long double. For an element of
// C = op(A)·op(B) (+ C0) the kernel's result must satisfy
//
//     |c - c_ref| <= (K + 2) · eps(T) · (Σ_p |a_ip|·|b_pj| + |c0|)
//
// the classic worst-case bound for a K-term dot product in any summation
// order (γ_K ≈ K·u with unit roundoff u = eps/2; the factor 2 and the + 2
// cover the final addition of C0 and the reference's own rounding). It holds
// for every kernel; a wrong index or a lost k-block misses it by orders of
// magnitude.
//
// Every matrix is allocated to exactly (rows - 1)·ld + cols elements, with
// NaN in the gaps between rows, so reading past a row or past the end shows up
// as a NaN (and under ASan as an error). C's gaps hold a sentinel that must
// survive; an overwriting product starts from a C full of NaN.
//
// Architectures: each case runs on default_arch (AVX-512 with -march=native,
// SSE2 without), on xsimd::sse2 (the 4×2 tile) and fma3<avx2> (the 6×2 tile)
// where the build supports them, and on xsimd::unavailable, which forces the
// portable loops.

#define BOOST_TEST_MODULE gemm
#include <boost/test/unit_test.hpp>

#include <leibniz/core/dual.hpp>
#include <leibniz/kernels/gemm.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace kn = leibniz::kernels;
using kn::trans;
using kn::update;

namespace {

using archs = std::tuple<kn::default_arch, xsimd::sse2, xsimd::fma3<xsimd::avx2>, xsimd::unavailable>;

template <class Archs = archs, class F>
void for_each_arch(F&& f) {
    std::apply([&](auto... a) { (f(a), ...); }, Archs{});
}

using floating_types = std::tuple<float, double>;

constexpr std::size_t sizes[] = {1, 3, 17, 64, 127};

std::string describe(kn::gemm_options o) {
    std::string s = o.a == trans::none ? "A" : "At";
    s += o.b == trans::none ? "*B" : "*Bt";
    s += o.c == update::overwrite ? " (overwrite)" : " (accumulate)";
    return s;
}

std::vector<kn::gemm_options> all_options() {
    std::vector<kn::gemm_options> v;
    for (trans ta : {trans::none, trans::transposed})
        for (trans tb : {trans::none, trans::transposed})
            for (update u : {update::overwrite, update::accumulate}) v.push_back({ta, tb, u});
    return v;
}

// A rows×cols matrix stored with leading dimension ld >= cols, allocated to
// exactly (rows - 1)·ld + cols elements; gaps between rows hold `gap`.
template <class T>
struct matrix {
    std::size_t rows, cols, ld;
    std::vector<T> data;
    matrix(std::size_t r, std::size_t c, std::size_t pad, T gap)
        : rows(r), cols(c), ld(c + pad), data(r == 0 ? 0 : (r - 1) * (c + pad) + c, gap) {}
    T& operator()(std::size_t i, std::size_t j) { return data[i * ld + j]; }
    const T& operator()(std::size_t i, std::size_t j) const { return data[i * ld + j]; }
};

template <class T>
matrix<T> random_matrix(std::size_t r, std::size_t c, std::size_t pad, std::mt19937& gen) {
    matrix<T> m(r, c, pad, std::numeric_limits<T>::quiet_NaN());
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    for (std::size_t i = 0; i < r; ++i)
        for (std::size_t j = 0; j < c; ++j) m(i, j) = T(u(gen));
    return m;
}

// Scratch for gemm: the requested bytes, starting one byte past an aligned
// address (the kernel must align inside it), filled with garbage.
struct scratch_buffer {
    std::vector<std::byte> bytes;
    std::size_t size;
    explicit scratch_buffer(std::size_t n) : bytes(n + 1, std::byte{0xff}), size(n) {}
    std::span<std::byte> span() { return {bytes.data() + 1, size}; }
};

// One m×n×k product in T, checked on every architecture against a long
// double reference.
template <class T>
void check_gemm(kn::gemm_options o, std::size_t m, std::size_t n, std::size_t k, std::mt19937& gen,
                std::size_t scratch_divisor = 1) {
    const bool ta = o.a == trans::transposed, tb = o.b == trans::transposed;
    const auto a = random_matrix<T>(ta ? k : m, ta ? m : k, 3, gen);
    const auto b = random_matrix<T>(tb ? n : k, tb ? k : n, 5, gen);
    const auto c0 = random_matrix<T>(m, n, 2, gen);
    auto at = [&](std::size_t i, std::size_t p) { return ta ? a(p, i) : a(i, p); };
    auto bt = [&](std::size_t p, std::size_t j) { return tb ? b(j, p) : b(p, j); };

    const bool add = o.c == update::accumulate;
    std::vector<long double> ref(m * n), mag(m * n);
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            long double s = add ? (long double)c0(i, j) : 0.0L;
            long double g = add ? std::fabs((long double)c0(i, j)) : 0.0L;
            for (std::size_t p = 0; p < k; ++p) {
                const long double x = at(i, p), y = bt(p, j);
                s += x * y;
                g += std::fabs(x * y);
            }
            ref[i * n + j] = s;
            mag[i * n + j] = g;
        }
    const long double eps = std::numeric_limits<T>::epsilon();
    const T sentinel = T(12345);

    for_each_arch([&]<class Arch>(Arch) {
        matrix<T> c(m, n, 2, sentinel);
        for (std::size_t i = 0; i < m; ++i)
            for (std::size_t j = 0; j < n; ++j) c(i, j) = add ? c0(i, j) : std::numeric_limits<T>::quiet_NaN();
        scratch_buffer s(kn::gemm_scratch_bytes<T, Arch>(m, n, k) / scratch_divisor);
        kn::gemm<T, Arch>(o, m, n, k, a.data.data(), a.ld, b.data.data(), b.ld, c.data.data(), c.ld, s.span());

        long double worst = 0;  // error / bound, worst element
        std::size_t gaps_changed = 0;
        for (std::size_t i = 0; i < m; ++i) {
            for (std::size_t j = 0; j < n; ++j) {
                const long double err = std::fabs((long double)c(i, j) - ref[i * n + j]);
                const long double bound = (long double)(k + 2) * eps * mag[i * n + j] +
                                          std::numeric_limits<T>::denorm_min();
                worst = std::max(worst, std::isnan((double)c(i, j)) ? 1e30L : err / bound);
            }
            if (i + 1 < m)
                for (std::size_t j = n; j < c.ld; ++j) gaps_changed += c(i, j) != sentinel;
        }
        BOOST_TEST_CONTEXT(describe(o) << " m=" << m << " n=" << n << " k=" << k << " T=" << sizeof(T) * 8
                                       << "-bit arch=" << Arch::name() << " scratch/" << scratch_divisor) {
            BOOST_TEST(double(worst) <= 1.0);
            BOOST_TEST(gaps_changed == 0u);
        }
    });
}

}  // namespace

// ---------------------------------------------------------------- gemm

BOOST_AUTO_TEST_CASE_TEMPLATE(gemm_all_variants_small_shapes, T, floating_types) {
    std::mt19937 gen(1);
    for (kn::gemm_options o : all_options())
        for (std::size_t m : sizes)
            for (std::size_t n : sizes)
                for (std::size_t k : sizes) check_gemm<T>(o, m, n, k, gen);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(gemm_all_variants_200x300x150, T, floating_types) {
    std::mt19937 gen(2);
    for (kn::gemm_options o : all_options()) check_gemm<T>(o, 200, 300, 150, gen);
}

// Larger than one cache block in every direction (MC = 256 rows, NC = 512
// floats / 256 doubles, KC = 256 on AVX-512 and 1024 on SSE2), so several
// B panels, K slices and A blocks are visited.
BOOST_AUTO_TEST_CASE(gemm_several_cache_blocks) {
    std::mt19937 gen(3);
    check_gemm<float>({trans::none, trans::none, update::overwrite}, 270, 530, 1030, gen);
    check_gemm<double>({trans::transposed, trans::transposed, update::accumulate}, 270, 270, 1030, gen);
}

// Less scratch than asked for: narrower B panels, still right. No scratch at
// all: the portable loops.
BOOST_AUTO_TEST_CASE(gemm_with_too_little_scratch) {
    std::mt19937 gen(4);
    for (kn::gemm_options o : all_options()) {
        check_gemm<float>(o, 70, 300, 40, gen, 3);
        check_gemm<double>(o, 17, 127, 64, gen, 1000000);
    }
}

// Degenerate extents: nothing to do, or (k = 0) C = 0 when overwriting.
BOOST_AUTO_TEST_CASE(gemm_empty_extents) {
    std::vector<float> c(6, 7.0f);
    float a = 1, b = 1;
    kn::gemm<float>({}, 2, 3, 0, &a, 1, &b, 3, c.data(), 3, {});
    BOOST_TEST(std::all_of(c.begin(), c.end(), [](float x) { return x == 0.0f; }));
    std::fill(c.begin(), c.end(), 7.0f);
    kn::gemm<float>({.c = update::accumulate}, 2, 3, 0, &a, 1, &b, 3, c.data(), 3, {});
    BOOST_TEST(std::all_of(c.begin(), c.end(), [](float x) { return x == 7.0f; }));
    kn::gemm<float>({}, 0, 3, 4, &a, 4, &b, 3, c.data(), 3, {});
    kn::gemm<float>({}, 2, 0, 4, &a, 4, &b, 0, c.data(), 0, {});
    BOOST_TEST(std::all_of(c.begin(), c.end(), [](float x) { return x == 7.0f; }));
    BOOST_TEST(kn::gemm_scratch_bytes<float>(0, 5, 5) == 0u);
}

// The scratch size is a constant expression: a workspace can hold it in a
// std::array.
BOOST_AUTO_TEST_CASE(gemm_scratch_size_is_constexpr) {
    constexpr std::size_t bytes = kn::gemm_scratch_bytes<float>(64, 784, 128);
    static std::array<std::byte, bytes> buffer;
    static_assert(kn::gemm_scratch_bytes<leibniz::dual<double, 2>>(64, 64, 64) == 0);
    std::vector<float> a(64 * 128, 1.0f), b(128 * 784, 0.5f), c(64 * 784);
    kn::gemm<float>({}, 64, 784, 128, a.data(), 128, b.data(), 784, c.data(), 784, buffer);
    BOOST_TEST(std::all_of(c.begin(), c.end(), [](float x) { return x == 64.0f; }));
}

// ---------------------------------------------------------------- dual numbers

namespace {

using dual2 = leibniz::dual<double, 2>;

dual2 random_dual(std::mt19937& gen) {
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    return dual2{u(gen), {u(gen), u(gen)}};
}

bool close(double x, double y, double scale) { return std::fabs(x - y) <= 1e-13 * scale; }

}  // namespace

// The portable path on lz::dual<double, 2>: values are the double product,
// tangents follow the product rule: (A·B)' = A'·B + A·B'.
BOOST_AUTO_TEST_CASE(gemm_dual_portable_path) {
    std::mt19937 gen(5);
    for (kn::gemm_options o : all_options())
        for (std::size_t m : {1u, 3u, 17u})
            for (std::size_t n : {1u, 4u, 17u})
                for (std::size_t k : {1u, 5u, 17u}) {
                    const bool ta = o.a == trans::transposed, tb = o.b == trans::transposed;
                    std::vector<dual2> a(m * k), b(k * n), c(m * n);
                    for (auto& x : a) x = random_dual(gen);
                    for (auto& x : b) x = random_dual(gen);
                    for (auto& x : c) x = random_dual(gen);
                    const std::vector<dual2> c0 = c;
                    const std::size_t lda = ta ? m : k, ldb = tb ? k : n;
                    auto at = [&](std::size_t i, std::size_t p) { return ta ? a[p * lda + i] : a[i * lda + p]; };
                    auto bt = [&](std::size_t p, std::size_t j) { return tb ? b[j * ldb + p] : b[p * ldb + j]; };
                    kn::gemm<dual2>(o, m, n, k, a.data(), lda, b.data(), ldb, c.data(), n, {});
                    bool ok = true;
                    for (std::size_t i = 0; i < m; ++i)
                        for (std::size_t j = 0; j < n; ++j) {
                            const bool add = o.c == update::accumulate;
                            double v = add ? c0[i * n + j].v : 0.0;
                            std::array<double, 2> d = add ? c0[i * n + j].d : std::array<double, 2>{0, 0};
                            for (std::size_t p = 0; p < k; ++p) {
                                const dual2 x = at(i, p), y = bt(p, j);
                                v += x.v * y.v;
                                for (std::size_t t = 0; t < 2; ++t) d[t] += x.d[t] * y.v + x.v * y.d[t];
                            }
                            const dual2& r = c[i * n + j];
                            const double scale = double(k) + 2;
                            ok = ok && close(r.v, v, scale) && close(r.d[0], d[0], 2 * scale) &&
                                 close(r.d[1], d[1], 2 * scale);
                        }
                    BOOST_TEST_CONTEXT(describe(o) << " m=" << m << " n=" << n << " k=" << k) { BOOST_TEST(ok); }
                }
}

BOOST_AUTO_TEST_CASE(gemv_and_outer_dual_portable_path) {
    std::mt19937 gen(6);
    const std::size_t m = 5, n = 7;
    std::vector<dual2> a(m * n), x(n), xt(m), y(m), yt(n);
    for (auto& e : a) e = random_dual(gen);
    for (auto& e : x) e = random_dual(gen);
    for (auto& e : xt) e = random_dual(gen);
    kn::gemv<dual2>(trans::none, update::overwrite, m, n, a.data(), n, x.data(), y.data());
    kn::gemv<dual2>(trans::transposed, update::overwrite, m, n, a.data(), n, xt.data(), yt.data());
    bool ok = true;
    for (std::size_t i = 0; i < m; ++i) {
        dual2 s{0.0};
        for (std::size_t j = 0; j < n; ++j) s += a[i * n + j] * x[j];
        ok = ok && close(y[i].v, s.v, 10) && close(y[i].d[0], s.d[0], 10) && close(y[i].d[1], s.d[1], 10);
    }
    for (std::size_t j = 0; j < n; ++j) {
        dual2 s{0.0};
        for (std::size_t i = 0; i < m; ++i) s += a[i * n + j] * xt[i];
        ok = ok && close(yt[j].v, s.v, 10) && close(yt[j].d[0], s.d[0], 10) && close(yt[j].d[1], s.d[1], 10);
    }
    std::vector<dual2> o(m * n, dual2{1.0});
    kn::outer<dual2>(update::accumulate, m, n, xt.data(), x.data(), o.data(), n);
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            const dual2 e = dual2{1.0} + xt[i] * x[j];
            const dual2& r = o[i * n + j];
            ok = ok && close(r.v, e.v, 2) && close(r.d[0], e.d[0], 2) && close(r.d[1], e.d[1], 2);
        }
    BOOST_TEST(ok);
}

// ---------------------------------------------------------------- gemv, outer

BOOST_AUTO_TEST_CASE_TEMPLATE(gemv_both_orientations, T, floating_types) {
    std::mt19937 gen(10);
    const long double eps = std::numeric_limits<T>::epsilon();
    for (trans t : {trans::none, trans::transposed})
        for (update u : {update::overwrite, update::accumulate})
            for (std::size_t m : sizes)
                for (std::size_t n : sizes) {
                    const auto a = random_matrix<T>(m, n, 3, gen);
                    const std::size_t nx = t == trans::none ? n : m, ny = t == trans::none ? m : n;
                    const auto x = random_matrix<T>(1, nx, 0, gen);
                    const auto y0 = random_matrix<T>(1, ny, 0, gen);
                    const bool add = u == update::accumulate;
                    for_each_arch([&]<class Arch>(Arch) {
                        std::vector<T> y = add ? y0.data : std::vector<T>(ny, std::numeric_limits<T>::quiet_NaN());
                        kn::gemv<T, Arch>(t, u, m, n, a.data.data(), a.ld, x.data.data(), y.data());
                        long double worst = 0;
                        for (std::size_t r = 0; r < ny; ++r) {
                            long double s = add ? (long double)y0.data[r] : 0.0L;
                            long double g = std::fabs(s);
                            for (std::size_t q = 0; q < nx; ++q) {
                                const long double e = t == trans::none ? a(r, q) : a(q, r);
                                s += e * x.data[q];
                                g += std::fabs(e * x.data[q]);
                            }
                            const long double bound =
                                (long double)(nx + 2) * eps * g + std::numeric_limits<T>::denorm_min();
                            const long double err = std::fabs((long double)y[r] - s);
                            worst = std::max(worst, std::isnan((double)y[r]) ? 1e30L : err / bound);
                        }
                        BOOST_TEST_CONTEXT((t == trans::none ? "y = A*x" : "y = At*x")
                                           << (add ? " (accumulate)" : " (overwrite)") << " m=" << m << " n=" << n
                                           << " T=" << sizeof(T) * 8 << "-bit arch=" << Arch::name()) {
                            BOOST_TEST(double(worst) <= 1.0);
                        }
                    });
                }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(outer_product, T, floating_types) {
    std::mt19937 gen(11);
    const long double eps = std::numeric_limits<T>::epsilon();
    for (update u : {update::overwrite, update::accumulate})
        for (std::size_t m : sizes)
            for (std::size_t n : sizes) {
                const auto x = random_matrix<T>(1, m, 0, gen);
                const auto y = random_matrix<T>(1, n, 0, gen);
                const auto a0 = random_matrix<T>(m, n, 4, gen);
                const bool add = u == update::accumulate;
                for_each_arch([&]<class Arch>(Arch) {
                    matrix<T> a(m, n, 4, T(12345));
                    for (std::size_t i = 0; i < m; ++i)
                        for (std::size_t j = 0; j < n; ++j)
                            a(i, j) = add ? a0(i, j) : std::numeric_limits<T>::quiet_NaN();
                    kn::outer<T, Arch>(u, m, n, x.data.data(), y.data.data(), a.data.data(), a.ld);
                    long double worst = 0;
                    std::size_t gaps_changed = 0;
                    for (std::size_t i = 0; i < m; ++i) {
                        for (std::size_t j = 0; j < n; ++j) {
                            const long double p = (long double)x.data[i] * y.data[j];
                            const long double e = add ? a0(i, j) + p : p;
                            const long double size = std::fabs(p) + (add ? std::fabs((long double)a0(i, j)) : 0);
                            const long double bound = 2 * eps * size + std::numeric_limits<T>::denorm_min();
                            worst = std::max(worst, std::isnan((double)a(i, j))
                                                        ? 1e30L
                                                        : std::fabs((long double)a(i, j) - e) / bound);
                        }
                        if (i + 1 < m)
                            for (std::size_t j = n; j < a.ld; ++j) gaps_changed += a(i, j) != T(12345);
                    }
                    BOOST_TEST_CONTEXT("outer" << (add ? " (accumulate)" : " (overwrite)") << " m=" << m
                                               << " n=" << n << " T=" << sizeof(T) * 8
                                               << "-bit arch=" << Arch::name()) {
                        BOOST_TEST(double(worst) <= 1.0);
                        BOOST_TEST(gaps_changed == 0u);
                    }
                });
            }
}

// The register transpose used to pack a transposed B, on its own: every lane
// lands where it should, for each architecture that has swizzle.
BOOST_AUTO_TEST_CASE_TEMPLATE(register_transpose, T, floating_types) {
    for_each_arch([&]<class Arch>(Arch) {
        if constexpr (kn::simd_path<T, Arch>) {
            if constexpr (kn::has_swizzle(Arch{})) {
                using batch = xsimd::batch<T, Arch>;
                constexpr std::size_t W = batch::size;
                alignas(64) T in[W * W], out[W * W];
                for (std::size_t i = 0; i < W * W; ++i) in[i] = T(i);
                batch rows[W];
                for (std::size_t i = 0; i < W; ++i) rows[i] = batch::load_unaligned(in + i * W);
                kn::detail::transpose(rows);
                for (std::size_t i = 0; i < W; ++i) rows[i].store_unaligned(out + i * W);
                std::size_t wrong = 0;
                for (std::size_t i = 0; i < W; ++i)
                    for (std::size_t j = 0; j < W; ++j) wrong += out[i * W + j] != in[j * W + i];
                BOOST_TEST_CONTEXT("arch=" << Arch::name() << " W=" << W) { BOOST_TEST(wrong == 0u); }
            }
        }
    });
}
