// The examples of doc/reference/io.md; each `// [snippet <part>]` region is
// shown there. Files go to a fresh temporary directory, removed at the end.
#include <leibniz/io/csv.hpp>
#include <leibniz/io/idx.hpp>
#include <leibniz/io/npy.hpp>
#if __has_include(<nlohmann/json.hpp>)
#include <leibniz/io/parameters.hpp>
#include <leibniz/io/safetensors.hpp>
#include <leibniz/leibniz.hpp>
#endif

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

namespace lz = leibniz;
namespace io = leibniz::io;

int main() {
    const auto dir = std::filesystem::temp_directory_path() / ("leibniz_io_snippet_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string images_path = (dir / "images.idx").string(), npy_path = (dir / "x.npy").string();
    {
        std::vector<std::uint8_t> pixels(3 * 28 * 28, 255);
        io::write_idx<std::uint8_t>(images_path, pixels, std::vector<std::size_t>{3, 28, 28});
    }

    // [snippet idx]
    // MNIST images, u8 on disk, into float in [0, 1]; the file's [3, 28, 28] binds the dyn extent
    auto images = io::read_idx<float, lz::shape<lz::dyn, 28, 28>>(images_path, {.scale_u8 = true});
    std::printf("%zu images, pixel %g\n", images.extent(0), images(2, 27, 27));
    // [/snippet]

    // [snippet npy]
    lz::tensor<double, lz::shape<2, 3>> x{{1, 2, 3}, {4, 5, 6}};
    io::write_npy(npy_path, x);                           // what numpy.save writes, byte for byte
    io::array<double> a = io::read_npy<double>(npy_path);  // shape known at run time
    std::printf("shape [%zu, %zu], a(1, 2) = %g\n", a.shape[0], a.shape[1], a.data[5]);
    try {
        (void)io::read_npy<double, lz::shape<3, 2>>(npy_path);
    } catch (const lz::io_error& e) {
        std::printf("io_error: %s\n", e.reason().c_str());  // e.what() starts with the file's name
    }
    // [/snippet]

    // [snippet csv]
    const std::string text = "x1,x2,species\n5.1,3.5,setosa\n7.0,\"3.2\",versicolor\n6.3,3.3,setosa\n";
    io::csv_data<float> d = io::parse_csv<float>(text, "inline.csv", {.label = "species"});
    // d.features: shape [3, 2]; d.labels: 0, 1, 0; d.classes: setosa, versicolor
    std::printf("%zu rows, label of row 2 = %g (%s)\n", d.features.shape[0], d.labels[1],
                d.classes[static_cast<std::size_t>(d.labels[1])].c_str());
    // [/snippet]

#if __has_include(<nlohmann/json.hpp>)
    const std::string st_path = (dir / "model.safetensors").string();
    // [snippet safetensors]
    io::tensor_set out;
    lz::tensor<float, lz::shape<2, 2>> w{{0.5f, -1.0f}, {2.0f, 0.1f}};
    out.set("fc.weight", w);                      // stored as F32
    out.set("fc.weight.half", w, io::dtype::bf16);  // rounded to bfloat16 as PyTorch rounds
    out.metadata["format"] = "pt";
    io::write_safetensors(st_path, out);          // temporary file, fsync, rename

    io::tensor_set in = io::read_safetensors(st_path);
    auto w2 = in.get<float, lz::shape<2, 2>>("fc.weight");       // shape checked
    auto h = in.get<float>("fc.weight.half");                    // BF16 converted to float
    std::printf("%g %g\n", w2(1, 1), h.data[3]);
    // [/snippet]

    const std::string store_path = (dir / "store.safetensors").string(), torch_path = (dir / "linear.safetensors").string();
    // [snippet parameters]
    constexpr auto input = lz::var<"x", float, lz::shape<lz::dyn, 3>>;
    constexpr auto W = lz::param<"fc.W", float, lz::shape<3, 2>>;  // [in, out]
    constexpr auto b = lz::param<"fc.b", float, lz::shape<2>>;
    lz::parameters params{lz::matmul(input, W) + b};
    params[W](2, 1) = 0.5f;
    io::save_parameters(store_path, params);  // tensors "fc.W" [3, 2] and "fc.b" [2], F32

    // PyTorch's nn.Linear(3, 2): its state_dict holds "weight" [2, 3] ([out, in]) and "bias" [2]
    const io::name_map torch_names = [](std::string_view leaf, std::span<const std::size_t>) {
        return leaf == "fc.W" ? io::stored_as{"weight", true} : io::stored_as{"bias", false};
    };
    io::save_parameters(torch_path, params, {.map = torch_names, .metadata = {{"format", "pt"}}});

    lz::parameters loaded{lz::matmul(input, W) + b};
    io::load_parameters(torch_path, loaded, {.map = torch_names});  // strict: every name and shape checked
    std::printf("W(2, 1) = %g\n", loaded[W](2, 1));
    try {
        io::load_parameters(store_path, loaded, {.map = torch_names});  // the file holds fc.W and fc.b
    } catch (const lz::io_error& e) {
        std::printf("io_error: %s\n", e.reason().c_str());
    }
    auto r = io::load_parameters(store_path, loaded, {.strict = false, .map = torch_names});
    std::printf("skipped: %zu missing, %zu unexpected\n", r.missing_keys.size(), r.unexpected_keys.size());
    // [/snippet]
#endif
    std::filesystem::remove_all(dir);
    return 0;
}
