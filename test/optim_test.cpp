// lz::optim against torch.optim: 50-step trajectories of every update rule
// and option on a fixed non-quadratic objective with four parameter tensors,
// and the lr (and momentum) sequences of every schedule, from
// test/optim/optim_ref.txt (test/ref/make_optim_ref.py, PyTorch 1.13,
// float64). The objective is written here too and its gradient taken with
// lz::grad at each step, so a trajectory checks the gradient as well as the
// optimizer. Agreement: within 1e-12 relative in double.
// Also: parameter groups, clipping (policies and free functions), gradient
// noise (the engine's Philox draws), state save and load, reset, misuse, and
// no allocation inside a step (counted).
#define BOOST_TEST_MODULE optim
#include <boost/test/unit_test.hpp>

#include "counting_new.hpp"

#include <leibniz/leibniz.hpp>
#include <leibniz/optim/optim.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace lz = leibniz;
namespace opt = lz::optim;
namespace sch = lz::optim::schedule;
using namespace lz::literals;

namespace {

// ------------------------------------------------------------ the reference file

struct reference {
    std::map<std::string, std::vector<double>> data, traj, seq;
    std::vector<double> init;
    std::vector<int> rows;
    reference() {
        std::ifstream in(LEIBNIZ_OPTIM_REF);
        if (!in) throw std::runtime_error("optim_test: cannot open " LEIBNIZ_OPTIM_REF);
        std::string word;
        auto numbers = [&](std::size_t n) {
            std::vector<double> v(n);
            for (auto& x : v) in >> x;
            return v;
        };
        std::size_t count = 0;
        while (in >> word) {
            if (word == "#") {
                std::getline(in, word);
            } else if (word == "data") {
                in >> word;
                data[word] = numbers(word == "X" ? 15 : 5);
            } else if (word == "init") {
                init = numbers(11);
            } else if (word == "rows") {
                in >> count;
                rows.resize(count);
                for (auto& r : rows) in >> r;
            } else if (word == "traj") {
                in >> word;
                traj[word] = numbers(rows.size() * 11);
            } else if (word == "seq") {
                std::size_t n = 0;
                in >> word >> n;
                seq[word] = numbers(n);
            } else {
                throw std::runtime_error("optim_test: unexpected token " + word);
            }
        }
    }
};
const reference& ref() {
    static const reference r;
    return r;
}

// ------------------------------------------------------------ the objective

constexpr auto X = lz::var<"X", double, lz::shape<5, 3>>;
constexpr auto Y = lz::var<"y", double, lz::shape<5, 1>>;
constexpr auto W = lz::param<"W", double, lz::shape<3, 2>>;
constexpr auto b = lz::param<"b", double, lz::shape<2>>;
constexpr auto v = lz::param<"v", double, lz::shape<2, 1>>;
constexpr auto c = lz::param<"c", double>;
constexpr auto loss = lz::mean(lz::pow(lz::matmul(lz::tanh(lz::matmul(X, W) + b), v) + c - Y, 2_c));
using store_t = decltype(lz::parameters{loss});
using grads_t = lz::parameter_view<double, lz::params_of<decltype(loss)>>;

struct problem {
    store_t params{loss};
    lz::tensor<double, lz::shape<5, 3>> xs;
    lz::tensor<double, lz::shape<5, 1>> ys;
    decltype(lz::workspace{loss}) ws{loss};
    problem() {
        std::copy(ref().data.at("X").begin(), ref().data.at("X").end(), xs.data());
        std::copy(ref().data.at("y").begin(), ref().data.at("y").end(), ys.data());
        restart();
    }
    void restart() { std::copy(ref().init.begin(), ref().init.end(), params.flat().data()); }
    grads_t gradient() { return lz::grad(loss, params, lz::at(params, X = xs, Y = ys), ws); }
    double value() { return lz::value_and_grad(loss, params, lz::at(params, X = xs, Y = ys), ws).value; }
};

// The largest relative difference of the recorded rows, ‖θ − θ_torch‖∞ / ‖θ_torch‖∞ (normwise:
// some parameters cross zero on the way), over the 50 steps of `step_once`.
template <class Step>
double trajectory_error(problem& pb, const std::string& name, Step&& step_once) {
    const auto& want = ref().traj.at(name);
    double worst = 0;
    std::size_t row = 0;
    for (int t = 1; t <= 50; ++t) {
        step_once(t);
        if (row < ref().rows.size() && ref().rows[row] == t) {
            double diff = 0, size = 0;
            for (std::size_t k = 0; k < 11; ++k) {
                const double w = want[row * 11 + k], got = pb.params.flat()[k];
                diff = std::max(diff, std::abs(got - w));
                size = std::max(size, std::abs(w));
            }
            worst = std::max(worst, diff / size);
            ++row;
        }
    }
    return worst;
}

// The optimizer's own loop: step, then the schedule.
template <class Opt>
double run(problem& pb, const std::string& name, Opt& o) {
    return trajectory_error(pb, name, [&](int) {
        o.step(pb.params, pb.gradient());
        if constexpr (!std::is_same_v<typename Opt::schedule_type, sch::constant>) o.schedule_step();
    });
}

constexpr double tolerance = 1e-12;

template <class Opt, class... A>
double check(const std::string& name, A&&... args) {
    problem pb;
    Opt o{pb.params, std::forward<A>(args)...};
    const double e = run(pb, name, o);
    BOOST_TEST_MESSAGE(name << ": largest relative difference " << e);
    BOOST_TEST(e <= tolerance, name << ": largest relative difference " << e);
    return e;
}

using sgd_t = opt::optimizer<opt::sgd<double>>;
using adam_t = opt::optimizer<opt::adam<double>>;
using adamw_t = opt::optimizer<opt::adamw<double>>;
using rmsprop_t = opt::optimizer<opt::rmsprop<double>>;
using adagrad_t = opt::optimizer<opt::adagrad<double>>;

}  // namespace

