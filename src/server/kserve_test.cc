#include "modelwatch/server/kserve.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace modelwatch::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

using Headers = std::vector<std::pair<std::string_view, std::string_view>>;
using Output = KServeMapping::Output;

template <typename T>
Status Failure(const Result<T>& result) {
  EXPECT_FALSE(result.ok());
  return result.status();
}

InferenceRequest Request(std::string_view body) {
  auto r = ParseInferenceRequest(body, ParseLimits());
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : InferenceRequest();
}

InferenceResponse Response(std::string_view body) {
  auto r = ParseInferenceResponse(body, ParseLimits());
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : InferenceResponse();
}

std::string RequestError(std::string_view body) {
  const Status status = Failure(ParseInferenceRequest(body, ParseLimits()));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  return status.message();
}

// A V2 request with one FP32 input "input-0" of the given rows of 4 values.
constexpr std::string_view kIrisRequest =
    R"({"id":"r1","inputs":[{"name":"input-0","shape":[2,4],"datatype":"FP32",)"
    R"("data":[[6.8,2.8,4.8,1.4],[6.0,3.4,4.5,1.6]]}]})";

constexpr KServeEventContext kContext{"", "", "ce-42", 1'795'514'403'120'000};

// --- CloudEvents headers ---

TEST(CloudEventHeadersTest, KServeLoggerHeaders) {
  const Headers headers = {
      {"Content-Type", "application/json"},
      {"Ce-Specversion", "1.0"},
      {"Ce-Id", " 5a3d1c2e-request "},
      {"Ce-Type", "org.kubeflow.serving.inference.request"},
      {"Ce-Source", "http://localhost:9081/"},
      {"Ce-Time", "2026-11-24T10:00:03.12Z"},
      {"Ce-Inferenceservicename", "sklearn-iris"},
      {"ce-namespace", "default"},
      {"CE-COMPONENT", "predictor"},
      {"Ce-Endpoint", "default"},
      {"Ce-Metadata", "{}"},
      {"Ce-Modelid", "classifier"},
  };
  auto ce = ParseCloudEventHeaders(headers);
  ASSERT_TRUE(ce.ok()) << ce.status().ToString();
  EXPECT_EQ(ce->specversion, "1.0");
  EXPECT_EQ(ce->id, "5a3d1c2e-request");
  EXPECT_EQ(ce->type, "org.kubeflow.serving.inference.request");
  EXPECT_EQ(ce->source, "http://localhost:9081/");
  EXPECT_EQ(ce->time, "2026-11-24T10:00:03.12Z");
  EXPECT_EQ(ce->time_us, 1795514403120000);
  EXPECT_EQ(ce->inference_service_name, "sklearn-iris");
  EXPECT_EQ(ce->namespace_name, "default");
  EXPECT_EQ(ce->component, "predictor");
  EXPECT_EQ(ce->endpoint, "default");
  EXPECT_THAT(ce->extensions, ElementsAre(Pair("metadata", "{}"), Pair("modelid", "classifier")));
}

TEST(CloudEventHeadersTest, Errors) {
  EXPECT_EQ(Failure(ParseCloudEventHeaders(Headers{{"ce-type", "x"}})).message(),
            "CloudEvents header 'ce-id' is missing");
  EXPECT_EQ(Failure(ParseCloudEventHeaders(Headers{{"ce-id", "1"}, {"ce-type", ""}})).message(),
            "CloudEvents header 'ce-type' is missing");
  EXPECT_EQ(
      Failure(ParseCloudEventHeaders(Headers{{"ce-id", "1"}, {"Ce-Id", "2"}, {"ce-type", "t"}}))
          .message(),
      "CloudEvents header 'ce-id' appears twice");
  EXPECT_EQ(Failure(ParseCloudEventHeaders(
                        Headers{{"ce-id", "1"}, {"ce-type", "t"}, {"ce-time", "1795514403"}}))
                .message(),
            "CloudEvents header 'ce-time' is '1795514403', not an RFC 3339 time");
  auto minimal = ParseCloudEventHeaders(Headers{{"ce-id", "1"}, {"ce-type", "t"}, {"x-ce", "y"}});
  ASSERT_TRUE(minimal.ok());
  EXPECT_FALSE(minimal->time_us.has_value());
  EXPECT_TRUE(minimal->extensions.empty());
}

TEST(CloudEventTypeTest, Classifies) {
  EXPECT_EQ(*ClassifyCloudEventType("org.kubeflow.serving.inference.request"),
            CloudEventKind::kInferenceRequest);
  EXPECT_EQ(*ClassifyCloudEventType("org.kubeflow.serving.inference.response"),
            CloudEventKind::kInferenceResponse);
  EXPECT_EQ(*ClassifyCloudEventType("io.seldon.serving.inference.request"),
            CloudEventKind::kInferenceRequest);
  EXPECT_EQ(*ClassifyCloudEventType("io.seldon.serving.inference.response"),
            CloudEventKind::kInferenceResponse);
  EXPECT_EQ(*ClassifyCloudEventType("io.seldon.serving.feedback"), CloudEventKind::kFeedback);
  const Status status = Failure(ClassifyCloudEventType("com.example.other"));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("unsupported CloudEvents type 'com.example.other'"));
  EXPECT_FALSE(ClassifyCloudEventType("ORG.KUBEFLOW.SERVING.INFERENCE.REQUEST").ok());
}

