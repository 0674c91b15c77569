#pragma once
// lz::train::dataset and lz::train::batches: an in-memory data set of
// features [N, F...] and labels [N, L...] (integer class labels [N], or float
// targets [N, T]), over the caller's memory or owned; seeded shuffling with
// the engine's Philox generator; mini-batches of a fixed size whose last,
// partial batch has the smaller `lz::dyn` extent (no sample is dropped unless
// drop_last). Batches are views of the data (in order) or copies into one
// buffer allocated when the loader is made (shuffled): no allocation per batch.

#include <leibniz/kernels/philox.hpp>
#include <leibniz/tensor/shape.hpp>
#include <leibniz/tensor/tensor.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace leibniz::train {

namespace detail {
template <class S>
struct batched;
template <std::size_t... E>
struct batched<shape<E...>> {
    using type = shape<dyn, E...>;
    static constexpr std::size_t per_sample = (std::size_t{1} * ... * E);
    static_assert(((E != dyn) && ...), "leibniz::train::dataset: a sample's shape must be static (the batch is the dyn extent)");
};
}  // namespace detail

// Features of type T and per-sample shape FeatureShape; labels of type L and
// per-sample shape LabelShape (shape<> for one class label per sample).
template <class T, class FeatureShape, class L = std::int32_t, class LabelShape = shape<>>
class dataset {
public:
    using feature_type = T;
    using label_type = L;
    using feature_batch_shape = typename detail::batched<FeatureShape>::type;  // [dyn, F...]
    using label_batch_shape = typename detail::batched<LabelShape>::type;      // [dyn, L...]
    static constexpr std::size_t feature_size = detail::batched<FeatureShape>::per_sample;
    static constexpr std::size_t label_size = detail::batched<LabelShape>::per_sample;

    // A view of the caller's memory (row-major, sample after sample): it must outlive the data set.
    dataset(std::span<const T> features, std::span<const L> labels) { bind(features, labels); }
    // Owned: the data set keeps the vectors.
    dataset(std::vector<T>&& features, std::vector<L>&& labels)
        : owned_x_(std::move(features)), owned_y_(std::move(labels)) {
        bind(owned_x_, owned_y_);
    }
    dataset(const dataset& o) : owned_x_(o.owned_x_), owned_y_(o.owned_y_) {
        if (o.owns()) bind(owned_x_, owned_y_);
        else x_ = o.x_, y_ = o.y_, n_ = o.n_;
    }
    dataset(dataset&& o) noexcept : owned_x_(std::move(o.owned_x_)), owned_y_(std::move(o.owned_y_)), x_(o.x_), y_(o.y_), n_(o.n_) {
        if (!owned_x_.empty() || !owned_y_.empty()) x_ = owned_x_.data(), y_ = owned_y_.data();
    }
    dataset& operator=(const dataset&) = delete;
    dataset& operator=(dataset&&) = delete;

    [[nodiscard]] std::size_t size() const noexcept { return n_; }
    [[nodiscard]] bool owns() const noexcept { return !owned_x_.empty() && x_ == owned_x_.data(); }
    [[nodiscard]] std::span<const T> features() const noexcept { return {x_, n_ * feature_size}; }
    [[nodiscard]] std::span<const L> labels() const noexcept { return {y_, n_ * label_size}; }
    [[nodiscard]] const T* sample(std::size_t i) const noexcept { return x_ + i * feature_size; }
    [[nodiscard]] const L* label(std::size_t i) const noexcept { return y_ + i * label_size; }
    // Every sample at once, as tensors of the batch shapes (for evaluate and predict).
    [[nodiscard]] tensor_view<const T, feature_batch_shape> all_features() const { return tensor_view<const T, feature_batch_shape>(x_, n_); }
    [[nodiscard]] tensor_view<const L, label_batch_shape> all_labels() const { return tensor_view<const L, label_batch_shape>(y_, n_); }

private:
    void bind(std::span<const T> x, std::span<const L> y) {
        if (x.size() % feature_size != 0)
            throw std::invalid_argument("leibniz::train::dataset: " + std::to_string(x.size()) +
                                        " feature values do not divide into samples of " + std::to_string(feature_size));
        const std::size_t n = x.size() / feature_size;
        if (y.size() != n * label_size)
            throw std::invalid_argument("leibniz::train::dataset: " + std::to_string(n) + " samples of features but " +
                                        std::to_string(y.size()) + " label values (" + std::to_string(label_size) +
                                        " per sample expected)");
        x_ = x.data(), y_ = y.data(), n_ = n;
    }

    std::vector<T> owned_x_;
    std::vector<L> owned_y_;
    const T* x_ = nullptr;
    const L* y_ = nullptr;
    std::size_t n_ = 0;
};

