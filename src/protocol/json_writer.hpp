#pragma once
// A small streaming JSON writer. Commas and escaping are handled here so callers only say
// what to write: w.beginObject(); w.key("id").value("x"); w.endObject();
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace genmon::protocol {

class JsonWriter {
public:
    explicit JsonWriter(bool pretty = false) : pretty_(pretty) {}

    JsonWriter& beginObject();
    JsonWriter& endObject();
    JsonWriter& beginArray();
    JsonWriter& endArray();
    JsonWriter& key(std::string_view k);

    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
    JsonWriter& value(bool b);
    JsonWriter& value(int v) { return value(static_cast<int64_t>(v)); }
    JsonWriter& value(int64_t v);
    JsonWriter& value(uint64_t v);
    JsonWriter& value(double v);  // non-finite values are written as null (JSON has no NaN)
    JsonWriter& null();
    JsonWriter& raw(std::string_view json);  // an already-encoded JSON value

    template <class T>
    JsonWriter& value(const std::optional<T>& v) {
        return v ? value(*v) : null();
    }
    template <class T>
    JsonWriter& field(std::string_view k, const T& v) {
        key(k);
        return value(v);
    }

    const std::string& str() const& { return out_; }
    std::string take() && { return std::move(out_); }

    static void appendEscaped(std::string& out, std::string_view s);

private:
    void beforeValue();
    void newline();
    std::string out_;
    std::vector<bool> first_;  // per open container: no element written yet
    bool afterKey_ = false;
    bool pretty_;
};

}  // namespace genmon::protocol
