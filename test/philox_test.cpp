// The counter-based generator (kernels/philox.hpp): Random123's published
// known-answer vectors for Philox4x32-10, the statistics of uniform and
// normal draws, and the property the engine relies on: a draw depends on
// (key, stream, step, index) only, so filling in pieces equals filling at once.
#define BOOST_TEST_MODULE philox
#include <boost/test/unit_test.hpp>

#include <leibniz/kernels/philox.hpp>
#include <leibniz/leibniz.hpp>

#include <array>
#include <cstring>

#include <cmath>
#include <cstdint>
#include <vector>

namespace kn = leibniz::kernels;

// Random123's tests/kat_vectors, philox4x32 10: counter, key, result.
BOOST_AUTO_TEST_CASE(philox4x32_10_known_answers) {
    static_assert(kn::philox4x32({0, 0, 0, 0}, {0, 0}) ==
                  kn::philox_counter{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u});
    BOOST_TEST((kn::philox4x32({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, {0xffffffffu, 0xffffffffu}) ==
                kn::philox_counter{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}));
    BOOST_TEST((kn::philox4x32({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}, {0xa4093822u, 0x299f31d0u}) ==
                kn::philox_counter{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}));
}

template <class T>
void check_uniform_moments() {
    constexpr std::size_t n = 1'000'000;
    std::vector<T> x(n);
    kn::fill_uniform<T>(x.data(), n, {.seed = 42, .step = 7}, 3, T(-1), T(3));
    double sum = 0, sum2 = 0;
    T lo = x[0], hi = x[0];
    for (T v : x) {
        sum += v;
        sum2 += double(v) * v;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    const double mean = sum / n, var = sum2 / n - mean * mean;
    // U[-1, 3): mean 1, variance 16/12; the mean's standard error sqrt(var/n).
    BOOST_TEST(std::abs(mean - 1.0) < 4 * std::sqrt(16.0 / 12.0 / n));
    BOOST_TEST(std::abs(var - 16.0 / 12.0) < 0.01);
    BOOST_TEST(lo >= T(-1));
    BOOST_TEST(hi < T(3));
}

BOOST_AUTO_TEST_CASE(uniform_draws_have_the_right_moments) {
    check_uniform_moments<float>();
    check_uniform_moments<double>();
}

template <class T>
void check_normal_moments() {
    constexpr std::size_t n = 1'000'000;
    std::vector<T> x(n);
    kn::fill_normal<T>(x.data(), n, {.seed = 1, .step = 0}, 0, T(2), T(0.5));
    double sum = 0, sum2 = 0, sum4 = 0;
    for (T v : x) {
        const double z = (double(v) - 2.0) / 0.5;
        sum += z;
        sum2 += z * z;
        sum4 += z * z * z * z;
    }
    BOOST_TEST(std::abs(sum / n) < 4 / std::sqrt(double(n)));              // mean 0, sd 1/sqrt(n)
    BOOST_TEST(std::abs(sum2 / n - 1) < 4 * std::sqrt(2.0 / n));          // var of z² is 2
    BOOST_TEST(std::abs(sum4 / n - 3) < 4 * std::sqrt(96.0 / n));         // var of z⁴ is 105 - 9
}

BOOST_AUTO_TEST_CASE(normal_draws_have_the_right_moments) {
    check_normal_moments<float>();
    check_normal_moments<double>();
}

// A Bernoulli(p) mask drawn as u < p, as dropout will: its mean within 4σ over 1e6 draws.
BOOST_AUTO_TEST_CASE(bernoulli_mask_mean) {
    constexpr std::size_t n = 1'000'000;
    constexpr double p = 0.8;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < n; ++i) kept += kn::uniform_at<float>({.seed = 9, .step = 1}, 5, i) < float(p);
    BOOST_TEST(std::abs(double(kept) / n - p) < 4 * std::sqrt(p * (1 - p) / n));
}

template <class T>
void check_pieces_equal_whole() {
    constexpr std::size_t n = 1001;
    const kn::random_key key{.seed = 0x123456789abcdefull, .step = 3};
    std::vector<T> whole(n), pieces(n);
    kn::fill_normal<T>(whole.data(), n, key, 11, T(0), T(1));
    for (std::size_t first = 0; first < n; first += 7)  // odd-sized pieces split Box-Muller pairs and blocks
        kn::fill_normal<T>(pieces.data() + first, std::min<std::size_t>(7, n - first), key, 11, T(0), T(1), first);
    BOOST_TEST(whole == pieces, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(filling_in_pieces_equals_filling_at_once) {
    check_pieces_equal_whole<float>();
    check_pieces_equal_whole<double>();
}

BOOST_AUTO_TEST_CASE(streams_steps_and_seeds_give_different_numbers) {
    const kn::random_key key{.seed = 5, .step = 0};
    const float a = kn::uniform_at<float>(key, 0, 0);
    BOOST_TEST(a != kn::uniform_at<float>(key, 1, 0));                        // another stream
    BOOST_TEST(a != kn::uniform_at<float>({.seed = 5, .step = 1}, 0, 0));     // another step
    BOOST_TEST(a != kn::uniform_at<float>({.seed = 6, .step = 0}, 0, 0));     // another seed
    BOOST_TEST(a == kn::uniform_at<float>(key, 0, 0));                        // and the same draw again
}

// ---------------------------------------------------------------- random ops in expressions

namespace {
namespace lz = leibniz;
using namespace lz::literals;
constexpr auto rng = lz::random_key<"rng">;
}  // namespace

// lz::bernoulli: element i is the draw of element i of the op's stream, by
// definition (kernels::uniform_at, integer arithmetic and one exact
// conversion): the same in every build, SIMD width and fusion. Its mean over
// 1e6 draws within 4σ.
BOOST_AUTO_TEST_CASE(bernoulli_op_draws_element_i_of_its_stream) {
    std::array<std::uint64_t, 2> key{1234, 7};
    const auto env = lz::at(rng = key);
    const auto mask = lz::eval(lz::bernoulli<"mask", lz::shape<1000000>>(rng, 0.8_c), env);
    const lz::kernels::random_key k{1234, 7};
    const std::uint32_t stream = lz::detail::stream_of<"mask">();
    std::size_t ones = 0, mismatches = 0;
    for (std::size_t i = 0; i < mask.size(); ++i) {
        const double expected = lz::kernels::uniform_at<double>(k, stream, i) < 0.8 ? 1.0 : 0.0;
        mismatches += mask.data()[i] != expected;
        ones += mask.data()[i] == 1.0;
    }
    BOOST_TEST(mismatches == 0u);
    const double mean = double(ones) / 1e6, sigma = std::sqrt(0.8 * 0.2 / 1e6);
    BOOST_TEST(std::abs(mean - 0.8) < 4 * sigma, "mean " << mean);
    // float draws too
    constexpr auto xf = lz::var<"xf", float, lz::shape<100000>>;
    lz::tensor<float, lz::shape<100000>> ones_f;
    std::fill_n(ones_f.data(), ones_f.size(), 1.0f);
    const auto masked = lz::eval(xf * lz::bernoulli<"mask", lz::shape<100000>>(rng, 0.25_c), lz::at(xf = ones_f, rng = key));
    std::size_t f_mismatches = 0;
    for (std::size_t i = 0; i < masked.size(); ++i)
        f_mismatches += masked.data()[i] != (lz::kernels::uniform_at<float>(k, stream, i) < 0.25f ? 1.0f : 0.0f);
    BOOST_TEST(f_mismatches == 0u);
}

BOOST_AUTO_TEST_CASE(names_and_steps_draw_independently) {
    std::array<std::uint64_t, 2> key{99, 0};
    const auto a = lz::eval(lz::bernoulli<"a", lz::shape<4096>>(rng, 0.5_c), lz::at(rng = key));
    const auto b = lz::eval(lz::bernoulli<"b", lz::shape<4096>>(rng, 0.5_c), lz::at(rng = key));
    key[1] = 1;
    const auto a1 = lz::eval(lz::bernoulli<"a", lz::shape<4096>>(rng, 0.5_c), lz::at(rng = key));
    std::size_t same_ab = 0, same_steps = 0;
    for (std::size_t i = 0; i < 4096; ++i) {
        same_ab += a.data()[i] == b.data()[i];
        same_steps += a.data()[i] == a1.data()[i];
    }
    // independent fair coins agree on about half the elements (4096·0.5 ± 4·32)
    BOOST_TEST(same_ab > 1920u);
    BOOST_TEST(same_ab < 2176u);
    BOOST_TEST(same_steps > 1920u);
    BOOST_TEST(same_steps < 2176u);
}

// lz::dropout: x·mask/(1 − p) with the op's mask, evaluated fused with the
// layer, bit for bit equal to the same product written as a plain loop over
// the mask evaluated alone; its gradient against central differences.
BOOST_AUTO_TEST_CASE(dropout_fused_equals_the_mask_applied_by_hand) {
    constexpr auto x = lz::var<"x", double, lz::shape<lz::dyn, 6>>;
    constexpr auto W = lz::param<"W", double, lz::shape<6, 6>>;
    constexpr auto hidden = lz::tanh(lz::matmul(x, W));
    constexpr auto dropped = lz::dropout<"drop">(hidden, rng, 0.25_c);
    constexpr auto loss = lz::mean(dropped * dropped);
    lz::tensor<double, lz::shape<lz::dyn, 6>> xs(5);
    lz::tensor<double, lz::shape<6, 6>> w;
    for (std::size_t i = 0; i < xs.size(); ++i) xs.data()[i] = 0.3 * std::sin(double(i));
    for (std::size_t i = 0; i < w.size(); ++i) w.data()[i] = 0.4 * std::cos(double(3 * i));
    std::array<std::uint64_t, 2> key{5, 3};
    const auto env = lz::at(x = xs, W = w, rng = key);
    const auto fused = lz::eval(dropped, env);
    const auto h = lz::eval(hidden, lz::lenient(env));
    // Element i of the mask is draw i of the op's stream whatever its shape:
    // the [dyn, 6] mask at batch 5 is the [5, 6] one.
    const auto m = lz::eval(lz::bernoulli<"drop", lz::shape<5, 6>>(rng, 0.75_c), lz::lenient(env));
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < fused.size(); ++i) {
        const double by_hand = h.data()[i] * m.data()[i] * (4.0 / 3.0);
        mismatches += std::memcmp(&by_hand, &fused.data()[i], sizeof(double)) != 0;
    }
    BOOST_TEST(mismatches == 0u);
    // gradient: the same key draws the same mask in every evaluation
    const auto g = lz::grad(loss, W, env);
    for (std::size_t i = 0; i < w.size(); ++i) {
        const double keep = w.data()[i], step = 1e-6;
        w.data()[i] = keep + step;
        const double up = lz::eval(loss, env);
        w.data()[i] = keep - step;
        const double down = lz::eval(loss, env);
        w.data()[i] = keep;
        BOOST_TEST(g.data()[i] == (up - down) / (2 * step), boost::test_tools::tolerance(1e-6));
    }
}

// ---------------------------------------------------------------- the same masks in every build
// test/random/philox_masks.inc (test/ref/make_philox_ref.py, an independent
// Philox in Python checked against Random123's vectors) holds, per (seed,
// step, name, shape, type, p), the number of ones and the FNV-1a of a
// dropout-style mask. Every build checks the same committed values — CI's
// g++ -march=native (SIMD) build and its portable clang build without -march
// — so their masks agree bit for bit; and each build draws the mask in
// several evaluations: multiplied into x in one fused elementwise loop,
// inside lz::dropout (x·mask/(1 − q)), through the reverse sweep's tape, where
// every node has its own buffer (∂ sum(x·mask)/∂x is the mask), and, in
// double (a mask alone computes in double), by itself.

namespace {
struct mask_summary {
    std::size_t ones = 0;
    std::uint64_t hash = 14695981039346656037ull;  // FNV-1a 64 of the mask as bytes 0/1
    void add(bool one) {
        ones += one;
        hash = (hash ^ (one ? 1u : 0u)) * 1099511628211ull;
    }
};

template <lz::fixed_string Name, class S, class T, std::int64_t PN, std::int64_t PD>
void check_mask(std::uint64_t seed, std::uint32_t step, std::size_t ones, std::uint64_t hash) {
    const std::array<std::uint64_t, 2> key{seed, step};
    constexpr auto keep = lz::literal<lz::rational{PN, PD}>{};
    constexpr auto drop = lz::literal<lz::rational{PD - PN, PD}>{};
    constexpr auto x = lz::var<"x", T, S>;
    lz::tensor<T, S> xs;
    std::fill_n(xs.data(), xs.size(), T(1));
    const auto env = lz::at(x = xs, rng = key);
    const auto fused = lz::eval(x * lz::bernoulli<Name, S>(rng, keep), env);
    const auto dropped = lz::eval(lz::dropout<Name>(x, rng, drop), env);
    const auto taped = lz::grad(lz::sum(x * lz::bernoulli<Name, S>(rng, keep)), x, env);
    static_assert(std::is_same_v<typename std::remove_cvref_t<decltype(fused)>::value_type, T>);
    mask_summary f, d, t;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        f.add(fused.data()[i] == T(1));
        d.add(dropped.data()[i] != T(0));
        t.add(taped.data()[i] == T(1));
    }
    BOOST_TEST_CONTEXT(Name.view() << ", " << xs.size() << " elements of " << sizeof(T) * 8 << " bits, seed " << seed
                                   << ", step " << step) {
        BOOST_TEST(f.ones == ones);
        BOOST_TEST(f.hash == hash);
        BOOST_TEST(d.hash == hash);
        BOOST_TEST(t.hash == hash);
        if constexpr (std::is_same_v<T, double>) {
            const auto alone = lz::eval(lz::bernoulli<Name, S>(rng, keep), lz::lenient(env));
            mask_summary a;
            for (std::size_t i = 0; i < alone.size(); ++i) a.add(alone.data()[i] == 1.0);
            BOOST_TEST(a.hash == hash);
        }
    }
}
}  // namespace

BOOST_AUTO_TEST_CASE(masks_match_the_committed_checksums_fused_or_not) {
#define MASK_EXTENTS(...) __VA_ARGS__
#define MASK_CASE(seed, step, name, extents, type, pn, pd, ones, hash) \
    check_mask<name, lz::shape<MASK_EXTENTS extents>, type, pn, pd>(seed, step, ones, hash);
#include "random/philox_masks.inc"
#undef MASK_CASE
#undef MASK_EXTENTS
}
