#pragma once
// Stochastic gradient descent with momentum: torch.optim.SGD step for step,
// and the notes' other momentum forms as the named option `form`.
//
//   sgd<T>{.lr (required, as in PyTorch), .momentum = 0, .dampening = 0,
//          .weight_decay = 0, .nesterov = false, .maximize = false, .form}
//
//   form::pytorch (default)   b₁ = g, b_t = μ b + (1−τ) g;  d = g + μ b (nesterov) or b;  θ ← θ − γ d
//                             (lr outside the buffer: an lr change does not rescale the history)
//   form::ema                 v_t = β v + (1−β) g from v₀ = 0; θ ← θ − γ v   (the notes' (1 − β) momentum)
//   form::heavy_ball          θ_{t+1} = θ_t − γ g + β (θ_t − θ_{t−1}) (no momentum term at t = 1)
//   form::velocity            v ← μ v − γ g;  θ ← θ + v   (lr inside the buffer: Sutskever; ensmallen,
//                             dlib, tiny-dnn, OpenNN) — equal to pytorch while the lr is constant
// The other forms take momentum as β and ignore dampening; nesterov is pytorch's only.

#include <leibniz/optim/rule.hpp>

namespace leibniz::optim {

enum class momentum_form { pytorch, ema, heavy_ball, velocity };

template <class T = float>
struct sgd {
    using scalar_type = T;
    using default_decay = decay::coupled;
    static constexpr std::string_view name = "sgd";
    struct options {
        double lr = std::numeric_limits<double>::quiet_NaN();  // required: torch.optim.SGD has no default
        double momentum = 0;
        double dampening = 0;
        double weight_decay = 0;
        bool nesterov = false;
        bool maximize = false;
        momentum_form form = momentum_form::pytorch;
    };
    // momentum_buffer (or the velocity v; for heavy_ball, θ_{t−1})
    static constexpr std::array<std::string_view, 1> buffers{"momentum_buffer"};
    static bool uses(const options& o, std::size_t) { return o.momentum != 0 || o.form == momentum_form::heavy_ball; }

    static void validate(const options& o) {
        detail::require(!std::isnan(o.lr), name, "lr is required (torch.optim.SGD has no default)");
        detail::require(o.lr >= 0, name, "invalid learning rate " + detail::text(o.lr));
        detail::require(o.momentum >= 0, name, "invalid momentum value " + detail::text(o.momentum));
        detail::require(o.weight_decay >= 0, name, "invalid weight_decay value " + detail::text(o.weight_decay));
        detail::require(!o.nesterov || (o.momentum > 0 && o.dampening == 0), name,
                        "nesterov momentum requires a momentum and zero dampening");
        detail::require(!o.nesterov || o.form == momentum_form::pytorch, name,
                        "nesterov is an option of the pytorch momentum form");
    }
    static T initial(const options&, std::size_t) { return T(0); }
    static void set_momentum(options& o, double m) { o.momentum = m; }

    template <class Pre>
    static void update(const options& o, std::int64_t t, T* p, const T* g, std::size_t n, T* const* state,
                       Pre&& pre) {
        T* buf = state[0];
        const T lr = T(o.lr), mu = T(o.momentum);
        if (o.momentum == 0 && o.form != momentum_form::heavy_ball) {  // no buffer: θ ← θ − γ g
            loop::sweep(p, g, n, [&](auto& pv, auto gv, std::size_t i) LEIBNIZ_ALWAYS_INLINE {
                using B = decltype(gv);
                const B d = pre(pv, gv, i);
                pv = pv - B(lr) * d;
            });
            return;
        }
        switch (o.form) {
        case momentum_form::pytorch: {
            // b = keep·b + take·d, b₁ = d (keep 0, take 1: the buffer starts at 0, so 0·b + d = d exactly)
            const T keep = t == 1 ? T(0) : mu, take = t == 1 ? T(1) : T(1 - o.dampening);
            const bool nesterov = o.nesterov;
            loop::sweep(p, g, n, [&](auto& pv, auto gv, std::size_t i) LEIBNIZ_ALWAYS_INLINE {
                using B = decltype(gv);
                const B d = pre(pv, gv, i);
                loop::prefetch(buf, i, n);
                const B b = B(keep) * loop::load<B>(buf + i) + B(take) * d;
                loop::store(buf + i, b);
                pv = pv - B(lr) * (nesterov ? d + B(mu) * b : b);
            });
            break;
        }
        case momentum_form::ema: {
            const T one_minus = T(1 - o.momentum);
            loop::sweep(p, g, n, [&](auto& pv, auto gv, std::size_t i) LEIBNIZ_ALWAYS_INLINE {
                using B = decltype(gv);
                const B d = pre(pv, gv, i);
                loop::prefetch(buf, i, n);
                const B v = B(mu) * loop::load<B>(buf + i) + B(one_minus) * d;
                loop::store(buf + i, v);
                pv = pv - B(lr) * v;
            });
            break;
        }
        case momentum_form::heavy_ball: {
            const T beta = t == 1 ? T(0) : mu;
            loop::sweep(p, g, n, [&](auto& pv, auto gv, std::size_t i) LEIBNIZ_ALWAYS_INLINE {
                using B = decltype(gv);
                const B d = pre(pv, gv, i);
                loop::prefetch(buf, i, n);
                const B previous = loop::load<B>(buf + i);
                loop::store(buf + i, pv);
                pv = pv - B(lr) * d + B(beta) * (pv - previous);
            });
            break;
        }
        case momentum_form::velocity: {
            loop::sweep(p, g, n, [&](auto& pv, auto gv, std::size_t i) LEIBNIZ_ALWAYS_INLINE {
                using B = decltype(gv);
                const B d = pre(pv, gv, i);
                loop::prefetch(buf, i, n);
                const B v = B(mu) * loop::load<B>(buf + i) - B(lr) * d;
                loop::store(buf + i, v);
                pv = pv + v;
            });
            break;
        }
        }
    }
};

}  // namespace leibniz::optim
