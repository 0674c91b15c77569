#pragma once
// lz::optim::optimizer<Update, Schedule, Clip, Decay>: the host of the policy
// classes (DESIGN §6) over a parameter store (core/parameters.hpp).
//
//   lz::parameters params{loss};
//   lz::optim::optimizer<lz::optim::adam<float>> opt{params, {.lr = 1e-3}};
//   ...
//   opt.step(params, lz::grad(loss, params, env, ws));  // one fused pass over the flat buffers
//   opt.schedule_step();                                // after the optimizer, as in PyTorch
//
// State buffers (Update::buffers) are laid out like the store, allocated once
// at construction; a step allocates nothing. A step is one pass over the flat
// parameter, gradient and state buffers — clipping, maximize, weight decay and
// the update together — after one reduction pass when the clip policy needs
// the global norm. Parameter groups (torch's param_groups) change the lr or the
// weight decay of some leaves:
//
//   lz::optim::optimizer<lz::optim::sgd<double>> opt{params, {.lr = 0.1, .weight_decay = 1e-4},
//       {}, {}, lz::optim::group({.weight_decay = 0.0}, b1, b2)};  // no decay on the biases
//
// Groups are given by leaf (each leaf in at most one group; the others form
// group 0, the defaults); each group's lr follows the schedule from its own
// base lr. lr(k), set_lr(...), reset() (state, step count, lrs and schedule
// back to their start), for_each_state(f) (the checkpoint interface: every
// state buffer, the counters and each group's lr, by name).

#include <leibniz/core/parameters.hpp>
#include <leibniz/core/reverse.hpp>
#include <leibniz/optim/clip.hpp>
#include <leibniz/optim/decay.hpp>
#include <leibniz/optim/rule.hpp>
#include <leibniz/optim/schedule.hpp>

#include <boost/mp11/algorithm.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace leibniz::optim {

// What a parameter group changes (torch's param_groups: any option; here the two that matter: lr and decay).
struct group_options {
    std::optional<double> lr{};
    std::optional<double> weight_decay{};
};

template <class... L>
struct param_group {
    group_options options;
};

// lz::optim::group({.lr = ..., .weight_decay = ...}, leaf, leaf, ...)
template <Leaf... L>
param_group<std::remove_cvref_t<L>...> group(group_options options, L...) {
    return {options};
}

// Every option of the group's own (torch's groups may change any):
// lz::optim::group(lz::optim::adam<double>::options{.lr = 0.1, .amsgrad = true}, leaf, ...)
template <class Options, class... L>
struct param_group_with {
    Options options;
};
template <class Options, Leaf... L>
    requires(!std::is_same_v<std::remove_cvref_t<Options>, group_options>)
param_group_with<std::remove_cvref_t<Options>, std::remove_cvref_t<L>...> group(Options options, L...) {
    return {options};
}

namespace detail {
template <class G>
struct is_param_group : std::false_type {};
template <class... L>
struct is_param_group<param_group<L...>> : std::true_type {};
template <class O, class... L>
struct is_param_group<param_group_with<O, L...>> : std::true_type {};

// One address per store layout: a step checks it was given the store the optimizer was made for.
template <class Leaves>
inline constexpr char layout_tag = 0;

template <class S>
concept metric_schedule = requires { S::takes_metric; };
template <class S>
concept momentum_schedule = requires { S::cycles_momentum; };

struct aligned_delete {
    template <class T>
    void operator()(T* p) const noexcept {
        ::operator delete(p, std::align_val_t{64});
    }
};

template <class Layout, class L>
constexpr bool check_group_leaf() {
    constexpr bool held = Layout::template holds<L>;
    static_assert(held, "leibniz::optim::group: a leaf of the group is not a parameter of the store (the leaf is "
                        "the template argument of check_group_leaf)");
    return held;
}
}  // namespace detail

template <class Update, class Schedule = schedule::constant, class Clip = clip::none,
          class Decay = typename Update::default_decay>
class optimizer {
public:
    using rule_type = Update;
    using schedule_type = Schedule;
    using clip_type = Clip;
    using decay_type = Decay;
    using scalar_type = typename Update::scalar_type;
    using options_type = typename Update::options;
    static constexpr std::size_t buffer_count = Update::buffers.size();