// --- Requests and responses ---

TEST(InferenceRequestTest, V2NestedAndFlatData) {
  const InferenceRequest nested = Request(kIrisRequest);
  EXPECT_EQ(nested.id, "r1");
  ASSERT_EQ(nested.inputs.size(), 1u);
  const Tensor& t = nested.inputs[0];
  EXPECT_EQ(t.name, "input-0");
  EXPECT_THAT(t.shape, ElementsAre(2, 4));
  EXPECT_EQ(t.datatype, TensorDataType::kFp32);
  EXPECT_THAT(t.numbers, ElementsAre(6.8, 2.8, 4.8, 1.4, 6.0, 3.4, 4.5, 1.6));
  EXPECT_EQ(t.rows(), 2u);
  EXPECT_EQ(t.columns(), 4u);
  const InferenceRequest flat = Request(
      R"({"inputs":[{"name":"input-0","shape":[2,4],"datatype":"FP32","parameters":{},)"
      R"("data":[6.8,2.8,4.8,1.4,6.0,3.4,4.5,1.6]}],"outputs":[{"name":"p"}],"parameters":{}})");
  EXPECT_EQ(flat.inputs, nested.inputs);
  EXPECT_EQ(flat.id, "");
  EXPECT_EQ(Request(R"({"id":17,"inputs":[]})").id, "17");
}

TEST(InferenceRequestTest, Datatypes) {
  const InferenceRequest r =
      Request(R"({"inputs":[)"
              R"({"name":"b","shape":[2],"datatype":"BOOL","data":[true,false]},)"
              R"({"name":"u8","shape":[2],"datatype":"UINT8","data":[0,255]},)"
              R"({"name":"i8","shape":[2],"datatype":"INT8","data":[-128,127]},)"
              R"({"name":"i64","shape":[1],"datatype":"INT64","data":[-9007199254740993]},)"
              R"({"name":"u64","shape":[1],"datatype":"UINT64","data":[18446744073709551615]},)"
              R"({"name":"h","shape":[1],"datatype":"FP16","data":[0.5]},)"
              R"({"name":"d","shape":[],"datatype":"FP64","data":2.5},)"
              R"({"name":"s","shape":[2,1],"datatype":"BYTES","data":[["x"],["\u00e9"]]}]})");
  ASSERT_EQ(r.inputs.size(), 8u);
  EXPECT_THAT(r.inputs[0].numbers, ElementsAre(1, 0));
  EXPECT_EQ(r.inputs[0].ValueAt(0), EventValue::Bool(true));
  EXPECT_THAT(r.inputs[1].numbers, ElementsAre(0, 255));
  EXPECT_THAT(r.inputs[2].numbers, ElementsAre(-128, 127));
  EXPECT_EQ(r.inputs[3].numbers.size(), 1u);
  EXPECT_EQ(r.inputs[4].numbers.size(), 1u);
  EXPECT_EQ(r.inputs[5].datatype, TensorDataType::kFp16);
  EXPECT_THAT(r.inputs[6].shape, ElementsAre());
  EXPECT_THAT(r.inputs[6].numbers, ElementsAre(2.5));
  EXPECT_EQ(r.inputs[6].rows(), 1u);
  EXPECT_THAT(r.inputs[7].strings, ElementsAre("x", "\xC3\xA9"));
  EXPECT_EQ(r.inputs[7].ValueAt(1), EventValue::String("\xC3\xA9"));
  EXPECT_EQ(TensorDataTypeName(TensorDataType::kUint16), "UINT16");
}

