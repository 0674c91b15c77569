#pragma once
// The one loop of an optimizer step: over a run of the flat parameter buffer,
// SIMD batches then a scalar tail, the kernel written once for both.
//
//   loop::sweep(p, g, n, [&](auto& p, auto g, std::size_t i) { ... });
//
// The kernel gets the parameters (by reference: it writes them) and the
// gradient as a batch of kernels::simd::batch_for<T> — or as a T in the tail —
// and the index of their first element; it loads and stores its own state
// buffers at that index with loop::load / loop::store. So one step reads
// p, g and the state once and writes p and the state once: the memory traffic
// of a hand-written loop (bench/optim_bench.cpp).
//
// The math helpers (sqrt_of, max_of, min_of, select_positive/negative) take
// batches and numbers alike. This is the vocabulary a new update rule is
// written in (doc/reference/optim.md).

#include <leibniz/kernels/simd.hpp>

#include <cmath>
#include <cstddef>

namespace leibniz::optim::loop {

namespace simd = kernels::simd;

template <class B, class T>
LEIBNIZ_ALWAYS_INLINE inline B load(const T* p) {
    return simd::load<B>(p);
}
template <class T, class B>
LEIBNIZ_ALWAYS_INLINE inline void store(T* p, const B& value) {
    simd::store(p, value);
}

template <class B>
LEIBNIZ_ALWAYS_INLINE inline B sqrt_of(const B& x) {
    if constexpr (std::is_floating_point_v<B>)
        return std::sqrt(x);
    else
        return xsimd::sqrt(x);
}
template <class B>
LEIBNIZ_ALWAYS_INLINE inline B max_of(const B& a, const B& b) {
    if constexpr (std::is_floating_point_v<B>)
        return a < b ? b : a;  // torch.maximum: NaN propagates only from b here; grads are finite
    else
        return xsimd::max(a, b);
}
template <class B>
LEIBNIZ_ALWAYS_INLINE inline B min_of(const B& a, const B& b) {
    if constexpr (std::is_floating_point_v<B>)
        return b < a ? b : a;
    else
        return xsimd::min(a, b);
}
template <class B>
LEIBNIZ_ALWAYS_INLINE inline B select_positive(const B& x, const B& if_pos, const B& if_not) {
    if constexpr (std::is_floating_point_v<B>)
        return x > B(0) ? if_pos : if_not;
    else
        return xsimd::select(x > B(0), if_pos, if_not);
}
template <class B>
LEIBNIZ_ALWAYS_INLINE inline B select_negative(const B& x, const B& if_neg, const B& if_not) {
    if constexpr (std::is_floating_point_v<B>)
        return x < B(0) ? if_neg : if_not;
    else
        return xsimd::select(x < B(0), if_neg, if_not);
}

// A software prefetch of buf[i + prefetch_distance] (when inside [0, n)). A
// step streams four to six buffers at once; with the hardware prefetchers
// alone an Adam step over 1e7 floats ran ~15% behind a plain read-modify-write
// of the same bytes (bench/optim_bench.cpp), with these it matches it. Every
// rule prefetches its state buffers; sweep prefetches p and g.
inline constexpr std::size_t prefetch_distance = 1024;  // elements: 4 KiB of float
template <class T>
LEIBNIZ_ALWAYS_INLINE inline void prefetch(const T* buf, std::size_t i, std::size_t n) noexcept {
#if defined(__GNUC__)
    if (i + prefetch_distance < n) __builtin_prefetch(buf + i + prefetch_distance);
#else
    (void)buf, (void)i, (void)n;
#endif
}

// f(p, g, i) over elements [0, n) of p and g: batches, then the tail.
template <class T, class F>
LEIBNIZ_ALWAYS_INLINE inline void sweep(T* p, const T* g, std::size_t n, F&& f) {
    using B = simd::batch_for<T>;
    constexpr std::size_t W = simd::width<B>;
    const std::size_t end = simd::round_down(n, W);
    std::size_t i = 0;
    for (; i < end; i += W) {
        prefetch(p, i, n);
        prefetch(g, i, n);
        B pv = simd::load<B>(p + i);
        f(pv, simd::load<B>(g + i), i);
        simd::store(p + i, pv);
    }
    for (; i < n; ++i) {
        T pv = p[i];
        f(pv, g[i], i);
        p[i] = pv;
    }
}

}  // namespace leibniz::optim::loop

namespace leibniz::optim::loop {
// The scalar type of a batch (or of a number).
template <class B>
struct scalar_of_batch {
    using type = B;
};
template <class T, class A>
struct scalar_of_batch<xsimd::batch<T, A>> {
    using type = T;
};
}  // namespace leibniz::optim::loop
