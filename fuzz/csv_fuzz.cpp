// libFuzzer target: io::parse_csv on arbitrary text. The first byte picks the
// delimiter and whether the column named "label" is the label column. Every
// input must either parse or raise lz::io_error; a parse's sizes must agree.
#include <leibniz/io/csv.hpp>

#include <cstdlib>

namespace io = leibniz::io;

template <class T>
static void check(std::string_view text, const io::csv_options& opt) {
    const auto d = io::parse_csv<T>(text, "fuzz.csv", opt);
    if (d.features.shape.size() != 2 || d.features.shape[1] != d.columns.size() ||
        d.features.data.size() != d.features.shape[0] * d.features.shape[1])
        std::abort();
    if (!opt.label.empty() && d.labels.size() != d.features.shape[0]) std::abort();
    for (std::size_t i = 0; i < d.labels.size() && !d.classes.empty(); ++i)
        if (!(d.labels[i] >= 0 && static_cast<std::size_t>(d.labels[i]) < d.classes.size())) std::abort();
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static constexpr char delimiters[] = {',', ';', '\t', '|'};
    io::csv_options opt;
    opt.delimiter = delimiters[data[0] & 3];
    if (data[0] & 4) opt.label = "label";
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        check<float>(text, opt);
    } catch (const leibniz::io_error&) {
    }
    try {
        check<std::int32_t>(text, opt);
    } catch (const leibniz::io_error&) {
    }
    return 0;
}