TEST(InferenceRequestTest, TensorErrors) {
  EXPECT_EQ(RequestError(R"({"inputs":[{"name":"x","shape":[2,4],"datatype":"FP32",)"
                         R"("data":[1,2,3,4,5,6]}]})"),
            "input 'x': shape [2,4] needs 8 elements, data has 6");
  EXPECT_EQ(RequestError(R"({"inputs":[{"name":"x","shape":[1],"datatype":"FP33","data":[1]}]})"),
            "input 'x': datatype 'FP33' is not supported (BOOL, UINT8-64, INT8-64, FP16, FP32, "
            "FP64, BYTES)");
  EXPECT_EQ(
      RequestError(R"({"inputs":[{"name":"x","shape":[2],"datatype":"INT8","data":[1,128]}]})"),
      "input 'x': element 1 is 128, outside the range of INT8");
  EXPECT_EQ(
      RequestError(R"({"inputs":[{"name":"x","shape":[2],"datatype":"INT32","data":[1,1.5]}]})"),
      "input 'x': element 1 is 1.5, not an integer (datatype INT32)");
  EXPECT_EQ(
      RequestError(R"({"inputs":[{"name":"x","shape":[1],"datatype":"UINT16","data":[-1]}]})"),
      "input 'x': element 0 is -1, outside the range of UINT16");
  EXPECT_EQ(RequestError(R"({"inputs":[{"name":"x","shape":[1],"datatype":"BYTES","data":[1]}]})"),
            "input 'x': element 0 must be a string (datatype BYTES)");
  EXPECT_EQ(RequestError(R"({"inputs":[{"name":"x","shape":[1],"datatype":"BOOL","data":[1]}]})"),
            "input 'x': element 0 must be true or false (datatype BOOL)");
  EXPECT_EQ(
      RequestError(R"({"inputs":[{"name":"x","shape":[2],"datatype":"FP32","data":[1,"2"]}]})"),
      "input 'x': element 1 must be a number (datatype FP32)");
  EXPECT_EQ(RequestError(R"({"inputs":[{"name":"x","shape":[3],"datatype":"FP32",)"
                         R"("parameters":{"binary_data_size":12}}]})"),
            "input 'x': binary tensor data (binary_data_size) is not supported; send the data as "
            "JSON");
  EXPECT_EQ(RequestError(R"({"inputs":[{"shape":[1],"datatype":"FP32","data":[1]}]})"),
            "inputs[0]: field 'name' is missing");
  EXPECT_EQ(RequestError(R"({"inputs":[{"name":"x","datatype":"FP32","data":[1]}]})"),
            "input 'x': field 'shape' is missing");
  EXPECT_EQ(RequestError(R"({"inputs":[{"name":"x","shape":[1],"data":[1]}]})"),
            "input 'x': field 'datatype' is missing");
  EXPECT_EQ(RequestError(R"({"inputs":[{"name":"x","shape":[1],"datatype":"FP32"}]})"),
            "input 'x': field 'data' is missing");
  EXPECT_EQ(RequestError(R"({"inputs":[{"name":"x","shape":[-1],"datatype":"FP32","data":[]}]})"),
            "input 'x': field 'shape' must be an array of integers >= 0");
  EXPECT_EQ(RequestError(R"({"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1]},)"
                         R"({"name":"x","shape":[1],"datatype":"FP32","data":[1]}]})"),
            "input 'x' appears twice");
  EXPECT_EQ(RequestError(R"({"inputs":[1]})"), "inputs[0] must be an object");
  EXPECT_EQ(RequestError(R"({"id":"a"})"),
            "request has neither 'inputs' (V2) nor 'instances' (V1)");
  EXPECT_EQ(RequestError(R"({"inputs":{"x":[1]}})"),
            "field 'inputs' is an object (V1 columnar format), which is not supported; send "
            "'instances' or V2 tensors");
  EXPECT_EQ(RequestError(R"([1])"), "request body must be a JSON object");
  EXPECT_EQ(RequestError(R"({"inputs":[],"inputs":[]})"), "field 'inputs' appears twice");
  EXPECT_EQ(RequestError(R"({"inputs":[)"),
            "invalid JSON: bad structure (check commas, colons, "
            "quotes, braces and brackets)");
  EXPECT_EQ(RequestError("{\"id\":\"\xFF\",\"inputs\":[]}"), "invalid JSON: invalid UTF-8");
  EXPECT_EQ(RequestError(""), "invalid JSON: body is empty");
}

