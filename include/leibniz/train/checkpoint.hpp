#pragma once
// lz::train::save_checkpoint / load_checkpoint: everything a run needs to
// continue bit for bit, in one safetensors file:
//   "param/<leaf>"    each parameter, in the store's type, our layout
//   "buffer/<leaf>"   each buffer (running statistics), when a buffer store is given
//   "optim/<name>"    the optimizer's for_each_state: its state buffers, the
//                     counters step and epoch (I64), each group's lr and the
//                     schedule's state (F64)
//   "state/<name>/<tensor>"  the state of each lz::train::state(name, object)
//                     given (a fitted scaler of preprocess.hpp: its
//                     for_each_state / read_state), so inference after a
//                     reload applies the same transform
//   __metadata__      format, epoch, step, seed (the generator key: shuffling
//                     and dropout draw from Philox under {seed, epoch/step}),
//                     "length" (the file's size: truncation is named as such)
//                     and "checksum": CRC-32 (zlib's, IEEE 802.3 polynomial) of the
//                     whole file — header and data — with the checksum's own
//                     8 hex digits read as "00000000".
// The file is written by io's atomic writer (a temporary file, fsync,
// rename): a crash leaves the previous checkpoint whole. Loading checks the
// checksum, then every name, shape and dtype against the objects given, and
// throws lz::io_error naming the file and what does not match before
// changing anything.

#include <leibniz/io/common.hpp>
#include <leibniz/io/safetensors.hpp>
#include <leibniz/train/callbacks.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace leibniz::train {

// The scalars of a checkpoint beside the tensors.
struct checkpoint_info {
    std::uint64_t epoch = 0;  // epochs completed: fit's initial_epoch when resuming
    std::uint64_t step = 0;   // optimizer steps taken
    std::uint64_t seed = 0;   // the run's generator key (fit_options::seed)
};

// An object saved with a checkpoint under a name: anything with the state
// protocol of preprocess.hpp (write_state(set, prefix), read_state(set, prefix)),
// e.g. save_checkpoint(path, params, adam, info, lz::train::state("scaler", scaler)).
template <class S>
struct named_state {
    std::string_view name;
    S& object;
};
template <class S>
named_state<S> state(std::string_view name, S& object) {
    return {name, object};
}

namespace detail {

template <class T>
inline constexpr bool is_named_state = false;
template <class S>
inline constexpr bool is_named_state<named_state<S>> = true;

inline std::string state_prefix(std::string_view name) { return "state/" + std::string(name) + "/"; }

inline constexpr std::string_view checkpoint_format = "leibniz.checkpoint.1";
inline constexpr std::string_view checksum_prefix = "crc32:";
inline constexpr std::string_view length_prefix = "bytes:";  // the file's length, 16 hex digits: truncation is named as such

constexpr std::array<std::uint32_t, 256> crc_table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        t[i] = c;
    }
    return t;
}();

