#pragma once
// Tensors: lz::tensor<T, Shape> owns 64-byte-aligned row-major storage;
// lz::tensor_view<T, Shape> looks at memory someone else owns (a std::vector,
// an Eigen matrix's data, an audio buffer) without copying. Static extents are
// part of the type; a `dyn` extent (the batch) is bound at run time, and a
// mismatch throws lz::shape_error naming what disagreed — never undefined
// behaviour.

#include <leibniz/tensor/shape.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace leibniz {

// A run-time extent that disagrees with what the expression or the tensor expects.
class shape_error : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

inline constexpr std::size_t tensor_alignment = 64;

// ---------------------------------------------------------------- checked views
// A view can be tied to a generation counter of the memory's owner (core's
// lz::workspace ties the views it returns, valid until its next use, to its
// own). With LEIBNIZ_CHECK_VIEWS on — by default when NDEBUG is not defined —
// data() and element access through a tied view compare the counter with the
// value it had when the view was made, and call the invalid-view handler with
// the owner's message when they differ. With it off a view is a pointer and
// the extents, nothing more. (The setting changes tensor_view's layout: every
// translation unit of a program that passes views around must agree on it.)
#ifndef LEIBNIZ_CHECK_VIEWS
#ifdef NDEBUG
#define LEIBNIZ_CHECK_VIEWS 0
#else
#define LEIBNIZ_CHECK_VIEWS 1
#endif
#endif

// What a read through an invalidated view calls. The default prints the
// message to stderr and aborts, as a failed assert does; a test may install
// one that records the message and returns (the read then goes ahead).
using invalid_view_handler = void (*)(const char* message) noexcept;

namespace detail {
inline void abort_on_invalid_view(const char* message) noexcept {
    std::fprintf(stderr, "%s\n", message);
    std::abort();
}
inline invalid_view_handler current_invalid_view_handler = abort_on_invalid_view;

// The owner's counter and its value when the view was made (LEIBNIZ_CHECK_VIEWS);
// an empty member otherwise.
template <bool Checked = LEIBNIZ_CHECK_VIEWS>
struct view_guard {
    const std::size_t* generation = nullptr;  // null: not tied, never checked
    std::size_t expected = 0;
    const char* message = nullptr;
    void check() const noexcept {
        if (generation && *generation != expected) current_invalid_view_handler(message);
    }
};
template <>
struct view_guard<false> {
    void check() const noexcept {}
};
}  // namespace detail

// Installs `handler` for reads through invalidated views; returns the previous one.
inline invalid_view_handler set_invalid_view_handler(invalid_view_handler handler) noexcept {
    return std::exchange(detail::current_invalid_view_handler, handler ? handler : detail::abort_on_invalid_view);
}

namespace detail {

template <Shape S>
constexpr std::size_t dynamic_extent_count() {
    std::size_t n = 0;
    for (std::size_t e : S::extents) n += e == dyn;
    return n;
}

// The run-time extents of a shape: static ones from the type, dyn ones given.
template <Shape S>
struct extents_of {
    static constexpr std::size_t rank = S::rank;
    std::array<std::size_t, S::rank> values{};

    constexpr extents_of() {
        for (std::size_t i = 0; i < S::rank; ++i) values[i] = S::extents[i] == dyn ? 0 : S::extents[i];
    }
    // A static extent comes from the type, so loops over static shapes have
    // compile-time bounds; only dyn extents are read from `values`.
    [[nodiscard]] constexpr std::size_t operator[](std::size_t i) const {
        return S::extents[i] == dyn ? values[i] : S::extents[i];
    }
    [[nodiscard]] constexpr std::size_t size() const {
        if constexpr (S::is_static) {
            return S::size;
        } else {
            std::size_t n = 1;
            for (std::size_t i = 0; i < S::rank; ++i) n *= (*this)[i];
            return n;
        }
    }
};

inline std::string extents_text(const std::size_t* e, std::size_t rank) {
    std::string s = "[";
    for (std::size_t i = 0; i < rank; ++i) s += (i ? ", " : "") + std::to_string(e[i]);
    return s + "]";
}

template <Shape S>
extents_of<S> make_extents(std::initializer_list<std::size_t> dynamic, std::string_view who) {
    extents_of<S> ex;
    if (dynamic.size() != dynamic_extent_count<S>())
        throw shape_error(std::string(who) + ": the shape has " + std::to_string(dynamic_extent_count<S>()) +
                          " run-time (dyn) extent(s), but " + std::to_string(dynamic.size()) + " were given");
    auto it = dynamic.begin();
    for (std::size_t i = 0; i < S::rank; ++i)
        if (S::extents[i] == dyn) ex.values[i] = *it++;
    return ex;
}

}  // namespace detail

template <class T, Shape S>
class tensor_view;

