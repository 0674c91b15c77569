// include/leibniz/io/: IDX, npy, safetensors and CSV read against files written
// by NumPy, by PyTorch tensors through the safetensors specification, and by
// Python's struct (test/ref/make_io_ref.py; values in test/io/ref_values.txt),
// and written then read back (identical values, identical bytes).
#define BOOST_TEST_MODULE io
#include <boost/test/unit_test.hpp>

#include <leibniz/io/csv.hpp>
#include <leibniz/io/idx.hpp>
#include <leibniz/io/npy.hpp>
#if __has_include(<nlohmann/json.hpp>)
#include <leibniz/io/parameters.hpp>
#include <leibniz/io/safetensors.hpp>
#include <leibniz/nn/nn.hpp>
#define IO_TEST_SAFETENSORS 1
#endif

#include "io_ref.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace lz = leibniz;
namespace io = leibniz::io;

namespace {

// Expected values of a reference entry as T (integers exactly, floats from
// Python's repr of the double, rounded once to T).
template <class T>
std::vector<T> expected(const io_ref::entry& e) {
    std::vector<T> out;
    for (const auto& v : e.values) {
        if constexpr (std::is_integral_v<T>) out.push_back(static_cast<T>(io_ref::as_int(v)));
        else out.push_back(static_cast<T>(io_ref::as_double(v)));
    }
    return out;
}

template <class T>
bool same_values(const std::vector<T>& a, const std::vector<T>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if constexpr (std::is_floating_point_v<T>) {
            if (std::isnan(a[i]) && std::isnan(b[i])) continue;
            if (std::memcmp(&a[i], &b[i], sizeof(T)) != 0) return false;  // bits: -0.0 is not 0.0
        } else if (a[i] != b[i]) {
            return false;
        }
    }
    return true;
}

std::vector<char> as_chars(const std::vector<std::byte>& b) {
    std::vector<char> out(b.size());
    if (!b.empty()) std::memcpy(out.data(), b.data(), b.size());
    return out;
}

std::string scratch(const std::string& name) { return (io_ref::scratch() / name).string(); }

}  // namespace

// ------------------------------------------------------------------- npy

template <class T>
void check_npy_file(const std::string& file, bool numpy_bytes) {
    const auto& e = io_ref::get(file);
    const auto a = io::read_npy<T>(io_ref::path(file));
    BOOST_TEST_CONTEXT(file) {
        BOOST_TEST(a.shape == e.shape, boost::test_tools::per_element());
        BOOST_TEST(same_values(a.data, expected<T>(e)));
        if (numpy_bytes) {  // leibniz writes what numpy.save wrote, byte for byte
            const auto again = io::npy_bytes<T>(std::span<const T>(a.data), std::span<const std::size_t>(a.shape));
            BOOST_TEST(as_chars(again) == io_ref::bytes_of(io_ref::path(file)));
        }
    }
}

BOOST_AUTO_TEST_CASE(npy_reads_numpy_files) {
    check_npy_file<float>("npy/f4.npy", true);
    check_npy_file<double>("npy/f8.npy", true);
    check_npy_file<std::int32_t>("npy/i4.npy", true);
    check_npy_file<std::int64_t>("npy/i8.npy", true);
    check_npy_file<std::uint8_t>("npy/u1.npy", true);
    check_npy_file<std::int8_t>("npy/i1.npy", true);
    check_npy_file<std::int16_t>("npy/i2.npy", true);
    check_npy_file<double>("npy/scalar_f8.npy", true);
    check_npy_file<std::uint8_t>("npy/empty_u1.npy", true);
    check_npy_file<float>("npy/f2.npy", false);             // f16 read into float
    check_npy_file<double>("npy/fortran_f8.npy", false);    // transposed into C order
    check_npy_file<float>("npy/big_endian_f4.npy", false);  // byte-swapped
    check_npy_file<std::int64_t>("npy/big_endian_i8.npy", false);
    check_npy_file<float>("npy/v2_f4.npy", false);          // version 2.0 header
    // converting reads: integers into double, u1 into float scaled to [0, 1]
    const auto i4 = io::read_npy<double>(io_ref::path("npy/i4.npy"));
    BOOST_TEST(same_values(i4.data, expected<double>(io_ref::get("npy/i4.npy"))));
    const auto u1 = io::read_npy<float>(io_ref::path("npy/u1.npy"), {.scale_u8 = true});
    std::vector<float> scaled;
    for (auto v : expected<std::uint8_t>(io_ref::get("npy/u1.npy"))) scaled.push_back(static_cast<float>(v) / 255.0f);
    BOOST_TEST(same_values(u1.data, scaled));
}

BOOST_AUTO_TEST_CASE(npy_into_tensor_and_buffer) {
    const auto t = io::read_npy<float, lz::shape<lz::dyn, 3>>(io_ref::path("npy/f4.npy"));
    const auto want = expected<float>(io_ref::get("npy/f4.npy"));
    BOOST_TEST(t.extent(0) == 2u);
    BOOST_TEST(same_values(std::vector<float>(t.data(), t.data() + t.size()), want));
    const auto s = io::read_npy<double, lz::shape<2, 3, 4>>(io_ref::path("npy/fortran_f8.npy"));
    BOOST_TEST(s(1, 2, 3) == 23 * 0.5);
    BOOST_TEST(s(0, 1, 2) == 6 * 0.5);
    std::vector<float> buf(6);
    const auto shape = io::read_npy_into<float>(io_ref::path("npy/f4.npy"), std::span<float>(buf));
    BOOST_TEST(shape == (std::vector<std::size_t>{2, 3}), boost::test_tools::per_element());
    BOOST_TEST(same_values(buf, want));
}

