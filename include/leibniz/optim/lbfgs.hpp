#pragma once
// L-BFGS: torch.optim.LBFGS step for step (PyTorch 1.13's lbfgs.py, itself
// from minFunc and torch7's lswolfe.lua), with or without the strong-Wolfe
// line search.
//
//   lz::optim::lbfgs<double> opt{params, {.lr = 1, .max_iter = 20, .history_size = 100,
//                                         .line_search = lz::optim::lbfgs_line_search::strong_wolfe}};
//   const double f0 = opt.step(params, loss, env, ws);  // torch's step(closure): up to max_iter iterations
//
// Options and defaults are torch's: lr = 1, max_iter = 20, max_eval =
// max_iter·5/4, tolerance_grad = 1e-7, tolerance_change = 1e-9,
// history_size = 100, no line search. step() evaluates f and ∇f with
// lz::value_and_grad(loss, params, env, ws) (env binds the store) where torch
// calls the closure, and returns the loss at its start (torch's orig_loss).
// Like torch, it keeps its history between steps and allocates it as it
// grows: a full-batch method, not a per-batch step.

#include <leibniz/core/parameters.hpp>
#include <leibniz/core/reverse.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <stdexcept>
#include <vector>

namespace leibniz::optim {

enum class lbfgs_line_search { none, strong_wolfe };

template <class T = double>
class lbfgs {
public:
    struct options {
        double lr = 1;
        int max_iter = 20;
        int max_eval = 0;  // 0: max_iter * 5 / 4
        double tolerance_grad = 1e-7;
        double tolerance_change = 1e-9;
        std::size_t history_size = 100;
        lbfgs_line_search line_search = lbfgs_line_search::none;
    };
    using vec = std::vector<double>;

    template <class Leaves>
    explicit lbfgs(const parameters<Leaves>&, options o = {}) : o_(o), n_(parameters<Leaves>::size()) {
        static_assert(std::is_same_v<typename parameters<Leaves>::scalar_type, T>,
                      "leibniz::optim::lbfgs: the store's scalar type differs from the optimizer's");
        if (o_.max_eval == 0) o_.max_eval = o_.max_iter * 5 / 4;
        if (o_.history_size == 0) throw std::invalid_argument("leibniz::optim::lbfgs: history_size must be >= 1");
    }

    [[nodiscard]] std::int64_t iterations() const noexcept { return n_iter_total_; }
    [[nodiscard]] std::int64_t evaluations() const noexcept { return func_evals_; }

