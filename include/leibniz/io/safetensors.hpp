#pragma once
// safetensors (Hugging Face's format for weights, which PyTorch reads and
// writes): an 8-byte little-endian header length N, N bytes of JSON
//   {"__metadata__": {"k": "v"}, "w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, ...}
// then the tensors' raw little-endian bytes, offsets relative to the end of the header.
//
// Element types: F64, F32, F16 and BF16 (read into float or double), I64, I32,
// I16, I8, U8. A file is read into an io::tensor_set — named tensors kept as the
// file stores them, converted on get<T>() — and a tensor_set is written back.
//
//   io::tensor_set s = io::read_safetensors("model.safetensors");
//   auto w = s.get<float, shape<128, 784>>("fc1.weight");
//   s.set("fc1.weight", w, io::dtype::bf16);
//   io::write_safetensors("out.safetensors", s);
//
// The JSON is parsed with nlohmann/json (Debian: nlohmann-json3-dev), an
// optional dependency of this header only.

#if !__has_include(<nlohmann/json.hpp>)
#error "<leibniz/io/safetensors.hpp> needs nlohmann/json: install Debian's nlohmann-json3-dev (scripts/setup does) or put nlohmann/json.hpp on the include path"
#endif

#include <leibniz/io/common.hpp>

#include <map>
#include <nlohmann/json.hpp>

namespace leibniz::io {

// A tensor as a file stores it: element type, extents, little-endian bytes in C order.
struct stored_tensor {
    dtype type = dtype::f32;
    std::vector<std::size_t> shape;
    std::vector<std::byte> bytes;
    [[nodiscard]] std::size_t count() const noexcept { return bytes.size() / dtype_size(type); }
};

// Named tensors (and string metadata) to read from and write to a safetensors
// file; like a std::map<std::string, stored_tensor> with typed get and set.
class tensor_set {
public:
    using map_type = std::map<std::string, stored_tensor>;

    explicit tensor_set(std::string source = "<tensor_set>") : source_(std::move(source)) {}

    // Where the set came from; named in errors.
    [[nodiscard]] const std::string& source() const noexcept { return source_; }

    [[nodiscard]] bool contains(const std::string& name) const { return tensors_.count(name) != 0; }
    [[nodiscard]] std::size_t size() const noexcept { return tensors_.size(); }
    [[nodiscard]] bool empty() const noexcept { return tensors_.empty(); }
    [[nodiscard]] map_type::const_iterator begin() const noexcept { return tensors_.begin(); }
    [[nodiscard]] map_type::const_iterator end() const noexcept { return tensors_.end(); }
    bool erase(const std::string& name) { return tensors_.erase(name) != 0; }

    // The stored tensor; io_error listing the names held when there is none.
    [[nodiscard]] const stored_tensor& at(const std::string& name) const {
        auto it = tensors_.find(name);
        if (it == tensors_.end()) {
            std::string held;
            for (const auto& [n, t] : tensors_) held += (held.empty() ? "'" : ", '") + n + "'";
            throw io_error(source_, "tensor '" + name + "'",
                           "no tensor of that name (the set holds " + (held.empty() ? std::string("none") : held) + ")");
        }
        return it->second;
    }

    // A tensor converted to T (any dtype into a floating-point T; integers
    // into an integral T wide enough; io_error otherwise).
    template <Element T>
    [[nodiscard]] array<T> get(const std::string& name) const {
        const stored_tensor& s = at(name);
        detail::check_converts<T>(s.type, source_, "tensor '" + name + "'");
        array<T> out;
        out.shape = s.shape;
        out.data.resize(s.count());
        detail::convert<T>(raw(s), out.data.data());
        return out;
    }
    template <Element T, Shape S>
    [[nodiscard]] tensor<T, S> get(const std::string& name) const {
        const stored_tensor& s = at(name);
        detail::check_converts<T>(s.type, source_, "tensor '" + name + "'");
        tensor<T, S> t(detail::match_shape<S>(s.shape, source_, "tensor '" + name + "'"));
        detail::convert<T>(raw(s), t.data());
        return t;
    }
    // Into a caller's buffer of exactly the tensor's size; returns its shape.
    template <Element T>
    std::vector<std::size_t> get_into(const std::string& name, std::span<T> out) const {
        const stored_tensor& s = at(name);
        detail::check_converts<T>(s.type, source_, "tensor '" + name + "'");
        if (out.size() != s.count())
            throw io_error(source_, "tensor '" + name + "'",
                           "the tensor holds " + std::to_string(s.count()) + " elements (shape " +
                               detail::shape_text(s.shape) + "), the buffer " + std::to_string(out.size()));
        detail::convert<T>(raw(s), out.data());
        return s.shape;
    }