template <class T>
void npy_round_trip(std::vector<T> values, std::vector<std::size_t> shape) {
    const std::string file = scratch(std::string("rt_") + std::string(io::dtype_name(io::dtype_of<T>())) + ".npy");
    io::write_npy<T>(file, std::span<const T>(values), std::span<const std::size_t>(shape));
    const auto a = io::read_npy<T>(file);
    BOOST_TEST_CONTEXT(file) {
        BOOST_TEST(a.shape == shape, boost::test_tools::per_element());
        BOOST_TEST(same_values(a.data, values));
        const auto first = io_ref::bytes_of(file);
        io::write_npy(file, a);
        BOOST_TEST(io_ref::bytes_of(file) == first);
        // the data section holds the values' little-endian bytes
        std::vector<char> raw(values.size() * sizeof(T));
        if (!raw.empty()) std::memcpy(raw.data(), values.data(), raw.size());
        BOOST_TEST(std::vector<char>(first.end() - static_cast<std::ptrdiff_t>(raw.size()), first.end()) == raw);
        BOOST_TEST(first.size() % 64 == raw.size() % 64);  // header padded to 64 bytes
    }
}

BOOST_AUTO_TEST_CASE(npy_round_trip_every_dtype) {
    npy_round_trip<float>({1.5f, -0.0f, INFINITY, NAN, 1e-45f, 3.4e38f}, {2, 3});
    npy_round_trip<double>({1.5, -0.0, -INFINITY, 1e-310, 0.1}, {5});
    npy_round_trip<std::int32_t>({INT32_MIN, -1, 0, INT32_MAX}, {2, 1, 2});
    npy_round_trip<std::int64_t>({INT64_MIN, -1, 0, INT64_MAX}, {4, 1});
    npy_round_trip<std::uint8_t>({0, 1, 128, 255}, {4});
    npy_round_trip<std::int8_t>({-128, 0, 127}, {3});
    npy_round_trip<std::int16_t>({-32768, 0, 32767}, {3});
    npy_round_trip<double>({42.0}, {});
    npy_round_trip<float>({}, {0, 7});
    // a tensor written and read as a tensor
    lz::tensor<float, lz::shape<2, 2>> t{{1, 2}, {3, 4}};
    io::write_npy(scratch("t.npy"), t);
    const auto u = io::read_npy<float, lz::shape<2, 2>>(scratch("t.npy"));
    BOOST_TEST(std::memcmp(t.data(), u.data(), 4 * sizeof(float)) == 0);
}

BOOST_AUTO_TEST_CASE(npy_doubles_beyond_float_read_as_infinity) {
    const std::vector<double> v{1e300, -1e300, 0x1.ffffffp127, 0x1.fffffep127, 1e-300};
    io::write_npy<double>(scratch("big.npy"), std::span<const double>(v), std::vector<std::size_t>{5});
    const auto f = io::read_npy<float>(scratch("big.npy"));
    BOOST_TEST(f.data[0] == INFINITY);
    BOOST_TEST(f.data[1] == -INFINITY);
    BOOST_TEST(f.data[2] == INFINITY);  // FLT_MAX + half an ulp rounds to infinity (ties to even)
    BOOST_TEST(f.data[3] == 0x1.fffffep127f);
    BOOST_TEST(f.data[4] == 0.0f);
}

BOOST_AUTO_TEST_CASE(npy_long_header_uses_version_2) {
    std::vector<std::size_t> shape(30000, 1);  // a header longer than 65535 bytes
    std::vector<float> v{2.5f};
    const auto bytes = io::npy_bytes<float>(std::span<const float>(v), std::span<const std::size_t>(shape));
    BOOST_TEST(std::to_integer<int>(bytes[6]) == 2);
    BOOST_CHECK_THROW((void)io::parse_npy<float>(std::span<const std::byte>(bytes), "long.npy"), lz::io_error);  // > 64 dims
}

// ------------------------------------------------------------------- IDX

template <class T>
void check_idx_file(const std::string& file) {
    const auto& e = io_ref::get(file);
    const auto a = io::read_idx<T>(io_ref::path(file));
    BOOST_TEST_CONTEXT(file) {
        BOOST_TEST(a.shape == e.shape, boost::test_tools::per_element());
        BOOST_TEST(same_values(a.data, expected<T>(e)));
        const auto again = io::idx_bytes<T>(std::span<const T>(a.data), std::span<const std::size_t>(a.shape));
        BOOST_TEST(as_chars(again) == io_ref::bytes_of(io_ref::path(file)));
        // and through a file
        const std::string out = scratch("rt.idx");
        io::write_idx(out, a);
        BOOST_TEST(io_ref::bytes_of(out) == io_ref::bytes_of(io_ref::path(file)));
    }
}

