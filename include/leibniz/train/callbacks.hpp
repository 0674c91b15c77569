#pragma once
// The state fit shares with its callbacks, and the callbacks (PyTorch
// Lightning's hooks, Keras's names): progress (bar or lines), csv_logger,
// early_stopping. A callback is any object with some of the hooks
//   on_train_begin(ctx), on_epoch_begin(ctx), on_batch_end(ctx),
//   on_epoch_end(ctx), on_train_end(ctx)
// taking a fit_context (the store, the optimizer, the fit_state); fit calls
// the ones it has, in the order given. Setting ctx.state.stop ends training
// after the epoch.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#if __has_include(<unistd.h>)
#include <unistd.h>
#define LEIBNIZ_TRAIN_ISATTY(f) (::isatty(::fileno(f)) != 0)
#else
#define LEIBNIZ_TRAIN_ISATTY(f) false  // no isatty: plain lines
#endif

namespace leibniz::train {

// What fit has done so far; callbacks read it (and may set `stop`).
struct fit_state {
    std::size_t epoch = 0;       // the current epoch, from 0 (initial_epoch when resuming)
    std::size_t epochs = 0;      // the epoch to stop before (fit_options::epochs)
    std::size_t batch = 0;       // batches done in this epoch
    std::size_t batches = 0;     // batches per epoch
    std::size_t samples = 0;     // samples done in this epoch
    std::size_t train_size = 0;  // samples per epoch
    std::uint64_t step = 0;      // optimizer steps over the whole run (the dropout key's counter)
    std::uint64_t seed = 0;      // fit_options::seed: the shuffling's and dropout's key
    double loss = 0;             // mean training loss of the epoch so far (batch losses weighted by batch size)
    bool has_validation = false;
    double val_loss = std::numeric_limits<double>::quiet_NaN();
    bool has_metric = false;       // the model has an output to compute accuracy from
    double val_metric = std::numeric_limits<double>::quiet_NaN();
    const char* metric_name = "accuracy";
    double lr = 0;                // the optimizer's lr (group 0) at the end of the epoch
    double epoch_seconds = 0;     // wall time of the epoch so far
    double elapsed_seconds = 0;   // wall time since fit began
    bool stop = false;            // set by a callback: stop after this epoch
    bool stopped_early = false;
    // The monitored quantity: the validation loss when there is a validation set, else the training loss.
    [[nodiscard]] double monitored() const noexcept { return has_validation ? val_loss : loss; }
};

// No buffer store (a network without batch norm).
struct no_buffers {};

template <class Params, class Optimizer, class Buffers = no_buffers>
struct fit_context {
    Params& params;
    Optimizer& optimizer;
    fit_state& state;
    Buffers* buffers = nullptr;  // the buffer store fit was given (lz::train::stores), or none
};

enum class verbosity {
    automatic,  // bar when the output is a terminal, lines otherwise
    bar,        // a progress bar redrawn in place, a line per epoch
    lines,      // one plain line per epoch
    quiet,      // only a final line
};

// The progress display fit adds itself, as fit_options::verbose says.
class progress {
public:
    explicit progress(verbosity v = verbosity::automatic, std::FILE* out = stdout) : out_(out) {
        mode_ = v == verbosity::automatic ? (LEIBNIZ_TRAIN_ISATTY(out) ? verbosity::bar : verbosity::lines) : v;
    }
    [[nodiscard]] verbosity mode() const noexcept { return mode_; }