template <class T, Shape S>
class tensor {
    static_assert(!std::is_const_v<T> && !std::is_reference_v<T>, "leibniz::tensor: T is a plain value type");

public:
    using value_type = T;
    using shape_type = S;
    static constexpr std::size_t rank = S::rank;

    // A static shape needs no arguments; each dyn extent is given, in order:
    // tensor<float, shape<dyn, 784>> x(batch);
    template <class... Dyn>
        requires(sizeof...(Dyn) == detail::dynamic_extent_count<S>() && (std::is_integral_v<Dyn> && ...))
    explicit tensor(Dyn... dynamic_extents)
        : extents_(detail::make_extents<S>({static_cast<std::size_t>(dynamic_extents)...}, "leibniz::tensor")) {
        allocate();
        std::fill_n(data_, size(), T{});
    }

    // From nested initializer lists (static shapes of rank 1 or 2):
    // tensor<double, shape<2, 3>> a{{1, 2, 3}, {4, 5, 6}};
    tensor(std::initializer_list<T> values)
        requires(S::rank == 1 && S::is_static)
        : tensor() {
        check_count(values.size(), S::extents[0], "elements");
        // (bounded although checked: g++ 12 -O2 cannot see that check_count throws)
        std::copy_n(values.begin(), std::min(values.size(), S::extents[0]), data_);
    }
    tensor(std::initializer_list<std::initializer_list<T>> rows)
        requires(S::rank == 2 && S::is_static)
        : tensor() {
        check_count(rows.size(), S::extents[0], "rows");
        std::size_t i = 0;
        for (const auto& row : rows) {
            check_count(row.size(), S::extents[1], "columns");
            std::copy_n(row.begin(), std::min(row.size(), S::extents[1]), data_ + i++ * S::extents[1]);
        }
    }

    // With run-time extents taken from another tensor or view.
    explicit tensor(const detail::extents_of<S>& extents) : extents_(extents) {
        allocate();
        std::fill_n(data_, size(), T{});
    }

    tensor(const tensor& other) : extents_(other.extents_) {
        allocate();
        std::copy_n(other.data_, size(), data_);
    }
    tensor(tensor&& other) noexcept : extents_(other.extents_), data_(std::exchange(other.data_, nullptr)) {}
    tensor& operator=(const tensor& other) {
        if (this != &other) {
            tensor copy(other);
            swap(copy);
        }
        return *this;
    }
    tensor& operator=(tensor&& other) noexcept {
        swap(other);
        return *this;
    }
    ~tensor() { ::operator delete(data_, std::align_val_t{tensor_alignment}); }

    void swap(tensor& other) noexcept {
        std::swap(extents_, other.extents_);
        std::swap(data_, other.data_);
    }

    [[nodiscard]] T* data() noexcept { return data_; }
    [[nodiscard]] const T* data() const noexcept { return data_; }
    [[nodiscard]] std::size_t size() const noexcept { return extents_.size(); }
    [[nodiscard]] std::size_t extent(std::size_t i) const noexcept { return extents_[i]; }
    [[nodiscard]] const auto& extents() const noexcept { return extents_.values; }

    template <class... I>
        requires(sizeof...(I) == S::rank)
    [[nodiscard]] T& operator()(I... index) noexcept {
        return data_[offset(static_cast<std::size_t>(index)...)];
    }
    template <class... I>
        requires(sizeof...(I) == S::rank)
    [[nodiscard]] const T& operator()(I... index) const noexcept {
        return data_[offset(static_cast<std::size_t>(index)...)];
    }

    void fill(const T& value) { std::fill_n(data_, size(), value); }

    [[nodiscard]] tensor_view<T, S> view() noexcept { return tensor_view<T, S>(data_, extents_); }
    [[nodiscard]] tensor_view<const T, S> view() const noexcept { return tensor_view<const T, S>(data_, extents_); }
    operator tensor_view<const T, S>() const noexcept { return view(); }

private:
    void allocate() {
        data_ = static_cast<T*>(::operator new(std::max<std::size_t>(size(), 1) * sizeof(T), std::align_val_t{tensor_alignment}));
    }
    static void check_count(std::size_t got, std::size_t expected, const char* what) {
        if (got != expected)
            throw shape_error("leibniz::tensor: initializer has " + std::to_string(got) + " " + what + ", the shape needs " +
                              std::to_string(expected));
    }
    template <class... I>
    [[nodiscard]] std::size_t offset(I... index) const noexcept {
        std::size_t off = 0, k = 0;
        ((off = off * extents_[k++] + index), ...);
        return off;
    }

    detail::extents_of<S> extents_;
    T* data_ = nullptr;
};

// A view of someone else's memory, laid out row-major with the given extents.
template <class T, Shape S>
class tensor_view {
public:
    using value_type = std::remove_const_t<T>;
    using shape_type = S;
    static constexpr std::size_t rank = S::rank;

    tensor_view() = default;  // views nothing (a tape slot before it is laid out)
    tensor_view(T* data, const detail::extents_of<S>& extents) : data_(data), extents_(extents) {}