BOOST_AUTO_TEST_CASE(idx_reads_and_writes_every_dtype) {
    check_idx_file<std::uint8_t>("idx/images_u1.idx");
    check_idx_file<std::uint8_t>("idx/labels_u1.idx");
    check_idx_file<std::int8_t>("idx/i1.idx");
    check_idx_file<std::int16_t>("idx/i2.idx");
    check_idx_file<std::int32_t>("idx/i4.idx");
    check_idx_file<float>("idx/f4.idx");
    check_idx_file<double>("idx/f8.idx");
}

BOOST_AUTO_TEST_CASE(idx_images_to_float) {
    const auto& e = io_ref::get("idx/images_u1.idx");
    const auto t = io::read_idx<float, lz::shape<lz::dyn, 4, 5>>(io_ref::path("idx/images_u1.idx"), {.scale_u8 = true});
    BOOST_TEST(t.extent(0) == 3u);
    std::vector<float> want;  // a plain loop over the reference values
    for (const auto& v : e.values) want.push_back(static_cast<float>(io_ref::as_int(v)) / 255.0f);
    BOOST_TEST(same_values(std::vector<float>(t.data(), t.data() + t.size()), want));
    for (std::size_t i = 0; i < t.size(); ++i) BOOST_TEST((t.data()[i] >= 0.0f && t.data()[i] <= 1.0f));
    std::vector<double> buf(60);
    io::read_idx_into<double>(io_ref::path("idx/images_u1.idx"), std::span<double>(buf));
    BOOST_TEST(buf[1] == 37.0);  // unscaled by default
    // a tensor written as IDX and read back
    io::write_idx(scratch("t.idx"), t);
    const auto u = io::read_idx<float, lz::shape<3, 4, 5>>(scratch("t.idx"));
    BOOST_TEST(std::memcmp(t.data(), u.data(), t.size() * sizeof(float)) == 0);
}

// ------------------------------------------------------------------- safetensors
#ifdef IO_TEST_SAFETENSORS

template <class T>
void check_stored(const io::tensor_set& s, const std::string& name) {
    const auto& e = io_ref::get("safetensors/ref.safetensors", name);
    const auto a = s.get<T>(name);
    BOOST_TEST_CONTEXT(name) {
        BOOST_TEST(a.shape == e.shape, boost::test_tools::per_element());
        BOOST_TEST(same_values(a.data, expected<T>(e)));
    }
}

BOOST_AUTO_TEST_CASE(safetensors_reads_the_reference) {
    const auto s = io::read_safetensors(io_ref::path("safetensors/ref.safetensors"));
    BOOST_TEST(s.size() == 7u);
    BOOST_TEST(s.metadata.at("format") == "pt");
    BOOST_TEST(s.metadata.at("made_by") == "test/ref/make_io_ref.py");
    check_stored<float>(s, "w_f32");
    check_stored<double>(s, "w_f64");
    check_stored<float>(s, "w_f16");   // F16 converted to float
    check_stored<float>(s, "w_bf16");  // BF16 converted to float
    check_stored<double>(s, "w_bf16");
    check_stored<std::int32_t>(s, "w_i32");
    check_stored<std::int64_t>(s, "w_i64");
    check_stored<float>(s, "scalar");
    BOOST_TEST((s.at("w_f16").type == io::dtype::f16));
    BOOST_TEST((s.at("w_bf16").type == io::dtype::bf16));
    const auto w = s.get<float, lz::shape<2, 3>>("w_f32");
    BOOST_TEST(w(1, 2) == static_cast<float>(io_ref::as_double(io_ref::get("safetensors/ref.safetensors", "w_f32").values[5])));
    const auto b = s.get<float, lz::shape<lz::dyn, 5>>("w_bf16");
    BOOST_TEST(b.extent(0) == 2u);
}

BOOST_AUTO_TEST_CASE(safetensors_rounds_to_f16_and_bf16_as_pytorch_does) {
    const auto s = io::read_safetensors(io_ref::path("safetensors/ref.safetensors"));
    for (const char* name : {"w_f16", "w_bf16"}) {
        const auto& src = io_ref::get("safetensors/ref.safetensors", std::string(name) + ".source");
        io::tensor_set mine;
        const auto values = expected<float>(src);
        const auto& theirs = s.at(name);
        mine.set<float>(name, std::span<const float>(values), std::span<const std::size_t>(theirs.shape), theirs.type);
        BOOST_TEST_CONTEXT(name) { BOOST_TEST(as_chars(mine.at(name).bytes) == as_chars(theirs.bytes), boost::test_tools::per_element()); }
    }
}

