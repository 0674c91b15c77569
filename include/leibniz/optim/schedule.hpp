#pragma once
// Learning-rate schedules (lz::optim::schedule): torch.optim.lr_scheduler's
// formulas, applied by lz::optim::optimizer to each parameter group.
//
// As in PyTorch the schedule steps after the optimizer: `opt.step(params,
// grads)` uses the current lr; `opt.schedule_step()` (once per epoch, or per
// batch: the caller decides, as with scheduler.step()) advances the epoch e
// and sets each group's lr. Construction is epoch 0.
//
//   constant                              lr = the group's lr                        (no scheduler)
//   step{.step_size, .gamma = 0.1}        ×γ every step_size epochs                   StepLR
//   multi_step{.milestones, .gamma = 0.1} ×γ at each milestone (repeats count)        MultiStepLR
//   exponential{.gamma}                   ×γ each epoch                               ExponentialLR
//   inverse_time{.decay_rate}             base / (1 + k·e)                            LambdaLR(1/(1+k·e))
//   cosine{.T_max, .eta_min = 0,          η_min + (η_{e−1} − η_min)·(1+cos(πe/T))/(1+cos(π(e−1)/T))
//          .closed_form = false}          (PyTorch's recursion), or η_min + (base − η_min)(1+cos(πe/T))/2;
//                                         neither stops at T_max: the lr climbs back   CosineAnnealingLR
//   linear{.start_factor = 1/3,           base·(s + (f − s)·min(e, n)/n), as PyTorch's ratio recursion
//          .end_factor = 1, .total_iters = 5}                                         LinearLR (warmup)
//   sequential<A, B>{a, b, .milestone}    a until the milestone, then b from its epoch 0  SequentialLR
//   warmup_cosine{.warmup_iters, .start_factor, .T_max, .eta_min}
//                                         sequential<linear, cosine> with milestone warmup_iters
//   one_cycle{.max_lr, .total_steps, .pct_start = 0.3, .anneal = cos, .cycle_momentum = true,
//             .base_momentum = 0.85, .max_momentum = 0.95, .div_factor = 25,
//             .final_div_factor = 1e4, .three_phase = false}                          OneCycleLR
//                                         also sets the rule's momentum (β1 for Adam), cycled inversely
//   reduce_on_plateau{.mode = plateau_mode::min, .factor = 0.1, .patience = 10, .threshold = 1e-4,
//             .threshold_mode = threshold_kind::rel, .cooldown = 0, .min_lr = 0, .eps = 1e-8}       ReduceLROnPlateau
//                                         advanced with opt.schedule_step(metric)
//
// A schedule is a small class: `double lr(long e, double base, double last) const`
// (e ≥ 1; e = 0 is the construction, where `last` is the base lr), optionally
// `double momentum(long e) const` with `cycles_momentum`; reduce_on_plateau
// is `bool observe(double metric)` and `double reduced(double lr) const`.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace leibniz::optim::schedule {

struct constant {
    [[nodiscard]] double lr(long, double, double last) const noexcept { return last; }
};

struct step {
    long step_size = 1;
    double gamma = 0.1;
    void validate() const {
        if (step_size < 1) throw std::invalid_argument("leibniz::optim::schedule::step: step_size must be >= 1");
    }
    [[nodiscard]] double lr(long e, double base, double last) const noexcept {
        if (e == 0) return base;  // the closed form at 0 (SequentialLR restarts a schedule with step(0))
        return e % step_size != 0 ? last : last * gamma;
    }
};

struct multi_step {
    std::vector<long> milestones;
    double gamma = 0.1;
    [[nodiscard]] double lr(long e, double base, double last) const noexcept {
        if (e == 0) {
            const auto below = std::count_if(milestones.begin(), milestones.end(), [](long m) { return m <= 0; });
            return base * std::pow(gamma, double(below));
        }
        const auto hits = std::count(milestones.begin(), milestones.end(), e);
        return hits == 0 ? last : last * std::pow(gamma, double(hits));
    }
};

struct exponential {
    double gamma = 1;
    [[nodiscard]] double lr(long e, double base, double last) const noexcept { return e == 0 ? base : last * gamma; }
};

