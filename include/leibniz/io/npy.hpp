#pragma once
// NumPy's .npy: the magic "\x93NUMPY", a version (1.0: a 2-byte little-endian
// header length; 2.0 and 3.0: 4 bytes), a header that is a Python dict literal
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }, then the data.
//
// Element types read: u1, i1, i2, i4, i8, f2 (to float), f4, f8, little- or
// big-endian ('<', '>', '|' for one byte; big-endian data is byte-swapped on
// read), C or Fortran order (a Fortran-order file is transposed into row-major
// order on read). Written: little-endian, C order, version 1.0 (2.0 when the
// header needs it), padded exactly as NumPy pads it, so a file written here is
// byte for byte what numpy.save writes for the same array.
//
//   io::array<double> a = io::read_npy<double>("x.npy");
//   auto t = io::read_npy<float, shape<dyn, 3>>("x.npy");
//   io::write_npy("y.npy", t);

#include <leibniz/io/common.hpp>

namespace leibniz::io {

struct npy_header {
    dtype type = dtype::f64;
    detail::byte_order order = detail::byte_order::little;
    bool fortran_order = false;
    std::vector<std::size_t> shape;
    std::size_t data_offset = 0;
    std::size_t count = 0;
    int major = 1, minor = 0;
};

namespace detail {

// A cursor over the header's dict literal; offsets in errors are the file's.
struct npy_parser {
    std::string_view text;
    std::size_t base;  // offset of text[0] in the file
    const std::string& name;
    std::size_t pos = 0;

    [[noreturn]] void fail(const std::string& reason) const { throw io_error(name, at_offset(base + pos), reason); }
    void skip_ws() {
        while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r')) ++pos;
    }
    [[nodiscard]] char peek() const { return pos < text.size() ? text[pos] : '\0'; }
    void expect(char c, const char* what) {
        skip_ws();
        if (peek() != c) fail(std::string("header: expected ") + what);
        ++pos;
    }
    std::string string_literal() {
        skip_ws();
        const char q = peek();
        if (q != '\'' && q != '"') fail("header: expected a quoted string");
        ++pos;
        const std::size_t start = pos;
        while (pos < text.size() && text[pos] != q) {
            if (text[pos] == '\\') fail("header: escapes in strings are not supported");
            ++pos;
        }
        if (pos >= text.size()) fail("header: unterminated string");
        std::string s(text.substr(start, pos - start));
        ++pos;
        return s;
    }
    bool boolean() {
        skip_ws();
        if (text.substr(pos, 4) == "True") {
            pos += 4;
            return true;
        }
        if (text.substr(pos, 5) == "False") {
            pos += 5;
            return false;
        }
        fail("header: 'fortran_order' must be True or False");
    }
    std::size_t integer() {
        skip_ws();
        if (pos >= text.size() || text[pos] < '0' || text[pos] > '9') fail("header: expected a non-negative integer in 'shape'");
        std::size_t v = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            if (!checked_mul(v, 10, v) || !checked_add(v, static_cast<std::size_t>(text[pos] - '0'), v))
                fail("header: an extent in 'shape' overflows");
            ++pos;
        }
        if (peek() == 'L') ++pos;  // Python 2 longs
        return v;
    }
    std::vector<std::size_t> tuple() {
        expect('(', "'(' opening 'shape'");
        std::vector<std::size_t> out;
        skip_ws();
        if (peek() == ')') {
            ++pos;
            return out;
        }
        for (;;) {
            if (out.size() >= 64) fail("header: 'shape' has more than 64 dimensions");
            out.push_back(integer());
            skip_ws();
            if (peek() == ',') {
                ++pos;
                skip_ws();
                if (peek() == ')') {
                    ++pos;
                    return out;
                }
                continue;
            }
            if (peek() == ')') {
                if (out.size() == 1) fail("header: a one-element 'shape' tuple needs a trailing comma");
                ++pos;
                return out;
            }
            fail("header: expected ',' or ')' in 'shape'");
        }
    }
};

[[nodiscard]] inline bool npy_descr(std::string_view d, dtype& type, byte_order& order) {
    if (d.size() != 3) return false;
    const char e = d[0];
    const std::string_view code = d.substr(1);
    if (code == "u1") type = dtype::u8;
    else if (code == "i1") type = dtype::i8;
    else if (code == "i2") type = dtype::i16;
    else if (code == "i4") type = dtype::i32;
    else if (code == "i8") type = dtype::i64;
    else if (code == "f2") type = dtype::f16;
    else if (code == "f4") type = dtype::f32;
    else if (code == "f8") type = dtype::f64;
    else return false;
    if (e == '<' || (e == '=' && std::endian::native == std::endian::little)) order = byte_order::little;
    else if (e == '>' || e == '=') order = byte_order::big;
    else if (e == '|' && dtype_size(type) == 1) order = byte_order::little;
    else return false;
    return true;
}

[[nodiscard]] inline std::string npy_descr_text(dtype t) {
    switch (t) {
        case dtype::u8: return "|u1";
        case dtype::i8: return "|i1";
        case dtype::i16: return "<i2";
        case dtype::i32: return "<i4";
        case dtype::i64: return "<i8";
        case dtype::f16: return "<f2";
        case dtype::f32: return "<f4";
        case dtype::f64: return "<f8";
        default: return "";
    }
}

template <Element T>
inline void read_npy_elements(std::span<const std::byte> bytes, const npy_header& h, T* out, read_options opt) {
    const raw_elements raw{h.type, h.order, bytes.subspan(h.data_offset), h.count};
    if (!h.fortran_order || h.shape.size() < 2) {
        convert<T>(raw, out, opt);
        return;
    }
    // Fortran order: convert in file order, then place each element at its
    // row-major position (walking the C index odometer-style).
    std::vector<T> tmp(h.count);
    convert<T>(raw, tmp.data(), opt);
    const std::size_t r = h.shape.size();
    std::vector<std::size_t> stride(r), idx(r, 0);
    stride[0] = 1;
    for (std::size_t k = 1; k < r; ++k) stride[k] = stride[k - 1] * h.shape[k - 1];
    std::size_t src = 0;
    for (std::size_t i = 0; i < h.count; ++i) {
        out[i] = tmp[src];
        for (std::size_t k = r; k-- > 0;) {  // next C index: last axis fastest
            ++idx[k];
            src += stride[k];
            if (idx[k] < h.shape[k]) break;
            src -= stride[k] * idx[k];
            idx[k] = 0;
        }
    }
}

}  // namespace detail

