#pragma once
// Preprocessing fitted on the training split and applied to every split —
// scikit-learn's StandardScaler, MinMaxScaler and PCA(whiten=True), their
// defaults and numbers.
//
//   lz::train::standard_scaler<double> scaler;
//   scaler.fit(x_train);                 // x: [N, F] tensor or view (or one sample [F])
//   scaler.transform_in_place(x_val);    // or transform(x) → a new tensor, transform(x, out)
//   auto back = scaler.inverse_transform(scaler.transform(x_test));
//
//   standard_scaler    (x − mean) / scale; scale = √var, var the population
//                      variance (ddof 0); a constant feature gets scale 1
//                      (sklearn's _is_constant_feature: var ≤ n·ε·var + (n·mean·ε)²).
//   min_max_scaler     x · scale + min; scale = (hi − lo) / (max − min),
//                      min = lo − data_min · scale, [lo, hi] the feature_range
//                      (default [0, 1]); a constant feature (range < 10ε) gets
//                      range 1; clip = true clips transform's output to [lo, hi].
//   pca_whitening      (x − mean) · componentsᵀ / √(explained_variance + ε):
//                      the principal axes of the training data's covariance
//                      (ddof 1), largest variance first, from a cyclic Jacobi
//                      eigensolver; each axis's sign as sklearn's svd_flip
//                      fixes it (the training sample with the largest |projection|
//                      projects positively). n_components (0: min(N, F)) keeps the
//                      leading axes; ε = 0 is sklearn's whitening. The notes'
//                      "whitening": decorrelate, scale each direction to unit
//                      variance, drop the low-variance ones.
//
// Sums are taken in double for float data too. transform and
// inverse_transform into an output allocate nothing (inference on one sample
// at a time stays allocation-free); fit allocates. Misuse throws
// std::invalid_argument naming the scaler and the problem: transforming
// before fit, a feature count other than the fitted one (both counts), an
// output of the wrong shape, fitting on too few samples.
//
// State (what a checkpoint saves, so inference applies the same transform):
//   s.for_each_state(f)   f(std::string_view name, std::span<const T> values,
//                           std::span<const std::size_t> shape) per tensor
//   s.load_state(get)     get(std::string_view name) returns an object with
//                         .data (a std::vector<T>) and .shape
//                         (std::vector<std::size_t>), as io::tensor_set::get<T> does
//   s.write_state(set, "scaler."), s.read_state(set, "scaler.")   the same through
//                         an io::tensor_set (any type with set<T>(name, values,
//                         shape) and get<T>(name)), names prefixed
// The tensors: standard_scaler "mean", "var", "scale" [F]; min_max_scaler
// "data_min", "data_max", "min", "scale" [F]; pca_whitening "mean" [F],
// "components" [K, F], "explained_variance" [K], "epsilon" [1].