// α₀ / (1 + k·e): Keras' InverseTimeDecay with decay_steps = 1; PyTorch spells it LambdaLR.
struct inverse_time {
    double decay_rate = 0;
    [[nodiscard]] double lr(long e, double base, double) const noexcept {
        return base * (1.0 / (1.0 + decay_rate * double(e)));
    }
};

struct cosine {
    long T_max = 1;
    double eta_min = 0;
    bool closed_form = false;
    void validate() const {
        if (T_max < 1) throw std::invalid_argument("leibniz::optim::schedule::cosine: T_max must be >= 1");
    }
    [[nodiscard]] double lr(long e, double base, double last) const noexcept {
        constexpr double pi = std::numbers::pi;
        const double T = double(T_max);
        if (e == 0 || closed_form) return eta_min + (base - eta_min) * (1 + std::cos(pi * double(e) / T)) / 2;
        if ((e - 1 - T_max) % (2 * T_max) == 0) return last + (base - eta_min) * (1 - std::cos(pi / T)) / 2;
        return (1 + std::cos(pi * double(e) / T)) / (1 + std::cos(pi * double(e - 1) / T)) * (last - eta_min) +
               eta_min;
    }
};

struct linear {
    double start_factor = 1.0 / 3.0;
    double end_factor = 1.0;
    long total_iters = 5;
    void validate() const {
        if (!(start_factor > 0 && start_factor <= 1) || !(end_factor >= 0 && end_factor <= 1))
            throw std::invalid_argument(
                "leibniz::optim::schedule::linear: start_factor must be in (0, 1] and end_factor in [0, 1]");
    }
    [[nodiscard]] double lr(long e, double base, double last) const noexcept {
        if (e == 0) return base * start_factor;
        if (e > total_iters) return last;
        return last * (1.0 + (end_factor - start_factor) /
                                 (double(total_iters) * start_factor + double(e - 1) * (end_factor - start_factor)));
    }
};

// a for epochs [0, milestone), then b restarted at its epoch 0 (its closed form: PyTorch's scheduler.step(0)).
template <class A, class B>
struct sequential {
    A first{};
    B second{};
    long milestone = 0;
    void validate() const {
        if constexpr (requires { first.validate(); }) first.validate();
        if constexpr (requires { second.validate(); }) second.validate();
    }
    [[nodiscard]] double lr(long e, double base, double last) const {
        if (e < milestone) return first.lr(e, base, last);
        if (e == milestone) return second.lr(0, base, base);
        return second.lr(e - milestone, base, last);
    }
};

// Linear warmup over warmup_iters epochs, then cosine annealing (SequentialLR(LinearLR, CosineAnnealingLR)).
struct warmup_cosine {
    long warmup_iters = 5;
    double start_factor = 1.0 / 3.0;
    long T_max = 1;
    double eta_min = 0;
    [[nodiscard]] sequential<linear, cosine> parts() const {
        return {linear{start_factor, 1.0, warmup_iters}, cosine{T_max, eta_min, false}, warmup_iters};
    }
    void validate() const { parts().validate(); }
    [[nodiscard]] double lr(long e, double base, double last) const { return parts().lr(e, base, last); }
};

enum class anneal { cos, linear };

struct one_cycle {
    double max_lr = 0;
    long total_steps = 0;
    double pct_start = 0.3;
    anneal anneal_strategy = anneal::cos;
    bool cycle_momentum = true;
    double base_momentum = 0.85;
    double max_momentum = 0.95;
    double div_factor = 25;
    double final_div_factor = 1e4;
    bool three_phase = false;
    static constexpr bool cycles_momentum = true;

