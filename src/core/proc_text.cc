#include "internal/proc_text.h"

#include <charconv>
#include <string>
#include <string_view>

namespace modelwatch::internal {

bool LineReader::Next(std::string_view* line) {
  if (pos_ >= text_.size()) return false;
  const size_t end = text_.find('\n', pos_);
  if (end == std::string_view::npos) {
    *line = text_.substr(pos_);
    pos_ = text_.size();
  } else {
    *line = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
  }
  ++line_number_;
  return true;
}

std::vector<std::string_view> SplitFields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

std::string_view Trim(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

bool ParseU64(std::string_view text, uint64_t* value) {
  if (text.empty() || text[0] < '0' || text[0] > '9') return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return error == std::errc() && end == text.data() + text.size();
}

bool ParseI64(std::string_view text, int64_t* value) {
  const size_t digits = !text.empty() && text[0] == '-' ? 1 : 0;
  if (text.size() <= digits || text[digits] < '0' || text[digits] > '9') return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return error == std::errc() && end == text.data() + text.size();
}

std::string Quote(std::string_view text) {
  constexpr size_t kMax = 40;
  std::string out = "'";
  for (size_t i = 0; i < text.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    out += c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?';
  }
  if (text.size() > kMax) out += "...";
  out += "'";
  return out;
}

Status ContentError(std::string_view source, int line, std::string_view message) {
  std::string m(source);
  if (line > 0) {
    m += ':';
    m += std::to_string(line);
  }
  m += ": ";
  m += message;
  return InvalidArgumentError(std::move(m));
}

Status ForEachKeyValue(std::string_view text, std::string_view source,
                       const std::function<Status(std::string_view, uint64_t, int)>& visit) {
  LineReader lines(text);
  std::string_view line;
  while (lines.Next(&line)) {
    const std::vector<std::string_view> fields = SplitFields(line);
    if (fields.empty()) continue;
    uint64_t value = 0;
    if (fields.size() != 2 || !ParseU64(fields[1], &value)) {
      return ContentError(
          source, lines.line_number(),
          "expected 'key value' with an unsigned integer value, got " + Quote(line));
    }
    MW_RETURN_IF_ERROR(visit(fields[0], value, lines.line_number()));
  }
  return Status::Ok();
}

}  // namespace modelwatch::internal