// Reads and checks the header of the .npy file held in `bytes`.
[[nodiscard]] inline npy_header parse_npy_header(std::span<const std::byte> bytes, const std::string& name) {
    using detail::at_offset;
    static constexpr unsigned char magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
    if (bytes.size() < 8)
        throw io_error(name, at_offset(bytes.size()),
                       "truncated: a .npy file starts with 8 bytes of magic and version, the file has " +
                           std::to_string(bytes.size()));
    for (std::size_t i = 0; i < 6; ++i)
        if (std::to_integer<unsigned char>(bytes[i]) != magic[i])
            throw io_error(name, at_offset(i), "bad magic: a .npy file starts with \"\\x93NUMPY\" (this is not a .npy file)");
    npy_header h;
    h.major = std::to_integer<int>(bytes[6]);
    h.minor = std::to_integer<int>(bytes[7]);
    std::size_t len_bytes = 0;
    if (h.major == 1) len_bytes = 2;
    else if (h.major == 2 || h.major == 3) len_bytes = 4;
    else
        throw io_error(name, at_offset(6),
                       "unsupported format version " + std::to_string(h.major) + "." + std::to_string(h.minor) +
                           " (1.0, 2.0 and 3.0 are known)");
    if (bytes.size() < 8 + len_bytes)
        throw io_error(name, at_offset(bytes.size()), "truncated: the header length is cut off");
    const std::size_t header_len = len_bytes == 2
                                       ? detail::load<std::uint16_t>(bytes.data() + 8, detail::byte_order::little)
                                       : detail::load<std::uint32_t>(bytes.data() + 8, detail::byte_order::little);
    const std::size_t start = 8 + len_bytes;
    if (header_len > bytes.size() - start)
        throw io_error(name, at_offset(8),
                       "truncated: the header length " + std::to_string(header_len) + " runs past the end of the file (" +
                           std::to_string(bytes.size()) + " bytes)");
    h.data_offset = start + header_len;
    const std::string_view text(reinterpret_cast<const char*>(bytes.data() + start), header_len);

    detail::npy_parser p{text, start, name};
    bool have_descr = false, have_order = false, have_shape = false;
    p.expect('{', "'{' opening the header dict");
    for (;;) {
        p.skip_ws();
        if (p.peek() == '}') {
            ++p.pos;
            break;
        }
        const std::size_t key_pos = p.pos;
        const std::string key = p.string_literal();
        p.expect(':', "':' after a key");
        if (key == "descr") {
            if (have_descr) p.fail("header: duplicate key 'descr'");
            p.skip_ws();
            const std::size_t at = p.pos;
            if (p.peek() == '[') p.fail("header: structured dtypes (a list 'descr') are not supported");
            const std::string d = p.string_literal();
            if (!detail::npy_descr(d, h.type, h.order)) {
                p.pos = at;
                p.fail("header: unsupported dtype '" + d + "' (supported: u1, i1, i2, i4, i8, f2, f4, f8, with '<', '>' or '|')");
            }
            have_descr = true;
        } else if (key == "fortran_order") {
            if (have_order) p.fail("header: duplicate key 'fortran_order'");
            h.fortran_order = p.boolean();
            have_order = true;
        } else if (key == "shape") {
            if (have_shape) p.fail("header: duplicate key 'shape'");
            h.shape = p.tuple();
            have_shape = true;
        } else {
            p.pos = key_pos;
            p.fail("header: unknown key '" + key + "'");
        }
        p.skip_ws();
        if (p.peek() == ',') {
            ++p.pos;
            continue;
        }
        if (p.peek() == '}') continue;
        p.fail("header: expected ',' or '}' after a value");
    }
    p.skip_ws();
    if (p.pos != text.size()) p.fail("header: unexpected text after the dict");
    if (!have_descr) p.fail("header: the key 'descr' is missing");
    if (!have_order) p.fail("header: the key 'fortran_order' is missing");
    if (!have_shape) p.fail("header: the key 'shape' is missing");

    std::size_t count = 0, data_bytes = 0;
    if (!detail::checked_count(h.shape, count) || !detail::checked_mul(count, dtype_size(h.type), data_bytes))
        throw io_error(name, at_offset(start), "the shape " + detail::shape_text(h.shape) + " overflows the size in bytes");
    const std::size_t have = bytes.size() - h.data_offset;
    if (have < data_bytes)
        throw io_error(name, at_offset(bytes.size()),
                       "truncated: shape " + detail::shape_text(h.shape) + " of " + std::string(dtype_name(h.type)) +
                           " needs " + std::to_string(data_bytes) + " bytes of data, the file has " + std::to_string(have));
    if (have > data_bytes)
        throw io_error(name, at_offset(h.data_offset + data_bytes),
                       std::to_string(have - data_bytes) + " bytes after the data that shape " +
                           detail::shape_text(h.shape) + " describes");
    h.count = count;
    return h;
}