    template <class Leaves, class... G>
        requires(detail::is_param_group<G>::value && ...)
    explicit optimizer(const parameters<Leaves>& /*store: its layout*/, options_type defaults = {}, Schedule schedule = {},
                       Clip clip = {}, G... groups)
        : schedule_(std::move(schedule)), clip_(std::move(clip)), layout_(&detail::layout_tag<Leaves>) {
        using layout = typename parameters<Leaves>::layout;
        static_assert(std::is_same_v<typename parameters<Leaves>::scalar_type, scalar_type>,
                      "leibniz::optim::optimizer: the store's scalar type differs from the rule's (a double store "
                      "takes e.g. adam<double>; the rules default to float)");
        n_ = layout::size;
        stride_ = (n_ + 15) / 16 * 16;  // 64-byte aligned buffers (float and double)
        // Group 0: the defaults; then one per group, in the order given.
        initial_.push_back({defaults, defaults.lr});
        std::array<std::size_t, layout::count + 1> owner{};
        std::size_t next = 1;  // the index of the next group
        (add_group<layout>(groups, defaults, owner, next), ...);
        (void)next;
        for (const auto& g : initial_) Update::validate(g.opts);
        if constexpr (requires { schedule_.validate(); }) schedule_.validate();
        if constexpr (requires { clip_.validate(); }) clip_.validate();
        if constexpr (detail::momentum_schedule<Schedule>) {
            if (schedule_.cycle_momentum && !requires(options_type & o) { Update::set_momentum(o, 0.0); })
                throw std::invalid_argument(std::string("leibniz::optim::optimizer: one_cycle cycles the momentum, "
                                                        "and ") +
                                            std::string(Update::name) + " has none (set .cycle_momentum = false)");
        }
        // Runs of consecutive leaves of one group: the passes of a step.
        for (std::size_t k = 0; k < layout::count; ++k) {
            const std::size_t begin = layout::offset[k], end = layout::offset[k + 1];
            if (begin == end) continue;
            if (!runs_.empty() && runs_.back().group == owner[k] && runs_.back().end == begin)
                runs_.back().end = end;
            else
                runs_.push_back({begin, end, owner[k]});
        }
        // A buffer is allocated when some group's options use it (Adam's
        // max_exp_avg_sq only with amsgrad), as torch's state holds it.
        std::size_t allocated = 0;
        for (std::size_t k = 0; k < buffer_count; ++k) {
            bool used = true;
            if constexpr (requires(const options_type& o) { Update::uses(o, k); }) {
                used = false;
                for (const auto& g : initial_) used = used || Update::uses(g.opts, k);
                if constexpr (detail::momentum_schedule<Schedule>) used = used || schedule_.cycle_momentum;
            }
            offset_[k] = used ? allocated++ * stride_ : unused;
        }
        if (allocated > 0)
            state_.reset(static_cast<scalar_type*>(
                ::operator new(allocated * stride_ * sizeof(scalar_type), std::align_val_t{64})));
        groups_ = initial_;
        reset();
    }

    // One step: θ ← update(θ, g) for every parameter of the store, with the current lrs.
    template <class Leaves, class Grads>
    void step(parameters<Leaves>& store, const Grads& grads) {
        static_assert(std::is_same_v<typename Grads::leaves, Leaves>,
                      "leibniz::optim::optimizer::step: the gradients are not laid out like the store (pass "
                      "lz::grad(loss, params, env, ws) of the same store)");
        if (&detail::layout_tag<Leaves> != layout_)
            throw std::invalid_argument("leibniz::optim::optimizer::step: the store has another layout than the one "
                                        "the optimizer was made for");
        using T = scalar_type;
        ++t_;
        const auto gflat = grads.flat();
        clip_.prepare(std::span<const T>(gflat.data(), n_), t_);
        T* const params = store.flat().data();
        for (const run& r : runs_) {
            const options_type& o = groups_[r.group].opts;
            std::array<T*, buffer_count + 1> s{};
            for (std::size_t k = 0; k < buffer_count; ++k) s[k] = buffer(k, r.begin);
            // maximize: −g; coupled decay: + λθ; decoupled: θ·(1 − γλ)
            struct {
                T sign, lambda, keep;
            } const k{o.maximize ? T(-1) : T(1), T(o.weight_decay), T(1 - o.lr * o.weight_decay)};
            const std::size_t begin = r.begin;
            const Clip& clip = clip_;
            auto pre = [k, begin, &clip](auto& pv, auto gv, std::size_t i) LEIBNIZ_ALWAYS_INLINE {
                using B = decltype(gv);
                const B d = B(k.sign) * clip.apply(gv, begin + i);
                if constexpr (Decay::is_decoupled) {
                    pv = pv * B(k.keep);
                    return d;
                } else {
                    return d + B(k.lambda) * pv;
                }
            };
            Update::update(o, t_, params + r.begin, gflat.data() + r.begin, r.end - r.begin, s.data(), pre);
        }
    }

