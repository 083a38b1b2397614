// KServe / Seldon payload-logger ingest: CloudEvents in binary mode (the event's attributes in
// ce-* headers, the inference request or response as the body), joined into prediction events.
//
// The KServe logger sends one CloudEvent for the request and one for the response of every
// inference, with the same ce-id; the server pairs them by ce-id and calls JoinKServe().
//
// Bodies (JSON, https://kserve.github.io/website/latest/modelserving/data_plane/v2_protocol/):
//  - V2 (Open Inference Protocol) request  {"id":..,"inputs":[{"name","shape","datatype","data"}]}
//    and response {"model_name","model_version","id","outputs":[tensor, ...]}. "data" is flat or
//    nested arrays in row-major order; its element count must equal the product of "shape".
//    Datatypes BOOL (true/false), UINT8-64, INT8-64 (integers in the type's range), FP16/32/64
//    (finite numbers), BYTES (strings). Binary tensor data (the binary_data_size parameter) is not
//    supported. "parameters" and other fields are ignored.
//  - V1 request {"instances":[row, ...]} and response {"predictions":[row, ...]}: each becomes one
//    tensor named "instances" / "predictions" with shape [rows] (scalar rows) or [rows, n] (rows
//    that are arrays of n values after flattening); FP64 when every value is a number, BOOL when
//    every value is a boolean, BYTES when every value is a string. Rows that are objects are not
//    supported.
// Errors are kInvalidArgument naming the tensor ("input 'x': shape [2,4] needs 8 elements, data
// has 6"), kResourceExhausted when a tensor holds more than max_records * max_features elements
// (ParseLimits).
//
// Rows: the first dimension of a tensor is the batch: a tensor of shape [n, d1, d2, ...] has n
// rows of d1*d2*... columns (flattened row-major); shape [n] is n rows of one column; shape [] is
// one row of one column.
//
// Thread safety: pure functions; they may be called concurrently (each thread keeps a reusable
// simdjson parser, as in event_parser.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "modelwatch/core/event.h"
#include "modelwatch/core/status.h"
#include "modelwatch/server/event_parser.h"

namespace modelwatch::server {

// --- CloudEvents headers ---

// The CloudEvents attributes of a binary-mode HTTP request (https://github.com/cloudevents/spec,
// HTTP protocol binding): header "ce-<attribute>", names case-insensitive.
struct CloudEventHeaders {
  std::string specversion;  // "1.0"
  std::string id;           // required; KServe: the inference request id, the same for both events
  std::string type;         // required; see ClassifyCloudEventType
  std::string source;
  std::string time;                // RFC 3339, as sent; "" when absent
  std::optional<int64_t> time_us;  // `time` parsed (microseconds since the epoch)
  // KServe extensions (ce-inferenceservicename, ce-namespace, ce-component, ce-endpoint).
  std::string inference_service_name;
  std::string namespace_name;
  std::string component;
  std::string endpoint;
  // Every other ce-* header as (attribute in lower case without "ce-", value), in order
  // (Seldon: modelid, requestid, ...).
  std::vector<std::pair<std::string, std::string>> extensions;
};

// Picks the ce-* headers out of `headers` (name, value), ignoring all others. Values are kept as
// sent, surrounding spaces and tabs removed. kInvalidArgument when ce-id or ce-type is missing or
// empty, when an attribute is given twice, or when ce-time is not RFC 3339:
// "CloudEvents header 'ce-id' is missing".
Result<CloudEventHeaders> ParseCloudEventHeaders(
    std::span<const std::pair<std::string_view, std::string_view>> headers);

enum class CloudEventKind {
  kInferenceRequest,  // org.kubeflow.serving.inference.request, io.seldon.serving.inference.request
  kInferenceResponse,  // org.kubeflow.serving.inference.response,
                       // io.seldon.serving.inference.response
  kFeedback,           // io.seldon.serving.feedback
};

// The kind of a ce-type value (compared exactly, as CloudEvents types are case-sensitive);
// kInvalidArgument "unsupported CloudEvents type 'x' (expected ...)" otherwise.
Result<CloudEventKind> ClassifyCloudEventType(std::string_view type);

// --- Inference payloads ---

enum class TensorDataType : uint8_t {
  kBool,
  kUint8,
  kUint16,
  kUint32,
  kUint64,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kFp16,
  kFp32,
  kFp64,
  kBytes,
};

// "BOOL", "UINT8", ..., "FP64", "BYTES": the V2 spelling.
std::string_view TensorDataTypeName(TensorDataType type);

struct Tensor {
  std::string name;
  std::vector<int64_t> shape;
  TensorDataType datatype = TensorDataType::kFp64;
  std::vector<double> numbers;       // every datatype but BYTES, row-major; BOOL as 0 / 1
  std::vector<std::string> strings;  // BYTES, row-major