template <Element T>
[[nodiscard]] array<T> parse_npy(std::span<const std::byte> bytes, const std::string& name, read_options opt = {}) {
    npy_header h = parse_npy_header(bytes, name);
    detail::check_converts<T>(h.type, name, detail::at_offset(h.data_offset));
    array<T> out;
    out.data.resize(h.count);
    detail::read_npy_elements<T>(bytes, h, out.data.data(), opt);
    out.shape = std::move(h.shape);
    return out;
}

template <Element T>
[[nodiscard]] array<T> read_npy(const std::string& path, read_options opt = {}) {
    const auto file = detail::read_file(path);
    return parse_npy<T>(file.span(), path, opt);
}

template <Element T, Shape S>
[[nodiscard]] tensor<T, S> read_npy(const std::string& path, read_options opt = {}) {
    const auto file = detail::read_file(path);
    const npy_header h = parse_npy_header(file.span(), path);
    detail::check_converts<T>(h.type, path, detail::at_offset(h.data_offset));
    tensor<T, S> t(detail::match_shape<S>(h.shape, path, "header"));
    detail::read_npy_elements<T>(file.span(), h, t.data(), opt);
    return t;
}

template <Element T>
std::vector<std::size_t> read_npy_into(const std::string& path, std::span<T> out, read_options opt = {}) {
    const auto file = detail::read_file(path);
    npy_header h = parse_npy_header(file.span(), path);
    detail::check_converts<T>(h.type, path, detail::at_offset(h.data_offset));
    if (out.size() != h.count)
        throw io_error(path, "header",
                       "the file holds " + std::to_string(h.count) + " elements (shape " + detail::shape_text(h.shape) +
                           "), the buffer " + std::to_string(out.size()));
    detail::read_npy_elements<T>(file.span(), h, out.data(), opt);
    return std::move(h.shape);
}