// zlib's crc32 (Python's zlib.crc32 gives the same numbers).
inline std::uint32_t crc32(std::span<const std::byte> bytes, std::uint32_t crc = 0) noexcept {
    crc = ~crc;
    for (std::byte b : bytes) crc = crc_table[(crc ^ std::to_integer<std::uint32_t>(b)) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}

inline std::string hex8(std::uint32_t v) {
    char s[9];
    std::snprintf(s, sizeof s, "%08x", v);
    return s;
}

// Where a field's digits sit in the file's header: after its unique prefix ("crc32:", "bytes:") in the JSON.
inline std::size_t field_position(std::span<const std::byte> file, std::string_view prefix, std::size_t digits,
                                  const std::string& path) {
    if (file.size() < 8) throw io_error(path, "", "not a checkpoint: " + std::to_string(file.size()) + " bytes");
    std::uint64_t header = 0;
    for (int i = 0; i < 8; ++i) header |= std::uint64_t(std::to_integer<std::uint8_t>(file[std::size_t(i)])) << (8 * i);
    if (header > file.size() - 8) throw io_error(path, "", "truncated: the header says " + std::to_string(header) + " bytes, the file has " + std::to_string(file.size() - 8) + " after the length");
    const std::string_view text(reinterpret_cast<const char*>(file.data()) + 8, std::size_t(header));
    const std::size_t at = text.find(prefix);
    if (at == std::string_view::npos || text.find(prefix, at + 1) != std::string_view::npos ||
        at + prefix.size() + digits > text.size())
        throw io_error(path, "", "not a leibniz checkpoint: no '" + std::string(prefix) + "' in its header");
    return 8 + at + prefix.size();
}

template <class T>
io::dtype dtype_for() {
    return io::dtype_of<T>();
}

// Each tensor a store contributes, by its file name.
template <class Store, class F>
void for_each_tensor(Store& store, std::string_view prefix, F&& f) {
    if constexpr (!std::is_same_v<Store, train::no_buffers>) store.for_each([&](auto leaf, auto&&) {
        const auto found = store.find(decltype(leaf)::name.view());
        f(std::string(prefix) + std::string(decltype(leaf)::name.view()), found->data, found->extents);
    });
}

template <class T>
void check_tensor(const io::tensor_set& set, const std::string& name, std::size_t count,
                  std::span<const std::size_t> extents, const std::string& path) {
    if (!set.contains(name)) throw io_error(path, "tensor '" + name + "'", "missing: the checkpoint has no such tensor (was it saved from another model or optimizer?)");
    const io::stored_tensor& s = set.at(name);
    if (s.type != io::dtype_of<T>())
        throw io_error(path, "tensor '" + name + "'", "dtype " + std::string(io::detail::safetensors_dtype_name(s.type)) + ", expected " +
                                                           std::string(io::detail::safetensors_dtype_name(io::dtype_of<T>())));
    const bool same = extents.empty() ? (s.shape.size() <= 1 && s.count() == count)
                                      : std::equal(s.shape.begin(), s.shape.end(), extents.begin(), extents.end());
    if (!same) {
        std::string want = "[", got = "[";
        for (std::size_t i = 0; i < extents.size(); ++i) want += (i ? ", " : "") + std::to_string(extents[i]);
        for (std::size_t i = 0; i < s.shape.size(); ++i) got += (i ? ", " : "") + std::to_string(s.shape[i]);
        throw io_error(path, "tensor '" + name + "'", "shape " + got + "] in the file, expected " + want + "]");
    }
}

template <class T>
void copy_out(const io::tensor_set& set, const std::string& name, std::span<T> dst) {
    const auto& b = set.at(name).bytes;
    std::memcpy(dst.data(), b.data(), dst.size() * sizeof(T));  // little-endian hosts (io's writer assumes the same)
}

inline std::uint64_t meta_u64(const io::tensor_set& set, const char* key, const std::string& path) {
    const auto it = set.metadata.find(key);
    if (it == set.metadata.end()) throw io_error(path, "__metadata__", std::string("no '") + key + "'");
    try {
        std::size_t used = 0;
        const auto v = std::stoull(it->second, &used);
        if (used != it->second.size()) throw std::invalid_argument(key);
        return v;
    } catch (const std::exception&) {
        throw io_error(path, "__metadata__", std::string("'") + key + "' is not a number: '" + it->second + "'");
    }
}

template <class Params, class Opt, class Buffers, class... States>
void save(const std::string& path, Params& params, Opt& opt, Buffers& buffers, const checkpoint_info& info,
          const States&... states) {
    io::tensor_set set;
    const auto put = [&](const std::string& name, auto data, auto extents) {
        using T = std::remove_const_t<typename decltype(data)::element_type>;
        std::vector<std::size_t> shape(extents.begin(), extents.end());
        if (shape.empty()) shape.push_back(data.size());
        set.set<T>(name, std::span<const T>(data.data(), data.size()), shape);
    };
    for_each_tensor(params, "param/", put);
    for_each_tensor(buffers, "buffer/", put);
    opt.for_each_state([&](std::string_view name, auto span) {
        using T = std::remove_const_t<typename decltype(span)::element_type>;
        const std::array<std::size_t, 1> shape{span.size()};
        set.set<T>("optim/" + std::string(name), std::span<const T>(span.data(), span.size()), shape);
    });
    (states.object.write_state(set, state_prefix(states.name)), ...);
    set.metadata["format"] = std::string(checkpoint_format);
    set.metadata["epoch"] = std::to_string(info.epoch);
    set.metadata["step"] = std::to_string(info.step);
    set.metadata["seed"] = std::to_string(info.seed);
    set.metadata["checksum"] = std::string(checksum_prefix) + "00000000";
    set.metadata["length"] = std::string(length_prefix) + "0000000000000000";
    std::vector<std::byte> bytes = io::safetensors_bytes(set);
    char length[17];
    std::snprintf(length, sizeof length, "%016llx", static_cast<unsigned long long>(bytes.size()));
    std::memcpy(bytes.data() + field_position(bytes, length_prefix, 16, path), length, 16);
    const std::size_t at = field_position(bytes, checksum_prefix, 8, path);
    const std::string digits = hex8(crc32(bytes));
    std::memcpy(bytes.data() + at, digits.data(), 8);
    io::detail::write_file_atomically(path, bytes);
}

// A named state read into a copy first: a bad one changes nothing.
template <class S>
S read_named_state(const io::tensor_set& set, const named_state<S>& s, std::set<std::string>& expected, const std::string& path) {
    const std::string prefix = state_prefix(s.name);
    bool any = false;
    for (const auto& entry : set)
        if (entry.first.starts_with(prefix)) {
            expected.insert(entry.first);
            any = true;
        }
    if (!any) throw io_error(path, "state '" + std::string(s.name) + "'", "missing: the checkpoint has no tensor named " + prefix + "...");
    S copy = s.object;
    try {
        copy.read_state(set, prefix);
    } catch (const std::exception& e) {
        throw io_error(path, "state '" + std::string(s.name) + "'", e.what());
    }
    return copy;
}

template <class Params, class Opt, class Buffers, class... States>
checkpoint_info load(const std::string& path, Params& params, Opt& opt, Buffers& buffers, const States&... states) {
    io::detail::file_bytes file = io::detail::read_file(path);
    std::vector<std::byte> bytes(file.span().begin(), file.span().end());
    const std::size_t lat = field_position(bytes, length_prefix, 16, path);
    const std::string length_text(reinterpret_cast<const char*>(bytes.data()) + lat, 16);
    const unsigned long long written = std::strtoull(length_text.c_str(), nullptr, 16);
    if (written != bytes.size())
        throw io_error(path, "", (bytes.size() < written ? "truncated: " : "wrong length: ") + std::to_string(bytes.size()) +
                                     " bytes, " + std::to_string(written) + " were written");
    const std::size_t at = field_position(bytes, checksum_prefix, 8, path);
    // the structure first (a truncated file is named as such), then the checksum
    const io::tensor_set set = io::parse_safetensors(bytes, path);
    const std::string stored(reinterpret_cast<const char*>(bytes.data()) + at, 8);
    std::memset(bytes.data() + at, '0', 8);
    const std::string actual = hex8(crc32(bytes));
    if (stored != actual)
        throw io_error(path, "", "checksum mismatch: the header says crc32 " + stored + ", the file's bytes give " + actual +
                                     " (the file is corrupted)");
    const auto fmt = set.metadata.find("format");
    if (fmt == set.metadata.end() || fmt->second != checkpoint_format)
        throw io_error(path, "__metadata__", "not a " + std::string(checkpoint_format) + " file");
    checkpoint_info info{meta_u64(set, "epoch", path), meta_u64(set, "step", path), meta_u64(set, "seed", path)};

    // every check first, so a refused file changes nothing
    std::set<std::string> expected;
    const auto check = [&](const std::string& name, auto data, auto extents) {
        using T = std::remove_const_t<typename decltype(data)::element_type>;
        check_tensor<T>(set, name, data.size(), std::span<const std::size_t>(extents.data(), extents.size()), path);
        expected.insert(name);
    };
    for_each_tensor(params, "param/", check);
    for_each_tensor(buffers, "buffer/", check);
    // for_each_state is the optimizer's one interface: this pass only reads the spans
    opt.for_each_state([&](std::string_view name, auto span) {
        using T = std::remove_const_t<typename decltype(span)::element_type>;
        const std::array<std::size_t, 1> shape{span.size()};
        check_tensor<T>(set, "optim/" + std::string(name), span.size(), shape, path);
        expected.insert("optim/" + std::string(name));
    });
    auto loaded = std::tuple{read_named_state(set, states, expected, path)...};
    for (const auto& entry : set)
        if (!expected.contains(entry.first))
            throw io_error(path, "tensor '" + entry.first + "'",
                           "unexpected: the model and optimizer have no such state (saved from another model or optimizer?)");
    const auto copy = [&](const std::string& name, auto data, auto) {
        using T = std::remove_const_t<typename decltype(data)::element_type>;
        copy_out<T>(set, name, std::span<T>(data.data(), data.size()));
    };
    for_each_tensor(params, "param/", copy);
    for_each_tensor(buffers, "buffer/", copy);
    opt.for_each_state([&](std::string_view name, auto span) {
        using T = std::remove_const_t<typename decltype(span)::element_type>;
        copy_out<T>(set, "optim/" + std::string(name), std::span<T>(span.data(), span.size()));
    });
    std::apply([&](auto&... l) { ((states.object = std::move(l)), ...); }, loaded);
    return info;
}

}  // namespace detail