BOOST_AUTO_TEST_CASE(safetensors_round_trip_every_dtype) {
    // the reference, written by leibniz and read back: the same tensors, bytes and metadata
    const auto s = io::read_safetensors(io_ref::path("safetensors/ref.safetensors"));
    io::write_safetensors(scratch("rt.safetensors"), s);
    const auto r = io::read_safetensors(scratch("rt.safetensors"));
    BOOST_TEST(r.size() == s.size());
    BOOST_TEST((r.metadata == s.metadata));
    for (const auto& [name, t] : s) {
        BOOST_TEST_CONTEXT(name) {
            BOOST_TEST((r.at(name).type == t.type));
            BOOST_TEST(r.at(name).shape == t.shape, boost::test_tools::per_element());
            BOOST_TEST(as_chars(r.at(name).bytes) == as_chars(t.bytes), boost::test_tools::per_element());
        }
    }
    const auto first = io_ref::bytes_of(scratch("rt.safetensors"));
    io::write_safetensors(scratch("rt.safetensors"), r);
    BOOST_TEST(io_ref::bytes_of(scratch("rt.safetensors")) == first);
    std::uint64_t header_len = 0;
    std::memcpy(&header_len, first.data(), 8);  // (a little-endian host)
    BOOST_TEST(header_len % 8 == 0u);           // padded with spaces to 8 bytes

    // every dtype from C++ values
    io::tensor_set w;
    const std::vector<double> d{0.1, -2.5, 1e300};
    const std::vector<float> f{0.1f, -2.5f, 65504.0f, 1e-7f};
    const std::vector<std::int32_t> i4{INT32_MIN, 7};
    const std::vector<std::int64_t> i8{INT64_MIN, INT64_MAX};
    const std::vector<std::uint8_t> u1{0, 255};
    w.set<double>("f64", std::span<const double>(d), std::vector<std::size_t>{3});
    w.set<float>("f32", std::span<const float>(f), std::vector<std::size_t>{2, 2});
    w.set<float>("f16", std::span<const float>(f), std::vector<std::size_t>{4}, io::dtype::f16);
    w.set<float>("bf16", std::span<const float>(f), std::vector<std::size_t>{4}, io::dtype::bf16);
    w.set<std::int32_t>("i32", std::span<const std::int32_t>(i4), std::vector<std::size_t>{2});
    w.set<std::int64_t>("i64", std::span<const std::int64_t>(i8), std::vector<std::size_t>{2});
    w.set<std::uint8_t>("u8", std::span<const std::uint8_t>(u1), std::vector<std::size_t>{2});
    lz::tensor<float, lz::shape<2, 2>> t{{1, 2}, {3, 4}};
    w.set("tensor", t);
    w.metadata["note"] = "ünïcode ok";
    io::write_safetensors(scratch("w.safetensors"), w);
    const auto back = io::read_safetensors(scratch("w.safetensors"));
    BOOST_TEST(same_values(back.get<double>("f64").data, d));
    BOOST_TEST(same_values(back.get<float>("f32").data, f));
    BOOST_TEST(same_values(back.get<std::int32_t>("i32").data, i4));
    BOOST_TEST(same_values(back.get<std::int64_t>("i64").data, i8));
    BOOST_TEST(same_values(back.get<std::uint8_t>("u8").data, u1));
    BOOST_TEST(back.metadata.at("note") == "ünïcode ok");
    // f16/bf16: exactly representable values come back exactly; 0.1 to the nearest
    BOOST_TEST(back.get<float>("f16").data[1] == -2.5f);
    BOOST_TEST(back.get<float>("f16").data[2] == 65504.0f);
    BOOST_TEST(back.get<float>("bf16").data[1] == -2.5f);
    BOOST_TEST(std::abs(back.get<float>("f16").data[0] - 0.1f) <= 0x1p-14f);
    BOOST_TEST(std::abs(back.get<float>("bf16").data[0] - 0.1f) <= 0x1p-11f);
    const auto tt = back.get<float, lz::shape<2, 2>>("tensor");
    BOOST_TEST(tt(1, 0) == 3.0f);
    for (const auto& [name, st] : w) BOOST_TEST(as_chars(back.at(name).bytes) == as_chars(st.bytes), boost::test_tools::per_element());
}

// ------------------------------------------------------------------- parameter stores

namespace {
// The store of a two-layer network, dense weights [in, out] as leibniz keeps them.
template <class T>
using mlp_store = lz::parameters<boost::mp11::mp_list<lz::leaf<"l1.w", T, lz::shape<3, 4>, lz::param_kind>,
                                                      lz::leaf<"l1.b", T, lz::shape<4>, lz::param_kind>,
                                                      lz::leaf<"l2.w", T, lz::shape<4, 2>, lz::param_kind>,
                                                      lz::leaf<"l2.b", T, lz::shape<2>, lz::param_kind>>>;
constexpr auto l1w = lz::param<"l1.w", float, lz::shape<3, 4>>;
constexpr auto l2w = lz::param<"l2.w", float, lz::shape<4, 2>>;
constexpr auto l2b = lz::param<"l2.b", float, lz::shape<2>>;

// PyTorch's names and layout (io_ref::torch_name): a hand-written map.
const io::name_map to_torch = [](std::string_view leaf, std::span<const std::size_t> extents) {
    auto [name, transpose] = io_ref::torch_name(leaf);
    BOOST_TEST((!transpose || extents.size() == 2u));
    return io::stored_as{name, transpose};
};

template <class T>
void fill_store(T& store) {
    for (std::size_t i = 0; i < store.size(); ++i)
        store.flat()[i] = static_cast<typename T::scalar_type>(static_cast<double>(i) * 0.37 - 1.5);
}
}  // namespace