// The bytes numpy.save writes for `data` with extents `shape` (C order, little-endian).
template <Element T>
[[nodiscard]] std::vector<std::byte> npy_bytes(std::span<const T> data, std::span<const std::size_t> shape,
                                               const std::string& name = "<npy>") {
    std::size_t count = 0;
    if (!detail::checked_count(shape, count) || count != data.size())
        throw io_error(name, "", "the shape " + detail::shape_text(shape) + " does not hold the " +
                                     std::to_string(data.size()) + " elements given");
    std::string header = "{'descr': '" + detail::npy_descr_text(dtype_of<T>()) + "', 'fortran_order': False, 'shape': (";
    for (std::size_t i = 0; i < shape.size(); ++i) header += (i ? ", " : "") + std::to_string(shape[i]);
    header += shape.size() == 1 ? ",), }" : "), }";
    if (!shape.empty()) {  // NumPy leaves room to grow the first axis in place
        const std::size_t digits = std::to_string(shape[0]).size();
        if (digits < 21) header.append(21 - digits, ' ');
    }
    const auto wrap = [&](std::size_t len_bytes) {
        const std::size_t hlen = header.size() + 1;
        const std::size_t pad = 64 - (8 + len_bytes + hlen) % 64;
        return std::pair{hlen + pad, pad};
    };
    std::size_t len_bytes = 2;
    auto [total, pad] = wrap(2);
    if (total > 0xffff) {
        len_bytes = 4;
        std::tie(total, pad) = wrap(4);
    }
    std::vector<std::byte> out(8 + len_bytes + total + count * sizeof(T));
    const unsigned char magic[8] = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<unsigned char>(len_bytes == 2 ? 1 : 2), 0};
    std::memcpy(out.data(), magic, 8);
    if (len_bytes == 2) detail::store<std::uint16_t>(out.data() + 8, static_cast<std::uint16_t>(total), detail::byte_order::little);
    else detail::store<std::uint32_t>(out.data() + 8, static_cast<std::uint32_t>(total), detail::byte_order::little);
    std::byte* p = out.data() + 8 + len_bytes;
    std::memcpy(p, header.data(), header.size());
    std::memset(p + header.size(), ' ', pad);
    p[header.size() + pad] = std::byte('\n');
    p += total;
    for (std::size_t i = 0; i < count; ++i) detail::store<T>(p + i * sizeof(T), data[i], detail::byte_order::little);
    return out;
}

template <Element T>
void write_npy(const std::string& path, std::span<const T> data, std::span<const std::size_t> shape) {
    detail::write_file_atomically(path, npy_bytes<T>(data, shape, path));
}

template <Element T>
void write_npy(const std::string& path, const array<T>& a) {
    write_npy<T>(path, std::span<const T>(a.data), std::span<const std::size_t>(a.shape));
}

template <Element T, Shape S>
void write_npy(const std::string& path, const tensor<T, S>& t) {
    const auto& e = t.extents();
    write_npy<T>(path, std::span<const T>(t.data(), t.size()), std::span<const std::size_t>(e.data(), e.size()));
}

}  // namespace leibniz::io