// The order of epoch `epoch` for a data set of n samples under `seed`:
// Fisher-Yates driven by Philox (key {seed, epoch}, stream 0x5eed), so an epoch's
// order depends only on the seed and the epoch — a resumed run shuffles as
// the uninterrupted one did. Writes into `order` (n elements), allocates nothing.
inline void shuffled_order(std::span<std::size_t> order, std::uint64_t seed, std::uint64_t epoch) noexcept {
    std::iota(order.begin(), order.end(), std::size_t{0});
    const kernels::random_key key{seed, static_cast<std::uint32_t>(epoch)};
    constexpr std::uint32_t stream = 0x5eed;
    for (std::size_t i = order.size(); i > 1; --i) {
        const auto w = kernels::random_block(key, stream, i);
        const std::uint64_t r = std::uint64_t{w[1]} << 32 | w[0];
        // 64 random bits reduced to [0, i) by a remainder: bias below i / 2^64
        const std::size_t j = static_cast<std::size_t>(r % i);
        std::swap(order[i - 1], order[j]);
    }
}

struct batch_options {
    std::size_t batch_size = 32;
    bool shuffle = true;
    std::uint64_t seed = 0;
    bool drop_last = false;  // PyTorch's DataLoader: drop the last partial batch
};

// One mini-batch: features [n, F...] and labels [n, L...], views valid until the next batch.
template <class D>
struct batch {
    tensor_view<const typename D::feature_type, typename D::feature_batch_shape> x;
    tensor_view<const typename D::label_type, typename D::label_batch_shape> y;
    std::size_t size;
};

// The mini-batches of a data set, epoch by epoch (PyTorch's DataLoader).
//   batches loader{data, {.batch_size = 64, .seed = 1}};
//   loader.start_epoch(e); for (std::size_t b = 0; b < loader.count(); ++b) { auto [x, y, n] = loader[b]; ... }
template <class D>
class batches {
public:
    batches(const D& data, batch_options options) : data_(&data), o_(options) {
        if (o_.batch_size == 0) throw std::invalid_argument("leibniz::train::batches: batch_size must be at least 1");
        if (o_.shuffle) {  // in order, nothing is allocated: a batch is a view of the data set
            order_.resize(data.size());
            std::iota(order_.begin(), order_.end(), std::size_t{0});
            const std::size_t rows = std::min(o_.batch_size, data.size());
            bx_.resize(std::max<std::size_t>(rows * D::feature_size, 1));
            by_.resize(std::max<std::size_t>(rows * D::label_size, 1));
        }
    }

    [[nodiscard]] std::size_t count() const noexcept {
        const std::size_t n = data_->size(), b = o_.batch_size;
        return o_.drop_last ? n / b : (n + b - 1) / b;
    }
    [[nodiscard]] const batch_options& options() const noexcept { return o_; }
    // The current epoch's order (shuffling only; empty in order).
    [[nodiscard]] std::span<const std::size_t> order() const noexcept { return order_; }

    // Draws the order of this epoch (when shuffling).
    void start_epoch(std::uint64_t epoch) noexcept {
        if (o_.shuffle) shuffled_order(order_, o_.seed, epoch);
    }

    // Batch b of the current epoch. In order: a view of the data set; shuffled:
    // the rows gathered into the loader's buffer (valid until the next call).
    [[nodiscard]] batch<D> operator[](std::size_t b) {
        if (b >= count())
            throw std::out_of_range("leibniz::train::batches: batch " + std::to_string(b) + " of " + std::to_string(count()));
        const std::size_t first = b * o_.batch_size, n = std::min(o_.batch_size, data_->size() - first);
        using X = tensor_view<const typename D::feature_type, typename D::feature_batch_shape>;
        using Y = tensor_view<const typename D::label_type, typename D::label_batch_shape>;
        if (!o_.shuffle) return {X(data_->sample(first), n), Y(data_->label(first), n), n};
        for (std::size_t r = 0; r < n; ++r) {
            const std::size_t i = order_[first + r];
            std::memcpy(bx_.data() + r * D::feature_size, data_->sample(i), D::feature_size * sizeof(typename D::feature_type));
            std::memcpy(by_.data() + r * D::label_size, data_->label(i), D::label_size * sizeof(typename D::label_type));
        }
        return {X(bx_.data(), n), Y(by_.data(), n), n};
    }

private:
    const D* data_;
    batch_options o_;
    std::vector<std::size_t> order_;
    std::vector<typename D::feature_type> bx_;
    std::vector<typename D::label_type> by_;
};

}  // namespace leibniz::train