// ------------------------------------------------------------ update rules

BOOST_AUTO_TEST_CASE(sgd_matches_torch) {
    check<sgd_t>("sgd", sgd_t::options_type{.lr = 0.1});
    check<sgd_t>("sgd_momentum", sgd_t::options_type{.lr = 0.05, .momentum = 0.9});
    check<sgd_t>("sgd_dampening", sgd_t::options_type{.lr = 0.05, .momentum = 0.9, .dampening = 0.3});
    check<sgd_t>("sgd_nesterov", sgd_t::options_type{.lr = 0.05, .momentum = 0.9, .nesterov = true});
    check<sgd_t>("sgd_weight_decay", sgd_t::options_type{.lr = 0.05, .momentum = 0.5, .weight_decay = 0.1});
    check<sgd_t>("sgd_maximize", sgd_t::options_type{.lr = 0.01, .momentum = 0.5, .maximize = true});
}

BOOST_AUTO_TEST_CASE(adam_and_adamw_match_torch) {
    check<adam_t>("adam", adam_t::options_type{.lr = 0.01});
    check<adam_t>("adam_amsgrad", adam_t::options_type{.lr = 0.01, .amsgrad = true});
    check<adam_t>("adam_weight_decay", adam_t::options_type{.lr = 0.01, .weight_decay = 0.1});
    static_assert(adamw_t::options_type{}.weight_decay == 1e-2);  // torch.optim.AdamW's default
    check<adamw_t>("adamw", adamw_t::options_type{.lr = 0.01});
    check<adamw_t>("adamw_amsgrad",
                   adamw_t::options_type{.lr = 0.01, .beta1 = 0.8, .beta2 = 0.99, .weight_decay = 0.1, .amsgrad = true});
}

BOOST_AUTO_TEST_CASE(rmsprop_matches_torch) {
    check<rmsprop_t>("rmsprop", rmsprop_t::options_type{.lr = 0.01});
    check<rmsprop_t>("rmsprop_centered", rmsprop_t::options_type{.lr = 0.01, .centered = true});
    check<rmsprop_t>("rmsprop_momentum", rmsprop_t::options_type{.lr = 0.01, .momentum = 0.9});
    check<rmsprop_t>("rmsprop_centered_momentum_wd",
                     rmsprop_t::options_type{
                         .lr = 0.005, .alpha = 0.9, .weight_decay = 0.05, .momentum = 0.5, .centered = true});
}

BOOST_AUTO_TEST_CASE(adagrad_matches_torch) {
    check<adagrad_t>("adagrad", adagrad_t::options_type{.lr = 0.1});
    check<adagrad_t>("adagrad_lr_decay_initial",
                     adagrad_t::options_type{.lr = 0.1, .lr_decay = 0.05, .initial_accumulator_value = 0.5});
}