    // Stores `data` with extents `shape` as dtype `as` (T's own by default; a
    // floating-point T may be stored as f16, bf16, f32 or f64, rounded to
    // nearest even). Replaces a tensor of the same name.
    template <Element T>
    void set(const std::string& name, std::span<const T> data, std::span<const std::size_t> shape, dtype as = dtype_of<T>()) {
        std::size_t count = 0;
        if (!detail::checked_count(shape, count) || count != data.size())
            throw io_error(source_, "tensor '" + name + "'",
                           "the shape " + detail::shape_text(shape) + " does not hold the " + std::to_string(data.size()) +
                               " elements given");
        const bool same = as == dtype_of<T>();
        const bool to_float = std::is_floating_point_v<T> &&
                              (as == dtype::f16 || as == dtype::bf16 || as == dtype::f32 || as == dtype::f64);
        if (!same && !to_float)
            throw io_error(source_, "tensor '" + name + "'",
                           std::string(detail::type_name<T>()) + " elements cannot be stored as " +
                               std::string(dtype_name(as)));
        stored_tensor s;
        s.type = as;
        s.shape.assign(shape.begin(), shape.end());
        s.bytes.resize(count * dtype_size(as));
        std::byte* p = s.bytes.data();
        constexpr auto le = detail::byte_order::little;
        for (std::size_t i = 0; i < count; ++i) {
            if (same) {
                detail::store<T>(p + i * sizeof(T), data[i], le);
            } else if constexpr (std::is_floating_point_v<T>) {
                switch (as) {
                    case dtype::f16: detail::store<std::uint16_t>(p + 2 * i, detail::float_to_half(detail::narrow_to_float(static_cast<double>(data[i]))), le); break;
                    case dtype::bf16: detail::store<std::uint16_t>(p + 2 * i, detail::float_to_bf16(detail::narrow_to_float(static_cast<double>(data[i]))), le); break;
                    case dtype::f32: detail::store<float>(p + 4 * i, detail::narrow_to_float(static_cast<double>(data[i])), le); break;
                    default: detail::store<double>(p + 8 * i, static_cast<double>(data[i]), le); break;
                }
            }
        }
        tensors_[name] = std::move(s);
    }
    template <Element T>
    void set(const std::string& name, const array<T>& a, dtype as = dtype_of<T>()) {
        set<T>(name, std::span<const T>(a.data), std::span<const std::size_t>(a.shape), as);
    }
    template <Element T, Shape S>
    void set(const std::string& name, const tensor<T, S>& t, dtype as = dtype_of<T>()) {
        const auto& e = t.extents();
        set<T>(name, std::span<const T>(t.data(), t.size()), std::span<const std::size_t>(e.data(), e.size()), as);
    }
    // A tensor as stored (its bytes little-endian, count × dtype size of them).
    void set_stored(const std::string& name, stored_tensor s) {
        std::size_t count = 0, n = 0;
        if (!detail::checked_count(s.shape, count) || !detail::checked_mul(count, dtype_size(s.type), n) ||
            n != s.bytes.size())
            throw io_error(source_, "tensor '" + name + "'",
                           "shape " + detail::shape_text(s.shape) + " of " + std::string(dtype_name(s.type)) +
                               " does not match its " + std::to_string(s.bytes.size()) + " bytes");
        tensors_[name] = std::move(s);
    }

    // String metadata (safetensors' "__metadata__").
    std::map<std::string, std::string> metadata;

private:
    static detail::raw_elements raw(const stored_tensor& s) noexcept {
        return {s.type, detail::byte_order::little, std::span<const std::byte>(s.bytes), s.count()};
    }

