#pragma once
// lz::train::fit — Keras's model.fit over leibniz's pieces: a model (the data
// leaves x and y, the training loss, the evaluation loss and the evaluation
// output: two expressions sharing their parameter leaves, nn.md's modes), a
// parameter store, an optimizer host, a training data set and optionally a
// validation set; callbacks as PyTorch Lightning's hooks (callbacks.hpp).
// Also lz::train::evaluate and lz::train::predict.
//
// The step inside fit is value_and_grad into one workspace, then
// optimizer.step: once the first batch has sized the workspace, a step
// allocates nothing (test/train_fit_test.cpp counts it).

#include <leibniz/core/eval.hpp>
#include <leibniz/core/parameters.hpp>
#include <leibniz/core/reverse.hpp>
#include <leibniz/core/workspace.hpp>
#include <leibniz/nn/batch_norm.hpp>
#include <leibniz/nn/dropout.hpp>
#include <leibniz/optim/schedule.hpp>
#include <leibniz/train/callbacks.hpp>
#include <leibniz/train/dataset.hpp>

#include <boost/mp11/algorithm.hpp>

#include <array>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <tuple>
#include <stdexcept>
#include <utility>
#include <string>
#include <type_traits>
#include <vector>

namespace leibniz::train {

// A model without an output expression (no accuracy, no predict).
struct no_output {};

// What fit trains: the feature leaf X, the label leaf Y, the training loss
// (training mode: dropout on, batch statistics), the evaluation loss and the
// evaluation output (net(x, lz::nn::evaluation)) over the same parameters,
// and for batch norm the running statistics of the training expression
// (net.running_stats(x)), which fit folds into the buffers after each step.
template <class X, class Y, class Loss, class EvalLoss = Loss, class Output = no_output, class Stats = std::tuple<>>
struct model {
    X x;
    Y y;
    Loss loss;
    EvalLoss eval_loss;
    Output output;
    Stats stats;
    // A network without modes (no dropout, no batch norm): the loss serves both.
    constexpr model(X x_, Y y_, Loss l) requires std::is_same_v<EvalLoss, Loss> && std::is_same_v<Output, no_output>
        : x(x_), y(y_), loss(l), eval_loss(l), output{}, stats{} {}
    constexpr model(X x_, Y y_, Loss l, EvalLoss e, Output o) : x(x_), y(y_), loss(l), eval_loss(e), output(o), stats{} {}
    constexpr model(X x_, Y y_, Loss l, EvalLoss e, Output o, Stats s)
        : x(x_), y(y_), loss(l), eval_loss(e), output(o), stats(s) {}
};
template <class X, class Y, class Loss>
model(X, Y, Loss) -> model<X, Y, Loss>;
template <class X, class Y, class Loss, class EvalLoss, class Output>
model(X, Y, Loss, EvalLoss, Output) -> model<X, Y, Loss, EvalLoss, Output>;
template <class X, class Y, class Loss, class EvalLoss, class Output, class Stats>
model(X, Y, Loss, EvalLoss, Output, Stats) -> model<X, Y, Loss, EvalLoss, Output, Stats>;

// A parameter store with a buffer store (batch norm's running statistics):
// pass `lz::train::stores{params, buffers}` where fit, evaluate and predict take the store.
template <class P, class B>
struct stores {
    P& params;
    B& buffers;
};
template <class P, class B>
stores(P&, B&) -> stores<P, B>;

namespace detail {
template <class S>
struct store_parts {
    static constexpr bool has_buffers = false;
    static S& params(S& s) noexcept { return s; }
    static const S& params(const S& s) noexcept { return s; }
};
template <class P, class B>
struct store_parts<stores<P, B>> {
    static constexpr bool has_buffers = true;
    static P& params(const stores<P, B>& s) noexcept { return s.params; }
};
// lz::at over the store (and the buffers) and the data
template <class S, class... A>
auto bind(const S& s, A&&... a) {
    if constexpr (store_parts<std::remove_const_t<S>>::has_buffers) return leibniz::at(s.params, s.buffers, std::forward<A>(a)...);
    else return leibniz::at(s, std::forward<A>(a)...);
}
}  // namespace detail

// What fit reports beside the loss, and evaluate returns (Keras's metrics=):
// accuracy for classifiers (the default), the mean absolute or squared
// error for regression, computed on the evaluation output against the
// targets, batch by batch (nothing is allocated).
enum class metric { accuracy, mae, mse };

inline constexpr const char* metric_name(metric m) noexcept {
    return m == metric::mae ? "mae" : m == metric::mse ? "mse" : "accuracy";
}

struct fit_options {
    std::size_t epochs = 1;
    std::size_t batch_size = 32;
    bool shuffle = true;
    std::uint64_t seed = 0;       // the shuffling's and dropout's key
    bool drop_last = false;
    std::size_t initial_epoch = 0;  // Keras: the epoch to start at (resuming from a checkpoint)
    verbosity verbose = verbosity::automatic;
    std::FILE* out = stdout;
    enum class schedule_every { epoch, batch } schedule_step = schedule_every::epoch;
    train::metric metric = train::metric::accuracy;
};

// One line of fit's history (Keras's History.history, per epoch).
struct epoch_record {
    std::size_t epoch;
    double loss, val_loss, val_metric, lr, seconds;
};
struct history {
    std::vector<epoch_record> epochs;
    bool stopped_early = false;
    std::uint64_t steps = 0;
};

struct evaluation {
    double loss = std::numeric_limits<double>::quiet_NaN();
    double metric = std::numeric_limits<double>::quiet_NaN();  // the metric asked for; NaN without an output
    std::size_t samples = 0;
};

namespace detail {

template <class E>
inline constexpr bool uses_dropout_key =
    boost::mp11::mp_contains<leaves_of<E>, std::remove_cvref_t<decltype(nn::rng)>>::value;

template <class V>
struct view_shape;
template <class T, class S>
struct view_shape<tensor_view<T, S>> {
    using scalar = std::remove_const_t<T>;
    using type = S;
};

// Accuracy of one batch, counted (not averaged): integer labels [n] against
// the argmax of outputs [n, C]; float targets [n, 1] against outputs [n, 1]
// thresholded at 0.5 (Keras's binary_accuracy).
template <class O, class Yv>
std::size_t correct(const O& out, const Yv& y, std::size_t n) {
    using OS = typename view_shape<O>::type;
    using L = std::remove_const_t<typename view_shape<Yv>::scalar>;
    std::size_t hits = 0;
    if constexpr (std::is_integral_v<L> && OS::rank == 2) {
        const std::size_t C = out.extent(1);
        for (std::size_t i = 0; i < n; ++i) {
            std::size_t best = 0;
            for (std::size_t k = 1; k < C; ++k)
                if (out(i, k) > out(i, best)) best = k;
            hits += static_cast<std::size_t>(std::int64_t(best) == std::int64_t(y(i)));
        }
    } else {
        static_assert(OS::rank == 2 && view_shape<Yv>::type::rank == 2,
                      "leibniz::train: accuracy needs integer labels [N] with outputs [N, C], or float targets [N, 1] "
                      "with outputs [N, 1]");
        for (std::size_t i = 0; i < n; ++i)
            hits += static_cast<std::size_t>((out(i, 0) > 0.5) == (y(i, 0) > 0.5));
    }
    return hits;
}

// Whether accuracy is defined for outputs O and targets Yv (correct()'s cases).
template <class O, class Yv>
inline constexpr bool accuracy_defined =
    view_shape<O>::type::rank == 2 &&
    (std::is_integral_v<std::remove_const_t<typename view_shape<Yv>::scalar>> || view_shape<Yv>::type::rank == 2);

inline constexpr const char* accuracy_shapes =
    "leibniz::train: accuracy needs integer labels [N] with outputs [N, C], or float targets [N, 1] with outputs "
    "[N, 1]; for a regression, ask for fit_options{.metric = lz::train::metric::mae} (or mse)";

// Σ |out − y| (Abs) or Σ (out − y)² over a batch of n samples: outputs and
// targets of one shape, [n] or [n, T]; returns the sum and the element count.
template <bool Abs, class O, class Yv>
std::pair<double, std::size_t> error_sum(const O& out, const Yv& y, std::size_t n) {
    using OS = typename view_shape<O>::type;
    using YS = typename view_shape<Yv>::type;
    static_assert(OS::rank == YS::rank && OS::rank >= 1 && OS::rank <= 2,
                  "leibniz::train: metric::mae and metric::mse need outputs and float targets of one shape, [N] or [N, T]");
    const std::size_t per = OS::rank == 2 ? out.extent(1) : 1;
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < per; ++j) {
            double d = 0;
            if constexpr (OS::rank == 2) d = double(out(i, j)) - double(y(i, j));
            else d = double(out(i)) - double(y(i));
            sum += Abs ? std::abs(d) : d * d;
        }
    return {sum, n * per};
}

}  // namespace detail