BOOST_AUTO_TEST_CASE(the_notes_forms_and_delta_bar_delta_match_their_formulas) {
    using form = opt::momentum_form;
    check<sgd_t>("sgd_ema", sgd_t::options_type{.lr = 0.1, .momentum = 0.9, .form = form::ema});
    check<sgd_t>("sgd_heavy_ball", sgd_t::options_type{.lr = 0.05, .momentum = 0.9, .form = form::heavy_ball});
    using sgd_step_t = opt::optimizer<opt::sgd<double>, sch::step>;
    check<sgd_step_t>("sgd_velocity_step_lr", sgd_step_t::options_type{.lr = 0.1, .momentum = 0.9, .form = form::velocity},
                      sch::step{.step_size = 10, .gamma = 0.5});
    // The same schedule with PyTorch's form: torch's own trajectory (the two forms part at the first lr change).
    check<sgd_step_t>("sgd_momentum_step_lr", sgd_step_t::options_type{.lr = 0.1, .momentum = 0.9},
                      sch::step{.step_size = 10, .gamma = 0.5});
    // The notes' Nesterov: the gradient at the look-ahead point, so the step takes the loss.
    {
        problem pb;
        opt::optimizer<opt::nesterov_lookahead<double>> o{pb.params, {.lr = 0.05, .momentum = 0.9}};
        const auto env = lz::at(pb.params, X = pb.xs, Y = pb.ys);
        const double e = trajectory_error(pb, "nesterov_lookahead", [&](int) { o.step(pb.params, loss, env, pb.ws); });
        BOOST_TEST_MESSAGE("nesterov_lookahead: largest relative difference " << e);
        BOOST_TEST(e <= tolerance, "nesterov_lookahead: " << e);
    }
    using dbd_t = opt::optimizer<opt::delta_bar_delta<double>>;
    check<dbd_t>("delta_bar_delta", dbd_t::options_type{.lr = 0.05, .kappa = 0.002, .phi = 0.2, .theta = 0.7});
}

// ------------------------------------------------------------ groups, schedules with a rule, clipping

BOOST_AUTO_TEST_CASE(parameter_groups_match_torch_param_groups) {
    // W and v with the defaults; b and c with their own lr and no weight decay.
    check<sgd_t>("sgd_two_groups", sgd_t::options_type{.lr = 0.05, .momentum = 0.9, .weight_decay = 0.1},
                 opt::schedule::constant{}, opt::clip::none{}, opt::group({.lr = 0.2, .weight_decay = 0.0}, b, c));
    problem pb;
    adam_t o{pb.params, {.lr = 0.01, .weight_decay = 0.05}, {}, {}, opt::group({.lr = 0.03, .weight_decay = 0.0}, c, b)};
    BOOST_TEST(o.group_count() == 2u);
    BOOST_TEST(o.lr(0) == 0.01);
    BOOST_TEST(o.lr(1) == 0.03);
    BOOST_TEST(o.options(1).weight_decay == 0.0);
    const double e = run(pb, "adam_two_groups", o);
    BOOST_TEST(e <= tolerance, "adam_two_groups: " << e);
    // A group may change any option (here: the same as above, spelled in full).
    problem full;
    adam_t f{full.params, {.lr = 0.01, .weight_decay = 0.05}, {}, {},
             opt::group(adam_t::options_type{.lr = 0.03, .weight_decay = 0.0}, c, b)};
    const double e_full = run(full, "adam_two_groups", f);
    BOOST_TEST(e_full <= tolerance, "adam_two_groups, full options: " << e_full);
    problem ams;
    adam_t a2{ams.params, {.lr = 0.01}, {}, {}, opt::group(adam_t::options_type{.lr = 0.01, .amsgrad = true}, b)};
    BOOST_TEST(a2.options(1).amsgrad);
    a2.step(ams.params, ams.gradient());
    // A leaf in two groups is a run-time error naming the problem.
    problem pb2;
    BOOST_CHECK_EXCEPTION((adam_t{pb2.params, {}, {}, {}, opt::group({.lr = 0.1}, b), opt::group({}, b, c)}),
                          std::invalid_argument, [](const std::invalid_argument& e) {
                              return std::string(e.what()).find("two parameter groups") != std::string::npos;
                          });
}

BOOST_AUTO_TEST_CASE(one_cycle_cycles_adams_beta1_as_torch) {
    using t = opt::optimizer<opt::adam<double>, sch::one_cycle>;
    check<t>("adam_one_cycle", t::options_type{.lr = 0.01}, sch::one_cycle{.max_lr = 0.05, .total_steps = 50});
}

