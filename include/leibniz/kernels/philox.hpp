#pragma once
// Counter-based random numbers: Philox4x32-10 (Salmon, Moraes, Dror and Shaw,
// "Parallel random numbers: as easy as 1, 2, 3", SC 2011), the generator JAX
// and PyTorch's CUDA backend use. A draw is a pure function of a key and a
// counter, so the value at element i of a random tensor depends on
// (key, stream, step, i) and on nothing else: not on the SIMD width, the
// fusion of loops, the order of evaluation or the number of threads.
//
//   philox4x32(counter, key)             one block: 4 words of 32 random bits
//   random_key{seed, step}               what a caller binds per call
//   fill_uniform(dst, n, key, stream, lo, hi [, first])   dst[j] ~ U[lo, hi)
//   fill_normal(dst, n, key, stream, mean, std [, first])  dst[j] ~ N(mean, std²)
//
// Layout of the counter for element i of stream s (a random node, or a
// parameter being initialised): counter = {i / per_block (low, high word),
// s, step}, key = {seed (low, high word)}. float takes one word per element
// (4 elements per block), double two (2 per block). `first` is the index of
// dst[0] in the stream, so filling a tensor in pieces gives the same numbers
// as filling it at once.
//
// Uniform: the top 24 (float) or 53 (double) bits of the element's word(s)
// scaled into [0, 1): exactly representable, never 1. Normal: Box-Muller on
// two uniforms of the same block (elements 2k and 2k+1 share a pair), with
// the first uniform moved into (0, 1] so the logarithm is finite.

#include <leibniz/config.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <type_traits>

namespace leibniz::kernels {

using philox_counter = std::array<std::uint32_t, 4>;
using philox_key = std::array<std::uint32_t, 2>;

namespace detail {
inline constexpr std::uint32_t philox_m0 = 0xD2511F53u, philox_m1 = 0xCD9E8D57u;  // multipliers
inline constexpr std::uint32_t philox_w0 = 0x9E3779B9u, philox_w1 = 0xBB67AE85u;  // key increments (Weyl)

constexpr void philox_round(philox_counter& c, const philox_key& k) noexcept {
    const std::uint64_t p0 = std::uint64_t{philox_m0} * c[0];
    const std::uint64_t p1 = std::uint64_t{philox_m1} * c[2];
    c = {static_cast<std::uint32_t>(p1 >> 32) ^ c[1] ^ k[0], static_cast<std::uint32_t>(p1),
         static_cast<std::uint32_t>(p0 >> 32) ^ c[3] ^ k[1], static_cast<std::uint32_t>(p0)};
}
}  // namespace detail

// Philox4x32 with 10 rounds: 128 random bits from a counter and a key.
constexpr philox_counter philox4x32(philox_counter c, philox_key k) noexcept {
    for (int round = 0; round < 10; ++round) {
        if (round > 0) k = {k[0] + detail::philox_w0, k[1] + detail::philox_w1};
        detail::philox_round(c, k);
    }
    return c;
}

// The randomness a caller binds per call: a seed (the key) and a step counter
// (advanced by the caller, e.g. once per training step), so each step draws
// new numbers and a run is reproduced from its seed and step.
struct random_key {
    std::uint64_t seed = 0;
    std::uint32_t step = 0;
};

// Block b of stream s under key: the 4 words that elements of block b use.
constexpr philox_counter random_block(const random_key& key, std::uint32_t stream, std::uint64_t block) noexcept {
    return philox4x32({static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32), stream, key.step},
                      {static_cast<std::uint32_t>(key.seed), static_cast<std::uint32_t>(key.seed >> 32)});
}

// Uniform [0, 1) from random bits: float from one word's top 24 bits, double
// from two words' top 53.
template <class T>
constexpr T unit_uniform(std::uint32_t w) noexcept {
    static_assert(std::is_same_v<T, float>);
    return static_cast<T>(w >> 8) * 0x1.0p-24f;
}
template <class T>
constexpr T unit_uniform(std::uint32_t lo, std::uint32_t hi) noexcept {
    static_assert(std::is_same_v<T, double>);
    const std::uint64_t bits = (std::uint64_t{hi} << 32 | lo) >> 11;
    return static_cast<T>(bits) * 0x1.0p-53;
}

// Elements of T per Philox block, and element j's uniform in [0, 1) within its block.
template <class T>
inline constexpr std::size_t per_block = std::is_same_v<T, float> ? 4 : 2;

template <class T>
constexpr T block_uniform(const philox_counter& w, std::size_t j) noexcept {
    if constexpr (std::is_same_v<T, float>)
        return unit_uniform<float>(w[j]);
    else
        return unit_uniform<double>(w[2 * j], w[2 * j + 1]);
}

// Element i of stream s, uniform in [0, 1).
template <class T>
constexpr T uniform_at(const random_key& key, std::uint32_t stream, std::uint64_t i) noexcept {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                  "leibniz::kernels::uniform_at: random draws are float or double");
    return block_uniform<T>(random_block(key, stream, i / per_block<T>), i % per_block<T>);
}

// dst[j] ~ U[lo, hi), j = 0..n-1, the draws of elements first..first+n-1 of the stream.
template <class T>
void fill_uniform(T* dst, std::size_t n, const random_key& key, std::uint32_t stream, T lo, T hi,
                  std::uint64_t first = 0) noexcept {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                  "leibniz::kernels::fill_uniform: random draws are float or double");
    const T width = hi - lo;
    for (std::size_t j = 0; j < n; ++j) dst[j] = lo + width * uniform_at<T>(key, stream, first + j);
}

// dst[j] ~ N(mean, std²): Box-Muller on the uniforms of elements 2k and 2k+1
// (u1 moved into (0, 1]): element 2k takes r·cos θ, element 2k+1 r·sin θ.
template <class T>
void fill_normal(T* dst, std::size_t n, const random_key& key, std::uint32_t stream, T mean, T std,
                 std::uint64_t first = 0) noexcept {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                  "leibniz::kernels::fill_normal: random draws are float or double");
    for (std::size_t j = 0; j < n; ++j) {
        const std::uint64_t i = first + j, pair = i & ~std::uint64_t{1};
        // Box-Muller in double for both types: float's log and cos lose the tails.
        const double u1 = 1.0 - static_cast<double>(uniform_at<T>(key, stream, pair));
        const double u2 = static_cast<double>(uniform_at<T>(key, stream, pair + 1));
        const double r = std::sqrt(-2.0 * std::log(u1)), theta = 2.0 * std::numbers::pi * u2;
        const double z = (i & 1) ? r * std::sin(theta) : r * std::cos(theta);
        dst[j] = mean + std * static_cast<T>(z);
    }
}

}  // namespace leibniz::kernels