template <class M>
inline constexpr bool has_output = !std::is_same_v<std::remove_cvref_t<decltype(std::declval<M>().output)>, no_output>;

// The evaluation half of a model, with its workspaces (made once, reused by every call).
template <class M>
class evaluator {
public:
    explicit evaluator(const M& m) : m_(m), loss_ws_(m.eval_loss), out_ws_(make_out_ws(m)) {}

    // The mean evaluation loss over `data` (batch losses weighted by batch size,
    // as Keras's evaluate does, so a mean loss gives the mean over samples) and the accuracy.
    template <class Params, class D>
    evaluation run(const Params& params, const D& data, std::size_t batch_size, metric kind = metric::accuracy) {
        evaluation r;
        if (data.size() == 0) return r;
        batches<D> loader(data, {.batch_size = batch_size, .shuffle = false});
        double loss_sum = 0, metric_sum = 0;
        std::size_t metric_count = 0;
        for (std::size_t b = 0; b < loader.count(); ++b) {
            const auto bt = loader[b];
            const auto env = detail::bind(params, m_.x = bt.x, m_.y = bt.y);
            loss_sum += double(leibniz::eval(m_.eval_loss, env, loss_ws_)) * double(bt.size);
            if constexpr (has_output<M>) {
                const auto out = leibniz::eval(m_.output, leibniz::lenient(env), out_ws_);
                using L = std::remove_const_t<typename detail::view_shape<decltype(bt.y)>::scalar>;
                if (kind == metric::accuracy) {
                    if constexpr (detail::accuracy_defined<std::remove_cvref_t<decltype(out)>, std::remove_cvref_t<decltype(bt.y)>>) {
                        metric_sum += double(detail::correct(out, bt.y, bt.size));
                        metric_count += bt.size;
                    } else {
                        throw std::invalid_argument(detail::accuracy_shapes);
                    }
                } else if constexpr (std::is_floating_point_v<L>) {
                    const auto [sum, count] = kind == metric::mae ? detail::error_sum<true>(out, bt.y, bt.size)
                                                                  : detail::error_sum<false>(out, bt.y, bt.size);
                    metric_sum += sum;
                    metric_count += count;
                } else {
                    throw std::invalid_argument("leibniz::train: metric::mae and metric::mse need float targets, "
                                                "not integer labels");
                }
            }
        }
        r.samples = data.size();
        r.loss = loss_sum / double(data.size());
        if constexpr (has_output<M>) r.metric = metric_sum / double(metric_count);
        return r;
    }