BOOST_AUTO_TEST_CASE(clipping_matches_torch) {
    using norm_t = opt::optimizer<opt::sgd<double>, sch::constant, opt::clip::global_norm>;
    check<norm_t>("sgd_clip_norm", norm_t::options_type{.lr = 0.1, .momentum = 0.5}, sch::constant{},
                  opt::clip::global_norm{.max_norm = 0.5});
    using value_t = opt::optimizer<opt::adam<double>, sch::constant, opt::clip::value>;
    check<value_t>("adam_clip_value", value_t::options_type{.lr = 0.01}, sch::constant{},
                   opt::clip::value{.clip_value = 0.05});
    // The free functions, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_ before an unclipped step.
    {
        problem pb;
        sgd_t o{pb.params, {.lr = 0.1, .momentum = 0.5}};
        const double e = trajectory_error(pb, "sgd_clip_norm", [&](int) {
            const auto g = pb.gradient();
            std::vector<double> before(g.flat().begin(), g.flat().end());
            const double norm = opt::clip_grad_norm(g, 0.5);
            double sq = 0;
            for (double x : before) sq += x * x;
            BOOST_TEST(std::abs(norm - std::sqrt(sq)) <= 1e-14 * std::sqrt(sq));
            o.step(pb.params, g);
        });
        BOOST_TEST(e <= tolerance, "clip_grad_norm: " << e);
    }
    {
        problem pb;
        adam_t o{pb.params, {.lr = 0.01}};
        const double e = trajectory_error(pb, "adam_clip_value", [&](int) {
            const auto g = pb.gradient();
            opt::clip_grad_value(g, 0.05);
            o.step(pb.params, g);
        });
        BOOST_TEST(e <= tolerance, "clip_grad_value: " << e);
    }
    // The policy reports the norm before clipping.
    problem pb;
    norm_t o{pb.params, {.lr = 0.1}, {}, {.max_norm = 0.5}};
    const auto g = pb.gradient();
    double sq = 0;
    for (double x : g.flat()) sq += x * x;
    o.step(pb.params, g);
    BOOST_TEST(std::abs(o.clip().last_norm() - std::sqrt(sq)) <= 1e-14 * std::sqrt(sq));
}

BOOST_AUTO_TEST_CASE(float_parameters_follow_the_double_reference) {
    // adam<float> over a float store; each step's gradient is the double
    // objective's at the float parameters, rounded to float.
    using fW = decltype(lz::param<"W", float, lz::shape<3, 2>>);
    using fb = decltype(lz::param<"b", float, lz::shape<2>>);
    using fv = decltype(lz::param<"v", float, lz::shape<2, 1>>);
    using fc = decltype(lz::param<"c", float>);
    using fleaves = boost::mp11::mp_list<fW, fb, fv, fc>;
    lz::parameters<fleaves> fparams;
    std::vector<float> fgrad(11);
    problem pb;
    for (std::size_t k = 0; k < 11; ++k) fparams.flat()[k] = float(ref().init[k]);
    opt::optimizer<opt::adam<float>> o{fparams, {.lr = 0.01}};
    const auto& want = ref().traj.at("adam");
    double worst = 0;
    std::size_t row = 0;
    for (int t = 1; t <= 50; ++t) {
        for (std::size_t k = 0; k < 11; ++k) pb.params.flat()[k] = double(fparams.flat()[k]);
        const auto g = pb.gradient();
        for (std::size_t k = 0; k < 11; ++k) fgrad[k] = float(g.flat()[k]);
        o.step(fparams, lz::parameter_view<float, fleaves>(fgrad.data()));
        if (ref().rows[row] == t) {
            double diff = 0, size = 0;
            for (std::size_t k = 0; k < 11; ++k) {
                diff = std::max(diff, std::abs(double(fparams.flat()[k]) - want[row * 11 + k]));
                size = std::max(size, std::abs(want[row * 11 + k]));
            }
            worst = std::max(worst, diff / size);
            ++row;
        }
    }
    BOOST_TEST_MESSAGE("adam<float>: largest relative difference " << worst);
    BOOST_TEST(worst <= 1e-4);
}

// ------------------------------------------------------------ schedules

namespace {
// The lr of every group at epochs 0..n against the reference sequence(s).
template <class Schedule, class Rule = opt::sgd<double>, class... G>
void check_sequence(const std::string& name, Schedule s, std::size_t groups = 1, G... g) {
    problem pb;
    typename Rule::options o{};
    o.lr = 0.1;
    opt::optimizer<Rule, Schedule> op{pb.params, o, s, {}, g...};
    const auto& first = ref().seq.at(groups == 1 ? name : name + ".0");
    const std::size_t n = first.size();
    double worst = 0;
    for (std::size_t e = 0; e < n; ++e) {
        if (e > 0) {
            if constexpr (requires { Schedule::takes_metric; })
                op.schedule_step(ref().seq.at("metrics")[e - 1]);
            else
                op.schedule_step();
        }
        for (std::size_t k = 0; k < groups; ++k) {
            const double want = ref().seq.at(groups == 1 ? name : name + "." + std::to_string(k))[e];
            worst = std::max(worst, std::abs(op.lr(k) - want) / std::abs(want));
        }
        if constexpr (requires { Schedule::cycles_momentum; }) {
            const double want = ref().seq.at(name + ".momentum")[e];
            double got = 0;
            if constexpr (requires { op.options().beta1; })
                got = op.options().beta1;
            else
                got = op.options().momentum;
            worst = std::max(worst, std::abs(got - want) / want);
        }
    }
    BOOST_TEST_MESSAGE(name << ": largest relative difference " << worst);
    BOOST_TEST(worst <= tolerance, name << ": " << worst);
}
}  // namespace