    map_type tensors_;
    std::string source_;
};

namespace detail {

[[nodiscard]] inline bool safetensors_dtype(const std::string& s, dtype& out) noexcept {
    if (s == "F64") out = dtype::f64;
    else if (s == "F32") out = dtype::f32;
    else if (s == "F16") out = dtype::f16;
    else if (s == "BF16") out = dtype::bf16;
    else if (s == "I64") out = dtype::i64;
    else if (s == "I32") out = dtype::i32;
    else if (s == "I16") out = dtype::i16;
    else if (s == "I8") out = dtype::i8;
    else if (s == "U8") out = dtype::u8;
    else return false;
    return true;
}

[[nodiscard]] inline const char* safetensors_dtype_name(dtype t) noexcept {
    switch (t) {
        case dtype::f64: return "F64";
        case dtype::f32: return "F32";
        case dtype::f16: return "F16";
        case dtype::bf16: return "BF16";
        case dtype::i64: return "I64";
        case dtype::i32: return "I32";
        case dtype::i16: return "I16";
        case dtype::i8: return "I8";
        case dtype::u8: return "U8";
    }
    return "?";
}

// A JSON value that must be a non-negative integer.
[[nodiscard]] inline std::size_t json_size(const nlohmann::json& v, const std::string& file, const std::string& where,
                                           const char* what) {
    if (!v.is_number_unsigned())
        throw io_error(file, where, std::string(what) + " must be a non-negative integer, not " + v.dump());
    return static_cast<std::size_t>(v.get<std::uint64_t>());
}

}  // namespace detail

// The safetensors file held in `bytes` (`name` names it in errors).
[[nodiscard]] inline tensor_set parse_safetensors(std::span<const std::byte> bytes, const std::string& name) {
    using detail::at_offset;
    if (bytes.size() < 8)
        throw io_error(name, at_offset(bytes.size()),
                       "truncated: a safetensors file starts with an 8-byte header length, the file has " +
                           std::to_string(bytes.size()) + " bytes");
    const std::uint64_t n64 = detail::load<std::uint64_t>(bytes.data(), detail::byte_order::little);
    if (n64 > bytes.size() - 8)
        throw io_error(name, at_offset(0),
                       "truncated: the header length " + std::to_string(n64) + " runs past the end of the file (" +
                           std::to_string(bytes.size()) + " bytes)");
    const std::size_t n = static_cast<std::size_t>(n64);
    const std::string_view text(reinterpret_cast<const char*>(bytes.data() + 8), n);
    const std::span<const std::byte> data = bytes.subspan(8 + n);

    nlohmann::json header;
    try {
        header = nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::parse_error& e) {
        throw io_error(name, at_offset(8 + (e.byte > 0 ? e.byte - 1 : 0)), std::string("bad JSON header: ") + e.what());
    } catch (const nlohmann::json::exception& e) {
        throw io_error(name, at_offset(8), std::string("bad JSON header: ") + e.what());
    }
    if (!header.is_object()) throw io_error(name, at_offset(8), "the JSON header is not an object");

    tensor_set set(name);
    struct range {
        std::size_t begin, end;
        std::string name;
    };
    std::vector<range> ranges;
    for (const auto& [key, value] : header.items()) {
        if (key == "__metadata__") {
            if (!value.is_object()) throw io_error(name, "header, __metadata__", "__metadata__ must be an object of strings");
            for (const auto& [k, v] : value.items()) {
                if (!v.is_string())
                    throw io_error(name, "header, __metadata__", "the value of '" + k + "' is not a string: " + v.dump());
                set.metadata[k] = v.get<std::string>();
            }
            continue;
        }
        const std::string where = "header, tensor '" + key + "'";
        if (!value.is_object()) throw io_error(name, where, "the entry is not an object");
        for (const auto& [k, v] : value.items())
            if (k != "dtype" && k != "shape" && k != "data_offsets") throw io_error(name, where, "unknown key '" + k + "'");
        if (!value.contains("dtype") || !value["dtype"].is_string())
            throw io_error(name, where, "'dtype' is missing or not a string");
        if (!value.contains("shape") || !value["shape"].is_array())
            throw io_error(name, where, "'shape' is missing or not an array");
        if (!value.contains("data_offsets") || !value["data_offsets"].is_array() || value["data_offsets"].size() != 2)
            throw io_error(name, where, "'data_offsets' is missing or not an array of two integers");
        stored_tensor s;
        const std::string dt = value["dtype"].get<std::string>();
        if (!detail::safetensors_dtype(dt, s.type))
            throw io_error(name, where, "unsupported dtype '" + dt + "' (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8)");
        for (const auto& e : value["shape"]) s.shape.push_back(detail::json_size(e, name, where, "an extent in 'shape'"));
        const std::size_t begin = detail::json_size(value["data_offsets"][0], name, where, "a data offset");
        const std::size_t end = detail::json_size(value["data_offsets"][1], name, where, "a data offset");
        std::size_t count = 0, nbytes = 0;
        if (!detail::checked_count(s.shape, count) || !detail::checked_mul(count, dtype_size(s.type), nbytes))
            throw io_error(name, where, "the shape " + detail::shape_text(s.shape) + " overflows the size in bytes");
        if (begin > end)
            throw io_error(name, where,
                           "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "] end before they begin");
        if (end > data.size())
            throw io_error(name, where,
                           "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                               "] are out of range: the data section has " + std::to_string(data.size()) + " bytes");
        if (end - begin != nbytes)
            throw io_error(name, where,
                           "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "] span " +
                               std::to_string(end - begin) + " bytes, shape " + detail::shape_text(s.shape) + " of " + dt +
                               " needs " + std::to_string(nbytes));
        s.bytes.assign(data.begin() + static_cast<std::ptrdiff_t>(begin), data.begin() + static_cast<std::ptrdiff_t>(end));
        set.set_stored(key, std::move(s));
        ranges.push_back({begin, end, key});
    }
    std::sort(ranges.begin(), ranges.end(), [](const range& a, const range& b) { return a.begin < b.begin; });
    const range* last = nullptr;
    for (const range& r : ranges) {
        if (r.begin == r.end) continue;
        if (last && last->end > r.begin)
            throw io_error(name, at_offset(8 + n + r.begin),
                           "the data of tensors '" + last->name + "' and '" + r.name + "' overlap (bytes " +
                               std::to_string(last->begin) + "-" + std::to_string(last->end) + " and " +
                               std::to_string(r.begin) + "-" + std::to_string(r.end) + " of the data)");
        last = &r;
    }
    return set;
}