    void validate() const {
        if (total_steps <= 0)
            throw std::invalid_argument("leibniz::optim::schedule::one_cycle: total_steps must be a positive integer");
        if (pct_start < 0 || pct_start > 1)
            throw std::invalid_argument("leibniz::optim::schedule::one_cycle: pct_start must be in [0, 1]");
    }
    [[nodiscard]] double lr(long e, double, double) const { return at(e).first; }
    [[nodiscard]] double momentum(long e) const { return at(e).second; }

private:
    [[nodiscard]] double anneal_between(double start, double end, double pct) const noexcept {
        if (anneal_strategy == anneal::linear) return (end - start) * pct + start;
        return end + (start - end) / 2.0 * (std::cos(std::numbers::pi * pct) + 1);
    }
    // (lr, momentum) at step e, PyTorch's phases.
    [[nodiscard]] std::pair<double, double> at(long e) const {
        if (e > total_steps)
            throw std::out_of_range("leibniz::optim::schedule::one_cycle: tried to step " + std::to_string(e + 1) +
                                    " times; the specified number of total steps is " + std::to_string(total_steps));
        const double initial = max_lr / div_factor, min_lr = initial / final_div_factor;
        const double N = double(total_steps);
        struct phase {
            double end_step, start_lr, end_lr, start_m, end_m;
        };
        const phase two[2] = {{pct_start * N - 1, initial, max_lr, max_momentum, base_momentum},
                              {N - 1, max_lr, min_lr, base_momentum, max_momentum}};
        const phase three[3] = {{pct_start * N - 1, initial, max_lr, max_momentum, base_momentum},
                                {2 * pct_start * N - 2, max_lr, initial, base_momentum, max_momentum},
                                {N - 1, initial, min_lr, max_momentum, max_momentum}};
        const std::span<const phase> phases = three_phase ? std::span<const phase>(three) : std::span<const phase>(two);
        double start_step = 0;
        for (std::size_t i = 0; i < phases.size(); ++i) {
            const phase& ph = phases[i];
            if (double(e) <= ph.end_step || i == phases.size() - 1) {
                const double pct = (double(e) - start_step) / (ph.end_step - start_step);
                return {anneal_between(ph.start_lr, ph.end_lr, pct), anneal_between(ph.start_m, ph.end_m, pct)};
            }
            start_step = ph.end_step;
        }
        return {min_lr, max_momentum};  // not reached
    }
};

enum class plateau_mode { min, max };
enum class threshold_kind { rel, abs };

struct reduce_on_plateau {
    plateau_mode mode = plateau_mode::min;
    double factor = 0.1;
    long patience = 10;
    double threshold = 1e-4;
    threshold_kind threshold_mode = threshold_kind::rel;
    long cooldown = 0;
    double min_lr = 0;
    double eps = 1e-8;
    static constexpr bool takes_metric = true;
    // The state (set by reset() and observe(); saved with the optimizer's state).
    double best = std::numeric_limits<double>::quiet_NaN();
    double num_bad_epochs = 0;
    double cooldown_counter = 0;

    void validate() const {
        if (factor >= 1.0) throw std::invalid_argument("leibniz::optim::schedule::reduce_on_plateau: factor should be < 1.0");
    }
    [[nodiscard]] double lr(long, double, double last) const noexcept { return last; }

    // Records a metric; true when the lr is to be reduced (the counter and cooldown then restart).
    bool observe(double metric) {
        if (better(metric)) {
            best = metric;
            num_bad_epochs = 0;
        } else {
            ++num_bad_epochs;
        }
        if (cooldown_counter > 0) {
            --cooldown_counter;
            num_bad_epochs = 0;  // bad epochs in cooldown do not count
        }
        if (num_bad_epochs > patience) {
            cooldown_counter = cooldown;
            num_bad_epochs = 0;
            return true;
        }
        return false;
    }
    // max(lr·factor, min_lr), applied only when it moves the lr by more than eps.
    [[nodiscard]] double reduced(double old) const noexcept {
        const double next = std::max(old * factor, min_lr);
        return old - next > eps ? next : old;
    }
    void reset() noexcept {
        best = mode == plateau_mode::min ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
        num_bad_epochs = 0;
        cooldown_counter = 0;
    }
    // best, num_bad_epochs, cooldown_counter (for checkpoints)
    template <class F>
    void for_each_state(F&& f) {
        f("plateau.best", std::span<double>(&best, 1));
        f("plateau.num_bad_epochs", std::span<double>(&num_bad_epochs, 1));
        f("plateau.cooldown_counter", std::span<double>(&cooldown_counter, 1));
    }

private:
    [[nodiscard]] bool better(double a) const noexcept {
        if (mode == plateau_mode::min)
            return threshold_mode == threshold_kind::rel ? a < best * (1.0 - threshold) : a < best - threshold;
        return threshold_mode == threshold_kind::rel ? a > best * (threshold + 1.0) : a > best + threshold;
    }
};

}  // namespace leibniz::optim::schedule