    // The output for every sample of `features` [N, F...], in batches, copied into one tensor.
    template <class Params, class XView>
    auto predict(const Params& params, const XView& features, std::size_t batch_size) {
        static_assert(has_output<M>, "leibniz::train::predict: the model has no output expression");
        using R = decltype(leibniz::eval(m_.output, leibniz::lenient(detail::bind(params, m_.x = features)), out_ws_));
        using S = typename detail::view_shape<R>::type;
        using T = typename detail::view_shape<R>::scalar;
        const std::size_t n = features.extent(0);
        tensor<T, S> out(n);
        const std::size_t row = S::rank == 1 ? 1 : out.size() / std::max<std::size_t>(n, 1);
        using XS = typename detail::view_shape<XView>::type;
        using XT = typename detail::view_shape<XView>::scalar;
        const std::size_t xrow = n ? features.size() / n : 0;
        for (std::size_t first = 0; first < n; first += batch_size) {
            const std::size_t k = std::min(batch_size, n - first);
            const tensor_view<const XT, XS> xb(features.data() + first * xrow, k);
            const auto o = leibniz::eval(m_.output, leibniz::lenient(detail::bind(params, m_.x = xb)), out_ws_);
            std::copy(o.data(), o.data() + k * row, out.data() + first * row);
        }
        return out;
    }

private:
    static auto make_out_ws(const M& m) {
        if constexpr (has_output<M>) return workspace<std::remove_cvref_t<decltype(m.output)>>(m.output);
        else return 0;
    }
    M m_;
    workspace<std::remove_cvref_t<decltype(std::declval<M>().eval_loss)>> loss_ws_;
    decltype(make_out_ws(std::declval<const M&>())) out_ws_;
};

