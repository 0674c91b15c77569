#pragma once
// Adam and AdamW: torch.optim.Adam and torch.optim.AdamW step for step.
//
//   adam<T>{.lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0,
//           .amsgrad = false, .maximize = false}                       (coupled decay: g + λθ)
//   adamw<T>: the same with .weight_decay = 1e-2 and decay::decoupled  (θ ← θ·(1 − γλ) first)
//
//   m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²;  (AMSGrad: v̄ ← max(v̄, v), the max of the raw v)
//   θ ← θ − (γ / (1−β1^t)) · m / (√v / √(1−β2^t) + ε)
// ε is added after dividing by √(1−β2^t), as PyTorch's code (not the ε̂ form of
// ensmallen, dlib, Flashlight: 3.8× apart on small gradients at step 1).

#include <leibniz/optim/rule.hpp>

namespace leibniz::optim {

template <class T, bool Decoupled>
struct adam_rule {
    using scalar_type = T;
    using default_decay = std::conditional_t<Decoupled, decay::decoupled, decay::coupled>;
    static constexpr std::string_view name = Decoupled ? "adamw" : "adam";
    struct options {
        double lr = 1e-3;
        double beta1 = 0.9;
        double beta2 = 0.999;
        double eps = 1e-8;
        double weight_decay = Decoupled ? 1e-2 : 0.0;
        bool amsgrad = false;
        bool maximize = false;
    };
    static constexpr std::array<std::string_view, 3> buffers{"exp_avg", "exp_avg_sq", "max_exp_avg_sq"};
    static bool uses(const options& o, std::size_t k) { return k < 2 || o.amsgrad; }

    static void validate(const options& o) {
        detail::require(o.lr >= 0, name, "invalid learning rate " + detail::text(o.lr));
        detail::require(o.eps >= 0, name, "invalid epsilon value " + detail::text(o.eps));
        detail::require(o.beta1 >= 0 && o.beta1 < 1, name, "invalid beta parameter at index 0: " + detail::text(o.beta1));
        detail::require(o.beta2 >= 0 && o.beta2 < 1, name, "invalid beta parameter at index 1: " + detail::text(o.beta2));
        detail::require(o.weight_decay >= 0, name, "invalid weight_decay value " + detail::text(o.weight_decay));
    }
    static T initial(const options&, std::size_t) { return T(0); }
    static void set_momentum(options& o, double m) { o.beta1 = m; }  // one_cycle cycles β1

    template <class Pre>
    static void update(const options& o, std::int64_t t, T* p, const T* g, std::size_t n, T* const* state,
                       Pre&& pre) {
        T* m = state[0];
        T* v = state[1];
        T* vmax = state[2];
        // The scalars as PyTorch computes them, in double (Python floats).
        const double bias_correction1 = 1 - std::pow(o.beta1, double(t));
        const double bias_correction2 = 1 - std::pow(o.beta2, double(t));
        // √v / √bc2 as √v · (1/√bc2): one division per element, not two (the step
        // is bound by memory traffic once the divisions are gone; it differs from
        // PyTorch's division by at most an ulp of that quotient).
        const T step_size = T(o.lr / bias_correction1), inv_bc2_sqrt = T(1 / std::sqrt(bias_correction2));
        const T b1 = T(o.beta1), b2 = T(o.beta2), c1 = T(1 - o.beta1), c2 = T(1 - o.beta2), eps = T(o.eps);
        if (!o.amsgrad) {
            loop::sweep(p, g, n, [&](auto& pv, auto gv, std::size_t i) LEIBNIZ_ALWAYS_INLINE {
                using B = decltype(gv);
                const B d = pre(pv, gv, i);
                loop::prefetch(m, i, n);
                loop::prefetch(v, i, n);
                const B mi = B(b1) * loop::load<B>(m + i) + B(c1) * d;
                const B vi = B(b2) * loop::load<B>(v + i) + B(c2) * (d * d);
                loop::store(m + i, mi);
                loop::store(v + i, vi);
                pv = pv - B(step_size) * (mi / (loop::sqrt_of(vi) * B(inv_bc2_sqrt) + B(eps)));
            });
        } else {
            loop::sweep(p, g, n, [&](auto& pv, auto gv, std::size_t i) LEIBNIZ_ALWAYS_INLINE {
                using B = decltype(gv);
                const B d = pre(pv, gv, i);
                loop::prefetch(m, i, n);
                loop::prefetch(v, i, n);
                const B mi = B(b1) * loop::load<B>(m + i) + B(c1) * d;
                const B vi = B(b2) * loop::load<B>(v + i) + B(c2) * (d * d);
                const B top = loop::max_of(loop::load<B>(vmax + i), vi);
                loop::store(m + i, mi);
                loop::store(v + i, vi);
                loop::store(vmax + i, top);
                pv = pv - B(step_size) * (mi / (loop::sqrt_of(top) * B(inv_bc2_sqrt) + B(eps)));
            });
        }
    }
};

template <class T = float>
using adam = adam_rule<T, false>;
template <class T = float>
using adamw = adam_rule<T, true>;

}  // namespace leibniz::optim
