#pragma once
// CSV with a header line: numeric columns into a rows × columns array, and
// optionally a label column chosen by name — numeric, or strings mapped to
// class indices 0, 1, 2, ... in order of first appearance (the mapping is
// returned). Fields may be quoted ("a, b", "say ""hi""", line breaks inside
// quotes); the delimiter is chosen; a UTF-8 byte-order mark is skipped; blank
// lines are skipped. A missing or non-numeric value is an io_error naming the
// line, the column and the column's name.
//
// Files with a preamble or without a header line (the CSVs scikit-learn ships
// start with "n_samples,n_features,class names..." and have no header):
// `skip_lines` drops that many lines first; `header = false` names the columns
// by their 0-based position, "0", "1", ... (as pandas' header=None):
//
//   auto d = io::read_csv<double>("wine_data.csv", {.label = "13", .skip_lines = 1, .header = false});
//
//   auto d = io::read_csv<float>("iris.csv", {.label = "species"});
//   // d.columns: the feature names; d.features: rows × 4; d.labels[i] in {0, 1, 2};
//   // d.classes: {"setosa", "versicolor", "virginica"} in order of first appearance
//   auto x = io::to_tensor<float, shape<dyn, 4>>(d.features, "iris.csv");

#include <leibniz/io/common.hpp>

#include <charconv>
#include <map>

namespace leibniz::io {

struct csv_options {
    char delimiter = ',';
    // The label column's name; empty: no label column.
    std::string label{};
    // The feature columns to read, in this order; empty: every column but the label.
    std::vector<std::string> columns{};
    // Lines dropped before the header (or the first record): a preamble.
    // Physical lines: a quoted field does not extend them.
    std::size_t skip_lines = 0;
    // false: the first record is data and the columns are named "0", "1", ...
    bool header = true;
};

template <class T>
struct csv_data {
    std::vector<std::string> columns;  // the feature columns' names, in order
    array<T> features;                 // shape {rows, columns.size()}
    std::vector<T> labels;             // one per row, when a label column was named
    // The label strings in order of first appearance (labels[i] indexes it);
    // empty when every label is a number (labels then hold the numbers).
    std::vector<std::string> classes;
};

namespace detail {

struct csv_field {
    std::string text;
    std::size_t line = 0;  // where the field starts
};

// Splits CSV text into records of fields (RFC 4180 quoting).
class csv_reader {
public:
    csv_reader(std::string_view text, char delimiter, const std::string& name, std::size_t skip_lines = 0)
        : text_(text), delim_(delimiter), name_(name) {
        if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
        for (; skip_lines > 0 && pos_ < text_.size(); --skip_lines, ++line_) {
            const auto end = text_.find('\n', pos_);
            pos_ = end == std::string_view::npos ? text_.size() : end + 1;
        }
    }

    // The next non-blank record; false at the end.
    bool next(std::vector<csv_field>& out, std::size_t& record_line) {
        for (;;) {
            if (pos_ >= text_.size()) return false;
            out.clear();
            record_line = line_;
            read_record(out);
            if (out.size() == 1 && out[0].text.empty() && !quoted_) continue;  // blank line
            return true;
        }
    }

private:
    void read_record(std::vector<csv_field>& out) {
        quoted_ = false;
        for (;;) {
            csv_field f;
            f.line = line_;
            const std::size_t column = out.size() + 1;
            if (pos_ < text_.size() && text_[pos_] == '"') {
                quoted_ = true;
                ++pos_;
                for (;;) {
                    if (pos_ >= text_.size())
                        throw io_error(name_, "line " + std::to_string(f.line) + ", column " + std::to_string(column),
                                       "unterminated quoted field (no closing '\"')");
                    const char c = text_[pos_++];
                    if (c == '"') {
                        if (pos_ < text_.size() && text_[pos_] == '"') {
                            f.text += '"';
                            ++pos_;
                            continue;
                        }
                        break;
                    }
                    if (c == '\n') ++line_;
                    f.text += c;
                }
                if (pos_ < text_.size() && text_[pos_] != delim_ && text_[pos_] != '\n' && text_[pos_] != '\r')
                    throw io_error(name_, "line " + std::to_string(line_) + ", column " + std::to_string(column),
                                   std::string("unexpected character '") + text_[pos_] + "' after a closing quote");
            } else {
                while (pos_ < text_.size() && text_[pos_] != delim_ && text_[pos_] != '\n' && text_[pos_] != '\r') {
                    if (text_[pos_] == '"')
                        throw io_error(name_, "line " + std::to_string(line_) + ", column " + std::to_string(column),
                                       "a '\"' inside an unquoted field (quote the whole field and double the quote)");
                    f.text += text_[pos_++];
                }
            }
            out.push_back(std::move(f));
            if (pos_ >= text_.size()) return;
            const char c = text_[pos_++];
            if (c == delim_) continue;
            if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
            ++line_;
            return;
        }
    }

    std::string_view text_;
    char delim_;
    const std::string& name_;
    std::size_t pos_ = 0;
    std::size_t line_ = 1;
    bool quoted_ = false;
};

[[nodiscard]] inline std::string_view csv_trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// The number in `s` (surrounding blanks allowed), or false.
template <Element T>
[[nodiscard]] bool csv_number(std::string_view s, T& out) noexcept {
    s = csv_trim(s);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty()) return false;
    if constexpr (std::is_floating_point_v<T>) {
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        return ec == std::errc() && p == s.data() + s.size();
    } else {
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        return ec == std::errc() && p == s.data() + s.size();
    }
}

}  // namespace detail

