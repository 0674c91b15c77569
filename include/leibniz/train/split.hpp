#pragma once
// Train / validation / test splits of N samples as index sets, and the rows
// they select — scikit-learn's train_test_split, with three parts.
//
//   auto s = lz::train::split(n, {.validation = 0.15, .test = 0.15, .seed = 42});
//   auto s = lz::train::stratified_split(labels, {.validation = 30, .test = 0.2, .seed = 7});
//   auto x_train = lz::train::take_rows(x, s.train);   // owned [s.train.size(), F...]
//   auto y_train = lz::train::take(labels, s.train);   // owned std::vector
//
// Sizes: a floating-point size is a fraction of N, rounded up (sklearn's
// ceil(test_size · n)); an integer one is a count. Validation and test are
// sized on N; the training set is the rest and must not be empty. A fraction
// must lie in [0, 1), a count in [0, N]; otherwise std::invalid_argument.
//
// Order: the samples are shuffled by a Fisher-Yates pass drawing from
// Philox4x32-10 (kernels/philox.hpp) under random_key{seed, 0}, stream
// split_stream; an integer below `bound` is a 64-bit draw rejected while it
// falls under 2^64 mod bound (so uniform). The same seed gives the same split
// on every machine and compiler. Test takes the first n_test shuffled
// indices, validation the next n_validation, training the rest. With
// `.shuffle = false` the parts are consecutive: train, validation, test.
//
// Stratified: each class keeps its proportion in each part, as
// train_test_split(stratify=y) rounds it, applied twice — first test is taken
// off N, then validation off the rest (with integer sizes; sklearn's
// StratifiedShuffleSplit → _approximate_mode):
//   keep_c = floor(count_c / total · n_keep), n_keep = total − n_off; the
//   n_keep − Σ keep_c samples still owed go one each to the classes with the
//   largest remainders count_c / total · n_keep − keep_c (ties: in a seeded
//   random order, as sklearn breaks them with its random state); the part
//   taken off gets count_c − keep_c of class c.
// Within a class the samples are drawn after a seeded shuffle, and each part
// is shuffled again, so no part is ordered by class. As sklearn does, every
// class needs at least 2 samples and each nonempty part at least one sample
// per class (std::invalid_argument otherwise).