BOOST_AUTO_TEST_CASE(schedules_match_torch_lr_scheduler) {
    check_sequence("step", sch::step{.step_size = 7, .gamma = 0.5}, 2, opt::group({.lr = 0.03}, b, c));
    check_sequence("multi_step", sch::multi_step{.milestones = {5, 12, 12, 30}, .gamma = 0.3});
    check_sequence("exponential", sch::exponential{.gamma = 0.93});
    check_sequence("inverse_time", sch::inverse_time{.decay_rate = 0.2});
    check_sequence("cosine", sch::cosine{.T_max = 12, .eta_min = 0.005});
    check_sequence("cosine", sch::cosine{.T_max = 12, .eta_min = 0.005, .closed_form = true});
    check_sequence("linear_default", sch::linear{});
    check_sequence("linear", sch::linear{.start_factor = 0.25, .end_factor = 0.9, .total_iters = 8});
    check_sequence("warmup_cosine", sch::warmup_cosine{.warmup_iters = 5, .start_factor = 0.1, .T_max = 20,
                                                       .eta_min = 0.001});
    check_sequence("warmup_cosine", sch::sequential<sch::linear, sch::cosine>{
                                        {.start_factor = 0.1, .total_iters = 5}, {.T_max = 20, .eta_min = 0.001}, 5});
    check_sequence("sequential_exp_step",
                   sch::sequential<sch::exponential, sch::step>{{.gamma = 0.9}, {.step_size = 4, .gamma = 0.5}, 10});
    check_sequence("one_cycle", sch::one_cycle{.max_lr = 0.8, .total_steps = 50});
    check_sequence<sch::one_cycle, opt::adam<double>>(
        "one_cycle_three_phase_linear",
        sch::one_cycle{.max_lr = 0.5, .total_steps = 40, .pct_start = 0.25, .anneal_strategy = sch::anneal::linear,
                       .base_momentum = 0.8, .max_momentum = 0.9, .div_factor = 10, .final_div_factor = 100,
                       .three_phase = true});
    check_sequence("plateau_min_rel", sch::reduce_on_plateau{.factor = 0.5, .patience = 3, .cooldown = 2, .min_lr = 0.01});
    check_sequence("plateau_max_abs", sch::reduce_on_plateau{.mode = sch::plateau_mode::max, .factor = 0.3,
                                                             .patience = 2, .threshold = 0.01,
                                                             .threshold_mode = sch::threshold_kind::abs,
                                                             .min_lr = 0.001, .eps = 1e-3});
    check_sequence("plateau_defaults", sch::reduce_on_plateau{});
}

BOOST_AUTO_TEST_CASE(one_cycle_past_its_steps_and_bad_options_throw) {
    problem pb;
    opt::optimizer<opt::sgd<double>, sch::one_cycle> o{pb.params, {.lr = 0.1, .momentum = 0.9},
                                                        {.max_lr = 1, .total_steps = 3}};
    for (int e = 0; e < 3; ++e) o.schedule_step();
    BOOST_CHECK_THROW(o.schedule_step(), std::out_of_range);
    BOOST_CHECK_THROW(sgd_t(pb.params), std::invalid_argument);  // lr is required, as torch.optim.SGD
    BOOST_CHECK_THROW(sgd_t(pb.params, {.lr = 0.1, .nesterov = true}), std::invalid_argument);
    BOOST_CHECK_THROW(adam_t(pb.params, {.beta1 = 1.0}), std::invalid_argument);
    BOOST_CHECK_THROW((opt::optimizer<opt::adagrad<double>, sch::one_cycle>{pb.params, {}, {.max_lr = 1, .total_steps = 3}}),
                      std::invalid_argument);  // no momentum to cycle
}

// ------------------------------------------------------------ state, reset, noise, allocation