    // The rules that take the gradient somewhere else than at θ (nesterov_lookahead):
    // move the store there, take lz::grad(loss, params, env, ws) there, then step.
    // env must bind the store (lz::at(params, ...)), so that it sees the moved parameters.
    template <class Leaves, class E, class Env, class Workspace>
        requires requires { Update::looks_ahead; }
    void step(parameters<Leaves>& store, E loss, const Env& env, Workspace& ws) {
        if (&detail::layout_tag<Leaves> != layout_)
            throw std::invalid_argument("leibniz::optim::optimizer::step: the store has another layout than the one "
                                        "the optimizer was made for");
        for (const run& r : runs_) {
            std::array<scalar_type*, buffer_count + 1> s{};
            for (std::size_t k = 0; k < buffer_count; ++k) s[k] = buffer(k, r.begin);
            Update::look_ahead(groups_[r.group].opts, store.flat().data() + r.begin, r.end - r.begin, s.data());
        }
        step(store, grad(loss, store, env, ws));
    }

    // The schedule's next epoch (after the optimizer's step, as scheduler.step()).
    void schedule_step()
        requires(!detail::metric_schedule<Schedule>)
    {
        ++epoch_;
        for (auto& g : groups_) g.opts.lr = schedule_.lr(epoch_, g.base_lr, g.opts.lr);
        cycle_momentum();
    }
    // reduce_on_plateau: the epoch's metric (e.g. the validation loss).
    void schedule_step(double metric)
        requires detail::metric_schedule<Schedule>
    {
        ++epoch_;
        if (schedule_.observe(metric))
            for (auto& g : groups_) g.opts.lr = schedule_.reduced(g.opts.lr);
    }

    [[nodiscard]] double lr(std::size_t group = 0) const { return groups_.at(group).opts.lr; }
    void set_lr(double lr) {
        for (auto& g : groups_) g.opts.lr = lr;
    }
    void set_lr(std::size_t group, double lr) { groups_.at(group).opts.lr = lr; }
    // Read-only: the buffers allocated follow the options given (set_lr changes the lr).
    [[nodiscard]] const options_type& options(std::size_t group = 0) const { return groups_.at(group).opts; }
    [[nodiscard]] std::size_t group_count() const noexcept { return groups_.size(); }
    [[nodiscard]] std::int64_t steps() const noexcept { return t_; }
    [[nodiscard]] std::int64_t epoch() const noexcept { return epoch_; }
    [[nodiscard]] Schedule& schedule() noexcept { return schedule_; }
    [[nodiscard]] const Clip& clip() const noexcept { return clip_; }
    [[nodiscard]] std::size_t size() const noexcept { return n_; }

    // Everything back to construction: state buffers to their initial values,
    // step and epoch 0, each group's options as given (lr at the schedule's epoch 0).
    void reset() {
        for (std::size_t i = 0; i < groups_.size(); ++i) groups_[i] = initial_[i];
        for (const run& r : runs_)
            for (std::size_t k = 0; k < buffer_count; ++k)
                if (offset_[k] != unused)
                    std::fill(buffer(k, r.begin), buffer(k, r.end), Update::initial(groups_[r.group].opts, k));
        t_ = 0;
        epoch_ = 0;
        if constexpr (requires { schedule_.reset(); }) schedule_.reset();
        for (auto& g : groups_) g.opts.lr = schedule_.lr(0, g.base_lr, g.base_lr);
        cycle_momentum();
    }