TEST(InferenceRequestTest, ElementLimit) {
  ParseLimits limits;
  limits.max_records = 2;
  limits.max_features = 2;
  EXPECT_TRUE(
      ParseInferenceRequest(
          R"({"inputs":[{"name":"x","shape":[2,2],"datatype":"FP32","data":[1,2,3,4]}]})", limits)
          .ok());
  const Status status = Failure(ParseInferenceRequest(
      R"({"inputs":[{"name":"x","shape":[5],"datatype":"FP32","data":[1,2,3,4,5]}]})", limits));
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(status.message(), "input 'x' has more than 4 elements");
  // A shape whose product overflows.
  EXPECT_EQ(
      Failure(ParseInferenceRequest(R"({"inputs":[{"name":"x","shape":[4294967296,4294967296,16],)"
                                    R"("datatype":"FP32","data":[1]}]})",
                                    limits))
          .message(),
      "input 'x': shape [4294967296,4294967296,16] needs more than 4 elements, data has 1");
}

TEST(InferenceRequestTest, V1Instances) {
  const InferenceRequest r = Request(R"({"instances":[[6.8,2.8,4.8,1.4],[6.0,3.4,4.5,1.6]]})");
  ASSERT_EQ(r.inputs.size(), 1u);
  EXPECT_EQ(r.inputs[0].name, "instances");
  EXPECT_THAT(r.inputs[0].shape, ElementsAre(2, 4));
  EXPECT_EQ(r.inputs[0].datatype, TensorDataType::kFp64);
  const InferenceRequest scalars = Request(R"({"instances":["a","b","c"]})");
  EXPECT_THAT(scalars.inputs[0].shape, ElementsAre(3));
  EXPECT_EQ(scalars.inputs[0].datatype, TensorDataType::kBytes);
  const InferenceRequest images = Request(R"({"instances":[[[1,2],[3,4]],[[5,6],[7,8]]]})");
  EXPECT_THAT(images.inputs[0].shape, ElementsAre(2, 4));
  EXPECT_EQ(RequestError(R"({"instances":[[1,2],[3]]})"),
            "field 'instances': row 1 has 1 values, row 0 has 2");
  EXPECT_EQ(RequestError(R"({"instances":[{"a":1}]})"),
            "field 'instances': row 0 is an object; only rows of values (arrays or scalars) are "
            "supported");
  EXPECT_EQ(RequestError(R"({"instances":[[1,"a"]]})"),
            "field 'instances' row 0: element 1 must be a number (datatype FP64)");
  EXPECT_EQ(RequestError(R"({"instances":[1],"inputs":[]})"),
            "request has both 'inputs' (V2) and 'instances' (V1)");
}

TEST(InferenceResponseTest, V2AndV1) {
  const InferenceResponse v2 =
      Response(R"({"model_name":"sklearn-iris","model_version":"v3","id":"r1","parameters":null,)"
               R"("outputs":[{"name":"predict","shape":[2],"datatype":"INT64","data":[1,2]}]})");
  EXPECT_EQ(v2.model_name, "sklearn-iris");
  EXPECT_EQ(v2.model_version, "v3");
  EXPECT_EQ(v2.id, "r1");
  ASSERT_EQ(v2.outputs.size(), 1u);
  EXPECT_THAT(v2.outputs[0].numbers, ElementsAre(1, 2));
  const InferenceResponse v1 = Response(R"({"predictions":[[0.1,0.9],[0.8,0.2]]})");
  ASSERT_EQ(v1.outputs.size(), 1u);
  EXPECT_EQ(v1.outputs[0].name, "predictions");
  EXPECT_THAT(v1.outputs[0].shape, ElementsAre(2, 2));
  EXPECT_EQ(
      Failure(ParseInferenceResponse(R"({"error":"model not loaded"})", ParseLimits())).message(),
      "the response is an error: 'model not loaded'");
  EXPECT_EQ(Failure(ParseInferenceResponse(R"({"model_name":"m"})", ParseLimits())).message(),
            "response has neither 'outputs' (V2) nor 'predictions' (V1)");
  EXPECT_EQ(
      Failure(ParseInferenceResponse(R"({"model_name":1,"outputs":[]})", ParseLimits())).message(),
      "field 'model_name' must be a string");
}

