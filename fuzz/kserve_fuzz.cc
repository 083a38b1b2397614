// libFuzzer target for the KServe / CloudEvents parsers (server/kserve.h). Corpus:
// fuzz/corpus/kserve/.
//
// Input: one control byte, then up to three parts separated by NUL bytes: the request body, the
// response body, and header lines ("name: value", one a line). Control bits:
//   bits 0-1: the output kind (kProbabilities, kClass, kScore, kClass)
//   bit 2: input_name "*" (every input)       bit 3: classes {"a", "1", "c"} (else none)
//   bit 4: feature names given (as many as the first input has columns, when that is small)
//   bit 5: small limits (4 records, 3 features, 8-byte strings)
// Checks, beyond the sanitizers': errors have the right code and a printable UTF-8 message;
// a parsed tensor's shape matches its element count; a join gives one event per row with
// distinct ids, features named as mapped, scores in [0,1].
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "modelwatch/server/kserve.h"

namespace {

using namespace modelwatch;
using namespace modelwatch::server;

void Check(bool condition) {
  if (!condition) std::abort();
}

void CheckMessage(const Status& status) {
  Check(status.code() == StatusCode::kInvalidArgument ||
        status.code() == StatusCode::kResourceExhausted);
  Check(!status.message().empty());
  for (char c : status.message()) Check(static_cast<unsigned char>(c) >= 0x20);
}

void CheckTensors(const std::vector<Tensor>& tensors) {
  for (const Tensor& t : tensors) {
    size_t product = 1;
    for (int64_t d : t.shape) {
      Check(d >= 0);
      product *= static_cast<size_t>(d);
    }
    Check(product == t.size());
    Check(t.datatype == TensorDataType::kBytes ? t.numbers.empty() : t.strings.empty());
    for (double x : t.numbers) Check(std::isfinite(x));
    if (t.rows() != 0) Check(t.rows() * t.columns() == t.size());
  }
}

std::vector<std::string_view> Split(std::string_view s, char separator, size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    const size_t at = s.find(separator);
    if (at == std::string_view::npos) break;
    parts.push_back(s.substr(0, at));
    s.remove_prefix(at + 1);
  }
  parts.push_back(s);
  return parts;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t control = data[0];
  const std::vector<std::string_view> parts =
      Split(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), '\0', 3);
  // Each body in an exact-size buffer, so that a read past its end is caught.
  const std::vector<char> request_body(parts[0].begin(), parts[0].end());
  const std::vector<char> response_body =
      parts.size() > 1 ? std::vector<char>(parts[1].begin(), parts[1].end()) : std::vector<char>();

  ParseLimits limits;
  if ((control & 32) != 0) {
    limits.max_records = 4;
    limits.max_features = 3;
    limits.max_string_bytes = 8;
  }

  // Headers.
  if (parts.size() > 2) {
    std::vector<std::pair<std::string_view, std::string_view>> headers;
    for (std::string_view line : Split(parts[2], '\n', 64)) {
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    }
    auto ce = ParseCloudEventHeaders(headers);
    if (ce.ok()) {
      Check(!ce->id.empty() && !ce->type.empty());
      if (!ce->time.empty()) Check(ce->time_us.has_value());
      auto kind = ClassifyCloudEventType(ce->type);
      if (!kind.ok()) CheckMessage(kind.status());
    } else {
      Check(ce.status().code() == StatusCode::kInvalidArgument);
    }
  }

  auto request =
      ParseInferenceRequest(std::string_view(request_body.data(), request_body.size()), limits);
  if (!request.ok()) {
    CheckMessage(request.status());
  } else {
    CheckTensors(request->inputs);
  }
  auto response =
      ParseInferenceResponse(std::string_view(response_body.data(), response_body.size()), limits);
  if (!response.ok()) {
    CheckMessage(response.status());
  } else {
    CheckTensors(response->outputs);
  }
  if (!request.ok() || !response.ok()) return 0;

  KServeMapping mapping;
  static constexpr KServeMapping::Output kOutputs[] = {
      KServeMapping::Output::kProbabilities, KServeMapping::Output::kClass,
      KServeMapping::Output::kScore, KServeMapping::Output::kClass};
  mapping.output = kOutputs[control & 3];
  if ((control & 4) != 0) mapping.input_name = "*";
  if ((control & 8) != 0) mapping.classes = {"a", "1", "c"};
  if ((control & 16) != 0 && !request->inputs.empty() && request->inputs[0].columns() <= 8) {
    for (size_t j = 0; j < request->inputs[0].columns(); ++j) {
      mapping.inputs.push_back("f" + std::to_string(j));
    }
  }
  const KServeEventContext context{"", "", "ce-id", 1};
  auto events = JoinKServe(*request, *response, mapping, context, limits);
  if (!events.ok()) {
    CheckMessage(events.status());
    return 0;
  }
  const size_t rows = request->inputs.front().rows();
  Check(events->size() == rows);
  for (size_t r = 0; r < events->size(); ++r) {
    const PredictionEvent& e = (*events)[r];
    Check(e.id == (rows == 1 ? std::string("ce-id") : "ce-id/" + std::to_string(r)));
    Check(!e.model.empty());
    Check(e.features.size() <= limits.max_features);
    if (!mapping.inputs.empty() && mapping.input_name.empty()) {
      Check(e.features.size() == mapping.inputs.size());
      for (size_t j = 0; j < e.features.size(); ++j) Check(e.features[j].name == mapping.inputs[j]);
    }
    if (e.score) Check(*e.score >= 0 && *e.score <= 1);
    for (const auto& [name, p] : e.scores) Check(p >= 0 && p <= 1);
  }
  return 0;
}
