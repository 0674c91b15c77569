#pragma once
// What the file readers and writers of include/leibniz/io/ share: lz::io_error,
// element types (io::dtype), run-time-shaped arrays (io::array<T>), checked
// size arithmetic, reading a whole file, conversion of a file's elements to the
// caller's type, and writing through a temporary file that is flushed and renamed.
//
// Every reader takes its input as bytes (parse_*) or as a path (read_*); the
// bytes of a file are never trusted: each size is computed with checked
// arithmetic and compared with what the file holds before anything is read or
// allocated, and every failure is an lz::io_error naming the file, the place
// (a byte offset, or a line and column) and the reason.

#include <leibniz/tensor/shape.hpp>
#include <leibniz/tensor/tensor.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#if __has_include(<unistd.h>) && __has_include(<fcntl.h>)
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#define LEIBNIZ_IO_POSIX 1
#else
#define LEIBNIZ_IO_POSIX 0
#endif

namespace leibniz {

// A file that cannot be read or written, or whose contents are malformed.
// what() is "<file>: <where>: <reason>"; the parts are kept apart as well.
class io_error : public std::runtime_error {
public:
    io_error(std::string file, std::string where, std::string reason)
        : std::runtime_error(file + ": " + (where.empty() ? std::string() : where + ": ") + reason),
          file_(std::move(file)), where_(std::move(where)), reason_(std::move(reason)) {}
    [[nodiscard]] const std::string& file() const noexcept { return file_; }
    [[nodiscard]] const std::string& where() const noexcept { return where_; }
    [[nodiscard]] const std::string& reason() const noexcept { return reason_; }

private:
    std::string file_, where_, reason_;
};

namespace io {

// Element types a file may hold. Each reader accepts a subset (see its header).
enum class dtype { u8, i8, i16, i32, i64, f16, bf16, f32, f64 };

[[nodiscard]] constexpr std::size_t dtype_size(dtype t) noexcept {
    switch (t) {
        case dtype::u8: case dtype::i8: return 1;
        case dtype::i16: case dtype::f16: case dtype::bf16: return 2;
        case dtype::i32: case dtype::f32: return 4;
        case dtype::i64: case dtype::f64: return 8;
    }
    return 1;
}

[[nodiscard]] constexpr std::string_view dtype_name(dtype t) noexcept {
    switch (t) {
        case dtype::u8: return "u8";
        case dtype::i8: return "i8";
        case dtype::i16: return "i16";
        case dtype::i32: return "i32";
        case dtype::i64: return "i64";
        case dtype::f16: return "f16";
        case dtype::bf16: return "bf16";
        case dtype::f32: return "f32";
        case dtype::f64: return "f64";
    }
    return "?";
}

// The dtype a C++ element type is stored as.
template <class T>
inline constexpr bool is_element_v = std::is_same_v<T, std::uint8_t> || std::is_same_v<T, std::int8_t> ||
                                     std::is_same_v<T, std::int16_t> || std::is_same_v<T, std::int32_t> ||
                                     std::is_same_v<T, std::int64_t> || std::is_same_v<T, float> ||
                                     std::is_same_v<T, double>;
template <class T>
concept Element = is_element_v<T>;

template <Element T>
[[nodiscard]] constexpr dtype dtype_of() noexcept {
    if constexpr (std::is_same_v<T, std::uint8_t>) return dtype::u8;
    else if constexpr (std::is_same_v<T, std::int8_t>) return dtype::i8;
    else if constexpr (std::is_same_v<T, std::int16_t>) return dtype::i16;
    else if constexpr (std::is_same_v<T, std::int32_t>) return dtype::i32;
    else if constexpr (std::is_same_v<T, std::int64_t>) return dtype::i64;
    else if constexpr (std::is_same_v<T, float>) return dtype::f32;
    else return dtype::f64;
}

// An array whose shape is known only at run time: its extents and its
// elements in row-major (C) order.
template <class T>
struct array {
    std::vector<std::size_t> shape;
    std::vector<T> data;
    [[nodiscard]] std::size_t size() const noexcept { return data.size(); }
};

// Options of the readers that convert elements.
struct read_options {
    // u8 elements read into a floating-point destination are divided by 255
    // (images to [0, 1]).
    bool scale_u8 = false;
};

namespace detail {

[[nodiscard]] inline std::string shape_text(std::span<const std::size_t> s) {
    std::string out = "[";
    for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + "]";
}

template <Shape S>
[[nodiscard]] std::string shape_text() {
    std::string out = "[";
    for (std::size_t i = 0; i < S::rank; ++i)
        out += (i ? ", " : "") + (S::extents[i] == dyn ? std::string("dyn") : std::to_string(S::extents[i]));
    return out + "]";
}

[[nodiscard]] inline std::string at_offset(std::size_t offset) { return "byte " + std::to_string(offset); }

// a * b, or false when it overflows std::size_t.
[[nodiscard]] inline bool checked_mul(std::size_t a, std::size_t b, std::size_t& out) noexcept {
    return !__builtin_mul_overflow(a, b, &out);
}
[[nodiscard]] inline bool checked_add(std::size_t a, std::size_t b, std::size_t& out) noexcept {
    return !__builtin_add_overflow(a, b, &out);
}

// The number of elements of `shape`, or false on overflow.
[[nodiscard]] inline bool checked_count(std::span<const std::size_t> shape, std::size_t& out) noexcept {
    std::size_t n = 1;
    for (std::size_t e : shape)
        if (!checked_mul(n, e, n)) return false;
    out = n;
    return true;
}

// Byte order of the elements in a file.
enum class byte_order { little, big };

template <class U>
[[nodiscard]] inline U load(const std::byte* p, byte_order order) noexcept {
    U v;
    std::memcpy(&v, p, sizeof(U));
    const bool swap = (order == byte_order::little) != (std::endian::native == std::endian::little);
    if (swap && sizeof(U) > 1) {
        unsigned char b[sizeof(U)];
        std::memcpy(b, &v, sizeof(U));
        std::reverse(b, b + sizeof(U));
        std::memcpy(&v, b, sizeof(U));
    }
    return v;
}

template <class U>
inline void store(std::byte* p, U v, byte_order order) noexcept {
    unsigned char b[sizeof(U)];
    std::memcpy(b, &v, sizeof(U));
    const bool swap = (order == byte_order::little) != (std::endian::native == std::endian::little);
    if (swap && sizeof(U) > 1) std::reverse(b, b + sizeof(U));
    std::memcpy(p, b, sizeof(U));
}

// IEEE binary16 and bfloat16 to float (exact) and back (round to nearest even).
[[nodiscard]] inline float half_to_float(std::uint16_t h) noexcept {
    const std::uint32_t sign = std::uint32_t(h >> 15) << 31;
    const std::uint32_t exp = (h >> 10) & 0x1f;
    const std::uint32_t man = h & 0x3ff;
    std::uint32_t bits;
    if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else {  // subnormal: man * 2^-24
            float f = static_cast<float>(man) * 0x1p-24f;
            bits = std::bit_cast<std::uint32_t>(f) | sign;
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (man << 13);
    } else {
        bits = sign | ((exp + 112) << 23) | (man << 13);
    }
    return std::bit_cast<float>(bits);
}

[[nodiscard]] inline std::uint16_t float_to_half(float f) noexcept {
    const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
    const std::uint16_t sign = static_cast<std::uint16_t>((x >> 16) & 0x8000);
    const std::uint32_t abs = x & 0x7fffffffu;
    if (abs >= 0x7f800000u)  // inf or nan (nan keeps a quiet payload bit)
        return static_cast<std::uint16_t>(sign | 0x7c00 | (abs > 0x7f800000u ? 0x200 | ((abs >> 13) & 0x3ff) : 0));
    if (abs >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00);  // rounds to inf
    if (abs < 0x38800000u) {  // below the smallest normal half: subnormal or zero
        // value * 2^24 rounded to nearest even gives the subnormal's mantissa
        const float scaled = std::bit_cast<float>(abs) * 0x1p24f;  // exact (power of two)
        // round half to even by hand (no dependence on the rounding mode)
        const float fl = static_cast<float>(static_cast<std::uint32_t>(scaled));
        const float frac = scaled - fl;
        const std::uint32_t base = static_cast<std::uint32_t>(fl);
        std::uint32_t m = base;
        if (frac > 0.5f || (frac == 0.5f && (base & 1))) m = base + 1;
        return static_cast<std::uint16_t>(sign | m);
    }
    // normal: re-bias the exponent, round the mantissa to 10 bits, nearest even
    std::uint32_t bits = abs - (112u << 23);
    const std::uint32_t lsb = (bits >> 13) & 1;
    bits += 0xfff + lsb;
    return static_cast<std::uint16_t>(sign | (bits >> 13));
}

[[nodiscard]] inline float bf16_to_float(std::uint16_t b) noexcept {
    return std::bit_cast<float>(std::uint32_t(b) << 16);
}

[[nodiscard]] inline std::uint16_t float_to_bf16(float f) noexcept {
    std::uint32_t x = std::bit_cast<std::uint32_t>(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((x >> 16) | 0x40);  // quiet nan
    x += 0x7fff + ((x >> 16) & 1);
    return static_cast<std::uint16_t>(x >> 16);
}

// double to float, rounding to nearest; beyond float's range ±infinity, as
// IEEE arithmetic gives (a plain cast out of range is undefined behaviour).
[[nodiscard]] inline float narrow_to_float(double v) noexcept {
    constexpr double overflow = 0x1.ffffffp127;  // FLT_MAX + half an ulp: rounds to infinity
    if (v >= overflow) return std::numeric_limits<float>::infinity();
    if (v <= -overflow) return -std::numeric_limits<float>::infinity();
    return static_cast<float>(v);
}

// Whether a file's dtype may be read into T: any dtype into a floating-point
// T; into an integral T only integers whose every value T represents.
template <Element T>
[[nodiscard]] constexpr bool converts_to(dtype from) noexcept {
    if constexpr (std::is_floating_point_v<T>) {
        return true;
    } else {
        switch (from) {
            case dtype::u8: return !std::is_same_v<T, std::int8_t>;
            case dtype::i8: return !std::is_same_v<T, std::uint8_t>;
            case dtype::i16: return sizeof(T) >= 2;
            case dtype::i32: return sizeof(T) >= 4;
            case dtype::i64: return sizeof(T) >= 8;
            default: return false;
        }
    }
}

template <class T>
[[nodiscard]] constexpr std::string_view type_name() noexcept {
    if constexpr (std::is_same_v<T, std::uint8_t>) return "std::uint8_t";
    else if constexpr (std::is_same_v<T, std::int8_t>) return "std::int8_t";
    else if constexpr (std::is_same_v<T, std::int16_t>) return "std::int16_t";
    else if constexpr (std::is_same_v<T, std::int32_t>) return "std::int32_t";
    else if constexpr (std::is_same_v<T, std::int64_t>) return "std::int64_t";
    else if constexpr (std::is_same_v<T, float>) return "float";
    else return "double";
}

// Elements as a file stores them: where they are, their type and byte order.
struct raw_elements {
    dtype type = dtype::u8;
    byte_order order = byte_order::little;
    std::span<const std::byte> bytes;  // count * dtype_size(type) of them
    std::size_t count = 0;
};

template <class T, class U, class F>
inline void convert_loop(const std::byte* src, T* out, std::size_t n, byte_order order, F f) noexcept {
    if (order == byte_order::little && std::endian::native == std::endian::little) {
        for (std::size_t i = 0; i < n; ++i) {
            U v;
            std::memcpy(&v, src + i * sizeof(U), sizeof(U));
            out[i] = f(v);
        }
    } else {
        for (std::size_t i = 0; i < n; ++i) out[i] = f(load<U>(src + i * sizeof(U), order));
    }
}

// Converts `raw` into out[0, raw.count); the dtype must convert to T (checked
// by the caller with converts_to).
template <Element T>
inline void convert(const raw_elements& raw, T* out, read_options opt = {}) noexcept {
    const std::byte* s = raw.bytes.data();
    const std::size_t n = raw.count;
    const auto cast = [](auto v) { return static_cast<T>(v); };
    switch (raw.type) {
        case dtype::u8:
            if constexpr (std::is_floating_point_v<T>) {
                if (opt.scale_u8) {
                    const auto* p = reinterpret_cast<const unsigned char*>(s);
                    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<T>(p[i]) / T(255);
                    return;
                }
            }
            convert_loop<T, std::uint8_t>(s, out, n, raw.order, cast);
            return;
        case dtype::i8: convert_loop<T, std::int8_t>(s, out, n, raw.order, cast); return;
        case dtype::i16: convert_loop<T, std::int16_t>(s, out, n, raw.order, cast); return;
        case dtype::i32: convert_loop<T, std::int32_t>(s, out, n, raw.order, cast); return;
        case dtype::i64: convert_loop<T, std::int64_t>(s, out, n, raw.order, cast); return;
        case dtype::f32: convert_loop<T, float>(s, out, n, raw.order, cast); return;
        case dtype::f64:
            if constexpr (std::is_same_v<T, float>)
                convert_loop<T, double>(s, out, n, raw.order, narrow_to_float);
            else
                convert_loop<T, double>(s, out, n, raw.order, cast);
            return;
        case dtype::f16:
            convert_loop<T, std::uint16_t>(s, out, n, raw.order,
                                           [](std::uint16_t h) { return static_cast<T>(half_to_float(h)); });
            return;
        case dtype::bf16:
            convert_loop<T, std::uint16_t>(s, out, n, raw.order,
                                           [](std::uint16_t h) { return static_cast<T>(bf16_to_float(h)); });
            return;
    }
}

template <Element T>
inline void check_converts(dtype from, const std::string& file, const std::string& where) {
    if (!converts_to<T>(from))
        throw io_error(file, where,
                       "the file holds " + std::string(dtype_name(from)) + " elements, which " +
                           std::string(type_name<T>()) + " cannot represent (read into a wider type or a floating-point one)");
}

// A file's shape against a tensor's: equal rank, equal static extents; dyn
// extents take the file's. Throws io_error naming both shapes.
template <Shape S>
[[nodiscard]] ::leibniz::detail::extents_of<S> match_shape(std::span<const std::size_t> file_shape,
                                                          const std::string& file, const std::string& what) {
    bool ok = file_shape.size() == S::rank;
    ::leibniz::detail::extents_of<S> ex;
    for (std::size_t i = 0; ok && i < S::rank; ++i) {
        if (S::extents[i] == dyn)
            ex.values[i] = file_shape[i];
        else if (S::extents[i] != file_shape[i])
            ok = false;
    }
    if (!ok)
        throw io_error(file, what,
                       "the file's shape " + shape_text(file_shape) + " does not match the destination's shape " +
                           shape_text<S>());
    return ex;
}

// The whole file, read into memory (no zero-filling of the buffer).
struct file_bytes {
    std::unique_ptr<std::byte[]> data;
    std::size_t size = 0;
    [[nodiscard]] std::span<const std::byte> span() const noexcept { return {data.get(), size}; }
};

[[nodiscard]] inline file_bytes read_file(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw io_error(path, "", std::string("cannot open the file for reading: ") + std::strerror(errno));
    struct closer {
        std::FILE* f;
        ~closer() { std::fclose(f); }
    } close_it{f};
    file_bytes out;
    bool regular = true;
#if LEIBNIZ_IO_POSIX
    struct ::stat st {};
    if (::fstat(::fileno(f), &st) == 0) {
        if (S_ISDIR(st.st_mode)) throw io_error(path, "", "cannot read it: it is a directory, not a file");
        regular = S_ISREG(st.st_mode);
    }
#endif
    if (regular && std::fseek(f, 0, SEEK_END) == 0) {
        const long end = std::ftell(f);
        if (end >= 0 && std::fseek(f, 0, SEEK_SET) == 0) {
            out.size = static_cast<std::size_t>(end);
            try {
                out.data = std::make_unique_for_overwrite<std::byte[]>(std::max<std::size_t>(out.size, 1));
            } catch (const std::bad_alloc&) {
                throw io_error(path, "", "cannot allocate " + std::to_string(out.size) + " bytes to read it");
            }
            const std::size_t got = std::fread(out.data.get(), 1, out.size, f);
            if (got != out.size || std::ferror(f))
                throw io_error(path, at_offset(got), "read failed (the file shrank or cannot be read)");
            return out;
        }
    }
    // not seekable (a pipe): read in chunks
    std::vector<std::byte> buf;
    std::byte chunk[65536];
    std::size_t got;
    while ((got = std::fread(chunk, 1, sizeof chunk, f)) > 0) buf.insert(buf.end(), chunk, chunk + got);
    if (std::ferror(f)) throw io_error(path, at_offset(buf.size()), "read failed");
    out.size = buf.size();
    out.data = std::make_unique_for_overwrite<std::byte[]>(std::max<std::size_t>(out.size, 1));
    std::copy(buf.begin(), buf.end(), out.data.get());
    return out;
}

// Writes `bytes` to `path` through a temporary file in the same directory,
// flushed to disk (fsync) and renamed over `path`: a crash leaves either the
// old file or the new one, never a half-written one.
inline void write_file_atomically(const std::string& path, std::span<const std::byte> bytes) {
#if LEIBNIZ_IO_POSIX
    std::string tmpl = path + ".tmp.XXXXXX";
    int fd = ::mkstemp(tmpl.data());
    if (fd < 0) throw io_error(path, "", std::string("cannot create a temporary file beside it: ") + std::strerror(errno));
    const auto fail = [&](const char* what) {
        const int e = errno;
        ::close(fd);
        ::unlink(tmpl.c_str());
        throw io_error(path, "", std::string(what) + ": " + std::strerror(e));
    };
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ::ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("write failed");
        }
        done += static_cast<std::size_t>(n);
    }
    // the permissions of the file it replaces, or rw-r--r-- for a new one (mkstemp makes 0600)
    struct ::stat old {};
    const ::mode_t mode = ::stat(path.c_str(), &old) == 0 ? (old.st_mode & 07777) : 0644;
    if (::fchmod(fd, mode) != 0) fail("cannot set the file's permissions");
    if (::fsync(fd) != 0) fail("fsync failed");
    if (::close(fd) != 0) {
        const int e = errno;
        ::unlink(tmpl.c_str());
        throw io_error(path, "", std::string("close failed: ") + std::strerror(e));
    }
    if (std::rename(tmpl.c_str(), path.c_str()) != 0) {
        const int e = errno;
        ::unlink(tmpl.c_str());
        throw io_error(path, "", std::string("cannot rename the temporary file over it: ") + std::strerror(e));
    }
    // make the rename itself durable: fsync the directory (best effort)
    const auto slash = path.find_last_of('/');
    const std::string dir = slash == std::string::npos ? std::string(".") : path.substr(0, slash == 0 ? 1 : slash);
    const int dfd = ::open(dir.c_str(), O_RDONLY);
    if (dfd >= 0) {
        (void)::fsync(dfd);
        ::close(dfd);
    }
#else
    const std::string tmp = path + ".tmp";
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw io_error(path, "", std::string("cannot create a temporary file beside it: ") + std::strerror(errno));
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size() && std::fflush(f) == 0;
    if (std::fclose(f) != 0 || !ok) {
        std::remove(tmp.c_str());
        throw io_error(path, "", "write failed");
    }
    std::remove(path.c_str());
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw io_error(path, "", "cannot rename the temporary file over it");
    }
#endif
}

}  // namespace detail

// An io::array<T> as a tensor of shape S (static extents checked, dyn ones
// bound); io_error naming both shapes when they disagree. `file` names the
// source in the message.
template <class T, Shape S>
[[nodiscard]] tensor<T, S> to_tensor(const array<T>& a, const std::string& file = "<array>") {
    tensor<T, S> t(detail::match_shape<S>(a.shape, file, "shape"));
    std::copy(a.data.begin(), a.data.end(), t.data());
    return t;
}

}  // namespace io
}  // namespace leibniz