BOOST_AUTO_TEST_CASE(parameters_round_trip_by_leaf_name) {
    using store_t = lz::parameters<boost::mp11::mp_list<lz::leaf<"w", double, lz::shape<2, 3>, lz::param_kind>,
                                                        lz::leaf<"s", double, lz::shape<>, lz::param_kind>,
                                                        lz::leaf<"b", double, lz::shape<3>, lz::param_kind>>>;
    store_t a;
    fill_store(a);
    a.flat()[6] = 0.1;  // the scalar: not exact in float
    io::save_parameters(scratch("store.safetensors"), a, {.metadata = {{"format", "pt"}}});
    // the file: one tensor per leaf, by its name, its shape, the store's dtype
    const auto s = io::read_safetensors(scratch("store.safetensors"));
    BOOST_TEST(s.size() == 3u);
    BOOST_TEST(s.metadata.at("format") == "pt");
    BOOST_TEST(s.at("w").shape == (std::vector<std::size_t>{2, 3}), boost::test_tools::per_element());
    BOOST_TEST(s.at("s").shape.empty());
    BOOST_TEST((s.at("b").type == io::dtype::f64));
    BOOST_TEST(s.get<double>("b").data == (std::vector<double>{7 * 0.37 - 1.5, 8 * 0.37 - 1.5, 9 * 0.37 - 1.5}),
               boost::test_tools::per_element());
    store_t b;
    const auto r = io::load_parameters(scratch("store.safetensors"), b);
    BOOST_TEST(r.missing_keys.empty());
    BOOST_TEST(r.unexpected_keys.empty());
    BOOST_TEST(std::memcmp(a.flat().data(), b.flat().data(), a.size() * sizeof(double)) == 0);
    // into a float store of the same names: F64 converted, rounded once
    using float_t = lz::parameters<boost::mp11::mp_list<lz::leaf<"w", float, lz::shape<2, 3>, lz::param_kind>,
                                                        lz::leaf<"s", float, lz::shape<>, lz::param_kind>,
                                                        lz::leaf<"b", float, lz::shape<3>, lz::param_kind>>>;
    float_t f;
    io::load_parameters(scratch("store.safetensors"), f);
    for (std::size_t i = 0; i < f.size(); ++i) BOOST_TEST(f.flat()[i] == static_cast<float>(a.flat()[i]));
    // saved as bf16: each value to bfloat16's nearest (8 significant bits)
    io::save_parameters(scratch("store_bf16.safetensors"), a, {.as = io::dtype::bf16});
    BOOST_TEST((io::read_safetensors(scratch("store_bf16.safetensors")).at("w").type == io::dtype::bf16));
    io::load_parameters(scratch("store_bf16.safetensors"), b);
    for (std::size_t i = 0; i < b.size(); ++i) BOOST_TEST(std::abs(b.flat()[i] - a.flat()[i]) <= std::abs(a.flat()[i]) * 0x1p-8);
    // a view laid out like the store (what lz::grad returns) saves and loads too
    io::save_parameters(scratch("view.safetensors"), a.view());
    store_t c;
    io::load_parameters(scratch("view.safetensors"), c.view());
    BOOST_TEST(std::memcmp(a.flat().data(), c.flat().data(), a.size() * sizeof(double)) == 0);
}

BOOST_AUTO_TEST_CASE(parameters_load_pytorchs_state_dict_transposed) {
    // test/io/safetensors/model.safetensors: the state_dict of PyTorch's
    // Linear(3, 4) - ReLU - Linear(4, 2), weights [out, in]
    const std::string file = "safetensors/model.safetensors";
    mlp_store<float> p;
    const auto r = io::load_parameters(io_ref::path(file), p, {.map = to_torch});
    BOOST_TEST(r.missing_keys.empty());
    BOOST_TEST(r.unexpected_keys.empty());
    const auto w1 = expected<float>(io_ref::get(file, "0.weight"));  // [4, 3]
    const auto w2 = expected<float>(io_ref::get(file, "2.weight"));  // [2, 4]
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 4; ++j) BOOST_TEST(p[l1w](i, j) == w1[j * 3 + i]);
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t j = 0; j < 2; ++j) BOOST_TEST(p[l2w](i, j) == w2[j * 4 + i]);
    BOOST_TEST(same_values(std::vector<float>(p[l2b].data(), p[l2b].data() + 2), expected<float>(io_ref::get(file, "2.bias"))));
    BOOST_TEST(same_values(std::vector<float>(p.flat().begin() + 12, p.flat().begin() + 16),
                           expected<float>(io_ref::get(file, "0.bias"))));
    // saved back through the same map: PyTorch's names, shapes and bytes
    io::save_parameters(scratch("model.safetensors"), p, {.map = to_torch});
    const auto theirs = io::read_safetensors(io_ref::path(file));
    const auto mine = io::read_safetensors(scratch("model.safetensors"));
    BOOST_TEST(mine.size() == theirs.size());
    for (const auto& [name, t] : theirs) {
        BOOST_TEST_CONTEXT(name) {
            BOOST_REQUIRE(mine.contains(name));
            BOOST_TEST(mine.at(name).shape == t.shape, boost::test_tools::per_element());
            BOOST_TEST(as_chars(mine.at(name).bytes) == as_chars(t.bytes), boost::test_tools::per_element());
        }
    }
    // F64, F16, BF16 and F32 tensors (model_mixed.safetensors) into float and double stores
    const std::string mixed = "safetensors/model_mixed.safetensors";
    mlp_store<double> d;
    io::load_parameters(io_ref::path(mixed), d, {.map = to_torch});
    io::load_parameters(io_ref::path(mixed), p, {.map = to_torch});
    for (const char* name : {"0.weight", "0.bias", "2.weight", "2.bias"}) {
        const auto want = expected<double>(io_ref::get(mixed, name));
        const auto [leaf, transpose] = std::pair{std::string(name[0] == '0' ? "l1." : "l2.") + (name[2] == 'w' ? "w" : "b"),
                                                 name[2] == 'w'};
        const auto in_d = d.find(leaf);
        const auto in_p = p.find(leaf);
        BOOST_REQUIRE((in_d && in_p));
        const std::size_t rows = in_d->extents[0], cols = in_d->extents.size() == 2 ? in_d->extents[1] : 1;
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t j = 0; j < cols; ++j) {
                const double v = want[transpose ? j * rows + i : i * cols + j];
                BOOST_TEST(in_d->data[i * cols + j] == v);
                BOOST_TEST(in_p->data[i * cols + j] == static_cast<float>(v));
            }
    }
}