BOOST_AUTO_TEST_CASE(state_saved_and_loaded_midway_continues_the_same_run) {
    using t = opt::optimizer<opt::adam<double>, sch::one_cycle>;
    const t::options_type options{.lr = 0.01};
    const sch::one_cycle cycle{.max_lr = 0.05, .total_steps = 50};
    problem straight;
    t a{straight.params, options, cycle};
    for (int s = 0; s < 50; ++s) {
        a.step(straight.params, straight.gradient());
        a.schedule_step();
    }
    // 20 steps, save everything, a new optimizer loads it and takes the other 30.
    problem pb;
    std::map<std::string, std::vector<double>> saved;
    {
        t first{pb.params, options, cycle};
        for (int s = 0; s < 20; ++s) {
            first.step(pb.params, pb.gradient());
            first.schedule_step();
        }
        first.for_each_state([&](std::string_view name, auto span) {
            saved[std::string(name)].assign(span.begin(), span.end());
        });
    }
    BOOST_TEST(saved.count("exp_avg") == 1u);
    BOOST_TEST(saved.at("step")[0] == 20.0);
    t second{pb.params, options, cycle};
    second.for_each_state([&](std::string_view name, auto span) {
        const auto& from = saved.at(std::string(name));
        for (std::size_t i = 0; i < span.size(); ++i) span[i] = static_cast<typename decltype(span)::value_type>(from[i]);
    });
    BOOST_TEST(second.steps() == 20);
    BOOST_TEST(second.options().beta1 == cycle.momentum(20));  // the loaded epoch's cycled beta1
    for (int s = 20; s < 50; ++s) {
        second.step(pb.params, pb.gradient());
        second.schedule_step();
    }
    for (std::size_t k = 0; k < 11; ++k) BOOST_TEST(pb.params.flat()[k] == straight.params.flat()[k]);
    // reset(): the first run again, bit for bit.
    pb.restart();
    second.reset();
    BOOST_TEST(second.steps() == 0);
    BOOST_TEST(std::abs(second.lr() - ref().seq.at("one_cycle")[0] * 0.05 / 0.8) <= 1e-15);
    for (int s = 0; s < 50; ++s) {
        second.step(pb.params, pb.gradient());
        second.schedule_step();
    }
    for (std::size_t k = 0; k < 11; ++k) BOOST_TEST(pb.params.flat()[k] == straight.params.flat()[k]);
}

BOOST_AUTO_TEST_CASE(gradient_noise_is_the_engines_philox_normal) {
    constexpr auto big = lz::param<"big", double, lz::shape<4096>>;
    lz::parameters store{big};
    std::vector<double> zero(4096, 0.0);
    const lz::parameter_view<double, lz::params_of<decltype(big)>> grads(zero.data());
    using t = opt::optimizer<opt::sgd<double>, sch::constant, opt::clip::noise<>>;
    t o{store, {.lr = 1.0}, {}, {.stddev = 0.3, .gamma = 0.55, .seed = 42}};
    o.step(store, grads);  // θ = −noise at step 1: σ² = 0.09 / 2^0.55
    std::vector<double> z(4096);
    lz::kernels::fill_normal(z.data(), z.size(), lz::kernels::random_key{42, 1}, 0, 0.0, 1.0);
    const double sd = 0.3 / std::sqrt(std::pow(2.0, 0.55));
    double mean = 0, sq = 0, worst = 0;
    for (std::size_t i = 0; i < 4096; ++i) {
        const double n = -store.flat()[i];
        worst = std::max(worst, std::abs(n - sd * z[i]));
        mean += n / 4096;
        sq += n * n / 4096;
    }
    BOOST_TEST(worst <= 1e-15);
    BOOST_TEST(std::abs(mean) <= 4 * sd / 64);          // 4 standard errors
    BOOST_TEST(std::abs(std::sqrt(sq) / sd - 1) <= 0.05);
    // The same seed draws the same noise; stddev 0 adds none.
    lz::parameters again{big};
    t o2{again, {.lr = 1.0}, {}, {.stddev = 0.3, .gamma = 0.55, .seed = 42}};
    o2.step(again, grads);
    BOOST_TEST(std::equal(again.flat().begin(), again.flat().end(), store.flat().begin()));
    lz::parameters quiet{big};
    t o3{quiet, {.lr = 1.0}, {}, {.stddev = 0.0}};
    o3.step(quiet, grads);
    BOOST_TEST(std::all_of(quiet.flat().begin(), quiet.flat().end(), [](double x) { return x == 0.0; }));
}