    template <class Leaves, class E, class Env, class Workspace>
    double step(parameters<Leaves>& params, E loss, const Env& env, Workspace& ws) {
        auto evaluate = [&](vec& g) {
            const auto [value, grads] = value_and_grad(loss, params, env, ws);
            for (std::size_t i = 0; i < n_; ++i) g[i] = double(grads.flat()[i]);
            return double(value);
        };
        auto add = [&](double t, const vec& d) {  // θ += t d, as torch's p.add_(d, alpha=t)
            T* p = params.flat().data();
            for (std::size_t i = 0; i < n_; ++i) p[i] = T(double(p[i]) + t * d[i]);
        };
        vec flat_grad(n_);
        const double orig_loss = evaluate(flat_grad);
        double loss_value = orig_loss;
        int current_evals = 1;
        ++func_evals_;
        if (abs_max(flat_grad) <= o_.tolerance_grad) return orig_loss;

        int n_iter = 0;
        while (n_iter < o_.max_iter) {
            ++n_iter;
            ++n_iter_total_;
            if (n_iter_total_ == 1) {
                d_.assign(n_, 0.0);
                for (std::size_t i = 0; i < n_; ++i) d_[i] = -flat_grad[i];
                old_dirs_.clear();
                old_stps_.clear();
                ro_.clear();
                h_diag_ = 1;
            } else {
                vec y(n_), s(n_);
                for (std::size_t i = 0; i < n_; ++i) {
                    y[i] = flat_grad[i] - prev_flat_grad_[i];
                    s[i] = d_[i] * t_;
                }
                const double ys = dot(y, s);
                if (ys > 1e-10) {
                    if (old_dirs_.size() == o_.history_size) {
                        old_dirs_.pop_front();
                        old_stps_.pop_front();
                        ro_.pop_front();
                    }
                    old_dirs_.push_back(y);
                    old_stps_.push_back(s);
                    ro_.push_back(1.0 / ys);
                    h_diag_ = ys / dot(y, y);
                }
                const std::size_t num_old = old_dirs_.size();
                al_.resize(std::max(al_.size(), num_old));
                vec q(n_);
                for (std::size_t i = 0; i < n_; ++i) q[i] = -flat_grad[i];
                for (std::size_t i = num_old; i-- > 0;) {
                    al_[i] = dot(old_stps_[i], q) * ro_[i];
                    for (std::size_t k = 0; k < n_; ++k) q[k] += -al_[i] * old_dirs_[i][k];
                }
                for (std::size_t k = 0; k < n_; ++k) d_[k] = q[k] * h_diag_;
                for (std::size_t i = 0; i < num_old; ++i) {
                    const double be_i = dot(old_dirs_[i], d_) * ro_[i];
                    for (std::size_t k = 0; k < n_; ++k) d_[k] += (al_[i] - be_i) * old_stps_[i][k];
                }
            }
            prev_flat_grad_ = flat_grad;
            prev_loss_ = loss_value;
            if (n_iter_total_ == 1) {
                double l1 = 0;
                for (const double x : flat_grad) l1 += std::abs(x);
                t_ = std::min(1.0, 1.0 / l1) * o_.lr;
            } else {
                t_ = o_.lr;
            }
            const double gtd = dot(flat_grad, d_);
            if (gtd > -o_.tolerance_change) break;

            int ls_func_evals = 0;
            bool opt_cond = false;
            if (o_.line_search == lbfgs_line_search::strong_wolfe) {
                const std::vector<T> x_init(params.flat().begin(), params.flat().end());
                auto obj = [&](double t, vec& g) {  // torch's _directional_evaluate
                    add(t, d_);
                    const double f = evaluate(g);
                    std::copy(x_init.begin(), x_init.end(), params.flat().begin());
                    return f;
                };
                ls_func_evals = strong_wolfe(obj, loss_value, flat_grad, gtd);
                add(t_, d_);
                opt_cond = abs_max(flat_grad) <= o_.tolerance_grad;
            } else {
                add(t_, d_);
                if (n_iter != o_.max_iter) {
                    loss_value = evaluate(flat_grad);
                    opt_cond = abs_max(flat_grad) <= o_.tolerance_grad;
                    ls_func_evals = 1;
                }
            }
            current_evals += ls_func_evals;
            func_evals_ += ls_func_evals;
            if (n_iter == o_.max_iter) break;
            if (current_evals >= o_.max_eval) break;
            if (opt_cond) break;
            double step_max = 0;
            for (const double x : d_) step_max = std::max(step_max, std::abs(x * t_));
            if (step_max <= o_.tolerance_change) break;
            if (std::abs(loss_value - prev_loss_) < o_.tolerance_change) break;
        }
        return orig_loss;
    }

private:
    static double dot(const vec& a, const vec& b) {
        double s = 0;
        for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
        return s;
    }
    static double abs_max(const vec& a) {
        double m = 0;
        for (const double x : a) m = std::max(m, std::abs(x));
        return m;
    }
    // torch's _cubic_interpolate.
    static double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2, bool bounded,
                                    double lo, double hi) {
        double xmin_bound = lo, xmax_bound = hi;
        if (!bounded) {
            xmin_bound = x1 <= x2 ? x1 : x2;
            xmax_bound = x1 <= x2 ? x2 : x1;
        }
        const double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        const double d2_square = d1 * d1 - g1 * g2;
        if (d2_square >= 0) {
            const double d2 = std::sqrt(d2_square);
            const double min_pos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                                            : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
            return std::min(std::max(min_pos, xmin_bound), xmax_bound);
        }
        return (xmin_bound + xmax_bound) / 2.0;
    }