#include <leibniz/tensor/tensor.hpp>

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace leibniz::train {

namespace preprocess_detail {

// A tensor or view of samples: [N, F] rows, or one sample [F].
template <class X, class T>
concept sample_matrix = requires(const X& x) {
    { x.data() } -> std::convertible_to<const T*>;
    x.extent(0);
} && (std::remove_cvref_t<X>::rank == 1 || std::remove_cvref_t<X>::rank == 2) &&
    std::is_same_v<typename std::remove_cvref_t<X>::value_type, T>;

// The same, writable (a non-const tensor or a tensor_view<T, S> of non-const T).
template <class X, class T>
concept writable_sample_matrix = sample_matrix<X, T> && requires(X& x) {
    { x.data() } -> std::same_as<T*>;
};

// The rows of a sample matrix: its memory, samples (1 for [F]) and features.
template <class P>
struct samples {
    P* data = nullptr;
    std::size_t rows = 0, cols = 0;
};

template <class X>
std::size_t sample_count(const X& x) {
    return std::remove_cvref_t<X>::rank == 2 ? x.extent(0) : 1;
}
template <class X>
std::size_t feature_count(const X& x) {
    return x.extent(std::remove_cvref_t<X>::rank - 1);
}

// x as samples, or the one compile error that says what a scaler takes.
template <class T, class X>
samples<const T> read_samples(const X& x) {
    if constexpr (sample_matrix<X, T>) {
        return {x.data(), sample_count(x), feature_count(x)};
    } else {
        static_assert(leibniz::detail::dependent_false<X>,
                      "leibniz::train: a scaler takes an lz::tensor or lz::tensor_view of its own scalar type T, "
                      "of shape [N, F] (samples x features) or [F] (one sample)");
        return {};
    }
}
template <class T, class X>
samples<T> write_samples(X& x) {
    if constexpr (writable_sample_matrix<X&, T>) {
        return {x.data(), sample_count(x), feature_count(x)};
    } else {
        static_assert(leibniz::detail::dependent_false<X>,
                      "leibniz::train: a scaler's output must be a writable lz::tensor or lz::tensor_view<T, S> "
                      "(T not const) of its own scalar type T, of shape [N, F] or [F]");
        return {};
    }
}

// What every scaler checks, with its name in the message.
struct scaler_checks {
    const char* name;

    void fitted(bool is_fitted, const char* call) const {
        if (!is_fitted)
            throw std::invalid_argument(std::string("leibniz::train::") + name + "::" + call +
                                        ": not fitted yet (call fit(x_train) first)");
    }
    void features(std::size_t got, std::size_t expected, const char* call) const {
        if (got != expected)
            throw std::invalid_argument(std::string("leibniz::train::") + name + "::" + call + ": x has " +
                                        std::to_string(got) + " features, but the scaler was fitted on " +
                                        std::to_string(expected));
    }
    void output(std::size_t rows, std::size_t cols, std::size_t out_rows, std::size_t out_cols, const char* call) const {
        if (rows != out_rows || cols != out_cols)
            throw std::invalid_argument(std::string("leibniz::train::") + name + "::" + call + ": the output is [" +
                                        std::to_string(out_rows) + ", " + std::to_string(out_cols) +
                                        "], the result is [" + std::to_string(rows) + ", " + std::to_string(cols) + "]");
    }
    void distinct(const void* in, const void* out, const char* call) const {
        if (in == out)
            throw std::invalid_argument(std::string("leibniz::train::") + name + "::" + call +
                                        ": the output is the input; it needs memory of its own");
    }
    void state(bool ok, std::string_view what) const {
        if (!ok)
            throw std::invalid_argument(std::string("leibniz::train::") + name + "::load_state: " + std::string(what));
    }
};

// A new tensor of x's shape type with extents [rows, cols] (rows dropped for one sample).
template <class T, class X>
auto result_like(const X& x, std::size_t cols) {
    if constexpr (sample_matrix<X, T>) {
        using S = typename std::remove_cvref_t<X>::shape_type;
        leibniz::detail::extents_of<S> ex;
        for (std::size_t k = 0; k < S::rank; ++k) ex.values[k] = x.extent(k);
        ex.values[S::rank - 1] = cols;
        return tensor<T, S>(ex);
    } else {
        return tensor<T, shape<dyn, dyn>>(std::size_t{0}, cols);  // (read_samples reports the error)
    }
}

template <class Get, class T>
std::vector<T> load_vector(Get& get, std::string_view name, const scaler_checks& who,
                           std::vector<std::size_t> expected_shape) {
    auto a = get(name);
    who.state(std::vector<std::size_t>(a.shape.begin(), a.shape.end()) == expected_shape,
              "tensor \"" + std::string(name) + "\" has the wrong shape");
    return std::vector<T>(a.data.begin(), a.data.end());
}

// Eigenvalues (descending) and unit eigenvectors (columns of v, n×n row-major)
// of the symmetric n×n matrix a (row-major, destroyed), by cyclic Jacobi rotations.
inline void symmetric_eigen(std::vector<double>& a, std::size_t n, std::vector<double>& values,
                            std::vector<double>& v) {
    v.assign(n * n, 0.0);
    for (std::size_t i = 0; i < n; ++i) v[i * n + i] = 1.0;
    auto A = [&](std::size_t i, std::size_t j) -> double& { return a[i * n + j]; };
    for (int sweep = 0; sweep < 100; ++sweep) {
        double off = 0;
        for (std::size_t p = 0; p < n; ++p)
            for (std::size_t q = p + 1; q < n; ++q) off += A(p, q) * A(p, q);
        if (off == 0.0) break;
        for (std::size_t p = 0; p < n; ++p) {
            for (std::size_t q = p + 1; q < n; ++q) {
                const double apq = A(p, q);
                if (apq == 0.0) continue;
                // Negligible beside both diagonal entries: zero it (Numerical Recipes' test).
                if (sweep > 3 && std::abs(A(p, p)) + 100 * std::abs(apq) == std::abs(A(p, p)) &&
                    std::abs(A(q, q)) + 100 * std::abs(apq) == std::abs(A(q, q))) {
                    A(p, q) = A(q, p) = 0.0;
                    continue;
                }
                // The rotation that zeroes a_pq: t = tan φ, the smaller root.
                const double theta = (A(q, q) - A(p, p)) / (2 * apq);
                const double t = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1));
                const double c = 1 / std::sqrt(t * t + 1), s = t * c;
                for (std::size_t k = 0; k < n; ++k) {  // A·P
                    const double akp = A(k, p), akq = A(k, q);
                    A(k, p) = c * akp - s * akq;
                    A(k, q) = s * akp + c * akq;
                }
                for (std::size_t k = 0; k < n; ++k) {  // Pᵀ·(A·P)
                    const double apk = A(p, k), aqk = A(q, k);
                    A(p, k) = c * apk - s * aqk;
                    A(q, k) = s * apk + c * aqk;
                }
                A(p, q) = A(q, p) = 0.0;
                for (std::size_t k = 0; k < n; ++k) {  // V·P
                    const double vkp = v[k * n + p], vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    // Sort descending, eigenvectors with them.
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return A(i, i) > A(j, j); });
    std::vector<double> sorted(n * n);
    values.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
        values[k] = A(order[k], order[k]);
        for (std::size_t i = 0; i < n; ++i) sorted[i * n + k] = v[i * n + order[k]];
    }
    v = std::move(sorted);
}

// out[i, j] = op(x[i, j], a[j], b[j]) over samples [N, F]: the two scalers' transforms.
template <class T, class X, class Out, class Op>
void per_feature(const X& x, Out& out, const scaler_checks& checks, std::size_t features, const char* call,
                 const std::vector<T>& a, const std::vector<T>& b, Op op) {
    const auto in = read_samples<T>(x);
    const auto to = write_samples<T>(out);
    const std::size_t n = in.rows, f = in.cols;
    checks.features(f, features, call);
    checks.output(n, f, to.rows, to.cols, call);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < f; ++j) to.data[i * f + j] = op(in.data[i * f + j], a[j], b[j]);
}

