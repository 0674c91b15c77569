// libFuzzer target: io::parse_safetensors on arbitrary bytes. Every input must
// either parse or raise lz::io_error; a file that parses, written back and read
// again, must hold the same tensors (names, dtypes, shapes, bytes) and metadata.
#include <leibniz/io/safetensors.hpp>

#include <cstdlib>

namespace io = leibniz::io;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> in(reinterpret_cast<const std::byte*>(data), size);
    try {
        const io::tensor_set a = io::parse_safetensors(in, "fuzz.safetensors");
        std::vector<std::byte> bytes;
        try {
            bytes = io::safetensors_bytes(a);
        } catch (const leibniz::io_error&) {
            return 0;  // a name nlohmann/json cannot write back (not UTF-8): refused, not a crash
        }
        const io::tensor_set b = io::parse_safetensors(std::span<const std::byte>(bytes), "again.safetensors");
        if (a.size() != b.size() || a.metadata != b.metadata) std::abort();
        for (const auto& [name, t] : a) {
            const io::stored_tensor& u = b.at(name);
            if (u.type != t.type || u.shape != t.shape || u.bytes != t.bytes) std::abort();
            (void)a.get<float>(name);
            try {
                (void)a.get<std::int64_t>(name);
            } catch (const leibniz::io_error&) {
            }
        }
    } catch (const leibniz::io_error&) {
    }
    return 0;
}
