// include/leibniz/io/: every malformed file of the committed corpus test/io/bad/
// (written by test/ref/make_io_ref.py) raises lz::io_error naming the file and
// the problem (test/io/bad/expected.txt: a substring of each message); so do an
// unreadable file, a dtype the destination cannot hold and a shape mismatch.
#define BOOST_TEST_MODULE io_errors
#include <boost/test/unit_test.hpp>

#include <leibniz/io/csv.hpp>
#include <leibniz/io/idx.hpp>
#include <leibniz/io/npy.hpp>
#if __has_include(<nlohmann/json.hpp>)
#include <leibniz/io/parameters.hpp>
#include <leibniz/io/safetensors.hpp>
#define IO_TEST_SAFETENSORS 1
#endif

#include "io_ref.hpp"

#include <functional>
#include <set>

namespace lz = leibniz;
namespace io = leibniz::io;

static_assert(std::is_base_of_v<std::runtime_error, lz::io_error>, "lz::io_error is a std::runtime_error");

namespace {

// Runs `f`, which must throw lz::io_error whose message holds `file` and `part`.
void expect_io_error(const std::function<void()>& f, const std::string& file, const std::string& part) {
    try {
        f();
        BOOST_ERROR(file << ": no io_error (expected one with \"" << part << "\")");
    } catch (const lz::io_error& e) {
        const std::string what = e.what();
        BOOST_TEST_CONTEXT(what) {
            BOOST_TEST(what.find(part) != std::string::npos, file << ": the message lacks \"" << part << "\"");
            BOOST_TEST(e.file() == file);
            BOOST_TEST(what.rfind(file + ": ", 0) == 0u);  // starts with the file's name
        }
    }
}

#ifdef IO_TEST_SAFETENSORS
// The store the files of test/io/bad/store/ do not fit: a two-layer network
// loaded from PyTorch's names and layout (io_ref::torch_name).
using mlp_store = lz::parameters<boost::mp11::mp_list<lz::leaf<"l1.w", float, lz::shape<3, 4>, lz::param_kind>,
                                                      lz::leaf<"l1.b", float, lz::shape<4>, lz::param_kind>,
                                                      lz::leaf<"l2.w", float, lz::shape<4, 2>, lz::param_kind>,
                                                      lz::leaf<"l2.b", float, lz::shape<2>, lz::param_kind>>>;
const io::name_map to_torch = [](std::string_view leaf, std::span<const std::size_t>) {
    auto [name, transpose] = io_ref::torch_name(leaf);
    return io::stored_as{name, transpose};
};
#endif

}  // namespace

BOOST_AUTO_TEST_CASE(every_malformed_file_raises_io_error_naming_the_problem) {
    std::ifstream in(io_ref::path("bad/expected.txt"));
    BOOST_REQUIRE(in);
    std::string line;
    std::set<std::string> listed;
    std::size_t checked = 0;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto tab = line.find('\t');
        BOOST_REQUIRE(tab != std::string::npos);
        const std::string rel = line.substr(0, tab), part = line.substr(tab + 1);
        listed.insert(rel);
        const std::string file = io_ref::path("bad/" + rel);
        const std::string format = rel.substr(0, rel.find('/'));
        std::function<void()> read;
        if (format == "idx") read = [&] { (void)io::read_idx<double>(file); };
        else if (format == "npy") read = [&] { (void)io::read_npy<double>(file); };
        else if (format == "csv") read = [&] { (void)io::read_csv<float>(file, {.label = "label"}); };
#ifdef IO_TEST_SAFETENSORS
        else if (format == "safetensors") read = [&] { (void)io::read_safetensors(file); };
        else if (format == "store") read = [&] {
            mlp_store p;
            (void)io::load_parameters(file, p, {.map = to_torch});
        };
#endif
        else continue;
        expect_io_error(read, file, part);
        ++checked;
    }
#ifdef IO_TEST_SAFETENSORS
    BOOST_TEST(checked == listed.size());
