// Logistic regression on the notes' insurance table (seed notes 001,
// "Application of derivative in the neural network"): have_insurance from
// age and affordability, P(y = 1) = σ(w1·age/100 + w2·affordability + b),
// trained full-batch with SGD (momentum), Adam, RMSprop, AdaGrad and L-BFGS
// (strong Wolfe), each printing its loss curve and final weights.
//
// The table is linearly separable (age + 20·affordability > 57 splits it), so
// the unpenalized maximum-likelihood weights do not exist: they grow without
// bound as the log-loss goes to 0. The model is therefore scikit-learn's
// default LogisticRegression(C = 1): L2 on the weights (not the bias),
//
//     L = (1/n) Σ [softplus(zᵢ) − yᵢ·zᵢ] + (w1² + w2²) / (2·C·n)
//
// (sklearn's objective divided by C·n: the same minimiser). Its solution,
// computed once by scikit-learn 1.2.1 (examples/ref/insurance_ref.py), is
// below; every optimizer must reach it within 1e-4, or the program exits
// with status 1.

#include <leibniz/leibniz.hpp>
#include <leibniz/optim/optim.hpp>

#include <cmath>
#include <cstdio>

namespace lz = leibniz;
namespace opt = lz::optim;

namespace {
// examples/ref/insurance_ref.py: LogisticRegression(C=1.0, tol=1e-12) on (age/100, affordability)
constexpr double ref_w1 = 0.692747766417333, ref_w2 = 0.7521690164328919, ref_b = -0.9221437238402662;

constexpr std::size_t n = 13;
constexpr double ages[n] = {22, 25, 47, 52, 46, 56, 55, 60, 62, 61, 18, 28, 27};
constexpr double affordable[n] = {1, 0, 1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0};
constexpr double insured[n] = {0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 0, 0, 0};

constexpr auto age = lz::var<"age", double, lz::shape<n>>;
constexpr auto aff = lz::var<"affordability", double, lz::shape<n>>;
constexpr auto y = lz::var<"have_insurance", double, lz::shape<n>>;
constexpr auto penalty = lz::var<"penalty", double>;  // 1 / (2·C·n)
constexpr auto w1 = lz::param<"w1", double>;
constexpr auto w2 = lz::param<"w2", double>;
constexpr auto b = lz::param<"b", double>;
constexpr auto z = w1 * age + w2 * aff + b;
constexpr auto loss = lz::mean(lz::softplus(z) - y * z) + penalty * (w1 * w1 + w2 * w2);
using store_t = decltype(lz::parameters{loss});

struct data {
    lz::tensor<double, lz::shape<n>> age, aff, y;
    data() {
        for (std::size_t i = 0; i < n; ++i) {
            age(i) = ages[i] / 100.0;
            aff(i) = affordable[i];
            y(i) = insured[i];
        }
    }
};

double distance(const store_t& p) {
    return std::fmax(std::fabs(p[w1] - ref_w1), std::fmax(std::fabs(p[w2] - ref_w2), std::fabs(p[b] - ref_b)));
}

// Trains from zero with `step(params, env, ws)` per epoch; prints the curve and the weights.
template <class Step>
bool train(const char* name, int epochs, const data& d, Step&& step) {
    store_t params{loss};
    const auto env = lz::at(params, age = d.age, aff = d.aff, y = d.y, penalty = 1.0 / (2.0 * n));
    lz::workspace ws{loss};
    std::printf("%-16s loss:", name);
    for (int e = 0; e <= epochs; ++e) {
        if (e == 0 || e == 10 || e == 100 || e == 1000 || e == epochs)
            std::printf("  [%d] %.6f", e, lz::value_and_grad(loss, params, env, ws).value);
        if (e < epochs) step(params, env, ws);
    }
    const double off = distance(params);
    std::printf("\n%16s w1 = %.6f  w2 = %.6f  b = %.6f   |Δ| from scikit-learn %.1e\n", "", params[w1], params[w2],
                params[b], off);
    return off <= 1e-4;
}

template <class Opt>
auto descend(Opt& o) {
    return [&o](store_t& params, const auto& env, auto& ws) { o.step(params, lz::grad(loss, params, env, ws)); };
}
}  // namespace

int main() {
    const data d;
    const store_t shape{loss};
    std::printf("scikit-learn: w1 = %.6f  w2 = %.6f  b = %.6f (age in hundreds of years)\n", ref_w1, ref_w2, ref_b);
    bool ok = true;

    opt::optimizer<opt::sgd<double>> sgd{shape, {.lr = 0.5, .momentum = 0.9}};
    ok = train("SGD (momentum)", 2000, d, descend(sgd)) && ok;
    opt::optimizer<opt::adam<double>, opt::schedule::cosine> adam{shape, {.lr = 0.05}, {.T_max = 3000}};
    ok = train("Adam", 3000, d, [&](store_t& p, const auto& env, auto& ws) {
        adam.step(p, lz::grad(loss, p, env, ws));
        adam.schedule_step();
    }) && ok;
    opt::optimizer<opt::rmsprop<double>, opt::schedule::cosine> rmsprop{shape, {.lr = 0.01}, {.T_max = 3000}};
    ok = train("RMSprop", 3000, d, [&](store_t& p, const auto& env, auto& ws) {
        rmsprop.step(p, lz::grad(loss, p, env, ws));
        rmsprop.schedule_step();
    }) && ok;
    opt::optimizer<opt::adagrad<double>> adagrad{shape, {.lr = 0.5}};
    ok = train("AdaGrad", 3000, d, descend(adagrad)) && ok;
    opt::lbfgs<double> lbfgs{shape, {.line_search = opt::lbfgs_line_search::strong_wolfe}};
    ok = train("L-BFGS", 3, d, [&](store_t& p, const auto& env, auto& ws) { lbfgs.step(p, loss, env, ws); }) && ok;
    return ok ? 0 : 1;
}