  size_t size() const {
    return datatype == TensorDataType::kBytes ? strings.size() : numbers.size();
  }
  // Rows and columns as described at the top of this file.
  size_t rows() const { return shape.empty() ? 1 : static_cast<size_t>(shape[0]); }
  size_t columns() const;
  // Element i (row-major) as an event value: BYTES -> string, BOOL -> boolean, else number.
  EventValue ValueAt(size_t i) const;
  friend bool operator==(const Tensor&, const Tensor&) = default;
};

struct InferenceRequest {
  std::string id;  // "" when absent
  std::vector<Tensor> inputs;
};

struct InferenceResponse {
  std::string model_name;     // "" when absent (always for V1)
  std::string model_version;  // "" when absent
  std::string id;             // "" when absent
  std::vector<Tensor> outputs;
};

Result<InferenceRequest> ParseInferenceRequest(std::string_view body, const ParseLimits& limits);
Result<InferenceResponse> ParseInferenceResponse(std::string_view body, const ParseLimits& limits);

// --- Join ---

// How a model's tensors map to prediction events; from the server's per-model configuration.
struct KServeMapping {
  enum class Output {
    // The output holds class probabilities, one column per class ([n, c]). c == 1: the column
    // is P(positive) (as kScore). c == 2 (binary): score = the last column (the positive
    // class), prediction = the class of the larger probability (ties: the first class).
    // c > 2 (multiclass): scores = (class, probability) for every column, prediction = the
    // class of the largest probability (ties: the first). Probabilities must lie in [0,1].
    kProbabilities,
    // The output is the prediction itself, one value per row: a class label, a class index
    // (mapped through `classes` when those are given and the value is an integer), or a
    // regression value.
    kClass,
    // One number per row. Binary models (regression == false): P(positive) in [0,1]; score =
    // the value, prediction = the positive class when score > 0.5, else the negative class (so
    // that 0.5 predicts the negative class, like scikit-learn's argmax). Regression models: the
    // predicted value, as the prediction (no score).
    kScore,
  };
  // Feature names for the input columns, in column order (all selected inputs together). Empty:
  // a one-column tensor's feature is named after the tensor, others "<tensor>_<column>" (column
  // 0-based).
  std::vector<std::string> inputs;
  // The input tensor holding the features: "" for the first; "*" for every input tensor, their
  // columns side by side in request order (MLServer/pandas-style one tensor per feature).
  std::string input_name;
  std::string output_name;  // "" for the first output
  Output output = Output::kClass;
  // Class labels by column (kProbabilities) or by index (kClass, kScore: {negative, positive}).
  // Empty: classes are the column indices 0, 1, ... (numbers; kScore: 0 and 1). A class label
  // that is a number ("1", "2.5") is kept as a number, so that class identity is by value.
  std::vector<std::string> classes;
  // The model is a regressor: a kScore output is the predicted value (see kScore).
  bool regression = false;
};

// What the events get besides the tensors.
struct KServeEventContext {
  std::string_view model;    // "" to take the response's model_name
  std::string_view version;  // "" to take the response's model_version
  std::string_view id;       // the ce-id; "" to take the response's, then the request's id
  int64_t ts_us = 0;         // event time of every event (ce-time, or the time received)
};

// One PredictionEvent per row of the request's inputs, in row order. Event ids: the id itself
// for a batch of one row, "<id>/<row>" (row 0-based) for more rows, so that labels can be sent
// for each row. Errors (kInvalidArgument) name the tensor: a missing input or output, a row
// count that differs between inputs and the output ("request has 4 rows but output 'predict'
// has 3"), a column count that differs from `inputs` or `classes`, a BYTES output where numbers
// are needed, a probability outside [0,1]; kResourceExhausted for more rows than
// limits.max_records or more feature columns than limits.max_features.
Result<std::vector<PredictionEvent>> JoinKServe(const InferenceRequest& request,
                                                const InferenceResponse& response,
                                                const KServeMapping& mapping,
                                                const KServeEventContext& context,
                                                const ParseLimits& limits);

}  // namespace modelwatch::server
