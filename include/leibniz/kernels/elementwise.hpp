#pragma once
// Moves of data that shape operations and backward rules need: fill, copy or
// add (optionally scaled), and transpose. Each takes an `accumulate` flag:
// false overwrites the destination without reading it, true adds into it.
// float and double run on xsimd batches; other types (dual numbers) on numbers.

#include <leibniz/kernels/simd.hpp>

#include <algorithm>
#include <cstddef>

namespace leibniz::kernels {

// dst[i] (+)= value
template <class T>
void fill(T* dst, std::size_t n, const T& value, bool accumulate) noexcept {
    using B = simd::batch_for<T>;
    constexpr std::size_t W = simd::width<B>;
    const B v = simd::broadcast<B>(value);
    const std::size_t vector_end = n - n % W;
    std::size_t i = 0;
    if (accumulate) {
        for (; i < vector_end; i += W) simd::store(dst + i, simd::load<B>(dst + i) + v);
        for (; i < n; ++i) dst[i] = dst[i] + value;
    } else {
        for (; i < vector_end; i += W) simd::store(dst + i, v);
        for (; i < n; ++i) dst[i] = value;
    }
}

// dst[i] (+)= scale·src[i]
template <class T>
void scaled_copy(T* dst, const T* src, std::size_t n, const T& scale, bool accumulate) noexcept {
    using B = simd::batch_for<T>;
    constexpr std::size_t W = simd::width<B>;
    const B s = simd::broadcast<B>(scale);
    const std::size_t vector_end = n - n % W;
    std::size_t i = 0;
    if (accumulate) {
        for (; i < vector_end; i += W) simd::store(dst + i, simd::load<B>(dst + i) + s * simd::load<B>(src + i));
        for (; i < n; ++i) dst[i] = dst[i] + scale * src[i];
    } else {
        for (; i < vector_end; i += W) simd::store(dst + i, s * simd::load<B>(src + i));
        for (; i < n; ++i) dst[i] = scale * src[i];
    }
}

// dst[i] (+)= src[i]
template <class T>
void copy(T* dst, const T* src, std::size_t n, bool accumulate) noexcept {
    if (!accumulate) {
        kernels::copy(dst, src, n);
        return;
    }
    using B = simd::batch_for<T>;
    constexpr std::size_t W = simd::width<B>;
    const std::size_t vector_end = n - n % W;
    std::size_t i = 0;
    for (; i < vector_end; i += W) simd::store(dst + i, simd::load<B>(dst + i) + simd::load<B>(src + i));
    for (; i < n; ++i) dst[i] = dst[i] + src[i];
}

// dst[n×m] (+)= src[m×n]ᵀ, in square tiles so both sides stay in cache.
template <class T>
void transpose(T* dst, const T* src, std::size_t m, std::size_t n, bool accumulate) noexcept {
    constexpr std::size_t tile = 32;
    for (std::size_t i0 = 0; i0 < m; i0 += tile)
        for (std::size_t j0 = 0; j0 < n; j0 += tile) {
            const std::size_t i1 = std::min(m, i0 + tile), j1 = std::min(n, j0 + tile);
            for (std::size_t j = j0; j < j1; ++j)
                for (std::size_t i = i0; i < i1; ++i) {
                    T& d = dst[j * m + i];
                    d = accumulate ? d + src[i * n + j] : src[i * n + j];
                }
        }
}

}  // namespace leibniz::kernels