#include <leibniz/kernels/philox.hpp>
#include <leibniz/tensor/tensor.hpp>

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace leibniz::train {

// The stream of the Philox generator that splits draw from ("SPLT").
inline constexpr std::uint32_t split_stream = 0x53504C54u;

// A part's size: a fraction of N (floating point, rounded up) or a count (integer).
class split_size {
public:
    constexpr split_size() = default;
    template <std::floating_point F>
    constexpr split_size(F fraction) : fraction_(static_cast<double>(fraction)), is_count_(false) {}
    template <std::integral I>
    constexpr split_size(I count) : count_(static_cast<std::size_t>(count)), negative_(count < 0), is_count_(true) {}

    // The number of samples out of n; std::invalid_argument when out of range.
    [[nodiscard]] std::size_t of(std::size_t n, const char* part) const {
        if (is_count_) {
            if (negative_ || count_ > n)
                throw std::invalid_argument(std::string("leibniz::train::split: the ") + part + " count " +
                                            (negative_ ? "is negative" : std::to_string(count_)) +
                                            " does not fit the " + std::to_string(n) + " samples");
            return count_;
        }
        if (!(fraction_ >= 0.0 && fraction_ < 1.0))
            throw std::invalid_argument(std::string("leibniz::train::split: the ") + part + " fraction " +
                                        std::to_string(fraction_) + " is not in [0, 1)");
        return static_cast<std::size_t>(std::ceil(fraction_ * static_cast<double>(n)));
    }

private:
    double fraction_ = 0.0;
    std::size_t count_ = 0;
    bool negative_ = false;
    bool is_count_ = true;
};

struct split_options {
    split_size validation = 0;  // none by default
    split_size test = 0;
    std::uint64_t seed = 0;
    bool shuffle = true;  // false: consecutive parts (stratified splits always shuffle)
};

// Three disjoint index sets covering 0..N-1.
struct split_indices {
    std::vector<std::size_t> train, validation, test;
};

namespace split_detail {

// Uniform integers from the split stream, one 64-bit draw (half a Philox block) each.
class split_rng {
public:
    explicit split_rng(std::uint64_t seed, std::uint32_t stream = split_stream) : key_{seed, 0}, stream_(stream) {}

    std::uint64_t bits() noexcept {
        const auto w = kernels::random_block(key_, stream_, counter_ / 2);
        const std::size_t j = 2 * (counter_++ % 2);
        return std::uint64_t{w[j + 1]} << 32 | w[j];
    }
    // Uniform in [0, bound), bound > 0: rejection below 2^64 mod bound.
    std::uint64_t below(std::uint64_t bound) noexcept {
        const std::uint64_t reject = (0 - bound) % bound;
        for (;;) {
            const std::uint64_t x = bits();
            if (x >= reject) return x % bound;
        }
    }
    template <class T>
    void shuffle(std::vector<T>& v) noexcept {
        for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
    }

private:
    kernels::random_key key_;
    std::uint32_t stream_;
    std::uint64_t counter_ = 0;
};

struct split_counts {
    std::size_t validation, test, train;
};

inline split_counts split_sizes(std::size_t n, const split_options& o) {
    const std::size_t n_val = o.validation.of(n, "validation"), n_test = o.test.of(n, "test");
    if (n_val + n_test >= n)
        throw std::invalid_argument("leibniz::train::split: " + std::to_string(n_val) + " validation and " +
                                    std::to_string(n_test) + " test samples leave no training sample of " +
                                    std::to_string(n));
    return {n_val, n_test, n - n_val - n_test};
}

// sklearn's _approximate_mode: how many of each class to keep when n_keep of
// `total` samples are kept, the remainders' ties in a seeded random order.
inline std::vector<std::size_t> approximate_mode(const std::vector<std::size_t>& counts, std::size_t n_keep,
                                                 split_rng& rng) {
    std::size_t total = 0;
    for (std::size_t c : counts) total += c;
    std::vector<std::size_t> keep(counts.size());
    std::vector<double> remainder(counts.size());
    std::size_t owed = n_keep;
    for (std::size_t c = 0; c < counts.size(); ++c) {
        // counts / total * n_keep, in sklearn's order of operations (its ties are exact ties)
        const double exact = static_cast<double>(counts[c]) / static_cast<double>(total) * static_cast<double>(n_keep);
        keep[c] = static_cast<std::size_t>(std::floor(exact));
        remainder[c] = exact - static_cast<double>(keep[c]);
        owed -= keep[c];
    }
    std::vector<std::size_t> order(counts.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    rng.shuffle(order);  // the order among equal remainders
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
    for (std::size_t k = 0; k < order.size() && owed > 0; ++k, --owed) ++keep[order[k]];
    return keep;
}

inline void check_per_class(std::size_t part_size, std::size_t classes, const char* part) {
    if (part_size > 0 && part_size < classes)
        throw std::invalid_argument(std::string("leibniz::train::stratified_split: the ") + part + " part has " +
                                    std::to_string(part_size) + " samples, fewer than the " + std::to_string(classes) +
                                    " classes");
}

}  // namespace split_detail

// Splits 0..n-1 into train, validation and test (see the top of this header).
inline split_indices split(std::size_t n, const split_options& options) {
    const auto sizes = split_detail::split_sizes(n, options);
    std::vector<std::size_t> all(n);
    std::iota(all.begin(), all.end(), std::size_t{0});
    split_indices s;
    if (options.shuffle) {
        split_detail::split_rng rng(options.seed);
        rng.shuffle(all);
        s.test.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(sizes.test));
        s.validation.assign(all.begin() + static_cast<std::ptrdiff_t>(sizes.test),
                            all.begin() + static_cast<std::ptrdiff_t>(sizes.test + sizes.validation));
        s.train.assign(all.begin() + static_cast<std::ptrdiff_t>(sizes.test + sizes.validation), all.end());
    } else {
        s.train.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(sizes.train));
        s.validation.assign(all.begin() + static_cast<std::ptrdiff_t>(sizes.train),
                            all.begin() + static_cast<std::ptrdiff_t>(sizes.train + sizes.validation));
        s.test.assign(all.begin() + static_cast<std::ptrdiff_t>(sizes.train + sizes.validation), all.end());
    }
    return s;
}

