// The counter-based generator (kernels/philox.hpp): Random123's published
// known-answer vectors for Philox4x32-10, the statistics of uniform and
// normal draws, and the property the engine relies on: a draw depends on
// (key, stream, step, index) only, so filling in pieces equals filling at once.
#define BOOST_TEST_MODULE philox
#include <boost/test/unit_test.hpp>

#include <leibniz/kernels/philox.hpp>

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
