// JsonWriter: a small streaming JSON writer for reports. Keys and strings are escaped per
// RFC 8259; doubles are written in their shortest round-trip form; NaN, infinities and empty
// optionals are written as null (JSON has no NaN). Output is locale-independent.
// Usage: w.BeginObject(); w.Key("n"); w.Uint(3); w.EndObject(); w.str();
// Misuse (a value where a key is expected) is a programmer error (assert).
// Thread safety: not thread safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace modelwatch::io {

class JsonWriter {
 public:
  // indent = 0 writes compact JSON; > 0 pretty-prints with that many spaces per level.
  explicit JsonWriter(int indent = 0) : indent_(indent) {}

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(std::string_view key);
  void String(std::string_view value);
  void Double(double value);
  void Double(std::optional<double> value);
  void Int(int64_t value);
  void Uint(uint64_t value);
  void Bool(bool value);
  void Null();
  // Key(key) followed by Double(value).
  void Member(std::string_view key, std::optional<double> value) {
    Key(key);
    Double(value);
  }

  const std::string& str() const { return out_; }

 private:
  void BeforeValue();
  void Newline();
  void Close(char bracket);
  void WriteEscaped(std::string_view s);

  int indent_;
  std::string out_;
  // Per open container: true when it already holds an element.
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

}  // namespace modelwatch::io