// --- Join ---

TEST(JoinKServeTest, BinaryProbabilities) {
  const InferenceRequest request = Request(kIrisRequest);
  const InferenceResponse response = Response(
      R"({"model_name":"fraud","model_version":"v7","outputs":[)"
      R"({"name":"predict_proba","shape":[2,2],"datatype":"FP64","data":[[0.3,0.7],[0.5,0.5]]}]})");
  KServeMapping mapping;
  mapping.inputs = {"a", "b", "c", "d"};
  mapping.output = Output::kProbabilities;
  mapping.classes = {"legit", "fraud"};
  auto events = JoinKServe(request, response, mapping, kContext, ParseLimits());
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 2u);
  const PredictionEvent& e = (*events)[0];
  EXPECT_EQ(e.model, "fraud");
  EXPECT_EQ(e.version, "v7");
  EXPECT_EQ(e.id, "ce-42/0");
  EXPECT_EQ(e.ts_us, 1795514403120000);
  ASSERT_EQ(e.features.size(), 4u);
  EXPECT_EQ(e.features[0].name, "a");
  EXPECT_EQ(e.features[3].name, "d");
  EXPECT_FLOAT_EQ(static_cast<float>(e.features[0].value.number), 6.8f);
  EXPECT_DOUBLE_EQ(*e.score, 0.7);
  EXPECT_EQ(e.prediction, EventValue::String("fraud"));
  EXPECT_TRUE(e.scores.empty());
  EXPECT_TRUE(e.label.is_null());
  const PredictionEvent& tie = (*events)[1];
  EXPECT_EQ(tie.id, "ce-42/1");
  EXPECT_DOUBLE_EQ(*tie.score, 0.5);
  EXPECT_EQ(tie.prediction, EventValue::String("legit"));  // ties: the first class
}

TEST(JoinKServeTest, MulticlassProbabilities) {
  const InferenceRequest request = Request(kIrisRequest);
  const InferenceResponse response =
      Response(R"({"model_name":"iris","outputs":[{"name":"proba","shape":[2,3],"datatype":"FP32",)"
               R"("data":[0.1,0.2,0.7, 0.6,0.3,0.1]}]})");
  KServeMapping mapping;
  mapping.output = Output::kProbabilities;
  mapping.classes = {"setosa", "versicolor", "virginica"};
  auto events = JoinKServe(request, response, mapping, kContext, ParseLimits());
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  const PredictionEvent& e = (*events)[0];
  EXPECT_EQ(e.model, "iris");
  EXPECT_EQ(e.version, "");
  EXPECT_EQ(e.prediction, EventValue::String("virginica"));
  EXPECT_FALSE(e.score.has_value());
  ASSERT_EQ(e.scores.size(), 3u);
  EXPECT_EQ(e.scores[0].first, "setosa");
  EXPECT_FLOAT_EQ(static_cast<float>(e.scores[2].second), 0.7f);
  // Default feature names; without classes, classes are the column indices.
  EXPECT_EQ(e.features[0].name, "input-0_0");
  EXPECT_EQ(e.features[3].name, "input-0_3");
  mapping.classes.clear();
  events = JoinKServe(request, response, mapping, kContext, ParseLimits());
  ASSERT_TRUE(events.ok());
  EXPECT_EQ((*events)[1].prediction, EventValue::Number(0));
  EXPECT_THAT((*events)[1].scores[1].first, "1");
  // Numeric class labels are numbers.
  mapping.classes = {"10", "20", "30"};
  events = JoinKServe(request, response, mapping, kContext, ParseLimits());
  ASSERT_TRUE(events.ok());
  EXPECT_EQ((*events)[0].prediction, EventValue::Number(30));
}