[[nodiscard]] inline tensor_set read_safetensors(const std::string& path) {
    const auto file = detail::read_file(path);
    return parse_safetensors(file.span(), path);
}

// The bytes of a safetensors file holding `set`: tensors in name order,
// contiguous, the header padded with spaces to a multiple of 8 bytes.
[[nodiscard]] inline std::vector<std::byte> safetensors_bytes(const tensor_set& set) {
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!set.metadata.empty()) {
        auto& m = header["__metadata__"];
        m = nlohmann::ordered_json::object();
        for (const auto& [k, v] : set.metadata) m[k] = v;
    }
    std::size_t offset = 0;
    for (const auto& [name, t] : set) {
        if (name == "__metadata__") throw io_error(set.source(), "tensor '__metadata__'", "that name is reserved for metadata");
        header[name] = {{"dtype", detail::safetensors_dtype_name(t.type)},
                        {"shape", t.shape},
                        {"data_offsets", {offset, offset + t.bytes.size()}}};
        offset += t.bytes.size();
    }
    std::string text;
    try {
        text = header.dump();
    } catch (const nlohmann::json::exception& e) {
        throw io_error(set.source(), "header", std::string("cannot write the JSON header (names must be UTF-8): ") + e.what());
    }
    text.append((8 - text.size() % 8) % 8, ' ');
    std::vector<std::byte> out(8 + text.size() + offset);
    detail::store<std::uint64_t>(out.data(), text.size(), detail::byte_order::little);
    std::memcpy(out.data() + 8, text.data(), text.size());
    std::byte* p = out.data() + 8 + text.size();
    for (const auto& [name, t] : set) {
        if (!t.bytes.empty()) std::memcpy(p, t.bytes.data(), t.bytes.size());
        p += t.bytes.size();
    }
    return out;
}

inline void write_safetensors(const std::string& path, const tensor_set& set) {
    detail::write_file_atomically(path, safetensors_bytes(set));
}

}  // namespace leibniz::io