// save_checkpoint(path, params, optimizer, {epoch, step, seed}[, buffers][, lz::train::state(name, object)...])
template <class Params, class Opt, class... States>
    requires(detail::is_named_state<States> && ...)
void save_checkpoint(const std::string& path, Params& params, Opt& opt, const checkpoint_info& info, const States&... states) {
    no_buffers none;
    detail::save(path, params, opt, none, info, states...);
}
template <class Params, class Opt, class Buffers, class... States>
    requires(!detail::is_named_state<Buffers> && (detail::is_named_state<States> && ...))
void save_checkpoint(const std::string& path, Params& params, Opt& opt, const checkpoint_info& info, Buffers& buffers,
                     const States&... states) {
    detail::save(path, params, opt, buffers, info, states...);
}

// load_checkpoint(path, params, optimizer[, buffers][, lz::train::state(name, object)...]) -> {epoch, step, seed}
template <class Params, class Opt, class... States>
    requires(detail::is_named_state<States> && ...)
checkpoint_info load_checkpoint(const std::string& path, Params& params, Opt& opt, const States&... states) {
    no_buffers none;
    return detail::load(path, params, opt, none, states...);
}
template <class Params, class Opt, class Buffers, class... States>
    requires(!detail::is_named_state<Buffers> && (detail::is_named_state<States> && ...))
checkpoint_info load_checkpoint(const std::string& path, Params& params, Opt& opt, Buffers& buffers, const States&... states) {
    return detail::load(path, params, opt, buffers, states...);
}

// Keras's ModelCheckpoint: a checkpoint after every epoch (the parameters,
// the buffers fit was given, the optimizer, and {epoch + 1, step, seed}: what
// fit's initial_epoch and seed take to resume), written atomically over `path`.
class model_checkpoint {
public:
    explicit model_checkpoint(std::string path) : path_(std::move(path)) {}
    template <class C>
    void on_epoch_end(C& c) {
        const checkpoint_info info{c.state.epoch + 1, c.state.step, c.state.seed};
        if (c.buffers) detail::save(path_, c.params, c.optimizer, *c.buffers, info);
        else {
            no_buffers none;
            detail::save(path_, c.params, c.optimizer, none, info);
        }
    }

private:
    std::string path_;
};

}  // namespace leibniz::train
