#pragma once
// The notes' Nesterov accelerated gradient: the gradient is taken at the
// look-ahead point θ + μv, not at θ (000, "the gradient is evaluated at the
// extrapolated (look-ahead) position"; Sutskever et al. 2013):
//
//   θ̃ = θ + μ v;   g = ∇f(θ̃);   v ← μ v − γ g;   θ ← θ + v
//
//   nesterov_lookahead<T>{.lr (required), .momentum = 0.9, .weight_decay = 0, .maximize = false}
//
// It needs the loss, not a gradient, so its step is
// `opt.step(params, loss, env, ws)`: one pass moves the store to θ̃ (keeping θ
// in a buffer), lz::grad(loss, params, env, ws) takes the gradient there (env
// binds the store, so it sees θ̃), and the update pass sets θ + v. torch's
// SGD(nesterov=True) is the other, equivalent-in-exact-arithmetic form that
// needs only ∇f(θ) (sgd's `nesterov` option).

#include <leibniz/optim/rule.hpp>

namespace leibniz::optim {

template <class T = float>
struct nesterov_lookahead {
    using scalar_type = T;
    using default_decay = decay::coupled;
    static constexpr std::string_view name = "nesterov_lookahead";
    static constexpr bool looks_ahead = true;  // the host's step(params, loss, env, ws)
    struct options {
        double lr = std::numeric_limits<double>::quiet_NaN();  // required, as sgd's
        double momentum = 0.9;
        double weight_decay = 0;
        bool maximize = false;
    };
    static constexpr std::array<std::string_view, 2> buffers{"velocity", "theta"};

    static void validate(const options& o) {
        detail::require(!std::isnan(o.lr), name, "lr is required");
        detail::require(o.lr >= 0, name, "invalid learning rate " + detail::text(o.lr));
        detail::require(o.momentum >= 0, name, "invalid momentum value " + detail::text(o.momentum));
        detail::require(o.weight_decay >= 0, name, "invalid weight_decay value " + detail::text(o.weight_decay));
    }
    static T initial(const options&, std::size_t) { return T(0); }
    static void set_momentum(options& o, double m) { o.momentum = m; }

    // θ̃ = θ + μ v, θ kept in the buffer "theta".
    static void look_ahead(const options& o, T* p, std::size_t n, T* const* state) {
        T* v = state[0];
        T* theta = state[1];
        const T mu = T(o.momentum);
        loop::sweep(p, p, n, [&](auto& pv, auto, std::size_t i) LEIBNIZ_ALWAYS_INLINE {
            using B = std::remove_cvref_t<decltype(pv)>;
            loop::store(theta + i, pv);
            pv = pv + B(mu) * loop::load<B>(v + i);
        });
    }
    // g is ∇f(θ̃) and p is θ̃: v ← μ v − γ g; θ ← θ + v.
    template <class Pre>
    static void update(const options& o, std::int64_t, T* p, const T* g, std::size_t n, T* const* state, Pre&& pre) {
        T* v = state[0];
        T* theta = state[1];
        const T mu = T(o.momentum), lr = T(o.lr);
        loop::sweep(p, g, n, [&](auto& pv, auto gv, std::size_t i) LEIBNIZ_ALWAYS_INLINE {
            using B = decltype(gv);
            const B d = pre(pv, gv, i);
            loop::prefetch(v, i, n);
            loop::prefetch(theta, i, n);
            const B vi = B(mu) * loop::load<B>(v + i) - B(lr) * d;
            loop::store(v + i, vi);
            pv = loop::load<B>(theta + i) + vi;
        });
    }
};

}  // namespace leibniz::optim
