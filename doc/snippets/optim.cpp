// The examples of doc/reference/optim.md; each `// [snippet <part>]` region is
// shown there.
#include <leibniz/leibniz.hpp>
#include <leibniz/optim/optim.hpp>

#include <array>
#include <cstdio>
#include <stdexcept>
#include <string_view>

namespace lz = leibniz;
using namespace lz::literals;

// [snippet policy]
// A new update rule in 20 lines: signum (Bernstein et al. 2018), the sign of a momentum.
//   m ← β m + (1 − β) g;   θ ← θ − γ·sign(m)
template <class T = float>
struct signum {
    using scalar_type = T;
    using default_decay = lz::optim::decay::coupled;
    static constexpr std::string_view name = "signum";
    struct options { double lr = 1e-3, beta = 0.9, weight_decay = 0; bool maximize = false; };
    static constexpr std::array<std::string_view, 1> buffers{"momentum"};
    static void validate(const options& o) { if (!(o.lr >= 0)) throw std::invalid_argument("signum: lr < 0"); }
    static T initial(const options&, std::size_t) { return T(0); }
    template <class Pre>
    static void update(const options& o, std::int64_t, T* p, const T* g, std::size_t n, T* const* state, Pre&& pre) {
        namespace loop = lz::optim::loop;
        loop::sweep(p, g, n, [&](auto& pv, auto gv, std::size_t i) {
            using B = decltype(gv);
            const B m = B(T(o.beta)) * loop::load<B>(state[0] + i) + B(T(1 - o.beta)) * pre(pv, gv, i);
            loop::store(state[0] + i, m);
            pv = pv - B(T(o.lr)) * loop::select_positive(m, B(1), loop::select_negative(m, B(-1), B(0)));
        });
    }
};
// [/snippet]

int main() {
    // [snippet train]
    // y = w·x + b fitted to four points of the line y = 2x − 1.
    constexpr auto x = lz::var<"x", double, lz::shape<4>>;
    constexpr auto y = lz::var<"y", double, lz::shape<4>>;
    constexpr auto w = lz::param<"w", double>;
    constexpr auto b = lz::param<"b", double>;
    constexpr auto loss = lz::mean(lz::pow(w * x + b - y, 2_c));

    lz::tensor<double, lz::shape<4>> xs, ys;
    for (std::size_t i = 0; i < 4; ++i) {
        xs(i) = double(i);
        ys(i) = 2.0 * double(i) - 1.0;
    }
    lz::parameters params{loss};
    const auto env = lz::at(params, x = xs, y = ys);
    lz::workspace ws{loss};

    namespace opt = lz::optim;
    // Adam, a linear warmup then cosine annealing, gradients clipped to norm 1,
    // and the bias in its own group: a larger lr, no weight decay.
    opt::optimizer<opt::adam<double>, opt::schedule::warmup_cosine, opt::clip::global_norm> adam{
        params,
        {.lr = 0.1, .weight_decay = 1e-4},
        {.warmup_iters = 10, .start_factor = 0.1, .T_max = 290},
        {.max_norm = 1.0},
        opt::group({.lr = 0.2, .weight_decay = 0.0}, b)};
    for (int epoch = 0; epoch < 300; ++epoch) {
        const auto [value, grads] = lz::value_and_grad(loss, params, env, ws);
        adam.step(params, grads);
        adam.schedule_step();  // after the optimizer, as in PyTorch
        if (epoch % 100 == 0) std::printf("epoch %3d  loss %.6f  lr %.4f\n", epoch, value, adam.lr());
    }
    std::printf("w = %.4f  b = %.4f\n", params[w], params[b]);
    // [/snippet]

    // [snippet custom]
    params[w] = 0.0;
    params[b] = 0.0;
    opt::optimizer<signum<double>, opt::schedule::step> sign{params, {.lr = 0.05}, {.step_size = 50, .gamma = 0.5}};
    for (int epoch = 0; epoch < 400; ++epoch) {
        sign.step(params, lz::grad(loss, params, env, ws));
        sign.schedule_step();
    }
    std::printf("signum: w = %.3f  b = %.3f\n", params[w], params[b]);
    // [/snippet]
}