BOOST_AUTO_TEST_CASE(parameters_of_a_sequential_are_pytorchs_state_dict_without_a_map) {
    // lz::nn::sequential's dense weights are [in, out], PyTorch's Linear's
    // [out, in]: with no map, save and load transpose them (nn::torch_layout).
    const std::string file = "safetensors/model.safetensors";
    constexpr auto x = lz::var<"x", float, lz::shape<lz::dyn, 3>>;
    constexpr auto net = lz::nn::sequential(lz::nn::dense<3, 4>, lz::nn::relu, lz::nn::dense<4, 2>);
    lz::parameters params{net(x)};
    const auto r = io::load_parameters(io_ref::path(file), params);
    BOOST_TEST((r.missing_keys.empty() && r.unexpected_keys.empty()));
    mlp_store<float> by_hand;  // the same file through the hand-written map
    io::load_parameters(io_ref::path(file), by_hand, {.map = to_torch});
    for (const auto& [ours, hand] : {std::pair{"0.weight", "l1.w"}, {"0.bias", "l1.b"}, {"2.weight", "l2.w"}, {"2.bias", "l2.b"}}) {
        const auto a = params.find(ours);
        const auto b = by_hand.find(hand);
        BOOST_REQUIRE((a && b));
        BOOST_TEST(std::vector<std::size_t>(a->extents.begin(), a->extents.end()) ==
                       std::vector<std::size_t>(b->extents.begin(), b->extents.end()),
                   boost::test_tools::per_element());
        BOOST_TEST(std::memcmp(a->data.data(), b->data.data(), a->data.size() * sizeof(float)) == 0);
    }
    io::save_parameters(scratch("sequential.safetensors"), params);
    const auto theirs = io::read_safetensors(io_ref::path(file));
    const auto mine = io::read_safetensors(scratch("sequential.safetensors"));
    BOOST_TEST(mine.size() == theirs.size());
    for (const auto& [name, t] : theirs) {
        BOOST_TEST_CONTEXT(name) {
            BOOST_REQUIRE(mine.contains(name));
            BOOST_TEST(mine.at(name).shape == t.shape, boost::test_tools::per_element());
            BOOST_TEST(as_chars(mine.at(name).bytes) == as_chars(t.bytes), boost::test_tools::per_element());
        }
    }
}

BOOST_AUTO_TEST_CASE(parameters_lenient_load_skips_missing_and_extra) {
    io::tensor_set s = io::read_safetensors(io_ref::path("safetensors/model.safetensors"));
    s.erase("2.bias");
    s.erase("0.bias");
    const std::vector<float> extra{1, 2};
    s.set<float>("3.weight", std::span<const float>(extra), std::vector<std::size_t>{1, 2});
    mlp_store<float> p;
    p[l2b](1) = 42.0f;
    const auto r = io::load_parameters(s, p, {.strict = false, .map = to_torch});
    BOOST_TEST(r.missing_keys == (std::vector<std::string>{"0.bias", "2.bias"}), boost::test_tools::per_element());
    BOOST_TEST(r.unexpected_keys == (std::vector<std::string>{"3.weight"}), boost::test_tools::per_element());
    BOOST_TEST(p[l2b](1) == 42.0f);  // a skipped parameter keeps its value
    BOOST_TEST(p[l1w](2, 3) == static_cast<float>(io_ref::as_double(io_ref::get("safetensors/model.safetensors", "0.weight").values[11])));
    // strictly: the first missing one is an error, and the store is unchanged
    mlp_store<float> q;
    BOOST_CHECK_THROW(io::load_parameters(s, q, {.map = to_torch}), lz::io_error);
    for (float v : q.flat()) BOOST_TEST(v == 0.0f);
}

#endif

// ------------------------------------------------------------------- CSV

