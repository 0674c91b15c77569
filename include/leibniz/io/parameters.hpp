#pragma once
// A whole parameter store (lz::parameters, or a view laid out like one) saved
// to and loaded from a safetensors file by its leaves' names — PyTorch's
// state_dict: save_file / load_state_dict(strict=...).
//
//   io::save_parameters("mlp.safetensors", params);
//   io::load_parameters("mlp.safetensors", params);                    // strict
//   auto r = io::load_parameters(path, params, {.strict = false});     // skips missing / extra
//   io::load_parameters(path, params, {.map = to_torch});              // renamed, transposed
//
// Strict by default: a tensor of the file that no parameter takes, a
// parameter the file lacks, or a shape that differs is an io_error naming the
// file, the tensor and the reason (both shapes), and the store is left
// unchanged. The lenient load skips missing and extra tensors (returning their
// names, as PyTorch's missing_keys / unexpected_keys) but still refuses a
// mis-shaped one. Elements convert as tensor_set::get converts them (F16,
// BF16, F64, integers → the store's type).
//
// PyTorch's layout by default: a dense layer's weight (a leaf of kind
// lz::nn::linear_weight_kind, lz::nn::torch_layout) is kept [in, out] by
// leibniz and [out, in] by PyTorch's Linear, so without a map it is written
// and read transposed under its own name ("0.weight"); every other leaf is
// stored as it is. A file of lz::nn::sequential's parameters is thus a
// state_dict that torch's load_state_dict takes as it is.
//
// The name map: a callable (std::string_view leaf name, extents) →
// io::stored_as{file name, transpose}, for files whose names or layouts
// differ from both (it replaces the default for every leaf).

#include <leibniz/core/parameters.hpp>
#include <leibniz/io/safetensors.hpp>
#include <leibniz/nn/torch_layout.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace leibniz::io {

// Where a parameter lives in a file: its name there, and whether the file
// holds its transpose (rank 2 only).
struct stored_as {
    std::string name;
    bool transpose = false;
};

// (leaf name, leaf extents) → how the file stores it. Empty: the leaf's own
// name, transposed if it is a dense layer's weight (PyTorch's layout).
using name_map = std::function<stored_as(std::string_view name, std::span<const std::size_t> extents)>;

struct save_options {
    name_map map{};                                 // renaming / transposition per leaf
    std::optional<dtype> as{};                      // element type in the file (the store's by default; f16, bf16, f32, f64)
    std::map<std::string, std::string> metadata{};  // "__metadata__"
};

struct load_options {
    bool strict = true;  // false: skip missing and extra tensors (a wrong shape is still an error)
    name_map map{};      // the same map the file was saved with
};

// What a lenient load skipped (both empty after a strict one), as PyTorch's
// load_state_dict reports them: file names of the parameters the file lacks,
// and names of the file's tensors no parameter took, each in name order.
struct load_result {
    std::vector<std::string> missing_keys;
    std::vector<std::string> unexpected_keys;
};

template <class S>
concept StoreLike = requires(S& s) {
    typename std::remove_cvref_t<S>::leaves;
    { s.flat() };
    { s.find(std::string_view{}) };
};

namespace detail {

// One parameter: its leaf name, elements, extents, and where the file keeps it.
template <class T>
struct mapped_parameter {
    using element_type = T;
    std::string_view leaf;
    std::span<T> data;
    std::span<const std::size_t> extents;
    stored_as file;
    std::vector<std::size_t> file_shape;  // extents, reversed when transposed
};

template <class T>
[[nodiscard]] std::string leaf_text(const mapped_parameter<T>& p) {
    std::string s = "parameter '" + std::string(p.leaf) + "' " + shape_text(p.extents);
    if (p.file.name != p.leaf || p.file.transpose)
        s += " (stored as '" + p.file.name + "'" + (p.file.transpose ? ", transposed" : "") + ")";
    return s;
}

// The store's parameters in store order, each mapped; io_error for a map that
// transposes a tensor of rank other than 2, or maps two leaves to one name.
template <StoreLike Store>
[[nodiscard]] auto map_parameters(Store& store, const name_map& map, const std::string& file) {
    using T = std::remove_reference_t<decltype(*store.flat().data())>;
    std::vector<mapped_parameter<T>> out;
    store.for_each([&](auto leaf, auto&&) {
        const auto ref = store.find(decltype(leaf)::name.view());  // the leaf's run-time view
        mapped_parameter<T> p{ref->name, ref->data, ref->extents, {}, {}};
        p.file = map ? map(p.leaf, p.extents)
                     : stored_as{std::string(p.leaf), nn::torch_layout<decltype(leaf)>::transposed};
        if (p.file.transpose && p.extents.size() != 2)
            throw io_error(file, "tensor '" + p.file.name + "'",
                           "the name map transposes parameter '" + std::string(p.leaf) + "' of shape " +
                               shape_text(p.extents) + ": only a rank-2 tensor can be transposed");
        p.file_shape.assign(p.extents.begin(), p.extents.end());
        if (p.file.transpose) std::swap(p.file_shape[0], p.file_shape[1]);
        out.push_back(std::move(p));
    });
    std::map<std::string_view, std::string_view> taken;
    for (const auto& p : out) {
        const auto [it, fresh] = taken.emplace(p.file.name, p.leaf);
        if (!fresh)
            throw io_error(file, "tensor '" + p.file.name + "'",
                           "the name map gives parameters '" + std::string(it->second) + "' and '" + std::string(p.leaf) +
                               "' the same name in the file");
    }
    return out;
}

// src (rows × cols, row-major) into dst as its transpose (cols × rows).
template <class T>
void transpose_into(const T* src, T* dst, std::size_t rows, std::size_t cols) noexcept {
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j) dst[j * rows + i] = src[i * cols + j];
}

}  // namespace detail