TEST(JoinKServeTest, ClassOutput) {
  const InferenceRequest request = Request(kIrisRequest);
  const InferenceResponse response = Response(
      R"({"model_name":"iris","outputs":[{"name":"predict","shape":[2],"datatype":"INT64",)"
      R"("data":[2,0]}]})");
  KServeMapping mapping;
  mapping.output = Output::kClass;
  auto events = JoinKServe(request, response, mapping, kContext, ParseLimits());
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  EXPECT_EQ((*events)[0].prediction, EventValue::Number(2));
  EXPECT_FALSE((*events)[0].score.has_value());
  mapping.classes = {"setosa", "versicolor", "virginica"};
  events = JoinKServe(request, response, mapping, kContext, ParseLimits());
  ASSERT_TRUE(events.ok());
  EXPECT_EQ((*events)[0].prediction, EventValue::String("virginica"));
  EXPECT_EQ((*events)[1].prediction, EventValue::String("setosa"));
  mapping.classes = {"setosa", "versicolor"};
  EXPECT_EQ(Failure(JoinKServe(request, response, mapping, kContext, ParseLimits())).message(),
            "output 'predict' row 0: class index 2 is not one of the 2 classes");
  // String classes and regression values come as they are.
  mapping.classes.clear();
  events = JoinKServe(
      request,
      Response(R"({"outputs":[{"name":"y","shape":[2,1],"datatype":"BYTES","data":["a","b"]}]})"),
      mapping, KServeEventContext{"m", "", "x", 0}, ParseLimits());
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  EXPECT_EQ((*events)[1].prediction, EventValue::String("b"));
  events = JoinKServe(
      request,
      Response(R"({"outputs":[{"name":"y","shape":[2],"datatype":"FP64","data":[1.25,-3]}]})"),
      mapping, KServeEventContext{"m", "", "x", 0}, ParseLimits());
  ASSERT_TRUE(events.ok());
  EXPECT_EQ((*events)[1].prediction, EventValue::Number(-3));
  EXPECT_EQ(Failure(JoinKServe(request,
                               Response(R"({"outputs":[{"name":"y","shape":[2,2],"datatype":)"
                                        R"("FP64","data":[1,2,3,4]}]})"),
                               mapping, KServeEventContext{"m", "", "x", 0}, ParseLimits()))
                .message(),
            "output 'y' has 2 columns; a class output needs one value per row");
}

TEST(JoinKServeTest, ScoreOutput) {
  const InferenceRequest request =
      Request(R"({"inputs":[{"name":"x","shape":[3,1],"datatype":"FP32","data":[[1],[2],[3]]}]})");
  const InferenceResponse response =
      Response(R"({"outputs":[{"name":"p","shape":[3,1],"datatype":"FP32","data":[0.5,0.75,0]}]})");
  KServeMapping mapping;
  mapping.output = Output::kScore;
  auto events =
      JoinKServe(request, response, mapping, KServeEventContext{"m", "", "id", 0}, ParseLimits());
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].features[0].name, "x");  // a one-column tensor names its feature
  EXPECT_EQ(*(*events)[0].score, 0.5);
  EXPECT_EQ((*events)[0].prediction, EventValue::Number(0));  // 0.5 is not > 0.5
  EXPECT_EQ((*events)[1].prediction, EventValue::Number(1));
  mapping.classes = {"no", "yes"};
  events =
      JoinKServe(request, response, mapping, KServeEventContext{"m", "", "id", 0}, ParseLimits());
  ASSERT_TRUE(events.ok());
  EXPECT_EQ((*events)[1].prediction, EventValue::String("yes"));
  // One probability column is the same as a score.
  mapping.output = Output::kProbabilities;
  auto same =
      JoinKServe(request, response, mapping, KServeEventContext{"m", "", "id", 0}, ParseLimits());
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(*same, *events);
  // A regressor's score is its predicted value.
  KServeMapping regression;
  regression.output = Output::kScore;
  regression.regression = true;
  auto values = JoinKServe(
      request,
      Response(R"({"outputs":[{"name":"y","shape":[3],"datatype":"FP32","data":[-2.5,0,1e6]}]})"),
      regression, KServeEventContext{"m", "", "id", 0}, ParseLimits());
  ASSERT_TRUE(values.ok()) << values.status().ToString();
  EXPECT_EQ((*values)[0].prediction, EventValue::Number(-2.5));
  EXPECT_EQ((*values)[2].prediction, EventValue::Number(1e6));
  EXPECT_FALSE((*values)[0].score.has_value());
  EXPECT_EQ(
      Failure(JoinKServe(request,
                         Response(R"({"outputs":[{"name":"y","shape":[3,2],"datatype":"FP32",)"
                                  R"("data":[1,2,3,4,5,6]}]})"),
                         regression, KServeEventContext{"m", "", "id", 0}, ParseLimits()))
          .message(),
      "output 'y' has 2 columns; a regression output needs one value per row");
  mapping.classes = {"a", "b", "c"};
  EXPECT_EQ(Failure(JoinKServe(request, response, mapping, KServeEventContext{"m", "", "id", 0},
                               ParseLimits()))
                .message(),
            "the mapping has 3 classes but output 'p' has 1 column (a score needs 2 classes)");
}