#endif
    BOOST_TEST(checked >= 30u);
    // every file of the corpus is listed
    for (const auto& entry : std::filesystem::recursive_directory_iterator(io_ref::path("bad"))) {
        if (!entry.is_regular_file() || entry.path().filename() == "expected.txt") continue;
        const std::string rel = std::filesystem::relative(entry.path(), io_ref::path("bad")).generic_string();
        BOOST_TEST(listed.count(rel) == 1u, rel << " is not in expected.txt");
    }
}

BOOST_AUTO_TEST_CASE(an_unreadable_file) {
    const std::string missing = io_ref::path("no_such_file.npy");
    expect_io_error([&] { (void)io::read_npy<float>(missing); }, missing, "cannot open the file for reading");
    expect_io_error([&] { (void)io::read_idx<float>(missing); }, missing, "No such file");
    expect_io_error([&] { (void)io::read_csv<float>(missing); }, missing, "cannot open");
    const std::string dir = io_ref::path("npy");  // a directory: opens, but cannot be read as a file
    expect_io_error([&] { (void)io::read_npy<float>(dir); }, dir, "it is a directory");
}

BOOST_AUTO_TEST_CASE(a_dtype_the_destination_cannot_hold) {
    const std::string f8 = io_ref::path("npy/f8.npy");
    expect_io_error([&] { (void)io::read_npy<std::int32_t>(f8); }, f8,
                    "the file holds f64 elements, which std::int32_t cannot represent");
    const std::string i8 = io_ref::path("npy/i8.npy");
    expect_io_error([&] { (void)io::read_npy<std::int32_t, lz::shape<3>>(i8); }, i8, "i64 elements");
    const std::string i4 = io_ref::path("idx/i4.idx");
    expect_io_error([&] { (void)io::read_idx<std::int16_t>(i4); }, i4, "the file holds i32 elements, which std::int16_t");
    const std::string csv = io_ref::path("csv/iris_small.csv");
    expect_io_error([&] { (void)io::read_csv<std::int32_t>(csv, {.label = "species"}); }, csv,
                    "line 2, column 1 ('sepal length'): '5.1' is not a number (or not an integer");
#ifdef IO_TEST_SAFETENSORS
    const std::string st = io_ref::path("safetensors/ref.safetensors");
    const auto s = io::read_safetensors(st);
    expect_io_error([&] { (void)s.get<std::int64_t>("w_f32"); }, st, "tensor 'w_f32': the file holds f32 elements");
    expect_io_error([&] { (void)s.get<float>("nope"); }, st, "tensor 'nope': no tensor of that name (the set holds 'scalar', 'w_bf16'");
    io::tensor_set w;
    const std::vector<std::int32_t> v{1};
    expect_io_error([&] { w.set<std::int32_t>("x", std::span<const std::int32_t>(v), std::vector<std::size_t>{1}, io::dtype::f16); },
                    "<tensor_set>", "std::int32_t elements cannot be stored as f16");
#endif
}

BOOST_AUTO_TEST_CASE(a_shape_mismatch_names_both_shapes) {
    const std::string f4 = io_ref::path("npy/f4.npy");
    expect_io_error([&] { (void)io::read_npy<float, lz::shape<3, 2>>(f4); }, f4,
                    "the file's shape [2, 3] does not match the destination's shape [3, 2]");
    expect_io_error([&] { (void)io::read_npy<float, lz::shape<lz::dyn, 3, 1>>(f4); }, f4, "[2, 3] does not match the destination's shape [dyn, 3, 1]");
    std::vector<float> small(5);
    expect_io_error([&] { (void)io::read_npy_into<float>(f4, std::span<float>(small)); }, f4, "the file holds 6 elements (shape [2, 3]), the buffer 5");
    const std::string images = io_ref::path("idx/images_u1.idx");
    expect_io_error([&] { (void)io::read_idx<float, lz::shape<lz::dyn, 28, 28>>(images); }, images,
                    "the file's shape [3, 4, 5] does not match the destination's shape [dyn, 28, 28]");
#ifdef IO_TEST_SAFETENSORS
    const std::string st = io_ref::path("safetensors/ref.safetensors");
    const auto s = io::read_safetensors(st);
    expect_io_error([&] { (void)s.get<float, lz::shape<3, 2>>("w_f32"); }, st, "tensor 'w_f32': the file's shape [2, 3] does not match the destination's shape [3, 2]");
#endif
}

