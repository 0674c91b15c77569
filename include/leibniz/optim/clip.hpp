#pragma once
// Gradient clipping policies of lz::optim::optimizer, and the same operations
// as free functions on gradients (torch.nn.utils.clip_grad_value_ and
// clip_grad_norm_).
//
//   clip::none                          the gradient as it is
//   clip::value{.clip_value = c}        g ← clamp(g, −c, c)
//   clip::global_norm{.max_norm = m,    g ← g · min(1, m / (‖g‖ + 1e-6)), ‖g‖ the
//                     .norm_type = 2}   norm of every gradient of the store at once
//                                       (2, ∞, or any p > 0); last_norm() is that norm
//   clip::noise<Inner>{.inner, .stddev = σ, .gamma = 0.55, .seed = s}
//                                       Inner's clipping, then g ← g + N(0, σ²/(1+t)^γ),
//                                       t the step (Neelakantan et al. 2015), drawn from
//                                       the engine's Philox generator: element i of step t
//                                       is a pure function of (seed, t, i)
//
// A policy is `prepare(grads, step)` (one reduction pass, for global_norm)
// then `apply(g, i)` on batches or numbers inside the step's one pass.

#include <leibniz/kernels/philox.hpp>
#include <leibniz/kernels/simd.hpp>
#include <leibniz/optim/sweep.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <span>
#include <stdexcept>
#include <string>

namespace leibniz::optim {

namespace detail {
namespace simd = kernels::simd;
using loop::max_of;
// ‖g‖_p over the whole buffer, as torch.nn.utils.clip_grad_norm_ (p = 2, ∞ or any p > 0).
template <class T>
double grad_norm(std::span<const T> g, double norm_type) {
    using B = simd::batch_for<T>;
    constexpr std::size_t W = simd::width<B>;
    const std::size_t n = g.size(), end = simd::round_down(n, W);
    if (norm_type == std::numeric_limits<double>::infinity()) {
        B m = B(T(0));
        std::size_t i = 0;
        for (; i < end; i += W) {
            const B x = simd::load<B>(g.data() + i);
            m = max_of(m, max_of(x, B(T(0)) - x));
        }
        T r = T(0);
        if constexpr (W > 1)
            r = simd::reduce_max(m);
        else
            r = m;
        for (; i < n; ++i) r = max_of(r, std::abs(g[i]));
        return double(r);
    }
    if (norm_type == 2.0) {
        B s = B(T(0));
        std::size_t i = 0;
        for (; i < end; i += W) {
            const B x = simd::load<B>(g.data() + i);
            s = s + x * x;
        }
        T r = simd::reduce_add(s);
        for (; i < n; ++i) r += g[i] * g[i];
        return std::sqrt(double(r));
    }
    double r = 0;
    for (std::size_t i = 0; i < n; ++i) r += std::pow(std::abs(double(g[i])), norm_type);
    return std::pow(r, 1.0 / norm_type);
}
}  // namespace detail

namespace clip {

struct none {
    template <class T>
    void prepare(std::span<const T>, std::int64_t) noexcept {}
    template <class B>
    LEIBNIZ_ALWAYS_INLINE B apply(const B& g, std::size_t) const noexcept {
        return g;
    }
};

struct value {
    double clip_value = std::numeric_limits<double>::infinity();
    void validate() const {
        if (!(clip_value >= 0))
            throw std::invalid_argument("leibniz::optim::clip::value: clip_value must be >= 0, got " +
                                        std::to_string(clip_value));
    }
    template <class T>
    void prepare(std::span<const T>, std::int64_t) noexcept {}
    template <class B>
    LEIBNIZ_ALWAYS_INLINE B apply(const B& g, std::size_t) const noexcept {
        using T = typename loop::scalar_of_batch<B>::type;
        const B c = B(T(clip_value));
        return loop::min_of(loop::max_of(g, B(T(0)) - c), c);
    }
};

struct global_norm {
    double max_norm = std::numeric_limits<double>::infinity();
    double norm_type = 2.0;
    void validate() const {
        if (!(max_norm >= 0) || !(norm_type > 0))
            throw std::invalid_argument("leibniz::optim::clip::global_norm: max_norm must be >= 0 and norm_type > 0");
    }
    // Set by each step: the norm of its gradients before clipping (what
    // clip_grad_norm_ returns, also last_norm()) and the factor applied.
    double norm = 0;
    double coefficient = 1;