template <class M, class Params, class D>
evaluation evaluate(const M& m, const Params& params, const D& data, std::size_t batch_size = 32,
                    metric kind = metric::accuracy) {
    evaluator<M> e(m);
    return e.run(params, data, batch_size, kind);
}

template <class M, class Params, class XView>
auto predict(const M& m, const Params& params, const XView& features, std::size_t batch_size = 32) {
    evaluator<M> e(m);
    return e.predict(params, features, batch_size);
}

namespace detail {

template <class Opt>
inline constexpr bool on_plateau =
    std::is_same_v<std::remove_cvref_t<decltype(std::declval<Opt&>().schedule())>, optim::schedule::reduce_on_plateau>;

template <class C, class... Cb>
void hook_train_begin(C& c, Cb&... cb) { ((void)[&] { if constexpr (requires { cb.on_train_begin(c); }) cb.on_train_begin(c); }(), ...); }
template <class C, class... Cb>
void hook_epoch_begin(C& c, Cb&... cb) { ((void)[&] { if constexpr (requires { cb.on_epoch_begin(c); }) cb.on_epoch_begin(c); }(), ...); }
template <class C, class... Cb>
void hook_batch_end(C& c, Cb&... cb) { ((void)[&] { if constexpr (requires { cb.on_batch_end(c); }) cb.on_batch_end(c); }(), ...); }
template <class C, class... Cb>
void hook_epoch_end(C& c, Cb&... cb) { ((void)[&] { if constexpr (requires { cb.on_epoch_end(c); }) cb.on_epoch_end(c); }(), ...); }
template <class C, class... Cb>
void hook_train_end(C& c, Cb&... cb) { ((void)[&] { if constexpr (requires { cb.on_train_end(c); }) cb.on_train_end(c); }(), ...); }

template <class M>
inline constexpr bool has_stats = std::tuple_size_v<std::remove_cvref_t<decltype(std::declval<M>().stats)>> > 0;

// The expression a training step differentiates: the loss, with the batch statistics as auxiliary outputs under batch norm.
template <class M>
constexpr auto step_expression(const M& m) {
    if constexpr (has_stats<M>) return nn::with_running_stats(m.loss, m.stats);
    else return m.loss;
}

template <class M, class Stores, class Opt, class D, class... Cb>
history fit(const M& m, Stores& stores_, Opt& opt, const D& train, const D* validation, const fit_options& o, Cb&... cbs) {
    using parts = store_parts<Stores>;
    static_assert(!has_stats<M> || parts::has_buffers,
                  "leibniz::train::fit: the model has batch norm's running statistics: pass lz::train::stores{params, buffers}");
    auto& params = parts::params(stores_);
    using Params = std::remove_reference_t<decltype(params)>;
    if (train.size() == 0) throw std::invalid_argument("leibniz::train::fit: the training set is empty");
    if (o.batch_size == 0) throw std::invalid_argument("leibniz::train::fit: batch_size must be at least 1");
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();

    batches<D> loader(train, {.batch_size = o.batch_size, .shuffle = o.shuffle, .seed = o.seed, .drop_last = o.drop_last});
    if (loader.count() == 0) throw std::invalid_argument("leibniz::train::fit: drop_last leaves no batch (fewer samples than batch_size)");
    const auto expr = step_expression(m);
    workspace<std::remove_cvref_t<decltype(m.loss)>> ws(m.loss);  // with_aux runs on the loss's workspace
    evaluator<M> eval(m);
    progress bar(o.verbose, o.out);

    fit_state s;
    s.epochs = o.epochs;
    s.epoch = o.initial_epoch;
    s.batches = loader.count();
    s.train_size = o.drop_last ? loader.count() * o.batch_size : train.size();
    s.step = static_cast<std::uint64_t>(opt.steps());
    s.seed = o.seed;
    s.has_validation = validation != nullptr && validation->size() > 0;
    s.has_metric = has_output<M>;
    s.metric_name = metric_name(o.metric);
    s.lr = opt.lr();
    auto ctx = [&] {
        if constexpr (parts::has_buffers) {
            using B = std::remove_reference_t<decltype(stores_.buffers)>;
            return fit_context<Params, Opt, B>{params, opt, s, &stores_.buffers};
        } else {
            return fit_context<Params, Opt>{params, opt, s};
        }
    }();
    history h;
    // dropout's key {seed, step}: the step is the optimizer's, so a resumed run draws the same masks
    std::array<std::uint64_t, 2> key{o.seed, s.step};

    hook_train_begin(ctx, cbs..., bar);
    for (std::size_t epoch = o.initial_epoch; epoch < o.epochs && !s.stop; ++epoch) {
        const auto e0 = clock::now();
        s.epoch = epoch, s.batch = 0, s.samples = 0, s.loss = 0;
        loader.start_epoch(epoch);
        hook_epoch_begin(ctx, cbs..., bar);
        double loss_sum = 0;
        for (std::size_t b = 0; b < loader.count(); ++b) {
            const auto bt = loader[b];
            key[1] = s.step;
            double value = 0;
            const auto step = [&](const auto& env) {
                const auto r = leibniz::value_and_grad(expr, params, env, ws);
                value = double(r.value);
                opt.step(params, r.gradient);
                // batch norm: fold the batch's statistics into the running ones, as nn.BatchNorm1d's forward does
                if constexpr (has_stats<M>) nn::update_running_stats(m.stats, stores_.buffers, r.aux, bt.size);
            };
            // the training expression reads no buffer (batch norm uses the batch's statistics): the store alone
            if constexpr (uses_dropout_key<std::remove_cvref_t<decltype(m.loss)>>)
                step(leibniz::at(params, m.x = bt.x, m.y = bt.y, nn::rng = key));
            else
                step(leibniz::at(params, m.x = bt.x, m.y = bt.y));
            if (o.schedule_step == fit_options::schedule_every::batch) {
                if constexpr (!on_plateau<Opt>) opt.schedule_step();
            }
            ++s.step;
            loss_sum += value * double(bt.size);
            s.batch = b + 1, s.samples += bt.size;
            s.loss = loss_sum / double(s.samples);
            s.epoch_seconds = std::chrono::duration<double>(clock::now() - e0).count();
            hook_batch_end(ctx, cbs..., bar);
        }
        if (s.has_validation) {
            const evaluation v = eval.run(stores_, *validation, o.batch_size, o.metric);
            s.val_loss = v.loss, s.val_metric = v.metric;
        }
        if constexpr (on_plateau<Opt>) opt.schedule_step(s.monitored());
        else if (o.schedule_step == fit_options::schedule_every::epoch) opt.schedule_step();
        s.lr = opt.lr();
        s.epoch_seconds = std::chrono::duration<double>(clock::now() - e0).count();
        s.elapsed_seconds = std::chrono::duration<double>(clock::now() - t0).count();
        hook_epoch_end(ctx, cbs..., bar);
        h.epochs.push_back({epoch, s.loss, s.val_loss, s.val_metric, s.lr, s.epoch_seconds});
        if (s.stop && epoch + 1 < o.epochs) s.stopped_early = true;
    }
    s.elapsed_seconds = std::chrono::duration<double>(clock::now() - t0).count();
    hook_train_end(ctx, cbs..., bar);
    h.stopped_early = s.stopped_early;
    h.steps = s.step;
    return h;
}

}  // namespace detail

// fit(model, params, optimizer, train, options, callbacks...)
// fit(model, params, optimizer, train, validation, options, callbacks...)
// Trains from options.initial_epoch to options.epochs; returns the history.
// A callback may be a temporary (fit(..., lz::train::csv_logger("log.csv"))): it
// lives until fit returns.
template <class M, class Params, class Opt, class D, class... Cb>
history fit(const M& m, Params&& params, Opt& opt, const D& train, const fit_options& o, Cb&&... callbacks) {
    return detail::fit(m, params, opt, train, static_cast<const D*>(nullptr), o, callbacks...);
}
template <class M, class Params, class Opt, class D, class... Cb>
history fit(const M& m, Params&& params, Opt& opt, const D& train, const D& validation, const fit_options& o,
            Cb&&... callbacks) {
    return detail::fit(m, params, opt, train, &validation, o, callbacks...);
}

}  // namespace leibniz::train