#ifdef IO_TEST_SAFETENSORS
BOOST_AUTO_TEST_CASE(a_store_that_does_not_fit_the_file) {
    const std::string model = io_ref::path("safetensors/model.safetensors");
    // by the leaves' own names nothing matches: the first parameter is missing
    mlp_store p;
    expect_io_error([&] { (void)io::load_parameters(model, p); }, model,
                    "tensor 'l1.w': missing: the file has no tensor for parameter 'l1.w' [3, 4]; the file holds '0.bias', "
                    "'0.weight', '2.bias', '2.weight' (a lenient load, {.strict = false}, skips missing tensors)");
    // leniently, everything is skipped and reported
    const auto r = io::load_parameters(model, p, {.strict = false});
    BOOST_TEST(r.missing_keys == (std::vector<std::string>{"l1.b", "l1.w", "l2.b", "l2.w"}), boost::test_tools::per_element());
    BOOST_TEST(r.unexpected_keys == (std::vector<std::string>{"0.bias", "0.weight", "2.bias", "2.weight"}),
               boost::test_tools::per_element());
    for (float v : p.flat()) BOOST_TEST(v == 0.0f);
    // a mis-shaped tensor is an error even when lenient, and leaves the store unchanged
    const std::string untransposed = io_ref::path("bad/store/untransposed.safetensors");
    p.flat()[0] = 3.0f;
    expect_io_error([&] { (void)io::load_parameters(untransposed, p, {.strict = false, .map = to_torch}); }, untransposed,
                    "the file's shape [3, 4] does not match parameter 'l1.w' [3, 4] (stored as '0.weight', transposed), "
                    "which the file holds as [4, 3]");
    const std::string bias = io_ref::path("bad/store/bias_shape.safetensors");
    expect_io_error([&] { (void)io::load_parameters(bias, p, {.strict = false, .map = to_torch}); }, bias,
                    "tensor '2.bias': the file's shape [3] does not match parameter 'l2.b' [2]");
    BOOST_TEST(p.flat()[0] == 3.0f);
    for (std::size_t i = 1; i < p.size(); ++i) BOOST_TEST(p.flat()[i] == 0.0f);
}

BOOST_AUTO_TEST_CASE(a_name_map_that_cannot_be_followed) {
    mlp_store p;
    const std::string out = (io_ref::scratch() / "map.safetensors").string();
    const io::name_map transpose_all = [](std::string_view leaf, std::span<const std::size_t>) {
        return io::stored_as{std::string(leaf), true};
    };
    expect_io_error([&] { io::save_parameters(out, p, {.map = transpose_all}); }, out,
                    "tensor 'l1.b': the name map transposes parameter 'l1.b' of shape [4]: only a rank-2 tensor can be transposed");
    const io::name_map one_name = [](std::string_view leaf, std::span<const std::size_t>) {
        return io::stored_as{leaf.substr(3) == "w" ? "weight" : std::string(leaf), false};
    };
    expect_io_error([&] { io::save_parameters(out, p, {.map = one_name}); }, out,
                    "tensor 'weight': the name map gives parameters 'l1.w' and 'l2.w' the same name in the file");
    BOOST_TEST(!std::filesystem::exists(out));  // nothing written
    const std::string model = io_ref::path("safetensors/model.safetensors");
    expect_io_error([&] { (void)io::load_parameters(model, p, {.map = one_name}); }, model, "the same name in the file");
}
#endif