// write_state / read_state through a tensor set, from each class's
// for_each_state / load_state (the protocol at the top of this file).
template <class Derived, class T>
struct named_state_io {
    template <class Set>
    void write_state(Set& set, std::string_view prefix = {}) const {
        static_cast<const Derived&>(*this).for_each_state(
            [&](std::string_view name, std::span<const T> values, std::span<const std::size_t> shape) {
                set.template set<T>(std::string(prefix) + std::string(name), values, shape);
            });
    }
    template <class Set>
    void read_state(const Set& set, std::string_view prefix = {}) {
        static_cast<Derived&>(*this).load_state(
            [&](std::string_view name) { return set.template get<T>(std::string(prefix) + std::string(name)); });
    }
};

}  // namespace preprocess_detail

// ------------------------------------------------------------- standard_scaler

template <std::floating_point T>
class standard_scaler : public preprocess_detail::named_state_io<standard_scaler<T>, T> {
public:
    // Learns each feature's mean and population variance from x [N, F] (N ≥ 1).
    template <class X>
    standard_scaler& fit(const X& x) {
        const auto in = preprocess_detail::read_samples<T>(x);
        const std::size_t n = in.rows, f = in.cols;
        if (n == 0) throw std::invalid_argument("leibniz::train::standard_scaler::fit: x has no samples");
        const T* p = in.data;
        std::vector<double> mean(f, 0.0), var(f, 0.0), drift(f, 0.0);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < f; ++j) mean[j] += static_cast<double>(p[i * f + j]);
        for (double& m : mean) m /= static_cast<double>(n);
        // Two passes with the rounding correction (Chan, Golub and LeVeque), as sklearn computes it.
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < f; ++j) {
                const double d = static_cast<double>(p[i * f + j]) - mean[j];
                var[j] += d * d;
                drift[j] += d;
            }
        mean_.resize(f);
        var_.resize(f);
        scale_.resize(f);
        const double nd = static_cast<double>(n), eps = std::numeric_limits<double>::epsilon();
        for (std::size_t j = 0; j < f; ++j) {
            const double v = (var[j] - drift[j] * drift[j] / nd) / nd;
            const bool constant = v <= nd * eps * v + (nd * mean[j] * eps) * (nd * mean[j] * eps);
            mean_[j] = static_cast<T>(mean[j]);
            var_[j] = static_cast<T>(v);
            scale_[j] = constant ? T{1} : static_cast<T>(std::sqrt(v));
        }
        return *this;
    }

    // out = (x − mean) / scale; out has x's extents and may be x itself.
    template <class X, class Out>
    void transform(const X& x, Out&& out) const {
        apply(x, out, "transform", [](T v, T m, T s) { return (v - m) / s; });
    }
    template <class X>
    [[nodiscard]] auto transform(const X& x) const {
        auto out = preprocess_detail::result_like<T>(x, preprocess_detail::read_samples<T>(x).cols);
        transform(x, out);
        return out;
    }
    template <class X>
    void transform_in_place(X&& x) const {
        transform(x, x);
    }
    template <class X>
    [[nodiscard]] auto fit_transform(const X& x) {
        return fit(x).transform(x);
    }

    // out = y · scale + mean.
    template <class Y, class Out>
    void inverse_transform(const Y& y, Out&& out) const {
        apply(y, out, "inverse_transform", [](T v, T m, T s) { return v * s + m; });
    }
    template <class Y>
    [[nodiscard]] auto inverse_transform(const Y& y) const {
        auto out = preprocess_detail::result_like<T>(y, preprocess_detail::read_samples<T>(y).cols);
        inverse_transform(y, out);
        return out;
    }

    [[nodiscard]] bool fitted() const noexcept { return !mean_.empty(); }
    [[nodiscard]] std::size_t features() const noexcept { return mean_.size(); }
    [[nodiscard]] std::span<const T> mean() const noexcept { return mean_; }
    [[nodiscard]] std::span<const T> var() const noexcept { return var_; }
    [[nodiscard]] std::span<const T> scale() const noexcept { return scale_; }

    template <class F>
    void for_each_state(F&& f) const {
        checks.fitted(fitted(), "for_each_state");
        const std::size_t shape[1] = {features()};
        f(std::string_view("mean"), std::span<const T>(mean_), std::span<const std::size_t>(shape));
        f(std::string_view("var"), std::span<const T>(var_), std::span<const std::size_t>(shape));
        f(std::string_view("scale"), std::span<const T>(scale_), std::span<const std::size_t>(shape));
    }
    template <class Get>
    void load_state(Get&& get) {
        auto m = get(std::string_view("mean"));
        checks.state(m.shape.size() == 1 && m.shape[0] > 0, "tensor \"mean\" is not a nonempty vector");
        const std::vector<std::size_t> shape{m.shape[0]};
        auto v = preprocess_detail::load_vector<Get, T>(get, "var", checks, shape);
        auto s = preprocess_detail::load_vector<Get, T>(get, "scale", checks, shape);
        mean_.assign(m.data.begin(), m.data.end());
        var_ = std::move(v);
        scale_ = std::move(s);
    }

