// libFuzzer target: io::parse_npy on arbitrary bytes. Every input must either
// parse or raise lz::io_error; a file that parses, written back and read
// again, must give the same shape and the same values, bit for bit.
#include <leibniz/io/npy.hpp>

#include <cstdlib>
#include <cstring>

namespace io = leibniz::io;

template <class T>
static void round_trip(std::span<const std::byte> in) {
    const auto a = io::parse_npy<T>(in, "fuzz.npy");
    const auto bytes = io::npy_bytes<T>(std::span<const T>(a.data), std::span<const std::size_t>(a.shape));
    const auto b = io::parse_npy<T>(std::span<const std::byte>(bytes), "again.npy");
    if (a.shape != b.shape || a.data.size() != b.data.size() ||
        (!a.data.empty() && std::memcmp(a.data.data(), b.data.data(), a.data.size() * sizeof(T)) != 0))
        std::abort();
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> in(reinterpret_cast<const std::byte*>(data), size);
    try {
        const io::npy_header h = io::parse_npy_header(in, "fuzz.npy");
        switch (h.type) {
            case io::dtype::u8: round_trip<std::uint8_t>(in); break;
            case io::dtype::i8: round_trip<std::int8_t>(in); break;
            case io::dtype::i16: round_trip<std::int16_t>(in); break;
            case io::dtype::i32: round_trip<std::int32_t>(in); break;
            case io::dtype::i64: round_trip<std::int64_t>(in); break;
            case io::dtype::f16: round_trip<float>(in); break;
            case io::dtype::f32: round_trip<float>(in); break;
            case io::dtype::f64: round_trip<double>(in); break;
            default: std::abort();  // the header parser knows no other type
        }
        (void)io::parse_npy<std::int32_t>(in, "fuzz.npy");  // may refuse the dtype: io_error
    } catch (const leibniz::io_error&) {
    }
    return 0;
}
