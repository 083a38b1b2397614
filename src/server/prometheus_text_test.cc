#include "modelwatch/server/prometheus_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace modelwatch::server {
namespace {

TEST(PrometheusTextTest, FamiliesSamplesAndEscaping) {
  PrometheusText t;
  t.Family("modelwatch_events_total", PrometheusText::Type::kCounter,
           "Prediction events accepted.\nPer model.");
  t.Sample("modelwatch_events_total", {{"model", "fraud"}, {"version", "v\"7\\"}}, 12);
  t.Family("modelwatch_up", PrometheusText::Type::kGauge, "1 when up");
  t.Sample("modelwatch_up", {}, 1);
  t.Sample("modelwatch_up", {{"x", "line\nbreak"}}, 0.25);
  EXPECT_EQ(t.str(),
            "# HELP modelwatch_events_total Prediction events accepted.\\nPer model.\n"
            "# TYPE modelwatch_events_total counter\n"
            "modelwatch_events_total{model=\"fraud\",version=\"v\\\"7\\\\\"} 12\n"
            "# HELP modelwatch_up 1 when up\n"
            "# TYPE modelwatch_up gauge\n"
            "modelwatch_up 1\n"
            "modelwatch_up{x=\"line\\nbreak\"} 0.25\n");
}

TEST(PrometheusTextTest, SpecialValues) {
  PrometheusText t;
  t.Sample("a", {}, std::numeric_limits<double>::quiet_NaN());
  t.Sample("b", {}, std::numeric_limits<double>::infinity());
  t.Sample("c", {}, -std::numeric_limits<double>::infinity());
  t.Sample("d", {}, 1e-300);
  EXPECT_EQ(t.str(), "a NaN\nb +Inf\nc -Inf\nd 1e-300\n");
}

}  // namespace
}  // namespace modelwatch::server