private:
    template <class X, class Out, class Op>
    void apply(const X& x, Out& out, const char* call, Op op) const {
        checks.fitted(fitted(), call);
        preprocess_detail::per_feature<T>(x, out, checks, features(), call, mean_, scale_, op);
    }

    static constexpr preprocess_detail::scaler_checks checks{"standard_scaler"};
    std::vector<T> mean_, var_, scale_;
};

// -------------------------------------------------------------- min_max_scaler

template <std::floating_point T>
class min_max_scaler : public preprocess_detail::named_state_io<min_max_scaler<T>, T> {
public:
    struct options {
        T lo = 0, hi = 1;   // feature_range
        bool clip = false;  // clip transform's output to [lo, hi]
    };

    min_max_scaler() = default;
    explicit min_max_scaler(options o) : options_(o) {
        if (!(o.lo < o.hi))
            throw std::invalid_argument("leibniz::train::min_max_scaler: feature_range [" + std::to_string(o.lo) + ", " +
                                        std::to_string(o.hi) + "] is empty (lo must be below hi)");
    }

    template <class X>
    min_max_scaler& fit(const X& x) {
        const auto in = preprocess_detail::read_samples<T>(x);
        const std::size_t n = in.rows, f = in.cols;
        if (n == 0) throw std::invalid_argument("leibniz::train::min_max_scaler::fit: x has no samples");
        const T* p = in.data;
        data_min_.assign(p, p + f);
        data_max_.assign(p, p + f);
        for (std::size_t i = 1; i < n; ++i)
            for (std::size_t j = 0; j < f; ++j) {
                data_min_[j] = std::min(data_min_[j], p[i * f + j]);
                data_max_[j] = std::max(data_max_[j], p[i * f + j]);
            }
        min_.resize(f);
        scale_.resize(f);
        for (std::size_t j = 0; j < f; ++j) {
            T range = data_max_[j] - data_min_[j];
            if (range < 10 * std::numeric_limits<T>::epsilon()) range = 1;  // sklearn's _handle_zeros_in_scale
            scale_[j] = (options_.hi - options_.lo) / range;
            min_[j] = options_.lo - data_min_[j] * scale_[j];
        }
        return *this;
    }

