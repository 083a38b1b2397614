// KServe / Seldon payload-logger bodies on simdjson's DOM API (error codes, no exceptions).
//
// DOM rather than On-Demand: a body is one inference request or response (a few tensors), so
// speed matters less than being able to look at a tensor's fields in any order; DOM validates
// the whole body before we look at it.
#include "modelwatch/server/kserve.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "modelwatch/core/label_order.h"
#include "modelwatch/core/timestamp.h"
#include "modelwatch/io/json_error_text.h"

namespace modelwatch::server {
namespace {

namespace dom = simdjson::dom;
using simdjson::error_code;

constexpr size_t kRetainBytes = size_t{16} << 20;
constexpr size_t kMaxIdBytes = 256;

// The body parsed by the thread's DOM parser, or the error. The element stays valid until the
// thread's next parse.
class ParsedBody {
 public:
  explicit ParsedBody(std::string_view body) {
    thread_local dom::parser parser;
    parser_ = &parser;
    // An empty view may have a null data(), which simdjson would pass to memcpy.
    error_ = body.empty()
                 ? simdjson::EMPTY
                 : parser.parse(body.data(), body.size(), /*realloc_if_needed=*/true).get(root_);
  }
  ~ParsedBody() {
    if (parser_->capacity() > kRetainBytes) *parser_ = dom::parser();
  }
  ParsedBody(const ParsedBody&) = delete;
  ParsedBody& operator=(const ParsedBody&) = delete;

  Status status() const {
    if (error_ == simdjson::SUCCESS) return Status::Ok();
    std::string message = "invalid JSON: " + io::JsonErrorText(error_, "body");
    if (error_ == simdjson::MEMALLOC || error_ == simdjson::CAPACITY) {
      return ResourceExhaustedError(std::move(message));
    }
    return InvalidArgumentError(std::move(message));
  }
  dom::element root() const { return root_; }