// The store's parameters as a tensor_set: named, renamed and transposed by
// options.map, stored as options.as (the store's type by default).
template <StoreLike Store>
[[nodiscard]] tensor_set parameters_to_tensor_set(const Store& store, const save_options& options = {},
                                                  const std::string& source = "<parameters>") {
    tensor_set set(source);
    set.metadata = options.metadata;
    const auto params = detail::map_parameters(store, options.map, source);
    using T = std::remove_const_t<typename decltype(params)::value_type::element_type>;
    const dtype as = options.as.value_or(dtype_of<T>());
    std::vector<T> transposed;
    for (const auto& p : params) {
        std::span<const T> data(p.data.data(), p.data.size());
        if (p.file.transpose) {
            transposed.resize(data.size());
            detail::transpose_into(data.data(), transposed.data(), p.extents[0], p.extents[1]);
            data = transposed;
        }
        set.set<T>(p.file.name, data, std::span<const std::size_t>(p.file_shape), as);
    }
    return set;
}

// Loads `set` into the store: every check first (strict: missing, extra and
// mis-shaped tensors; lenient: mis-shaped ones), then the copy, so a load that
// fails leaves the store as it was.
template <StoreLike Store>
load_result load_parameters(const tensor_set& set, Store&& store, const load_options& options = {}) {
    const std::string& file = set.source();
    auto params = detail::map_parameters(store, options.map, file);
    using T = std::remove_const_t<typename decltype(params)::value_type::element_type>;
    static_assert(!std::is_const_v<typename decltype(params)::value_type::element_type>,
                  "leibniz::io::load_parameters: the store is const; load into a store you can write");
    load_result result;
    std::set<std::string_view> claimed;
    for (const auto& p : params) {
        claimed.insert(p.file.name);
        if (!set.contains(p.file.name)) {
            if (options.strict) {
                std::string held;
                for (const auto& [n, t] : set) held += (held.empty() ? "'" : ", '") + n + "'";
                throw io_error(file, "tensor '" + p.file.name + "'",
                               "missing: the file has no tensor for " + detail::leaf_text(p) + "; the file holds " +
                                   (held.empty() ? std::string("none") : held) +
                                   " (a lenient load, {.strict = false}, skips missing tensors)");
            }
            result.missing_keys.push_back(p.file.name);
            continue;
        }
        const stored_tensor& s = set.at(p.file.name);
        if (s.shape != p.file_shape)
            throw io_error(file, "tensor '" + p.file.name + "'",
                           "the file's shape " + detail::shape_text(s.shape) + " does not match " + detail::leaf_text(p) +
                               (p.file.transpose ? ", which the file holds as " + detail::shape_text(p.file_shape) : std::string()));
        detail::check_converts<T>(s.type, file, "tensor '" + p.file.name + "'");
    }
    for (const auto& [name, t] : set) {
        if (claimed.count(name)) continue;
        if (options.strict)
            throw io_error(file, "tensor '" + name + "'",
                           "unexpected: the tensor " + detail::shape_text(t.shape) +
                               " is not a parameter of the store (a lenient load, {.strict = false}, skips extra tensors)");
        result.unexpected_keys.push_back(name);
    }
    std::sort(result.missing_keys.begin(), result.missing_keys.end());
    std::vector<T> staged;
    for (auto& p : params) {
        if (!set.contains(p.file.name)) continue;
        if (!p.file.transpose) {
            set.get_into<T>(p.file.name, p.data);
        } else {
            staged.resize(p.data.size());
            set.get_into<T>(p.file.name, std::span<T>(staged));
            detail::transpose_into(staged.data(), p.data.data(), p.file_shape[0], p.file_shape[1]);
        }
    }
    return result;
}

// Saves the store to a safetensors file (temporary file, fsync, rename).
template <StoreLike Store>
void save_parameters(const std::string& path, const Store& store, const save_options& options = {}) {
    write_safetensors(path, parameters_to_tensor_set(store, options, path));
}

// Loads a safetensors file into the store (see load_parameters(set, ...)).
template <StoreLike Store>
load_result load_parameters(const std::string& path, Store&& store, const load_options& options = {}) {
    return load_parameters(read_safetensors(path), std::forward<Store>(store), options);
}

}  // namespace leibniz::io