    // torch's _strong_wolfe (c1 = 1e-4, c2 = 0.9, max_ls = 25): sets t_, f (loss) and g; returns the evaluations.
    template <class Obj>
    int strong_wolfe(Obj& obj, double& f_out, vec& g_out, double gtd) {
        constexpr double c1 = 1e-4, c2 = 0.9;
        constexpr int max_ls = 25;
        const double f = f_out;
        const vec g = g_out;
        double t = t_;
        const double d_norm = abs_max(d_);
        vec g_new(n_);
        double f_new = obj(t, g_new);
        int ls_func_evals = 1;
        double gtd_new = dot(g_new, d_);
        double t_prev = 0, f_prev = f, gtd_prev = gtd;
        vec g_prev = g;
        bool done = false;
        int ls_iter = 0;
        double bracket[2] = {0, 0}, bracket_f[2] = {0, 0}, bracket_gtd[2] = {0, 0};
        vec bracket_g[2];
        std::size_t bracket_size = 0;
        while (ls_iter < max_ls) {
            if (f_new > (f + c1 * t * gtd) || (ls_iter > 1 && f_new >= f_prev)) {
                bracket[0] = t_prev, bracket[1] = t;
                bracket_f[0] = f_prev, bracket_f[1] = f_new;
                bracket_g[0] = g_prev, bracket_g[1] = g_new;
                bracket_gtd[0] = gtd_prev, bracket_gtd[1] = gtd_new;
                bracket_size = 2;
                break;
            }
            if (std::abs(gtd_new) <= -c2 * gtd) {
                bracket[0] = t;
                bracket_f[0] = f_new;
                bracket_g[0] = g_new;
                bracket_size = 1;
                done = true;
                break;
            }
            if (gtd_new >= 0) {
                bracket[0] = t_prev, bracket[1] = t;
                bracket_f[0] = f_prev, bracket_f[1] = f_new;
                bracket_g[0] = g_prev, bracket_g[1] = g_new;
                bracket_gtd[0] = gtd_prev, bracket_gtd[1] = gtd_new;
                bracket_size = 2;
                break;
            }
            const double min_step = t + 0.01 * (t - t_prev), max_step = t * 10;
            const double tmp = t;
            t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, true, min_step, max_step);
            t_prev = tmp;
            f_prev = f_new;
            g_prev = g_new;
            gtd_prev = gtd_new;
            f_new = obj(t, g_new);
            ++ls_func_evals;
            gtd_new = dot(g_new, d_);
            ++ls_iter;
        }
        if (ls_iter == max_ls) {
            bracket[0] = 0, bracket[1] = t;
            bracket_f[0] = f, bracket_f[1] = f_new;
            bracket_g[0] = g, bracket_g[1] = g_new;
            bracket_size = 2;
        }
        bool insuf_progress = false;
        std::size_t low_pos = 0, high_pos = 0;
        if (bracket_size == 2 && !(bracket_f[0] <= bracket_f[1])) low_pos = 1;
        high_pos = bracket_size == 2 ? 1 - low_pos : 0;
        while (!done && ls_iter < max_ls) {
            if (std::abs(bracket[1] - bracket[0]) * d_norm < o_.tolerance_change) break;
            t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1],
                                  false, 0, 0);
            const double bmax = std::max(bracket[0], bracket[1]), bmin = std::min(bracket[0], bracket[1]);
            const double eps = 0.1 * (bmax - bmin);
            if (std::min(bmax - t, t - bmin) < eps) {
                if (insuf_progress || t >= bmax || t <= bmin) {
                    t = std::abs(t - bmax) < std::abs(t - bmin) ? bmax - eps : bmin + eps;
                    insuf_progress = false;
                } else {
                    insuf_progress = true;
                }
            } else {
                insuf_progress = false;
            }
            f_new = obj(t, g_new);
            ++ls_func_evals;
            gtd_new = dot(g_new, d_);
            ++ls_iter;
            if (f_new > (f + c1 * t * gtd) || f_new >= bracket_f[low_pos]) {
                bracket[high_pos] = t;
                bracket_f[high_pos] = f_new;
                bracket_g[high_pos] = g_new;
                bracket_gtd[high_pos] = gtd_new;
                low_pos = bracket_f[0] <= bracket_f[1] ? 0 : 1;
                high_pos = 1 - low_pos;
            } else {
                if (std::abs(gtd_new) <= -c2 * gtd) {
                    done = true;
                } else if (gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0) {
                    bracket[high_pos] = bracket[low_pos];
                    bracket_f[high_pos] = bracket_f[low_pos];
                    bracket_g[high_pos] = bracket_g[low_pos];
                    bracket_gtd[high_pos] = bracket_gtd[low_pos];
                }
                bracket[low_pos] = t;
                bracket_f[low_pos] = f_new;
                bracket_g[low_pos] = g_new;
                bracket_gtd[low_pos] = gtd_new;
            }
        }
        t_ = bracket[low_pos];
        f_out = bracket_f[low_pos];
        g_out = bracket_g[low_pos];
        return ls_func_evals;
    }

    options o_;
    std::size_t n_;
    vec d_, prev_flat_grad_, al_;
    std::deque<vec> old_dirs_, old_stps_;
    std::deque<double> ro_;
    double h_diag_ = 1, t_ = 0, prev_loss_ = 0;
    std::int64_t n_iter_total_ = 0, func_evals_ = 0;
};

}  // namespace leibniz::optim