BOOST_AUTO_TEST_CASE(csv_with_string_labels_and_quotes) {
    const auto d = io::read_csv<float>(io_ref::path("csv/iris_small.csv"), {.label = "species"});
    BOOST_TEST(d.columns == (std::vector<std::string>{"sepal length", "sepal, width", "petal_length"}),
               boost::test_tools::per_element());
    BOOST_TEST(d.features.shape == (std::vector<std::size_t>{5, 3}), boost::test_tools::per_element());
    const std::vector<float> want{5.1f, 3.5f, 1.4f, 7.0f, 3.2f, 4.7f, 6.3f, 3.3f, 6.0f, 4.9f, 3.0f, 1.4f, 5.5f, 2.3f, 4.0f};
    BOOST_TEST(same_values(d.features.data, want));
    BOOST_TEST(d.classes == (std::vector<std::string>{"setosa", "versi\"color", "virginica"}), boost::test_tools::per_element());
    BOOST_TEST(d.labels == (std::vector<float>{0, 1, 2, 0, 1}), boost::test_tools::per_element());
    const auto x = io::to_tensor<float, lz::shape<lz::dyn, 3>>(d.features, "iris_small.csv");
    BOOST_TEST(x(4, 1) == 2.3f);
    BOOST_CHECK_THROW((void)(io::to_tensor<float, lz::shape<lz::dyn, 4>>(d.features, "iris_small.csv")), lz::io_error);
}