BOOST_AUTO_TEST_CASE(a_step_allocates_nothing) {
    problem pb;
    BOOST_TEST(counting_new::allocations_in([&] { sgd_t made{pb.params, {.lr = 0.1}}; }) > 0);  // the counter counts
    auto no_alloc = [&](auto& o, const char* what) {
        o.step(pb.params, pb.gradient());  // the workspace sized
        const auto g = pb.gradient();
        const long n = counting_new::allocations_in([&] {
            o.step(pb.params, g);
            if constexpr (requires { o.schedule_step(); }) o.schedule_step();
            if constexpr (requires { o.schedule_step(1.0); }) o.schedule_step(1.0);
        });
        BOOST_TEST(n == 0, what << " allocated " << n << " times in a step");
    };
    sgd_t a{pb.params, {.lr = 0.1, .momentum = 0.9, .nesterov = true}};
    no_alloc(a, "sgd");
    opt::optimizer<opt::adam<double>, sch::warmup_cosine, opt::clip::global_norm> b2{
        pb.params, {.lr = 0.01, .amsgrad = true}, {.warmup_iters = 3, .T_max = 10}, {.max_norm = 1.0},
        opt::group({.lr = 0.1, .weight_decay = 0.0}, b)};
    no_alloc(b2, "adam + warmup_cosine + global_norm + groups");
    opt::optimizer<opt::rmsprop<double>, sch::reduce_on_plateau> c2{pb.params, {.momentum = 0.9, .centered = true}};
    no_alloc(c2, "rmsprop + reduce_on_plateau");
    opt::optimizer<opt::adagrad<double>, sch::multi_step, opt::clip::noise<opt::clip::value>> d{
        pb.params, {}, {.milestones = {2, 4}}, {.inner = {.clip_value = 1.0}, .stddev = 0.01}};
    no_alloc(d, "adagrad + multi_step + noise");
    // The look-ahead step takes the gradient itself (lz::grad with the workspace).
    opt::optimizer<opt::nesterov_lookahead<double>> e{pb.params, {.lr = 0.01}};
    const auto env = lz::at(pb.params, X = pb.xs, Y = pb.ys);
    e.step(pb.params, loss, env, pb.ws);
    const long n = counting_new::allocations_in([&] { e.step(pb.params, loss, env, pb.ws); });
    BOOST_TEST(n == 0, "nesterov_lookahead allocated " << n << " times in a step");
}

// ------------------------------------------------------------ L-BFGS

BOOST_AUTO_TEST_CASE(lbfgs_matches_torch_with_and_without_strong_wolfe) {
    // After torch's step(closure) calls of up to 20 iterations each. The
    // objective (11 parameters, 5 data points) ends in a flat valley: from the
    // third call on, the loss changes in its 7th digit while the parameters
    // drift along the valley, where rounding differences (dot products summed
    // in another order) grow to 1e-2 and the loss to 2e-7 relative (strong
    // Wolfe; 7e-13 without a line search). So: the parameters after the first
    // two calls (40 iterations) within 1e-9, the loss after every call within 1e-6.
    using lbfgs_t = opt::lbfgs<double>;
    auto run_lbfgs = [&](const std::string& name, lbfgs_t::options o) {
        problem pb, at_torch;
        lbfgs_t l{pb.params, o};
        const auto env = lz::at(pb.params, X = pb.xs, Y = pb.ys);
        const auto& want = ref().seq.at(name);
        double worst_params = 0, worst_loss = 0;
        for (std::size_t s = 0; s < 5; ++s) {
            l.step(pb.params, loss, env, pb.ws);
            std::copy(want.begin() + std::ptrdiff_t(s * 11), want.begin() + std::ptrdiff_t(s * 11 + 11),
                      at_torch.params.flat().begin());
            const double f = pb.value(), f_torch = at_torch.value();
            worst_loss = std::max(worst_loss, std::abs(f - f_torch) / f_torch);
            if (s < 2) {
                double diff = 0, size = 0;
                for (std::size_t k = 0; k < 11; ++k) {
                    diff = std::max(diff, std::abs(pb.params.flat()[k] - want[s * 11 + k]));
                    size = std::max(size, std::abs(want[s * 11 + k]));
                }
                worst_params = std::max(worst_params, diff / size);
            }
        }
        BOOST_TEST_MESSAGE(name << ": parameters (2 calls) " << worst_params << ", loss (5 calls) " << worst_loss
                                << " relative (" << l.iterations() << " iterations, " << l.evaluations()
                                << " evaluations)");
        BOOST_TEST(worst_params <= 1e-9, name << ": parameters " << worst_params);
        BOOST_TEST(worst_loss <= 1e-6, name << ": loss " << worst_loss);
    };
    run_lbfgs("lbfgs_strong_wolfe", {.lr = 1, .max_iter = 20, .history_size = 10,
                                     .line_search = opt::lbfgs_line_search::strong_wolfe});
    run_lbfgs("lbfgs_plain", {.lr = 0.5, .max_iter = 10, .history_size = 5});
}

