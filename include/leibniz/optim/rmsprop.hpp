#pragma once
// RMSprop: torch.optim.RMSprop step for step.
//
//   rmsprop<T>{.lr = 1e-2, .alpha = 0.99, .eps = 1e-8, .weight_decay = 0, .momentum = 0,
//              .centered = false, .maximize = false}
//
//   v ← α v + (1−α) g²;  centered: ḡ ← α ḡ + (1−α) g, a = √(v − ḡ²) + ε;  else a = √v + ε  (ε outside the root)
//   momentum > 0: b ← μ b + g / a, θ ← θ − γ b;   else θ ← θ − γ g / a

#include <leibniz/optim/rule.hpp>

namespace leibniz::optim {

template <class T = float>
struct rmsprop {
    using scalar_type = T;
    using default_decay = decay::coupled;
    static constexpr std::string_view name = "rmsprop";
    struct options {
        double lr = 1e-2;
        double alpha = 0.99;
        double eps = 1e-8;
        double weight_decay = 0;
        double momentum = 0;
        bool centered = false;
        bool maximize = false;
    };
    static constexpr std::array<std::string_view, 3> buffers{"square_avg", "grad_avg", "momentum_buffer"};
    static bool uses(const options& o, std::size_t k) { return k == 0 || (k == 1 ? o.centered : o.momentum > 0); }

    static void validate(const options& o) {
        detail::require(o.lr >= 0, name, "invalid learning rate " + detail::text(o.lr));
        detail::require(o.eps >= 0, name, "invalid epsilon value " + detail::text(o.eps));
        detail::require(o.momentum >= 0, name, "invalid momentum value " + detail::text(o.momentum));
        detail::require(o.weight_decay >= 0, name, "invalid weight_decay value " + detail::text(o.weight_decay));
        detail::require(o.alpha >= 0, name, "invalid alpha value " + detail::text(o.alpha));
    }
    static T initial(const options&, std::size_t) { return T(0); }
    static void set_momentum(options& o, double m) { o.momentum = m; }

    template <class Pre>
    static void update(const options& o, std::int64_t, T* p, const T* g, std::size_t n, T* const* state, Pre&& pre) {
        T* sq = state[0];
        T* ga = state[1];
        T* buf = state[2];
        const T a = T(o.alpha), c = T(1 - o.alpha), eps = T(o.eps), lr = T(o.lr), mu = T(o.momentum);
        auto run = [&](auto centered, auto with_momentum) {
            loop::sweep(p, g, n, [&](auto& pv, auto gv, std::size_t i) LEIBNIZ_ALWAYS_INLINE {
                using B = decltype(gv);
                const B d = pre(pv, gv, i);
                loop::prefetch(sq, i, n);
                if constexpr (decltype(centered)::value) loop::prefetch(ga, i, n);
                if constexpr (decltype(with_momentum)::value) loop::prefetch(buf, i, n);
                const B v = B(a) * loop::load<B>(sq + i) + B(c) * (d * d);
                loop::store(sq + i, v);
                B avg;
                if constexpr (decltype(centered)::value) {
                    const B gbar = B(a) * loop::load<B>(ga + i) + B(c) * d;
                    loop::store(ga + i, gbar);
                    avg = loop::sqrt_of(v - gbar * gbar) + B(eps);
                } else {
                    avg = loop::sqrt_of(v) + B(eps);
                }
                if constexpr (decltype(with_momentum)::value) {
                    const B b = B(mu) * loop::load<B>(buf + i) + d / avg;
                    loop::store(buf + i, b);
                    pv = pv - B(lr) * b;
                } else {
                    pv = pv - B(lr) * (d / avg);
                }
            });
        };
        using yes = std::true_type;
        using no = std::false_type;
        if (o.centered)
            o.momentum > 0 ? run(yes{}, yes{}) : run(yes{}, no{});
        else
            o.momentum > 0 ? run(no{}, yes{}) : run(no{}, no{});
    }
};

}  // namespace leibniz::optim