    template <class X, class Out>
    void transform(const X& x, Out&& out) const {
        const T lo = options_.lo, hi = options_.hi;
        if (options_.clip)
            apply(x, out, "transform", [lo, hi](T v, T m, T s) { return std::clamp(v * s + m, lo, hi); });
        else
            apply(x, out, "transform", [](T v, T m, T s) { return v * s + m; });
    }
    template <class X>
    [[nodiscard]] auto transform(const X& x) const {
        auto out = preprocess_detail::result_like<T>(x, preprocess_detail::read_samples<T>(x).cols);
        transform(x, out);
        return out;
    }
    template <class X>
    void transform_in_place(X&& x) const {
        transform(x, x);
    }
    template <class X>
    [[nodiscard]] auto fit_transform(const X& x) {
        return fit(x).transform(x);
    }

    // out = (y − min) / scale.
    template <class Y, class Out>
    void inverse_transform(const Y& y, Out&& out) const {
        apply(y, out, "inverse_transform", [](T v, T m, T s) { return (v - m) / s; });
    }
    template <class Y>
    [[nodiscard]] auto inverse_transform(const Y& y) const {
        auto out = preprocess_detail::result_like<T>(y, preprocess_detail::read_samples<T>(y).cols);
        inverse_transform(y, out);
        return out;
    }

    [[nodiscard]] bool fitted() const noexcept { return !min_.empty(); }
    [[nodiscard]] std::size_t features() const noexcept { return min_.size(); }
    [[nodiscard]] std::span<const T> data_min() const noexcept { return data_min_; }
    [[nodiscard]] std::span<const T> data_max() const noexcept { return data_max_; }
    [[nodiscard]] std::span<const T> min() const noexcept { return min_; }
    [[nodiscard]] std::span<const T> scale() const noexcept { return scale_; }

    template <class F>
    void for_each_state(F&& f) const {
        checks.fitted(fitted(), "for_each_state");
        const std::size_t shape[1] = {features()};
        f(std::string_view("data_min"), std::span<const T>(data_min_), std::span<const std::size_t>(shape));
        f(std::string_view("data_max"), std::span<const T>(data_max_), std::span<const std::size_t>(shape));
        f(std::string_view("min"), std::span<const T>(min_), std::span<const std::size_t>(shape));
        f(std::string_view("scale"), std::span<const T>(scale_), std::span<const std::size_t>(shape));
    }
    template <class Get>
    void load_state(Get&& get) {
        auto m = get(std::string_view("min"));
        checks.state(m.shape.size() == 1 && m.shape[0] > 0, "tensor \"min\" is not a nonempty vector");
        const std::vector<std::size_t> shape{m.shape[0]};
        auto lo = preprocess_detail::load_vector<Get, T>(get, "data_min", checks, shape);
        auto hi = preprocess_detail::load_vector<Get, T>(get, "data_max", checks, shape);
        auto s = preprocess_detail::load_vector<Get, T>(get, "scale", checks, shape);
        min_.assign(m.data.begin(), m.data.end());
        data_min_ = std::move(lo);
        data_max_ = std::move(hi);
        scale_ = std::move(s);
    }

private:
    template <class X, class Out, class Op>
    void apply(const X& x, Out& out, const char* call, Op op) const {
        checks.fitted(fitted(), call);
        preprocess_detail::per_feature<T>(x, out, checks, features(), call, min_, scale_, op);
    }

    static constexpr preprocess_detail::scaler_checks checks{"min_max_scaler"};
    options options_{};
    std::vector<T> data_min_, data_max_, min_, scale_;
};