BOOST_AUTO_TEST_CASE(buffers_of_options_that_are_off_are_not_allocated) {
    problem pb;
    auto names = [](auto& o) {
        std::vector<std::string> v;
        o.for_each_state([&](std::string_view name, auto span) {
            if constexpr (std::is_same_v<typename decltype(span)::value_type, double> )
                if (span.size() == 11) v.emplace_back(name);
        });
        return v;
    };
    adam_t plain{pb.params, {.lr = 0.01}};
    adam_t ams{pb.params, {.lr = 0.01, .amsgrad = true}};
    BOOST_TEST((names(plain) == std::vector<std::string>{"exp_avg", "exp_avg_sq"}));
    BOOST_TEST((names(ams) == std::vector<std::string>{"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}));
    sgd_t no_momentum{pb.params, {.lr = 0.1}};
    BOOST_TEST(names(no_momentum).empty());
    // A schedule that cycles the momentum needs the buffer even from momentum 0.
    opt::optimizer<opt::sgd<double>, sch::one_cycle> cycled{pb.params, {.lr = 0.1}, {.max_lr = 0.1, .total_steps = 5}};
    BOOST_TEST((names(cycled) == std::vector<std::string>{"momentum_buffer"}));
    cycled.step(pb.params, pb.gradient());
}

BOOST_AUTO_TEST_CASE(float_simd_path_follows_double) {
    // 1003 elements (SIMD batches and a tail), 20 steps of the same gradients
    // in float and in double: each rule's float kernel, on batches, agrees with
    // its double one (checked against torch above) to float precision.
    constexpr auto fw = lz::param<"w", float, lz::shape<1003>>;
    constexpr auto dw = lz::param<"w", double, lz::shape<1003>>;
    auto compare = [&]<template <class> class Rule>(const char* name, auto options) {
        lz::parameters fstore{fw};
        lz::parameters dstore{dw};
        for (std::size_t i = 0; i < 1003; ++i) dstore.flat()[i] = double(fstore.flat()[i] = float(std::sin(0.1 * double(i))));
        typename opt::optimizer<Rule<float>>::options_type fo{};
        typename opt::optimizer<Rule<double>>::options_type dopt{};
        options(fo);
        options(dopt);
        opt::optimizer<Rule<float>> fopt{fstore, fo};
        opt::optimizer<Rule<double>> dop{dstore, dopt};
        std::vector<float> fg(1003);
        std::vector<double> dg(1003);
        double worst = 0;
        for (int t = 0; t < 20; ++t) {
            for (std::size_t i = 0; i < 1003; ++i)
                dg[i] = double(fg[i] = float(std::cos(0.37 * double(i) + t) * (1 + 0.1 * double(i % 7))));
            fopt.step(fstore, lz::parameter_view<float, lz::params_of<decltype(fw)>>(fg.data()));
            dop.step(dstore, lz::parameter_view<double, lz::params_of<decltype(dw)>>(dg.data()));
            double diff = 0, size = 0;
            for (std::size_t i = 0; i < 1003; ++i) {
                diff = std::max(diff, std::abs(double(fstore.flat()[i]) - dstore.flat()[i]));
                size = std::max(size, std::abs(dstore.flat()[i]));
            }
            worst = std::max(worst, diff / size);
        }
        BOOST_TEST_MESSAGE(name << " float against double: " << worst);
        BOOST_TEST(worst <= 1e-5, name << ": " << worst);
    };
    compare.operator()<opt::sgd>("sgd nesterov", [](auto& o) { o.lr = 0.01, o.momentum = 0.9, o.nesterov = true; });
    compare.operator()<opt::adam>("adam amsgrad", [](auto& o) { o.lr = 0.01, o.amsgrad = true; });
    compare.operator()<opt::rmsprop>("rmsprop centered momentum",
                                     [](auto& o) { o.lr = 0.001, o.centered = true, o.momentum = 0.5; });
    compare.operator()<opt::adagrad>("adagrad", [](auto& o) { o.lr = 0.01, o.lr_decay = 0.01; });
    compare.operator()<opt::delta_bar_delta>("delta_bar_delta", [](auto& o) { o.lr = 0.001, o.kappa = 1e-4; });
}