TEST(JoinKServeTest, BytesInputsAndAllInputs) {
  const InferenceRequest request =
      Request(R"({"id":"req-9","inputs":[)"
              R"({"name":"age","shape":[2],"datatype":"INT64","data":[31,47]},)"
              R"({"name":"city","shape":[2,1],"datatype":"BYTES","data":["Berlin","Paris"]},)"
              R"({"name":"vip","shape":[2],"datatype":"BOOL","data":[true,false]}]})");
  const InferenceResponse response =
      Response(R"({"outputs":[{"name":"y","shape":[2],"datatype":"BYTES","data":["a","b"]}]})");
  KServeMapping mapping;
  mapping.input_name = "*";
  auto events =
      JoinKServe(request, response, mapping, KServeEventContext{"m", "", "", 0}, ParseLimits());
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[1].id, "req-9/1");  // no ce-id: the request's id
  EXPECT_EQ((*events)[1].features, (std::vector<Feature>{{"age", EventValue::Number(47)},
                                                         {"city", EventValue::String("Paris")},
                                                         {"vip", EventValue::Bool(false)}}));
  mapping.input_name = "city";
  mapping.inputs = {"town"};
  events =
      JoinKServe(request, response, mapping, KServeEventContext{"m", "", "", 0}, ParseLimits());
  ASSERT_TRUE(events.ok());
  EXPECT_EQ((*events)[0].features, (std::vector<Feature>{{"town", EventValue::String("Berlin")}}));
  mapping.input_name = "zip";
  EXPECT_EQ(Failure(JoinKServe(request, response, mapping, KServeEventContext{"m", "", "", 0},
                               ParseLimits()))
                .message(),
            "request has no input 'zip' (inputs: 'age', 'city', 'vip')");
}

TEST(JoinKServeTest, BatchOfOneKeepsTheId) {
  const InferenceRequest request =
      Request(R"({"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]})");
  const InferenceResponse response =
      Response(R"({"model_name":"m","outputs":[{"name":"p","shape":[1,2],"datatype":"FP32",)"
               R"("data":[0.25,0.75]}]})");
  KServeMapping mapping;
  mapping.output = Output::kProbabilities;
  auto events = JoinKServe(request, response, mapping, kContext, ParseLimits());
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().id, "ce-42");
  EXPECT_EQ(events->front().prediction, EventValue::Number(1));
}

TEST(JoinKServeTest, V1Payloads) {
  const InferenceRequest request =
      Request(R"({"instances":[[6.8,2.8,4.8,1.4],[6.0,3.4,4.5,1.6]]})");
  const InferenceResponse response = Response(R"({"predictions":[1,1]})");
  KServeMapping mapping;
  mapping.inputs = {"sepal_length", "sepal_width", "petal_length", "petal_width"};
  mapping.classes = {"setosa", "versicolor", "virginica"};
  auto events = JoinKServe(request, response, mapping,
                           KServeEventContext{"sklearn-iris", "", "ce-1", 0}, ParseLimits());
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].features[2], (Feature{"petal_length", EventValue::Number(4.8)}));
  EXPECT_EQ((*events)[0].prediction, EventValue::String("versicolor"));
}