// --------------------------------------------------------------- pca_whitening

template <std::floating_point T>
class pca_whitening : public preprocess_detail::named_state_io<pca_whitening<T>, T> {
public:
    struct options {
        std::size_t n_components = 0;  // 0: min(N, F), all the data has
        T epsilon = 0;                 // added to each variance before the square root (0: sklearn's)
    };

    pca_whitening() = default;
    explicit pca_whitening(options o) : options_(o) {
        if (!(o.epsilon >= 0))
            throw std::invalid_argument("leibniz::train::pca_whitening: epsilon " + std::to_string(o.epsilon) +
                                        " is negative");
    }

    // Learns the mean, the leading principal axes and their variances from x [N, F], N ≥ 2.
    template <class X>
    pca_whitening& fit(const X& x) {
        const auto in = preprocess_detail::read_samples<T>(x);
        const std::size_t n = in.rows, f = in.cols;
        if (n < 2)
            throw std::invalid_argument("leibniz::train::pca_whitening::fit: x has " + std::to_string(n) +
                                        " samples; a variance needs at least 2");
        const std::size_t k = options_.n_components == 0 ? std::min(n, f) : options_.n_components;
        if (k > std::min(n, f))
            throw std::invalid_argument("leibniz::train::pca_whitening::fit: n_components " + std::to_string(k) +
                                        " exceeds min(samples, features) = min(" + std::to_string(n) + ", " +
                                        std::to_string(f) + ")");
        const T* p = in.data;
        std::vector<double> mean(f, 0.0), centred(n * f), cov(f * f, 0.0);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < f; ++j) mean[j] += static_cast<double>(p[i * f + j]);
        for (double& m : mean) m /= static_cast<double>(n);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < f; ++j) centred[i * f + j] = static_cast<double>(p[i * f + j]) - mean[j];
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t a = 0; a < f; ++a)
                for (std::size_t b = a; b < f; ++b) cov[a * f + b] += centred[i * f + a] * centred[i * f + b];
        for (std::size_t a = 0; a < f; ++a)
            for (std::size_t b = a; b < f; ++b) cov[b * f + a] = cov[a * f + b] /= static_cast<double>(n - 1);
        std::vector<double> values, vectors;
        preprocess_detail::symmetric_eigen(cov, f, values, vectors);

        mean_.assign(mean.begin(), mean.end());
        components_.resize(k * f);
        variance_.resize(k);
        for (std::size_t c = 0; c < k; ++c) {
            // svd_flip (u-based, sklearn 1.2): the largest |u_ic| (first on ties) is made positive; u_ic ∝ x_i · v_c.
            double largest = -1, sign = 1;
            for (std::size_t i = 0; i < n; ++i) {
                double u = 0;
                for (std::size_t j = 0; j < f; ++j) u += centred[i * f + j] * vectors[j * f + c];
                if (std::abs(u) > largest) {
                    largest = std::abs(u);
                    sign = u < 0 ? -1.0 : 1.0;
                }
            }
            for (std::size_t j = 0; j < f; ++j) components_[c * f + j] = static_cast<T>(sign * vectors[j * f + c]);
            variance_[c] = static_cast<T>(std::max(values[c], 0.0));  // rounding may leave a null direction at −1e-17
        }
        epsilon_ = options_.epsilon;
        return *this;
    }

    // out [N, K] = (x − mean) · componentsᵀ / √(explained_variance + ε); out must not overlap x.
    template <class X, class Out>
    void transform(const X& x, Out&& out) const {
        checks.fitted(fitted(), "transform");
        const auto in = preprocess_detail::read_samples<T>(x);
        const auto to = preprocess_detail::write_samples<T>(out);
        const std::size_t n = in.rows, f = in.cols, k = components();
        checks.features(f, features(), "transform");
        checks.output(n, k, to.rows, to.cols, "transform");
        const T* p = in.data;
        T* q = to.data;
        checks.distinct(p, q, "transform");
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t c = 0; c < k; ++c) {
                double s = 0;
                for (std::size_t j = 0; j < f; ++j)
                    s += (static_cast<double>(p[i * f + j]) - static_cast<double>(mean_[j])) *
                         static_cast<double>(components_[c * f + j]);
                q[i * k + c] = static_cast<T>(s / std::sqrt(static_cast<double>(variance_[c]) + static_cast<double>(epsilon_)));
            }
        }
    }
    // A new [N, K] tensor (shape<dyn, dyn>; one sample [F] gives [K]).
    template <class X>
    [[nodiscard]] auto transform(const X& x) const {
        auto out = result(x, components());
        transform(x, out);
        return out;
    }
    template <class X>
    [[nodiscard]] auto fit_transform(const X& x) {
        return fit(x).transform(x);
    }

    // out [N, F] = y · (√(explained_variance + ε) ⊙ components) + mean.
    template <class Y, class Out>
    void inverse_transform(const Y& y, Out&& out) const {
        checks.fitted(fitted(), "inverse_transform");
        const auto in = preprocess_detail::read_samples<T>(y);
        const auto to = preprocess_detail::write_samples<T>(out);
        const std::size_t n = in.rows, k = in.cols, f = features();
        checks.features(k, components(), "inverse_transform");
        checks.output(n, f, to.rows, to.cols, "inverse_transform");
        const T* p = in.data;
        T* q = to.data;
        checks.distinct(p, q, "inverse_transform");
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < f; ++j) {
                double s = static_cast<double>(mean_[j]);
                for (std::size_t c = 0; c < k; ++c)
                    s += static_cast<double>(p[i * k + c]) *
                         (std::sqrt(static_cast<double>(variance_[c]) + static_cast<double>(epsilon_)) *
                          static_cast<double>(components_[c * f + j]));
                q[i * f + j] = static_cast<T>(s);
            }
    }
    template <class Y>
    [[nodiscard]] auto inverse_transform(const Y& y) const {
        auto out = result(y, features());
        inverse_transform(y, out);
        return out;
    }

    [[nodiscard]] bool fitted() const noexcept { return !mean_.empty(); }
    [[nodiscard]] std::size_t features() const noexcept { return mean_.size(); }
    [[nodiscard]] std::size_t components() const noexcept { return variance_.size(); }
    [[nodiscard]] std::span<const T> mean() const noexcept { return mean_; }
    [[nodiscard]] std::span<const T> components_matrix() const noexcept { return components_; }  // [K, F] row-major
    [[nodiscard]] std::span<const T> explained_variance() const noexcept { return variance_; }
    [[nodiscard]] T epsilon() const noexcept { return epsilon_; }

    template <class F>
    void for_each_state(F&& f) const {
        checks.fitted(fitted(), "for_each_state");
        const std::size_t fs[1] = {features()}, cs[2] = {components(), features()}, ks[1] = {components()}, one[1] = {1};
        f(std::string_view("mean"), std::span<const T>(mean_), std::span<const std::size_t>(fs));
        f(std::string_view("components"), std::span<const T>(components_), std::span<const std::size_t>(cs));
        f(std::string_view("explained_variance"), std::span<const T>(variance_), std::span<const std::size_t>(ks));
        f(std::string_view("epsilon"), std::span<const T>(&epsilon_, 1), std::span<const std::size_t>(one));
    }
    template <class Get>
    void load_state(Get&& get) {
        auto c = get(std::string_view("components"));
        checks.state(c.shape.size() == 2 && c.shape[0] > 0 && c.shape[1] > 0,
                     "tensor \"components\" is not a nonempty [K, F] matrix");
        auto m = preprocess_detail::load_vector<Get, T>(get, "mean", checks, {c.shape[1]});
        auto v = preprocess_detail::load_vector<Get, T>(get, "explained_variance", checks, {c.shape[0]});
        auto e = preprocess_detail::load_vector<Get, T>(get, "epsilon", checks, {1});
        checks.state(e[0] >= 0, "tensor \"epsilon\" is negative");
        components_.assign(c.data.begin(), c.data.end());
        mean_ = std::move(m);
        variance_ = std::move(v);
        epsilon_ = e[0];
    }

private:
    template <class X>
    static auto result(const X& x, std::size_t cols) {
        if constexpr (std::remove_cvref_t<X>::rank == 1)
            return tensor<T, shape<dyn>>(cols);
        else
            return tensor<T, shape<dyn, dyn>>(x.extent(0), cols);
    }

    static constexpr preprocess_detail::scaler_checks checks{"pca_whitening"};
    options options_{};
    std::vector<T> mean_, components_, variance_;
    T epsilon_ = 0;
};

}  // namespace leibniz::train