    // The checkpoint interface: f(name, std::span<U>) for each piece of state,
    // U = scalar_type for the buffers laid out like the store ("exp_avg", ...),
    // std::int64_t for the counters ("step", "epoch"), double for each group's
    // lr ("lr.0", "lr.1", ...) and the schedule's state. Reading the spans saves;
    // writing them loads.
    template <class F>
    void for_each_state(F&& f) {
        for (std::size_t k = 0; k < buffer_count; ++k)
            if (offset_[k] != unused) f(Update::buffers[k], std::span<scalar_type>(buffer(k, 0), n_));
        f(std::string_view("step"), std::span<std::int64_t>(&t_, 1));
        f(std::string_view("epoch"), std::span<std::int64_t>(&epoch_, 1));
        for (std::size_t i = 0; i < groups_.size(); ++i) {
            const std::string name = "lr." + std::to_string(i);
            f(std::string_view(name), std::span<double>(&groups_[i].opts.lr, 1));
        }
        if constexpr (requires { schedule_.for_each_state(f); }) schedule_.for_each_state(f);
        cycle_momentum();  // a loaded epoch sets the cycled momentum
    }

private:
    struct group_state {
        options_type opts;
        double base_lr;
    };
    struct run {
        std::size_t begin, end, group;
    };

    template <class Layout, class... L, std::size_t N>
    void add_group(const param_group<L...>& g, const options_type& defaults, std::array<std::size_t, N>& owner,
                   std::size_t& next) {
        options_type o = defaults;
        if (g.options.lr) o.lr = *g.options.lr;
        if (g.options.weight_decay) o.weight_decay = *g.options.weight_decay;
        own<Layout, L...>(o, owner, next);
    }
    template <class Layout, class O, class... L, std::size_t N>
    void add_group(const param_group_with<O, L...>& g, const options_type&, std::array<std::size_t, N>& owner,
                   std::size_t& next) {
        static_assert(std::is_same_v<O, options_type>,
                      "leibniz::optim::group: the group's options are another rule's options than the optimizer's");
        if constexpr (std::is_same_v<O, options_type>) own<Layout, L...>(g.options, owner, next);
    }
    // The leaves L... form the next group, with options o.
    template <class Layout, class... L, std::size_t N>
    void own(const options_type& o, std::array<std::size_t, N>& owner, std::size_t& next) {
        if constexpr ((detail::check_group_leaf<Layout, L>() && ...)) {
            for (std::size_t k : {Layout::template index<L>...}) {
                if (owner[k] != 0)
                    throw std::invalid_argument("leibniz::optim::optimizer: a leaf is in two parameter groups");
                owner[k] = next;
            }
            initial_.push_back({o, o.lr});
            ++next;
        }
    }

    void cycle_momentum() {
        if constexpr (detail::momentum_schedule<Schedule>) {
            if constexpr (requires(options_type& o) { Update::set_momentum(o, 0.0); })
                if (schedule_.cycle_momentum)
                    for (auto& g : groups_) Update::set_momentum(g.opts, schedule_.momentum(epoch_));
        }
    }

    std::vector<group_state> initial_, groups_;
    std::vector<run> runs_;
    // Buffer k at state_ + offset_[k] (unused: not allocated; its pointer is null).
    scalar_type* buffer(std::size_t k, std::size_t at) const noexcept {
        return offset_[k] == unused ? nullptr : state_.get() + offset_[k] + at;
    }
    static constexpr std::size_t unused = std::size_t(-1);

    std::unique_ptr<scalar_type, detail::aligned_delete> state_;
    std::array<std::size_t, buffer_count + 1> offset_{};
    std::size_t n_ = 0, stride_ = 0;
    std::int64_t t_ = 0, epoch_ = 0;
    Schedule schedule_;
    Clip clip_;
    const void* layout_;
};

}  // namespace leibniz::optim