TEST(JoinKServeTest, Errors) {
  const InferenceRequest request = Request(kIrisRequest);
  KServeMapping mapping;
  mapping.output = Output::kProbabilities;
  const auto join = [&](std::string_view response, const KServeMapping& m,
                        const KServeEventContext& context = kContext) {
    return Failure(JoinKServe(request, Response(response), m, context, ParseLimits()));
  };
  constexpr std::string_view kThreeRows =
      R"({"model_name":"m","outputs":[{"name":"predict","shape":[3,2],"datatype":"FP32",)"
      R"("data":[0,1,0,1,0,1]}]})";
  EXPECT_EQ(join(kThreeRows, mapping).message(), "request has 2 rows but output 'predict' has 3");
  constexpr std::string_view kGood =
      R"({"model_name":"m","outputs":[{"name":"p","shape":[2,2],"datatype":"FP32",)"
      R"("data":[0,1,0.5,0.5]}]})";
  KServeMapping named = mapping;
  named.output_name = "proba";
  EXPECT_EQ(join(kGood, named).message(), "response has no output 'proba' (outputs: 'p')");
  KServeMapping three = mapping;
  three.inputs = {"a", "b", "c"};
  EXPECT_EQ(join(kGood, three).message(),
            "the mapping names 3 inputs but input 'input-0' has 4 columns");
  KServeMapping classes = mapping;
  classes.classes = {"a", "b", "c"};
  EXPECT_EQ(join(kGood, classes).message(),
            "the mapping has 3 classes but output 'p' has 2 columns");
  EXPECT_EQ(join(R"({"model_name":"m","outputs":[{"name":"p","shape":[2,2],"datatype":"FP32",)"
                 R"("data":[-1.2,3.4,0.5,0.5]}]})",
                 mapping)
                .message(),
            "output 'p' row 0: probability -1.2 is not in [0,1] (logits? apply softmax first)");
  EXPECT_EQ(join(R"({"model_name":"m","outputs":[{"name":"p","shape":[2,2],"datatype":"BYTES",)"
                 R"("data":["a","b","c","d"]}]})",
                 mapping)
                .message(),
            "output 'p' is BYTES; probabilities must be numbers");
  EXPECT_EQ(join(R"({"outputs":[{"name":"p","shape":[2,2],"datatype":"FP32","data":[0,1,0,1]}]})",
                 mapping)
                .message(),
            "no model name (the response names none)");
  EXPECT_EQ(join(R"({"model_name":"m","model_version":"v 1","outputs":[{"name":"p","shape":[2,2],)"
                 R"("datatype":"FP32","data":[0,1,0,1]}]})",
                 mapping)
                .message(),
            "model version 'v 1': must be 1-128 characters from [A-Za-z0-9_.:-]");
  EXPECT_EQ(join(R"({"model_name":"m","outputs":[]})", mapping).message(),
            "response has no outputs");
  EXPECT_EQ(
      Failure(JoinKServe(InferenceRequest(), Response(kGood), mapping, kContext, ParseLimits()))
          .message(),
      "request has no inputs");
  const InferenceRequest no_id =
      Request(R"({"inputs":[{"name":"x","shape":[2],"datatype":"FP32","data":[1,2]}]})");
  EXPECT_EQ(
      Failure(JoinKServe(no_id, Response(kGood), mapping, KServeEventContext{}, ParseLimits()))
          .message(),
      "no id (no ce-id, and the bodies name none)");
  const InferenceRequest ragged =
      Request(R"({"inputs":[{"name":"x","shape":[2],"datatype":"FP32","data":[1,2]},)"
              R"({"name":"y","shape":[3],"datatype":"FP32","data":[1,2,3]}]})");
  KServeMapping all = mapping;
  all.input_name = "*";
  EXPECT_EQ(Failure(JoinKServe(ragged, Response(kGood), all, kContext, ParseLimits())).message(),
            "input 'y' has 3 rows but input 'x' has 2");
  const std::string long_id(255, 'i');
  EXPECT_THAT(Failure(JoinKServe(request, Response(kGood), mapping,
                                 KServeEventContext{"m", "", long_id, 0}, ParseLimits()))
                  .message(),
              HasSubstr("is too long (255 bytes, at most 254 for this batch)"));
}

TEST(JoinKServeTest, Limits) {
  const InferenceRequest request = Request(kIrisRequest);
  const InferenceResponse response = Response(
      R"({"model_name":"m","outputs":[{"name":"p","shape":[2],"datatype":"FP32","data":[0,1]}]})");
  KServeMapping mapping;
  ParseLimits limits;
  limits.max_records = 1;
  Status status = Failure(JoinKServe(request, response, mapping, kContext, limits));
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(status.message(), "batch has more than 1 records");
  limits = ParseLimits();
  limits.max_features = 3;
  status = Failure(JoinKServe(request, response, mapping, kContext, limits));
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(status.message(), "the inputs have 4 columns, more than the limit of 3 features");
  limits = ParseLimits();
  limits.max_string_bytes = 1;
  status = Failure(JoinKServe(
      request,
      Response(R"({"model_name":"m","outputs":[{"name":"y","shape":[2],"datatype":"BYTES",)"
               R"("data":["a","bb"]}]})"),
      mapping, kContext, limits));
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(status.message(), "output 'y' has a string of 2 bytes, more than the limit of 1");
}

}  // namespace
}  // namespace modelwatch::server