// The CSV text `text` (`name` names it in errors).
template <Element T>
[[nodiscard]] csv_data<T> parse_csv(std::string_view text, const std::string& name, const csv_options& opt = {}) {
    if (opt.delimiter == '"' || opt.delimiter == '\n' || opt.delimiter == '\r')
        throw io_error(name, "", "the delimiter may not be a quote or a line break");
    detail::csv_reader reader(text, opt.delimiter, name, opt.skip_lines);
    std::vector<detail::csv_field> fields;
    std::size_t line = 0;
    if (!reader.next(fields, line))
        throw io_error(name, "line " + std::to_string(opt.skip_lines + 1),
                       std::string("empty file: ") + (opt.header ? "a header line" : "a record") + " is expected" +
                           (opt.skip_lines ? " after the " + std::to_string(opt.skip_lines) + " skipped lines" : ""));
    std::vector<std::string> header;
    for (std::size_t i = 0; i < fields.size(); ++i) header.push_back(opt.header ? std::move(fields[i].text) : std::to_string(i));
    bool first_is_data = !opt.header;  // `fields` holds the first record still
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < header.size(); ++i)
        if (!index.emplace(header[i], i).second)
            throw io_error(name, "line " + std::to_string(line) + ", column " + std::to_string(i + 1),
                           "duplicate column name '" + header[i] + "'");

    const auto where = [&](std::size_t ln, std::size_t col) {
        return "line " + std::to_string(ln) + ", column " + std::to_string(col + 1) + " ('" + header[col] + "')";
    };
    std::string known;
    for (const auto& h : header) known += (known.empty() ? "'" : ", '") + h + "'";

    const bool has_label = !opt.label.empty();
    std::size_t label_col = 0;
    if (has_label) {
        auto it = index.find(opt.label);
        if (it == index.end())
            throw io_error(name, "line " + std::to_string(line),
                           "no label column named '" + opt.label + "' (the columns are " + known + ")");
        label_col = it->second;
    }
    csv_data<T> out;
    std::vector<std::size_t> cols;
    if (opt.columns.empty()) {
        for (std::size_t i = 0; i < header.size(); ++i)
            if (!has_label || i != label_col) cols.push_back(i);
    } else {
        for (const auto& c : opt.columns) {
            auto it = index.find(c);
            if (it == index.end())
                throw io_error(name, "line " + std::to_string(line), "no column named '" + c + "' (the columns are " + known + ")");
            cols.push_back(it->second);
        }
    }
    for (std::size_t c : cols) out.columns.push_back(header[c]);

    std::vector<std::string> label_text;
    std::vector<std::size_t> label_line;
    std::size_t rows = 0;
    while (std::exchange(first_is_data, false) || reader.next(fields, line)) {
        if (fields.size() != header.size())
            throw io_error(name, "line " + std::to_string(line),
                           std::to_string(fields.size()) + " fields, the header has " + std::to_string(header.size()) +
                               " columns");
        for (std::size_t c : cols) {
            const auto& f = fields[c];
            T v{};
            if (detail::csv_trim(f.text).empty()) throw io_error(name, where(f.line, c), "missing value");
            if (!detail::csv_number<T>(f.text, v))
                throw io_error(name, where(f.line, c),
                               "'" + f.text + "' is not a number" +
                                   (std::is_integral_v<T> ? " (or not an integer in the range of " +
                                                                std::string(detail::type_name<T>()) + ")"
                                                          : std::string()));
            out.features.data.push_back(v);
        }
        if (has_label) {
            const auto& f = fields[label_col];
            if (detail::csv_trim(f.text).empty()) throw io_error(name, where(f.line, label_col), "missing label");
            label_text.push_back(f.text);
            label_line.push_back(f.line);
        }
        ++rows;
    }
    out.features.shape = {rows, cols.size()};
    if (has_label) {
        bool numeric = true;
        out.labels.resize(rows);
        for (std::size_t i = 0; numeric && i < rows; ++i) numeric = detail::csv_number<T>(label_text[i], out.labels[i]);
        if (!numeric) {
            std::map<std::string, std::size_t> classes;
            for (std::size_t i = 0; i < rows; ++i) {
                auto [it, fresh] = classes.emplace(label_text[i], out.classes.size());
                if (fresh) {
                    if constexpr (std::is_integral_v<T>) {
                        if (out.classes.size() > static_cast<std::size_t>(std::numeric_limits<T>::max()))
                            throw io_error(name, where(label_line[i], label_col),
                                           "more classes than " + std::string(detail::type_name<T>()) + " can number");
                    }
                    out.classes.push_back(label_text[i]);
                }
                out.labels[i] = static_cast<T>(it->second);
            }
        }
    }
    return out;
}

template <Element T>
[[nodiscard]] csv_data<T> read_csv(const std::string& path, const csv_options& opt = {}) {
    const auto file = detail::read_file(path);
    return parse_csv<T>(std::string_view(reinterpret_cast<const char*>(file.data.get()), file.size), path, opt);
}

}  // namespace leibniz::io
