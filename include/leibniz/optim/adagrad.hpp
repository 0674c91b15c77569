#pragma once
// Adagrad: torch.optim.Adagrad step for step.
//
//   adagrad<T>{.lr = 1e-2, .lr_decay = 0, .weight_decay = 0, .initial_accumulator_value = 0,
//              .eps = 1e-10, .maximize = false}
//
//   γ_t = γ / (1 + (t−1)·lr_decay);  S ← S + g² (S₀ = initial_accumulator_value);  θ ← θ − γ_t g / (√S + ε)

#include <leibniz/optim/rule.hpp>

namespace leibniz::optim {

template <class T = float>
struct adagrad {
    using scalar_type = T;
    using default_decay = decay::coupled;
    static constexpr std::string_view name = "adagrad";
    struct options {
        double lr = 1e-2;
        double lr_decay = 0;
        double weight_decay = 0;
        double initial_accumulator_value = 0;
        double eps = 1e-10;
        bool maximize = false;
    };
    static constexpr std::array<std::string_view, 1> buffers{"sum"};

    static void validate(const options& o) {
        detail::require(o.lr >= 0, name, "invalid learning rate " + detail::text(o.lr));
        detail::require(o.lr_decay >= 0, name, "invalid lr_decay value " + detail::text(o.lr_decay));
        detail::require(o.weight_decay >= 0, name, "invalid weight_decay value " + detail::text(o.weight_decay));
        detail::require(o.initial_accumulator_value >= 0, name,
                        "invalid initial_accumulator_value value " + detail::text(o.initial_accumulator_value));
        detail::require(o.eps >= 0, name, "invalid epsilon value " + detail::text(o.eps));
    }
    static T initial(const options& o, std::size_t) { return T(o.initial_accumulator_value); }

    template <class Pre>
    static void update(const options& o, std::int64_t t, T* p, const T* g, std::size_t n, T* const* state, Pre&& pre) {
        T* sum = state[0];
        const T clr = T(o.lr / (1 + double(t - 1) * o.lr_decay)), eps = T(o.eps);
        loop::sweep(p, g, n, [&](auto& pv, auto gv, std::size_t i) LEIBNIZ_ALWAYS_INLINE {
            using B = decltype(gv);
            const B d = pre(pv, gv, i);
                loop::prefetch(sum, i, n);
            const B s = loop::load<B>(sum + i) + d * d;
            loop::store(sum + i, s);
            pv = pv - B(clr) * (d / (loop::sqrt_of(s) + B(eps)));
        });
    }
};

}  // namespace leibniz::optim
