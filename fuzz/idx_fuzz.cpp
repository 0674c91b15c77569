// libFuzzer target: io::parse_idx on arbitrary bytes. Every input must either
// parse or raise lz::io_error; a file that parses, written back with the same
// element type, must give the same bytes.
#include <leibniz/io/idx.hpp>

#include <cstdlib>
#include <cstring>

namespace io = leibniz::io;

template <class T>
static void round_trip(std::span<const std::byte> in) {
    const auto a = io::parse_idx<T>(in, "fuzz.idx");
    const auto out = io::idx_bytes<T>(std::span<const T>(a.data), std::span<const std::size_t>(a.shape));
    if (out.size() != in.size() || std::memcmp(out.data(), in.data(), in.size()) != 0) std::abort();
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> in(reinterpret_cast<const std::byte*>(data), size);
    try {
        const io::idx_header h = io::parse_idx_header(in, "fuzz.idx");
        switch (h.type) {
            case io::dtype::u8: round_trip<std::uint8_t>(in); break;
            case io::dtype::i8: round_trip<std::int8_t>(in); break;
            case io::dtype::i16: round_trip<std::int16_t>(in); break;
            case io::dtype::i32: round_trip<std::int32_t>(in); break;
            case io::dtype::f32: round_trip<float>(in); break;
            case io::dtype::f64: round_trip<double>(in); break;
            default: std::abort();  // the header parser knows no other type
        }
        (void)io::parse_idx<float>(in, "fuzz.idx", {.scale_u8 = true});
        (void)io::parse_idx<std::int16_t>(in, "fuzz.idx");  // may refuse wide types: io_error
    } catch (const leibniz::io_error&) {
    }
    return 0;
}
