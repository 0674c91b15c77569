#pragma once
// IDX, MNIST's format: two zero bytes, an element-type code (0x08 u8, 0x09 i8,
// 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64), the number of dimensions, each
// dimension as a big-endian u32, then the elements, big-endian, row-major.
//
//   auto images = io::read_idx<float, shape<dyn, 28, 28>>("t10k-images-idx3-ubyte", {.scale_u8 = true});
//   io::array<std::uint8_t> labels = io::read_idx<std::uint8_t>("t10k-labels-idx1-ubyte");
//   io::write_idx("out.idx", tensor);
//
// The header is checked against the file's size before anything is read: the
// data must be exactly as long as the dimensions say.

#include <leibniz/io/common.hpp>

namespace leibniz::io {

struct idx_header {
    dtype type = dtype::u8;
    std::vector<std::size_t> shape;
    std::size_t data_offset = 0;  // where the elements start
    std::size_t count = 0;        // number of elements
};

namespace detail {

[[nodiscard]] inline bool idx_type(unsigned code, dtype& out) noexcept {
    switch (code) {
        case 0x08: out = dtype::u8; return true;
        case 0x09: out = dtype::i8; return true;
        case 0x0B: out = dtype::i16; return true;
        case 0x0C: out = dtype::i32; return true;
        case 0x0D: out = dtype::f32; return true;
        case 0x0E: out = dtype::f64; return true;
        default: return false;
    }
}

[[nodiscard]] constexpr unsigned idx_code(dtype t) noexcept {
    switch (t) {
        case dtype::u8: return 0x08;
        case dtype::i8: return 0x09;
        case dtype::i16: return 0x0B;
        case dtype::i32: return 0x0C;
        case dtype::f32: return 0x0D;
        case dtype::f64: return 0x0E;
        default: return 0;
    }
}

template <Element T>
inline void read_idx_elements(std::span<const std::byte> bytes, const idx_header& h, T* out, const std::string& name,
                              read_options opt) {
    check_converts<T>(h.type, name, at_offset(2));
    convert<T>(raw_elements{h.type, byte_order::big, bytes.subspan(h.data_offset), h.count}, out, opt);
}

}  // namespace detail

// Reads and checks the header of the IDX file held in `bytes` (`name` names it in errors).
[[nodiscard]] inline idx_header parse_idx_header(std::span<const std::byte> bytes, const std::string& name) {
    using detail::at_offset;
    if (bytes.size() < 4)
        throw io_error(name, at_offset(bytes.size()),
                       "truncated: an IDX file starts with 4 bytes of magic, the file has " + std::to_string(bytes.size()));
    const auto b = [&](std::size_t i) { return std::to_integer<unsigned>(bytes[i]); };
    if (b(0) != 0 || b(1) != 0)
        throw io_error(name, at_offset(0), "bad magic: an IDX file starts with two zero bytes (this is not an IDX file)");
    idx_header h;
    if (!detail::idx_type(b(2), h.type)) {
        char code[8];
        std::snprintf(code, sizeof code, "0x%02X", b(2));
        throw io_error(name, at_offset(2),
                       std::string("unknown element type code ") + code +
                           " (IDX knows 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64)");
    }
    const std::size_t rank = b(3);
    if (rank == 0) throw io_error(name, at_offset(3), "the number of dimensions is 0");
    h.data_offset = 4 + 4 * rank;
    if (bytes.size() < h.data_offset)
        throw io_error(name, at_offset(bytes.size()),
                       "truncated: the header of " + std::to_string(rank) + " dimensions needs " +
                           std::to_string(h.data_offset) + " bytes, the file has " + std::to_string(bytes.size()));
    h.shape.resize(rank);
    std::size_t count = 1;
    for (std::size_t i = 0; i < rank; ++i) {
        h.shape[i] = detail::load<std::uint32_t>(bytes.data() + 4 + 4 * i, detail::byte_order::big);
        if (!detail::checked_mul(count, h.shape[i], count))
            throw io_error(name, at_offset(4 + 4 * i),
                           "the dimensions " + detail::shape_text(h.shape) + " overflow the element count");
    }
    std::size_t data_bytes = 0;
    if (!detail::checked_mul(count, dtype_size(h.type), data_bytes))
        throw io_error(name, at_offset(4), "the dimensions " + detail::shape_text(h.shape) + " overflow the size in bytes");
    const std::size_t have = bytes.size() - h.data_offset;
    if (have < data_bytes)
        throw io_error(name, at_offset(bytes.size()),
                       "truncated: dimensions " + detail::shape_text(h.shape) + " of " + std::string(dtype_name(h.type)) +
                           " need " + std::to_string(data_bytes) + " bytes of data, the file has " + std::to_string(have));
    if (have > data_bytes)
        throw io_error(name, at_offset(h.data_offset + data_bytes),
                       std::to_string(have - data_bytes) + " bytes after the data that dimensions " +
                           detail::shape_text(h.shape) + " describe");
    h.count = count;
    return h;
}

// The IDX file held in `bytes` as an array of T (any element type into a
// floating-point T; integers into an integral T wide enough).
template <Element T>
[[nodiscard]] array<T> parse_idx(std::span<const std::byte> bytes, const std::string& name, read_options opt = {}) {
    idx_header h = parse_idx_header(bytes, name);
    detail::check_converts<T>(h.type, name, detail::at_offset(2));
    array<T> out;
    out.data.resize(h.count);
    detail::read_idx_elements<T>(bytes, h, out.data.data(), name, opt);
    out.shape = std::move(h.shape);
    return out;
}

template <Element T>
[[nodiscard]] array<T> read_idx(const std::string& path, read_options opt = {}) {
    const auto file = detail::read_file(path);
    return parse_idx<T>(file.span(), path, opt);
}

// Into a tensor whose shape must match the file's (dyn extents take the file's).
template <Element T, Shape S>
[[nodiscard]] tensor<T, S> read_idx(const std::string& path, read_options opt = {}) {
    const auto file = detail::read_file(path);
    const idx_header h = parse_idx_header(file.span(), path);
    detail::check_converts<T>(h.type, path, detail::at_offset(2));
    tensor<T, S> t(detail::match_shape<S>(h.shape, path, detail::at_offset(4)));
    detail::read_idx_elements<T>(file.span(), h, t.data(), path, opt);
    return t;
}

// Into a caller's buffer, which must hold exactly the file's elements;
// returns the file's shape.
template <Element T>
std::vector<std::size_t> read_idx_into(const std::string& path, std::span<T> out, read_options opt = {}) {
    const auto file = detail::read_file(path);
    idx_header h = parse_idx_header(file.span(), path);
    detail::check_converts<T>(h.type, path, detail::at_offset(2));
    if (out.size() != h.count)
        throw io_error(path, detail::at_offset(4),
                       "the file holds " + std::to_string(h.count) + " elements (shape " + detail::shape_text(h.shape) +
                           "), the buffer " + std::to_string(out.size()));
    detail::read_idx_elements<T>(file.span(), h, out.data(), path, opt);
    return std::move(h.shape);
}

// The bytes of an IDX file holding `data` with extents `shape`.
template <Element T>
[[nodiscard]] std::vector<std::byte> idx_bytes(std::span<const T> data, std::span<const std::size_t> shape,
                                               const std::string& name = "<idx>") {
    static_assert(!std::is_same_v<T, std::int64_t>, "leibniz::io::write_idx: IDX has no 64-bit integer type");
    if (shape.empty() || shape.size() > 255)
        throw io_error(name, "", "IDX holds 1 to 255 dimensions, not " + std::to_string(shape.size()));
    std::size_t count = 0;
    if (!detail::checked_count(shape, count) || count != data.size())
        throw io_error(name, "", "the shape " + detail::shape_text(shape) + " does not hold the " +
                                     std::to_string(data.size()) + " elements given");
    for (std::size_t e : shape)
        if (e > 0xffffffffu)
            throw io_error(name, "", "the extent " + std::to_string(e) + " does not fit IDX's 32-bit dimensions");
    std::vector<std::byte> out(4 + 4 * shape.size() + count * sizeof(T));
    out[2] = std::byte(detail::idx_code(dtype_of<T>()));
    out[3] = std::byte(shape.size());
    for (std::size_t i = 0; i < shape.size(); ++i)
        detail::store<std::uint32_t>(out.data() + 4 + 4 * i, static_cast<std::uint32_t>(shape[i]), detail::byte_order::big);
    std::byte* p = out.data() + 4 + 4 * shape.size();
    for (std::size_t i = 0; i < count; ++i) detail::store<T>(p + i * sizeof(T), data[i], detail::byte_order::big);
    return out;
}

template <Element T>
void write_idx(const std::string& path, std::span<const T> data, std::span<const std::size_t> shape) {
    detail::write_file_atomically(path, idx_bytes<T>(data, shape, path));
}

template <Element T>
void write_idx(const std::string& path, const array<T>& a) {
    write_idx<T>(path, std::span<const T>(a.data), std::span<const std::size_t>(a.shape));
}

template <Element T, Shape S>
void write_idx(const std::string& path, const tensor<T, S>& t) {
    const auto& e = t.extents();
    write_idx<T>(path, std::span<const T>(t.data(), t.size()), std::span<const std::size_t>(e.data(), e.size()));
}

}  // namespace leibniz::io