    // Over a pointer, with each dyn extent given: tensor_view<const float, shape<dyn, 3>>(p, rows).
    template <class... Dyn>
        requires(sizeof...(Dyn) == detail::dynamic_extent_count<S>() && (std::is_integral_v<Dyn> && ...))
    explicit tensor_view(T* data, Dyn... dynamic_extents)
        : data_(data), extents_(detail::make_extents<S>({static_cast<std::size_t>(dynamic_extents)...}, "leibniz::tensor_view")) {}

    // Over a contiguous container (std::vector, std::array, std::span) whose
    // size must match; a single dyn extent is deduced from the size.
    template <class Container>
        requires requires(Container& c) {
            { std::data(c) } -> std::convertible_to<T*>;
            std::size(c);
        } && (detail::dynamic_extent_count<S>() <= 1)
    explicit tensor_view(Container& c) : data_(std::data(c)) {
        std::size_t fixed = 1;
        for (std::size_t i = 0; i < S::rank; ++i) if (S::extents[i] != dyn) fixed *= S::extents[i];
        const std::size_t n = std::size(c);
        if constexpr (detail::dynamic_extent_count<S>() == 1) {
            if (fixed == 0 || n % fixed != 0)
                throw shape_error("leibniz::tensor_view: a container of " + std::to_string(n) +
                                  " elements does not divide into rows of " + std::to_string(fixed));
            for (std::size_t i = 0; i < S::rank; ++i) if (S::extents[i] == dyn) extents_.values[i] = n / fixed;
        } else if (n != fixed) {
            throw shape_error("leibniz::tensor_view: a container of " + std::to_string(n) + " elements, the shape needs " +
                              std::to_string(fixed));
        }
    }

    template <class U>
        requires std::is_same_v<const U, T>
    tensor_view(const tensor_view<U, S>& other) : data_(other.data_), extents_(other.extents_), guard_(other.guard_) {}

    // The same view, tied to its owner's generation counter: once `generation`
    // changes, reading through it calls the invalid-view handler with `message`
    // (LEIBNIZ_CHECK_VIEWS; otherwise the view itself). For owners of memory,
    // such as lz::workspace.
    [[nodiscard]] tensor_view valid_while_unchanged([[maybe_unused]] const std::size_t& generation,
                                                    [[maybe_unused]] const char* message) const noexcept {
        tensor_view v = *this;
#if LEIBNIZ_CHECK_VIEWS
        v.guard_ = {&generation, generation, message};
#endif
        return v;
    }

    [[nodiscard]] T* data() const noexcept {
        guard_.check();
        return data_;
    }
    [[nodiscard]] std::size_t size() const noexcept { return extents_.size(); }
    [[nodiscard]] std::size_t extent(std::size_t i) const noexcept { return extents_[i]; }
    [[nodiscard]] const auto& extents() const noexcept { return extents_.values; }
    [[nodiscard]] const detail::extents_of<S>& extents_object() const noexcept { return extents_; }

    template <class... I>
        requires(sizeof...(I) == S::rank)
    [[nodiscard]] T& operator()(I... index) const noexcept {
        guard_.check();
        std::size_t off = 0, k = 0;
        ((off = off * extents_[k++] + static_cast<std::size_t>(index)), ...);
        return data_[off];
    }

private:
    template <class, Shape>
    friend class tensor_view;

    T* data_ = nullptr;
    detail::extents_of<S> extents_;
    [[no_unique_address]] detail::view_guard<> guard_;
};

// An owning copy of a view.
template <class T, Shape S>
tensor<std::remove_const_t<T>, S> to_tensor(const tensor_view<T, S>& view) {
    tensor<std::remove_const_t<T>, S> t(view.extents_object());
    std::copy_n(view.data(), view.size(), t.data());
    return t;
}

// ---------------------------------------------------------------- test helpers

// The largest |a − b| over all elements; throws shape_error when extents differ.
template <class A, class B>
auto max_abs_diff(const A& a, const B& b) {
    if (a.extents() != b.extents())
        throw shape_error("leibniz::max_abs_diff: extents differ: " + detail::extents_text(a.extents().data(), A::rank) +
                          " and " + detail::extents_text(b.extents().data(), B::rank));
    using T = typename A::value_type;
    T worst{};
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::max<T>(worst, std::abs(a.data()[i] - b.data()[i]));
    return worst;
}

// Every |a − b| ≤ atol + rtol·|b| (NumPy's allclose).
template <class A, class B, class T = typename A::value_type>
bool allclose(const A& a, const B& b, T rtol = T(1e-5), T atol = T(1e-8)) {
    if (a.extents() != b.extents()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!(std::abs(a.data()[i] - b.data()[i]) <= atol + rtol * std::abs(b.data()[i]))) return false;
    return true;
}

}  // namespace leibniz