 private:
  dom::parser* parser_;
  dom::element root_;
  error_code error_ = simdjson::UNINITIALIZED;
};

bool IsInteger(double x) { return std::isfinite(x) && std::trunc(x) == x; }

std::string ShapeText(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ",";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

std::string NumberText(double x) { return CanonicalNumberText(x); }

struct DataTypeInfo {
  std::string_view name;
  TensorDataType type;
  double min, max;  // integer types: the range
};

constexpr std::array<DataTypeInfo, 13> kDataTypes = {{
    {"BOOL", TensorDataType::kBool, 0, 1},
    {"UINT8", TensorDataType::kUint8, 0, 255},
    {"UINT16", TensorDataType::kUint16, 0, 65535},
    {"UINT32", TensorDataType::kUint32, 0, 4294967295.0},
    {"UINT64", TensorDataType::kUint64, 0, 18446744073709551615.0},
    {"INT8", TensorDataType::kInt8, -128, 127},
    {"INT16", TensorDataType::kInt16, -32768, 32767},
    {"INT32", TensorDataType::kInt32, -2147483648.0, 2147483647.0},
    {"INT64", TensorDataType::kInt64, -9223372036854775808.0, 9223372036854775807.0},
    {"FP16", TensorDataType::kFp16, 0, 0},
    {"FP32", TensorDataType::kFp32, 0, 0},
    {"FP64", TensorDataType::kFp64, 0, 0},
    {"BYTES", TensorDataType::kBytes, 0, 0},
}};

const DataTypeInfo& Info(TensorDataType type) { return kDataTypes[static_cast<size_t>(type)]; }

bool IsIntegerType(TensorDataType type) {
  return type != TensorDataType::kBool && type != TensorDataType::kBytes &&
         type != TensorDataType::kFp16 && type != TensorDataType::kFp32 &&
         type != TensorDataType::kFp64;
}

// Reads the elements of one tensor's "data" (nested arrays flattened, row-major) into `tensor`,
// checking each against the tensor's datatype. `subject` ("input 'x'") names it in errors.
class DataReader {
 public:
  DataReader(Tensor* tensor, const std::string& subject, size_t max_elements)
      : tensor_(tensor), subject_(subject), max_elements_(max_elements) {}

  Status Read(dom::element element) {
    if (element.type() == dom::element_type::ARRAY) {
      for (dom::element child : dom::array(element)) MW_RETURN_IF_ERROR(Read(child));
      return Status::Ok();
    }
    if (count_++ >= max_elements_) {
      return ResourceExhaustedError(subject_ + " has more than " + std::to_string(max_elements_) +
                                    " elements");
    }
    const TensorDataType type = tensor_->datatype;
    if (type == TensorDataType::kBytes) {
      std::string_view text;
      if (element.get_string().get(text) != simdjson::SUCCESS) return Wrong("a string");
      tensor_->strings.emplace_back(text);
      return Status::Ok();
    }
    if (type == TensorDataType::kBool) {
      bool b;
      if (element.get_bool().get(b) != simdjson::SUCCESS) return Wrong("true or false");
      tensor_->numbers.push_back(b ? 1 : 0);
      return Status::Ok();
    }
    double x;
    if (element.get_double().get(x) != simdjson::SUCCESS) return Wrong("a number");
    if (IsIntegerType(type)) {
      const DataTypeInfo& info = Info(type);
      if (!IsInteger(x)) {
        return InvalidArgumentError(subject_ + ": element " + std::to_string(count_ - 1) + " is " +
                                    NumberText(x) + ", not an integer (datatype " +
                                    std::string(info.name) + ")");
      }
      if (x < info.min || x > info.max) {
        return InvalidArgumentError(subject_ + ": element " + std::to_string(count_ - 1) + " is " +
                                    NumberText(x) + ", outside the range of " +
                                    std::string(info.name));
      }
    }
    tensor_->numbers.push_back(x);
    return Status::Ok();
  }

 private:
  Status Wrong(std::string_view expected) const {
    return InvalidArgumentError(subject_ + ": element " + std::to_string(count_ - 1) + " must be " +
                                std::string(expected) + " (datatype " +
                                std::string(Info(tensor_->datatype).name) + ")");
  }

  Tensor* tensor_;
  const std::string& subject_;
  const size_t max_elements_;
  size_t count_ = 0;
};

size_t MaxElements(const ParseLimits& limits) {
  const size_t max = std::numeric_limits<size_t>::max();
  if (limits.max_features != 0 && limits.max_records > max / limits.max_features) return max;
  return std::max<size_t>(1, limits.max_records * limits.max_features);
}

// One V2 tensor object. `kind` is "input" or "output".
Result<Tensor> ParseTensor(dom::element element, std::string_view kind, size_t index,
                           const ParseLimits& limits) {
  const std::string where = std::string(kind) + "s[" + std::to_string(index) + "]";
  dom::object object;
  if (element.get_object().get(object) != simdjson::SUCCESS) {
    return InvalidArgumentError(where + " must be an object");
  }
  Tensor tensor;
  std::optional<dom::element> shape, datatype, data, parameters;
  bool has_name = false;
  for (dom::key_value_pair field : object) {
    std::optional<dom::element>* slot = nullptr;
    if (field.key == "name") {
      if (has_name) return InvalidArgumentError(where + ": field 'name' appears twice");
      has_name = true;
      std::string_view name;
      if (field.value.get_string().get(name) != simdjson::SUCCESS || name.empty()) {
        return InvalidArgumentError(where + ": field 'name' must be a non-empty string");
      }
      tensor.name = std::string(name);
      continue;
    }
    if (field.key == "shape") slot = &shape;
    if (field.key == "datatype") slot = &datatype;
    if (field.key == "data") slot = &data;
    if (field.key == "parameters") slot = &parameters;
    if (slot == nullptr) continue;  // other fields are ignored
    if (slot->has_value()) {
      return InvalidArgumentError(where + ": field '" + std::string(field.key) + "' appears twice");
    }
    *slot = field.value;
  }
  if (!has_name) return InvalidArgumentError(where + ": field 'name' is missing");
  const std::string subject = std::string(kind) + " " + QuoteForMessage(tensor.name);

  if (parameters && parameters->is_object()) {
    dom::element ignored;
    if (dom::object(*parameters)["binary_data_size"].get(ignored) == simdjson::SUCCESS) {
      return InvalidArgumentError(subject +
                                  ": binary tensor data (binary_data_size) is not supported; "
                                  "send the data as JSON");
    }
  }
  if (!datatype) return InvalidArgumentError(subject + ": field 'datatype' is missing");
  std::string_view type_name;
  if (datatype->get_string().get(type_name) != simdjson::SUCCESS) {
    return InvalidArgumentError(subject + ": field 'datatype' must be a string");
  }
  const auto info = std::find_if(kDataTypes.begin(), kDataTypes.end(),
                                 [&](const DataTypeInfo& i) { return i.name == type_name; });
  if (info == kDataTypes.end()) {
    return InvalidArgumentError(subject + ": datatype " + QuoteForMessage(type_name) +
                                " is not supported (BOOL, UINT8-64, INT8-64, FP16, FP32, FP64, "
                                "BYTES)");
  }
  tensor.datatype = info->type;

  if (!shape) return InvalidArgumentError(subject + ": field 'shape' is missing");
  dom::array dims;
  if (shape->get_array().get(dims) != simdjson::SUCCESS) {
    return InvalidArgumentError(subject + ": field 'shape' must be an array of integers >= 0");
  }
  const size_t max_elements = MaxElements(limits);
  size_t product = 1;
  bool too_many = false;
  for (dom::element dim : dims) {
    int64_t d;
    if (dim.get_int64().get(d) != simdjson::SUCCESS || d < 0) {
      return InvalidArgumentError(subject + ": field 'shape' must be an array of integers >= 0");
    }
    if (tensor.shape.size() >= 32) {
      return InvalidArgumentError(subject + ": shape has more than 32 dimensions");
    }
    tensor.shape.push_back(d);
    const auto u = static_cast<size_t>(d);
    if (u != 0 && product > max_elements / u) too_many = true;
    product = too_many ? product : product * u;
  }
  if (!data) return InvalidArgumentError(subject + ": field 'data' is missing");
  DataReader reader(&tensor, subject, max_elements);
  MW_RETURN_IF_ERROR(reader.Read(*data));
  if (too_many || product != tensor.size()) {
    return InvalidArgumentError(subject + ": shape " + ShapeText(tensor.shape) + " needs " +
                                (too_many ? std::string("more than ") + std::to_string(max_elements)
                                          : std::to_string(product)) +
                                " elements, data has " + std::to_string(tensor.size()));
  }
  return tensor;
}

Result<std::vector<Tensor>> ParseTensors(dom::element element, std::string_view kind,
                                         const ParseLimits& limits) {
  dom::array array;
  if (element.get_array().get(array) != simdjson::SUCCESS) {
    return InvalidArgumentError("field '" + std::string(kind) + "s' must be an array of tensors");
  }
  std::vector<Tensor> tensors;
  for (dom::element child : array) {
    MW_ASSIGN_OR_RETURN(Tensor tensor, ParseTensor(child, kind, tensors.size(), limits));
    for (const Tensor& other : tensors) {
      if (other.name == tensor.name) {
        return InvalidArgumentError(std::string(kind) + " " + QuoteForMessage(tensor.name) +
                                    " appears twice");
      }
    }
    tensors.push_back(std::move(tensor));
  }
  return tensors;
}

// A V1 "instances" / "predictions" list as one tensor (see kserve.h).
Result<Tensor> ParseV1Rows(dom::element element, std::string_view name, const ParseLimits& limits) {
  const std::string subject = "field '" + std::string(name) + "'";
  dom::array rows;
  if (element.get_array().get(rows) != simdjson::SUCCESS) {
    return InvalidArgumentError(subject + " must be an array of rows");
  }
  Tensor tensor;
  tensor.name = std::string(name);
  // The datatype from the first scalar: FP64, BOOL or BYTES.
  std::optional<TensorDataType> type;
  bool scalar_rows = false;
  size_t row_size = 0;
  size_t n = 0;
  const size_t max_elements = MaxElements(limits);
  for (dom::element row : rows) {
    if (row.is_object()) {
      return InvalidArgumentError(subject + ": row " + std::to_string(n) +
                                  " is an object; only rows of values (arrays or scalars) are "
                                  "supported");
    }
    // The first scalar of the row decides the type when none is known yet.
    if (!type) {
      dom::element first = row;
      while (first.is_array()) {
        dom::array a(first);
        if (a.size() == 0) break;
        first = a.at(0).value_unsafe();
      }
      if (first.is_string()) {
        type = TensorDataType::kBytes;
      } else if (first.is_bool()) {
        type = TensorDataType::kBool;
      } else if (first.is_number()) {
        type = TensorDataType::kFp64;
      }
      if (type) tensor.datatype = *type;
    }
    const size_t before = tensor.size();
    if (!type && !row.is_array()) {
      return InvalidArgumentError(subject + ": row " + std::to_string(n) +
                                  " must be a number, string, boolean or array");
    }
    const std::string row_subject = subject + " row " + std::to_string(n);
    DataReader reader(&tensor, row_subject, max_elements - std::min(max_elements, before));
    MW_RETURN_IF_ERROR(reader.Read(row));
    const size_t size = tensor.size() - before;
    const bool scalar = !row.is_array();
    if (n == 0) {
      scalar_rows = scalar;
      row_size = size;
    } else if (scalar != scalar_rows || size != row_size) {
      return InvalidArgumentError(subject + ": row " + std::to_string(n) + " has " +
                                  std::to_string(size) + " values, row 0 has " +
                                  std::to_string(row_size));
    }
    ++n;
  }
  tensor.shape.push_back(static_cast<int64_t>(n));
  if (!scalar_rows && n > 0) tensor.shape.push_back(static_cast<int64_t>(row_size));
  return tensor;
}

// An id given as a string or an integer.
Result<std::string> ParseId(dom::element element) {
  std::string_view text;
  if (element.get_string().get(text) == simdjson::SUCCESS) return std::string(text);
  int64_t i;
  if (element.get_int64().get(i) == simdjson::SUCCESS) return std::to_string(i);
  uint64_t u;
  if (element.get_uint64().get(u) == simdjson::SUCCESS) return std::to_string(u);
  return InvalidArgumentError("field 'id' must be a string or an integer");
}

// Calls `visit(key, value)` for each field of the root object, rejecting a known key given twice.
template <typename Visit>
Status VisitRoot(const ParsedBody& body, std::string_view what,
                 std::initializer_list<std::string_view> known, Visit visit) {
  MW_RETURN_IF_ERROR(body.status());
  dom::object object;
  if (body.root().get_object().get(object) != simdjson::SUCCESS) {
    return InvalidArgumentError(std::string(what) + " body must be a JSON object");
  }
  std::vector<std::string_view> seen;
  for (dom::key_value_pair field : object) {
    if (std::find(known.begin(), known.end(), field.key) == known.end()) continue;
    if (std::find(seen.begin(), seen.end(), field.key) != seen.end()) {
      return InvalidArgumentError("field '" + std::string(field.key) + "' appears twice");
    }
    seen.push_back(field.key);
    MW_RETURN_IF_ERROR(visit(field.key, field.value));
  }
  return Status::Ok();
}

// "a, b, c" of the tensors' names.
std::string Names(const std::vector<Tensor>& tensors) {
  std::string out;
  for (const Tensor& t : tensors) {
    if (!out.empty()) out += ", ";
    out += QuoteForMessage(t.name);
  }
  return out.empty() ? "none" : out;
}

// A class label as an event value: numbers as numbers (class identity by value).
EventValue ClassValue(const std::string& label) {
  double x;
  if (ParseLabelNumber(label, &x) && std::isfinite(x)) return EventValue::Number(x);
  return EventValue::String(label);
}

EventValue ClassOfIndex(const std::vector<std::string>& classes, size_t index) {
  if (classes.empty()) return EventValue::Number(static_cast<double>(index));
  return ClassValue(classes[index]);
}

std::string ClassName(const std::vector<std::string>& classes, size_t index) {
  return classes.empty() ? std::to_string(index) : classes[index];
}

}  // namespace

// --- CloudEvents ---

Result<CloudEventHeaders> ParseCloudEventHeaders(
    std::span<const std::pair<std::string_view, std::string_view>> headers) {
  CloudEventHeaders out;
  std::vector<std::string> seen;
  for (const auto& [raw_name, raw_value] : headers) {
    if (raw_name.size() < 3) continue;
    std::string name(raw_name);
    for (char& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (name.compare(0, 3, "ce-") != 0) continue;
    std::string_view value = raw_value;
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      return InvalidArgumentError("CloudEvents header " + QuoteForMessage(name) + " appears twice");
    }
    seen.push_back(name);
    const std::string_view attribute = std::string_view(name).substr(3);
    std::string* field = nullptr;
    if (attribute == "specversion") field = &out.specversion;
    if (attribute == "id") field = &out.id;
    if (attribute == "type") field = &out.type;
    if (attribute == "source") field = &out.source;
    if (attribute == "time") field = &out.time;
    if (attribute == "inferenceservicename") field = &out.inference_service_name;
    if (attribute == "namespace") field = &out.namespace_name;
    if (attribute == "component") field = &out.component;
    if (attribute == "endpoint") field = &out.endpoint;
    if (field != nullptr) {
      field->assign(value);
    } else {
      out.extensions.emplace_back(std::string(attribute), std::string(value));
    }
  }
  if (out.id.empty()) return InvalidArgumentError("CloudEvents header 'ce-id' is missing");
  if (out.type.empty()) return InvalidArgumentError("CloudEvents header 'ce-type' is missing");
  if (!out.time.empty()) {
    // RFC 3339 only: ParseTimestamp also takes epoch seconds, which ce-time is not.
    const std::optional<double> seconds =
        out.time.size() >= 10 && out.time[4] == '-' ? ParseTimestamp(out.time) : std::nullopt;
    if (!seconds || !(*seconds > -62135596800.0 && *seconds < 253402300800.0)) {
      return InvalidArgumentError("CloudEvents header 'ce-time' is " + QuoteForMessage(out.time) +
                                  ", not an RFC 3339 time");
    }
    out.time_us = std::llround(*seconds * 1e6);
  }
  return out;
}

Result<CloudEventKind> ClassifyCloudEventType(std::string_view type) {
  if (type == "org.kubeflow.serving.inference.request" ||
      type == "io.seldon.serving.inference.request") {
    return CloudEventKind::kInferenceRequest;
  }
  if (type == "org.kubeflow.serving.inference.response" ||
      type == "io.seldon.serving.inference.response") {
    return CloudEventKind::kInferenceResponse;
  }
  if (type == "io.seldon.serving.feedback") return CloudEventKind::kFeedback;
  return InvalidArgumentError("unsupported CloudEvents type " + QuoteForMessage(type) +
                              " (expected org.kubeflow.serving.inference.request or .response, "
                              "io.seldon.serving.inference.request or .response, or "
                              "io.seldon.serving.feedback)");
}

// --- Tensors ---

std::string_view TensorDataTypeName(TensorDataType type) { return Info(type).name; }

size_t Tensor::columns() const {
  size_t n = 1;
  for (size_t i = 1; i < shape.size(); ++i) n *= static_cast<size_t>(shape[i]);
  return n;
}

EventValue Tensor::ValueAt(size_t i) const {
  if (datatype == TensorDataType::kBytes) return EventValue::String(strings[i]);
  if (datatype == TensorDataType::kBool) return EventValue::Bool(numbers[i] != 0);
  return EventValue::Number(numbers[i]);
}

Result<InferenceRequest> ParseInferenceRequest(std::string_view body, const ParseLimits& limits) {
  const ParsedBody parsed(body);
  InferenceRequest request;
  bool has_inputs = false;
  MW_RETURN_IF_ERROR(VisitRoot(
      parsed, "request", {"id", "inputs", "instances"},
      [&](std::string_view key, dom::element value) -> Status {
        if (key == "id") {
          MW_ASSIGN_OR_RETURN(request.id, ParseId(value));
          return Status::Ok();
        }
        if (has_inputs) {
          return InvalidArgumentError("request has both 'inputs' (V2) and 'instances' (V1)");
        }
        has_inputs = true;
        if (key == "inputs") {
          if (value.is_object()) {
            return InvalidArgumentError(
                "field 'inputs' is an object (V1 columnar format), which is not supported; send "
                "'instances' or V2 tensors");
          }
          MW_ASSIGN_OR_RETURN(request.inputs, ParseTensors(value, "input", limits));
          return Status::Ok();
        }
        MW_ASSIGN_OR_RETURN(Tensor tensor, ParseV1Rows(value, "instances", limits));
        request.inputs.push_back(std::move(tensor));
        return Status::Ok();
      }));
  if (!has_inputs) {
    return InvalidArgumentError("request has neither 'inputs' (V2) nor 'instances' (V1)");
  }
  return request;
}

Result<InferenceResponse> ParseInferenceResponse(std::string_view body, const ParseLimits& limits) {
  const ParsedBody parsed(body);
  InferenceResponse response;
  bool has_outputs = false;
  std::string error;
  MW_RETURN_IF_ERROR(VisitRoot(
      parsed, "response", {"id", "model_name", "model_version", "outputs", "predictions", "error"},
      [&](std::string_view key, dom::element value) -> Status {
        if (key == "id") {
          MW_ASSIGN_OR_RETURN(response.id, ParseId(value));
          return Status::Ok();
        }
        if (key == "model_name" || key == "model_version") {
          std::string_view text;
          if (value.get_string().get(text) != simdjson::SUCCESS) {
            return InvalidArgumentError("field '" + std::string(key) + "' must be a string");
          }
          (key == "model_name" ? response.model_name : response.model_version) = text;
          return Status::Ok();
        }
        if (key == "error") {
          std::string_view text;
          error = value.get_string().get(text) == simdjson::SUCCESS ? std::string(text)
                                                                    : "(not a string)";
          return Status::Ok();
        }
        if (has_outputs) {
          return InvalidArgumentError("response has both 'outputs' (V2) and 'predictions' (V1)");
        }
        has_outputs = true;
        if (key == "outputs") {
          MW_ASSIGN_OR_RETURN(response.outputs, ParseTensors(value, "output", limits));
          return Status::Ok();
        }
        MW_ASSIGN_OR_RETURN(Tensor tensor, ParseV1Rows(value, "predictions", limits));
        response.outputs.push_back(std::move(tensor));
        return Status::Ok();
      }));
  if (!has_outputs) {
    if (!error.empty()) {
      return InvalidArgumentError("the response is an error: " + QuoteForMessage(error));
    }
    return InvalidArgumentError("response has neither 'outputs' (V2) nor 'predictions' (V1)");
  }
  return response;
}

// --- Join ---

Result<std::vector<PredictionEvent>> JoinKServe(const InferenceRequest& request,
                                                const InferenceResponse& response,
                                                const KServeMapping& mapping,
                                                const KServeEventContext& context,
                                                const ParseLimits& limits) {
  using Output = KServeMapping::Output;
  // The input tensors.
  std::vector<const Tensor*> inputs;
  if (mapping.input_name == "*") {
    for (const Tensor& t : request.inputs) inputs.push_back(&t);
  } else if (!mapping.input_name.empty()) {
    for (const Tensor& t : request.inputs) {
      if (t.name == mapping.input_name) inputs.push_back(&t);
    }
    if (inputs.empty()) {
      return InvalidArgumentError("request has no input " + QuoteForMessage(mapping.input_name) +
                                  " (inputs: " + Names(request.inputs) + ")");
    }
  } else if (!request.inputs.empty()) {
    inputs.push_back(&request.inputs.front());
  }
  if (inputs.empty()) return InvalidArgumentError("request has no inputs");
  const size_t rows = inputs.front()->rows();
  size_t columns = 0;
  for (const Tensor* t : inputs) {
    if (t->rows() != rows) {
      return InvalidArgumentError("input " + QuoteForMessage(t->name) + " has " +
                                  std::to_string(t->rows()) + " rows but input " +
                                  QuoteForMessage(inputs.front()->name) + " has " +
                                  std::to_string(rows));
    }
    columns += t->columns();
  }
  if (rows > limits.max_records) {
    return ResourceExhaustedError("batch has more than " + std::to_string(limits.max_records) +
                                  " records");
  }
  if (columns > limits.max_features) {
    return ResourceExhaustedError("the inputs have " + std::to_string(columns) +
                                  " columns, more than the limit of " +
                                  std::to_string(limits.max_features) + " features");
  }
  if (!mapping.inputs.empty() && mapping.inputs.size() != columns) {
    return InvalidArgumentError("the mapping names " + std::to_string(mapping.inputs.size()) +
                                " inputs but input " +
                                (inputs.size() == 1 ? QuoteForMessage(inputs.front()->name)
                                                    : std::string("tensors together")) +
                                " has " + std::to_string(columns) + " columns");
  }
  std::vector<std::string> names;
  names.reserve(columns);
  for (const Tensor* t : inputs) {
    const size_t n = t->columns();
    for (size_t j = 0; j < n; ++j) {
      names.push_back(!mapping.inputs.empty() ? mapping.inputs[names.size()]
                      : n == 1                ? t->name
                                              : t->name + "_" + std::to_string(j));
    }
  }

  // The output tensor.
  const Tensor* output = nullptr;
  for (const Tensor& t : response.outputs) {
    if (mapping.output_name.empty() || t.name == mapping.output_name) {
      output = &t;
      break;
    }
  }
  if (output == nullptr) {
    if (mapping.output_name.empty()) return InvalidArgumentError("response has no outputs");
    return InvalidArgumentError("response has no output " + QuoteForMessage(mapping.output_name) +
                                " (outputs: " + Names(response.outputs) + ")");
  }
  const std::string out_subject = "output " + QuoteForMessage(output->name);
  if (output->rows() != rows) {
    return InvalidArgumentError("request has " + std::to_string(rows) + " rows but " + out_subject +
                                " has " + std::to_string(output->rows()));
  }
  const size_t out_columns = output->columns();
  const bool numeric = output->datatype != TensorDataType::kBytes;
  const bool probabilities = mapping.output == Output::kProbabilities && out_columns > 1;
  const bool value_output =
      mapping.output == Output::kClass || (mapping.output == Output::kScore && mapping.regression);
  if (value_output) {
    if (out_columns != 1) {
      return InvalidArgumentError(out_subject + " has " + std::to_string(out_columns) +
                                  " columns; a " +
                                  (mapping.output == Output::kClass ? "class" : "regression") +
                                  " output needs one value per row");
    }
    if (mapping.output == Output::kScore && !numeric) {
      return InvalidArgumentError(out_subject + " is BYTES; regression values must be numbers");
    }
  } else {
    if (!numeric) {
      return InvalidArgumentError(out_subject + " is BYTES; " +
                                  (probabilities ? "probabilities" : "scores") +
                                  " must be numbers");
    }
    const size_t classes_needed = probabilities ? out_columns : 2;
    if (!mapping.classes.empty() && mapping.classes.size() != classes_needed) {
      return InvalidArgumentError("the mapping has " + std::to_string(mapping.classes.size()) +
                                  " classes but " + out_subject + " has " +
                                  std::to_string(out_columns) + " column" +
                                  (out_columns == 1 ? " (a score needs 2 classes)" : "s"));
    }
  }

  // Model, version, id.
  const std::string_view model = !context.model.empty() ? context.model : response.model_name;
  if (model.empty()) return InvalidArgumentError("no model name (the response names none)");
  const std::string_view version =
      !context.version.empty() ? context.version : response.model_version;
  if (!version.empty() && !IsValidName(version)) {
    return InvalidArgumentError("model version " + QuoteForMessage(version) +
                                ": must be 1-128 characters from [A-Za-z0-9_.:-]");
  }
  const std::string_view id = !context.id.empty()    ? context.id
                              : !response.id.empty() ? response.id
                                                     : request.id;
  if (id.empty()) return InvalidArgumentError("no id (no ce-id, and the bodies name none)");
  const size_t suffix = rows > 1 ? 1 + std::to_string(rows - 1).size() : 0;
  if (id.size() + suffix > kMaxIdBytes) {
    return InvalidArgumentError("id " + QuoteForMessage(id) + " is too long (" +
                                std::to_string(id.size()) + " bytes, at most " +
                                std::to_string(kMaxIdBytes - suffix) + " for this batch)");
  }
  for (const Tensor* t : inputs) {
    for (const std::string& s : t->strings) {
      if (s.size() > limits.max_string_bytes) {
        return ResourceExhaustedError("input " + QuoteForMessage(t->name) + " has a string of " +
                                      std::to_string(s.size()) + " bytes, more than the limit of " +
                                      std::to_string(limits.max_string_bytes));
      }
    }
  }
  for (const std::string& s : output->strings) {
    if (s.size() > limits.max_string_bytes) {
      return ResourceExhaustedError(out_subject + " has a string of " + std::to_string(s.size()) +
                                    " bytes, more than the limit of " +
                                    std::to_string(limits.max_string_bytes));
    }
  }

  std::vector<PredictionEvent> events(rows);
  for (size_t r = 0; r < rows; ++r) {
    PredictionEvent& e = events[r];
    e.model = std::string(model);
    e.version = std::string(version);
    e.id = rows == 1 ? std::string(id) : std::string(id) + "/" + std::to_string(r);
    e.ts_us = context.ts_us;
    e.features.reserve(columns);
    size_t name = 0;
    for (const Tensor* t : inputs) {
      const size_t n = t->columns();
      for (size_t j = 0; j < n; ++j) e.features.push_back({names[name++], t->ValueAt(r * n + j)});
    }
    const std::string row_subject = out_subject + " row " + std::to_string(r);
    if (value_output) {
      EventValue v = output->ValueAt(r);
      if (mapping.output == Output::kClass && !mapping.classes.empty() &&
          v.kind == EventValue::Kind::kNumber) {
        if (!IsInteger(v.number) || v.number < 0 ||
            v.number >= static_cast<double>(mapping.classes.size())) {
          return InvalidArgumentError(row_subject + ": class index " + NumberText(v.number) +
                                      " is not one of the " +
                                      std::to_string(mapping.classes.size()) + " classes");
        }
        v = ClassValue(mapping.classes[static_cast<size_t>(v.number)]);
      }
      e.prediction = std::move(v);
      continue;
    }
    const double* p = output->numbers.data() + r * out_columns;
    for (size_t j = 0; j < out_columns; ++j) {
      if (!(p[j] >= 0 && p[j] <= 1)) {
        return InvalidArgumentError(
            row_subject + ": " + (probabilities ? "probability " : "score ") + NumberText(p[j]) +
            " is not in [0,1]" + (probabilities ? " (logits? apply softmax first)" : ""));
      }
    }
    if (!probabilities) {  // one column: P(positive)
      e.score = p[0];
      e.prediction = ClassOfIndex(mapping.classes, p[0] > 0.5 ? 1 : 0);
      continue;
    }
    const size_t best = static_cast<size_t>(std::max_element(p, p + out_columns) - p);
    e.prediction = ClassOfIndex(mapping.classes, best);
    if (out_columns == 2) {
      e.score = p[1];
    } else {
      e.scores.reserve(out_columns);
      for (size_t j = 0; j < out_columns; ++j) {
        e.scores.emplace_back(ClassName(mapping.classes, j), p[j]);
      }
    }
  }
  return events;
}

}  // namespace modelwatch::server
