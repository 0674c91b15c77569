#pragma once
// Delta-bar-delta (Jacobs 1988): a learning rate per parameter that grows
// additively while the gradient keeps its sign and shrinks multiplicatively
// when it flips (the notes, 001: "one of the earliest methods for adjusting
// parameter-specific learning rates"; meant for full-batch gradient descent).
//
//   delta_bar_delta<T>{.lr = 1e-2 (each rate's start), .kappa = 1e-3, .phi = 0.1, .theta = 0.7,
//                      .weight_decay = 0, .maximize = false}
//
//   s = δ̄·g  (δ̄ the smoothed past gradient, 0 at the first step)
//   rate ← rate + κ where s > 0;  rate·(1 − φ) where s < 0;  unchanged where s = 0
//   θ ← θ − rate·g;   δ̄ ← (1 − θ_s)·g + θ_s·δ̄
// No torch.optim counterpart; test/ref/make_optim_ref.py writes the same rule
// in Python as the reference. The lr option is only the rates' start: a
// schedule's lr does not act on it.

#include <leibniz/optim/rule.hpp>

namespace leibniz::optim {

template <class T = float>
struct delta_bar_delta {
    using scalar_type = T;
    using default_decay = decay::coupled;
    static constexpr std::string_view name = "delta_bar_delta";
    struct options {
        double lr = 1e-2;
        double kappa = 1e-3;
        double phi = 0.1;
        double theta = 0.7;
        double weight_decay = 0;
        bool maximize = false;
    };
    static constexpr std::array<std::string_view, 2> buffers{"rate", "bar"};

    static void validate(const options& o) {
        detail::require(o.lr >= 0, name, "invalid learning rate " + detail::text(o.lr));
        detail::require(o.kappa >= 0, name, "invalid kappa " + detail::text(o.kappa));
        detail::require(o.phi >= 0 && o.phi <= 1, name, "phi must be in [0, 1], got " + detail::text(o.phi));
        detail::require(o.theta >= 0 && o.theta < 1, name, "theta must be in [0, 1), got " + detail::text(o.theta));
        detail::require(o.weight_decay >= 0, name, "invalid weight_decay value " + detail::text(o.weight_decay));
    }
    static T initial(const options& o, std::size_t k) { return k == 0 ? T(o.lr) : T(0); }

    template <class Pre>
    static void update(const options& o, std::int64_t, T* p, const T* g, std::size_t n, T* const* state, Pre&& pre) {
        T* rate = state[0];
        T* bar = state[1];
        const T kappa = T(o.kappa), shrink = T(1 - o.phi), th = T(o.theta), one_minus = T(1 - o.theta);
        loop::sweep(p, g, n, [&](auto& pv, auto gv, std::size_t i) LEIBNIZ_ALWAYS_INLINE {
            using B = decltype(gv);
            const B d = pre(pv, gv, i);
                loop::prefetch(rate, i, n);
                loop::prefetch(bar, i, n);
            const B old_bar = loop::load<B>(bar + i), r = loop::load<B>(rate + i);
            const B s = old_bar * d;
            const B next = loop::select_positive(s, r + B(kappa), loop::select_negative(s, r * B(shrink), r));
            loop::store(rate + i, next);
            pv = pv - next * d;
            loop::store(bar + i, B(one_minus) * d + B(th) * old_bar);
        });
    }
};

}  // namespace leibniz::optim