    template <class T>
    void prepare(std::span<const T> g, std::int64_t) {
        norm = detail::grad_norm(g, norm_type);
        const double c = max_norm / (norm + 1e-6);
        coefficient = c < 1.0 ? c : 1.0;  // torch.clamp(clip_coef, max=1.0)
    }
    template <class B>
    LEIBNIZ_ALWAYS_INLINE B apply(const B& g, std::size_t) const noexcept {
        using T = typename loop::scalar_of_batch<B>::type;
        return g * B(T(coefficient));
    }
    [[nodiscard]] double last_norm() const noexcept { return norm; }
};

template <class Inner = none>
struct noise {
    Inner inner{};
    double stddev = 0;     // σ: 0 adds nothing
    double gamma = 0.55;   // the variance decays as (1 + t)^-γ
    std::uint64_t seed = 0;
    // Set by each step: its step number and the standard deviation of its noise.
    std::int64_t step = 0;
    double scale = 0;

    void validate() const {
        if constexpr (requires { inner.validate(); }) inner.validate();
        if (!(stddev >= 0) || !(gamma >= 0))
            throw std::invalid_argument("leibniz::optim::clip::noise: stddev and gamma must be >= 0");
    }
    template <class T>
    void prepare(std::span<const T> g, std::int64_t t) {
        inner.prepare(g, t);
        step = t;
        scale = stddev / std::sqrt(std::pow(1.0 + double(t), gamma));
    }
    template <class B>
    LEIBNIZ_ALWAYS_INLINE B apply(const B& g, std::size_t i) const noexcept {
        using T = typename loop::scalar_of_batch<B>::type;
        if constexpr (std::is_floating_point_v<B>) {
            return inner.apply(g, i) + T(scale) * T(standard_normal<T>(i));
        } else {
            alignas(64) T lanes[B::size];
            for (std::size_t k = 0; k < B::size; ++k) lanes[k] = T(scale) * T(standard_normal<T>(i + k));
            return inner.apply(g, i) + B::load_aligned(lanes);
        }
    }
    // z_i of step t: the draw kernels::fill_normal makes for element i of stream 0 under key {seed, t}.
    template <class T>
    [[nodiscard]] double standard_normal(std::uint64_t i) const noexcept {
        const kernels::random_key key{seed, static_cast<std::uint32_t>(step)};
        const std::uint64_t pair = i & ~std::uint64_t{1};
        const double u1 = 1.0 - static_cast<double>(kernels::uniform_at<T>(key, 0, pair));
        const double u2 = static_cast<double>(kernels::uniform_at<T>(key, 0, pair + 1));
        const double r = std::sqrt(-2.0 * std::log(u1)), theta = 2.0 * std::numbers::pi * u2;
        return (i & 1) ? r * std::sin(theta) : r * std::cos(theta);
    }
    [[nodiscard]] double last_norm() const noexcept
        requires requires(const Inner& c) { c.last_norm(); }
    {
        return inner.last_norm();
    }
};

}  // namespace clip

// torch.nn.utils.clip_grad_norm_(grads, max_norm, norm_type): scales every
// gradient by min(1, max_norm / (‖g‖ + 1e-6)) and returns ‖g‖ (before clipping).
template <class Grads>
double clip_grad_norm(const Grads& grads, double max_norm, double norm_type = 2.0) {
    using T = typename Grads::scalar_type;
    const auto g = grads.flat();
    const double norm = detail::grad_norm(std::span<const T>(g.data(), g.size()), norm_type);
    const double c = max_norm / (norm + 1e-6);
    const T coefficient = T(c < 1.0 ? c : 1.0);
    for (auto& x : g) x *= coefficient;
    return norm;
}

// torch.nn.utils.clip_grad_value_(grads, clip_value): g ← clamp(g, −c, c).
template <class Grads>
void clip_grad_value(const Grads& grads, double clip_value) {
    using T = typename Grads::scalar_type;
    const T c = T(clip_value);
    for (auto& x : grads.flat()) x = x < -c ? -c : (x > c ? c : x);
}

}  // namespace leibniz::optim