// Splits the samples keeping each class's proportion in every part. Labels
// are integers (any values; classes are the distinct values, in increasing order).
template <std::integral L>
split_indices stratified_split(std::span<const L> labels, const split_options& options) {
    const std::size_t n = labels.size();
    const auto sizes = split_detail::split_sizes(n, options);
    std::map<L, std::vector<std::size_t>> members;
    for (std::size_t i = 0; i < n; ++i) members[labels[i]].push_back(i);
    std::vector<std::size_t> counts;
    for (const auto& [label, idx] : members) {
        if (idx.size() < 2)
            throw std::invalid_argument("leibniz::train::stratified_split: class " + std::to_string(label) + " has " +
                                        std::to_string(idx.size()) + " sample; every class needs at least 2");
        counts.push_back(idx.size());
    }
    split_detail::check_per_class(sizes.test, counts.size(), "test");
    split_detail::check_per_class(sizes.validation, counts.size(), "validation");
    split_detail::check_per_class(sizes.train, counts.size(), "train");

    split_detail::split_rng rng(options.seed);
    // First test off all n, then validation off the rest: sklearn allocates the kept part.
    const auto kept = split_detail::approximate_mode(counts, n - sizes.test, rng);
    std::vector<std::size_t> rest(counts.size());
    for (std::size_t c = 0; c < counts.size(); ++c) rest[c] = kept[c];
    const auto train_counts = split_detail::approximate_mode(rest, sizes.train, rng);

    split_indices s;
    std::size_t c = 0;
    for (auto& [label, idx] : members) {
        rng.shuffle(idx);
        const std::size_t n_test = counts[c] - kept[c], n_val = kept[c] - train_counts[c];
        s.test.insert(s.test.end(), idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(n_test));
        s.validation.insert(s.validation.end(), idx.begin() + static_cast<std::ptrdiff_t>(n_test),
                            idx.begin() + static_cast<std::ptrdiff_t>(n_test + n_val));
        s.train.insert(s.train.end(), idx.begin() + static_cast<std::ptrdiff_t>(n_test + n_val), idx.end());
        ++c;
    }
    rng.shuffle(s.train);
    rng.shuffle(s.validation);
    rng.shuffle(s.test);
    return s;
}
template <std::integral L>
split_indices stratified_split(const std::vector<L>& labels, const split_options& options) {
    return stratified_split(std::span<const L>(labels), options);
}

namespace split_detail {
// S with its first extent made dyn: the shape of a selection of rows.
template <class S, class I>
struct row_selection_shape;
template <class S, std::size_t... I>
struct row_selection_shape<S, std::index_sequence<I...>> {
    using type = shape<dyn, S::extents[I + 1]...>;
};

inline void check_index(std::size_t i, std::size_t n, const char* who) {
    if (i >= n)
        throw std::out_of_range(std::string(who) + ": index " + std::to_string(i) + " is out of range for " +
                                std::to_string(n) + " samples");
}
}  // namespace split_detail

// The rows `indices` of x [N, F...] (any row order, repeats allowed), copied
// into an owned tensor [indices.size(), F...]; std::out_of_range for an index ≥ N.
template <class T, Shape S>
auto take_rows(const tensor_view<T, S>& x, std::span<const std::size_t> indices) {
    if constexpr (S::rank == 0) {
        static_assert(leibniz::detail::dependent_false<T>,
                      "leibniz::train::take_rows: x has no sample axis (a scalar); it must be [N, F...]");
        return tensor<std::remove_const_t<T>, shape<dyn>>(indices.size());
    } else {
        using value = std::remove_const_t<T>;
        using rows_shape = typename split_detail::row_selection_shape<S, std::make_index_sequence<S::rank - 1>>::type;
        leibniz::detail::extents_of<rows_shape> ex;
        ex.values[0] = indices.size();
        for (std::size_t k = 1; k < S::rank; ++k) ex.values[k] = x.extent(k);
        tensor<value, rows_shape> out(ex);
        const std::size_t n = x.extent(0), row = n == 0 ? 0 : x.size() / n;
        for (std::size_t r = 0; r < indices.size(); ++r) {
            split_detail::check_index(indices[r], n, "leibniz::train::take_rows");
            std::copy_n(x.data() + indices[r] * row, row, out.data() + r * row);
        }
        return out;
    }
}
template <class T, Shape S>
auto take_rows(const tensor<T, S>& x, std::span<const std::size_t> indices) {
    return take_rows(x.view(), indices);
}

// The labels (or any per-sample values) at `indices`, copied.
template <class L>
std::vector<L> take(std::span<const L> values, std::span<const std::size_t> indices) {
    std::vector<L> out;
    out.reserve(indices.size());
    for (std::size_t i : indices) {
        split_detail::check_index(i, values.size(), "leibniz::train::take");
        out.push_back(values[i]);
    }
    return out;
}
template <class L>
std::vector<L> take(const std::vector<L>& values, std::span<const std::size_t> indices) {
    return take(std::span<const L>(values), indices);
}

}  // namespace leibniz::train