    template <class C>
    void on_batch_end(C& c) {
        if (mode_ != verbosity::bar) return;
        const auto now = std::chrono::steady_clock::now();
        if (c.state.batch != c.state.batches && now - last_draw_ < std::chrono::milliseconds(100)) return;
        last_draw_ = now;
        const fit_state& s = c.state;
        constexpr int width = 24;
        const int done = s.batches ? int(double(width) * double(s.batch) / double(s.batches)) : width;
        char bar[width + 1];
        for (int i = 0; i < width; ++i) bar[i] = i < done ? '=' : (i == done ? '>' : ' ');
        bar[width] = '\0';
        const double rate = s.epoch_seconds > 0 ? double(s.samples) / s.epoch_seconds : 0;
        const double left = rate > 0 ? double(s.train_size - s.samples) / rate : 0;
        std::fprintf(out_, "\r\033[Kepoch %zu/%zu [%s] %zu/%zu  loss %.4f  %.0f samples/s  %s left", s.epoch + 1,
                     s.epochs, bar, s.batch, s.batches, s.loss, rate, clock(left).c);
        std::fflush(out_);
    }
    template <class C>
    void on_epoch_end(C& c) {
        if (mode_ == verbosity::quiet) return;
        if (mode_ == verbosity::bar) std::fputs("\r\033[K", out_);
        const fit_state& s = c.state;
        std::fprintf(out_, "epoch %zu/%zu  loss %.6g", s.epoch + 1, s.epochs, s.loss);
        if (s.has_validation) std::fprintf(out_, "  val_loss %.6g", s.val_loss);
        if (s.has_validation && s.has_metric) std::fprintf(out_, "  val_%s %.4f", s.metric_name, s.val_metric);
        std::fprintf(out_, "  lr %.4g  %.0f samples/s  %.3f s\n", s.lr,
                     s.epoch_seconds > 0 ? double(s.train_size) / s.epoch_seconds : 0.0, s.epoch_seconds);
        std::fflush(out_);
    }
    template <class C>
    void on_train_end(C& c) {
        if (mode_ != verbosity::quiet) return;
        const fit_state& s = c.state;
        std::fprintf(out_, "trained to epoch %zu/%zu in %.3f s: loss %.6g", s.epoch + 1, s.epochs, s.elapsed_seconds, s.loss);
        if (s.has_validation) std::fprintf(out_, "  val_loss %.6g", s.val_loss);
        if (s.has_validation && s.has_metric) std::fprintf(out_, "  val_%s %.4f", s.metric_name, s.val_metric);
        std::fputs(s.stopped_early ? "  (stopped early)\n" : "\n", out_);
        std::fflush(out_);
    }

private:
    struct text {
        char c[24];
    };
    static text clock(double seconds) {
        text t{};
        const long s = std::lround(std::max(0.0, seconds));
        std::snprintf(t.c, sizeof t.c, "%ld:%02ld", s / 60, s % 60);
        return t;
    }
    std::FILE* out_;
    verbosity mode_;
    std::chrono::steady_clock::time_point last_draw_{};
};

// Keras's CSVLogger: a header, then one line per epoch (epoch,loss,val_loss,val_accuracy,lr,seconds).
class csv_logger {
public:
    explicit csv_logger(std::string path) : path_(std::move(path)) {}
    csv_logger(const csv_logger&) = delete;
    csv_logger& operator=(const csv_logger&) = delete;
    ~csv_logger() {
        if (f_) std::fclose(f_);
    }
    template <class C>
    void on_train_begin(C& c) {
        if (f_) std::fclose(f_);
        // a resumed run appends, as Keras's CSVLogger(append=True)
        const bool append = c.state.epoch > 0;
        f_ = std::fopen(path_.c_str(), append ? "a" : "w");
        if (!f_) throw std::runtime_error("leibniz::train::csv_logger: cannot open " + path_ + " for writing");
        if (!append) std::fprintf(f_, "epoch,loss,val_loss,val_%s,lr,seconds\n", c.state.metric_name);
    }
    template <class C>
    void on_epoch_end(C& c) {
        const fit_state& s = c.state;
        std::fprintf(f_, "%zu,%.17g,%.17g,%.17g,%.17g,%.6f\n", s.epoch, s.loss, s.val_loss, s.val_metric, s.lr,
                     s.epoch_seconds);
        std::fflush(f_);
    }
    template <class C>
    void on_train_end(C&) {
        if (f_) std::fclose(f_);
        f_ = nullptr;
    }

private:
    std::string path_;
    std::FILE* f_ = nullptr;
};

// Keras's EarlyStopping, monitoring the validation loss (the training loss
// without a validation set): an epoch improves when its value is below the
// best by more than min_delta; after `patience` epochs without improvement
// training stops. restore_best_weights puts back the parameters of the best
// epoch when training ends.
struct early_stopping_options {
    std::size_t patience = 0;
    double min_delta = 0;
    bool restore_best_weights = false;
};

class early_stopping {
public:
    explicit early_stopping(early_stopping_options o = {}) : o_(o) {}
    template <class C>
    void on_train_begin(C& c) {
        wait_ = 0, best_ = std::numeric_limits<double>::infinity(), best_epoch_ = 0, stopped_ = false;
        if (o_.restore_best_weights) best_weights_.assign(c.params.flat().begin(), c.params.flat().end());
    }
    template <class C>
    void on_epoch_end(C& c) {
        const double v = c.state.monitored();
        if (v < best_ - std::abs(o_.min_delta)) {
            best_ = v, best_epoch_ = c.state.epoch, wait_ = 0;
            if (o_.restore_best_weights) std::copy(c.params.flat().begin(), c.params.flat().end(), best_weights_.begin());
            return;
        }
        if (++wait_ >= o_.patience) c.state.stop = true, stopped_ = true;
    }
    template <class C>
    void on_train_end(C& c) {
        if (o_.restore_best_weights && best_ < std::numeric_limits<double>::infinity())
            {
            auto p = c.params.flat();
            for (std::size_t i = 0; i < p.size(); ++i) p[i] = static_cast<std::remove_cvref_t<decltype(p[i])>>(best_weights_[i]);
        }
    }
    [[nodiscard]] bool stopped() const noexcept { return stopped_; }
    [[nodiscard]] double best() const noexcept { return best_; }
    [[nodiscard]] std::size_t best_epoch() const noexcept { return best_epoch_; }

private:
    early_stopping_options o_;
    std::size_t wait_ = 0, best_epoch_ = 0;
    double best_ = std::numeric_limits<double>::infinity();
    bool stopped_ = false;
    std::vector<double> best_weights_;  // exact for float and double stores
};

}  // namespace leibniz::train