BOOST_AUTO_TEST_CASE(csv_numeric_label_chosen_columns_and_delimiter) {
    const auto d = io::read_csv<double>(io_ref::path("csv/semicolon.csv"), {.delimiter = ';', .label = "target"});
    BOOST_TEST(d.columns == (std::vector<std::string>{"id", "x1", "x2"}), boost::test_tools::per_element());
    BOOST_TEST(d.classes.empty());
    BOOST_TEST(d.labels == (std::vector<double>{0.5, 1.5, -2.25}), boost::test_tools::per_element());
    BOOST_TEST(d.features.data == (std::vector<double>{1, -1, 2, 2, 3, 4, 3, 5, 6}), boost::test_tools::per_element());
    const auto e = io::read_csv<std::int32_t>(io_ref::path("csv/semicolon.csv"), {.delimiter = ';', .columns = {"x2", "id"}});
    BOOST_TEST(e.features.data == (std::vector<std::int32_t>{2, 1, 4, 2, 6, 3}), boost::test_tools::per_element());
    BOOST_TEST(e.labels.empty());
    // tabs, a last line without a line break, an integer label column of strings
    const auto t = io::parse_csv<float>("a\tlabel\tb\n1\tcat\t2\n3\tdog\t4\n5\tcat\t6", "inline.tsv", {.delimiter = '\t', .label = "label"});
    BOOST_TEST(t.labels == (std::vector<float>{0, 1, 0}), boost::test_tools::per_element());
    BOOST_TEST(t.features.data == (std::vector<float>{1, 2, 3, 4, 5, 6}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(csv_preamble_and_no_header) {
    // scikit-learn's layout: "n_samples,n_features,class names" (here fewer
    // fields than the rows have), then rows without a header, the label last.
    const std::string text = "3,2,setosa,versicolor,virginica\n5.1,3.5,0\n4.9,3.0,1\n6.3,2.9,2\n";
    const auto d = io::parse_csv<double>(text, "sk.csv", {.label = "2", .skip_lines = 1, .header = false});
    BOOST_TEST(d.columns == (std::vector<std::string>{"0", "1"}), boost::test_tools::per_element());
    BOOST_TEST(d.features.shape == (std::vector<std::size_t>{3, 2}), boost::test_tools::per_element());
    BOOST_TEST(d.features.data == (std::vector<double>{5.1, 3.5, 4.9, 3.0, 6.3, 2.9}), boost::test_tools::per_element());
    BOOST_TEST(d.labels == (std::vector<double>{0, 1, 2}), boost::test_tools::per_element());
    // without the options the preamble is a header of 5 names: rows of 3 fields are an error
    BOOST_CHECK_THROW((void)io::parse_csv<double>(text, "sk.csv", {}), lz::io_error);
    // a header after a skipped line; errors keep the file's line numbers
    const auto h = io::parse_csv<float>("# comment\nx,y\n1,2\n", "c.csv", {.skip_lines = 1});
    BOOST_TEST(h.columns == (std::vector<std::string>{"x", "y"}), boost::test_tools::per_element());
    try {
        (void)io::parse_csv<float>("# comment\nx,y\n1,z\n", "c.csv", {.skip_lines = 1});
        BOOST_ERROR("no exception");
    } catch (const lz::io_error& e) {
        BOOST_TEST(e.where() == "line 3, column 2 ('y')");
    }
    // skipping every line leaves nothing
    BOOST_CHECK_THROW((void)io::parse_csv<float>("a\nb\n", "c.csv", {.skip_lines = 2}), lz::io_error);
}

// ------------------------------------------------------------------- writing

BOOST_AUTO_TEST_CASE(writes_replace_files_whole) {
    const std::string file = scratch("replace.npy");
    const std::vector<double> a{1, 2, 3}, b{4};
    io::write_npy<double>(file, std::span<const double>(a), std::vector<std::size_t>{3});
    io::write_npy<double>(file, std::span<const double>(b), std::vector<std::size_t>{1});
    BOOST_TEST(io::read_npy<double>(file).data == b, boost::test_tools::per_element());
    // no temporary file is left beside it
    std::size_t leftovers = 0;
    for (const auto& entry : std::filesystem::directory_iterator(io_ref::scratch()))
        leftovers += entry.path().filename().string().find(".tmp.") != std::string::npos;
    BOOST_TEST(leftovers == 0u);
    // a directory that does not exist: an io_error, nothing written
    try {
        io::write_npy<double>(scratch("no/such/dir.npy"), std::span<const double>(a), std::vector<std::size_t>{3});
        BOOST_FAIL("no io_error");
    } catch (const lz::io_error& e) {
        BOOST_TEST(std::string(e.what()).find("cannot create a temporary file") != std::string::npos);
        BOOST_TEST(e.file() == scratch("no/such/dir.npy"));
    }
}

// ------------------------------------------------------------------- for test/ref/check_io.py
// Files written by leibniz for NumPy and PyTorch to read (test/ref/check_io.py
// runs this test with LEIBNIZ_IO_CHECK_DIR set and checks every file there
// against the same formulas; without it the files go to the scratch directory).

BOOST_AUTO_TEST_CASE(writes_files_for_numpy_and_pytorch) {
    const char* env = std::getenv("LEIBNIZ_IO_CHECK_DIR");
    const std::filesystem::path dir = env && *env ? std::filesystem::path(env) : io_ref::scratch();
    const auto out = [&](const char* name) { return (dir / name).string(); };
    const auto fv = [](std::size_t i) { return static_cast<double>(i) * 0.37 - 1.5; };
    const auto fill = [](std::size_t n, auto f) {
        std::vector<decltype(f(std::size_t{}))> v;
        for (std::size_t i = 0; i < n; ++i) v.push_back(f(i));
        return v;
    };
    const auto f4 = fill(6, [&](std::size_t i) { return static_cast<float>(fv(i)); });
    const auto f8 = fill(4, fv);
    const auto i4 = fill(8, [](std::size_t i) { return static_cast<std::int32_t>(static_cast<std::int64_t>(i) * 1000003 - 4000000); });
    const auto i8 = fill(3, [](std::size_t i) { return (static_cast<std::int64_t>(i) - 2) * (std::int64_t{1} << 40) + 3; });
    const auto u1 = fill(10, [](std::size_t i) { return static_cast<std::uint8_t>((i * 37) % 256); });
    const auto i1 = fill(10, [](std::size_t i) { return static_cast<std::int8_t>(static_cast<int>(i) * 13 - 100); });
    const auto i2 = fill(4, [](std::size_t i) { return static_cast<std::int16_t>(static_cast<int>(i) * 1009 - 30000); });
    using V = std::vector<std::size_t>;
    io::write_npy<float>(out("f4.npy"), f4, V{2, 3});
    io::write_npy<double>(out("f8.npy"), f8, V{4});
    io::write_npy<std::int32_t>(out("i4.npy"), i4, V{2, 2, 2});
    io::write_npy<std::int64_t>(out("i8.npy"), i8, V{3});
    io::write_npy<std::uint8_t>(out("u1.npy"), u1, V{2, 5});
    io::write_npy<std::int8_t>(out("i1.npy"), i1, V{10});
    io::write_npy<std::int16_t>(out("i2.npy"), i2, V{4});
    io::write_idx<std::uint8_t>(out("u1.idx"), u1, V{2, 5});
    io::write_idx<float>(out("f4.idx"), f4, V{3, 2});
    io::write_idx<std::int16_t>(out("i2.idx"), i2, V{4});
#ifdef IO_TEST_SAFETENSORS
    io::tensor_set s;
    const auto big = fill(13, [&](std::size_t i) { return static_cast<float>(fv(i) * 1234.5678); });
    s.set<float>("f32", f4, V{2, 3});
    s.set<double>("f64", f8, V{4});
    s.set<float>("f16", big, V{13}, io::dtype::f16);
    s.set<float>("bf16", big, V{13}, io::dtype::bf16);
    s.set<std::int32_t>("i32", i4, V{8});
    s.set<std::int64_t>("i64", i8, V{3});
    s.set<std::uint8_t>("u8", u1, V{10});
    s.metadata["writer"] = "leibniz io_test";
    io::write_safetensors(out("set.safetensors"), s);
    BOOST_TEST(io::read_safetensors(out("set.safetensors")).size() == 7u);
    // a parameter store in PyTorch's layout (check_io.py loads it into
    // Linear(3, 4) - ReLU - Linear(4, 2) with load_state_dict): values i * 0.37 - 1.5
    // in store order; and the committed model.safetensors loaded and saved again
    mlp_store<float> p;
    fill_store(p);
    io::save_parameters(out("store.safetensors"), p, {.map = to_torch});
    io::load_parameters(io_ref::path("safetensors/model.safetensors"), p, {.map = to_torch});
    io::save_parameters(out("model_again.safetensors"), p, {.map = to_torch, .metadata = {{"format", "pt"}}});
#endif
    BOOST_TEST(io::read_npy<float>(out("f4.npy")).data == f4, boost::test_tools::per_element());
}
