// Pressure stall information (PSI): /proc/pressure/{cpu,memory,io} and a cgroup v2 group's
// {cpu,memory,io}.pressure (Documentation/accounting/psi.rst), e.g.
//   some avg10=1.71 avg60=0.52 avg300=1.68 total=11497847416
//   full avg10=0.00 avg60=0.00 avg300=0.00 total=0
// "some": share of wall time in which at least one task was stalled on the resource; "full":
// share in which all non-idle tasks were stalled at once (no progress at all).
//
// Units: avg10/avg60/avg300 are percentages (0-100) averaged over 10 s, 60 s and 300 s; total is
// the cumulative stall time in microseconds (a counter: rate it for "stalled seconds per
// second"). The "full" line of the system-wide cpu file appears only from Linux 5.13 (it is
// always 0 there); the irq file has only "full" and is not parsed here.
// Errors: kInvalidArgument naming "<source>:<line>" when the "some" line is missing, a line is
// not "<some|full> avg10=N avg60=N avg300=N total=N" in that order, an average is not a number
// in [0, 100], or a line is repeated. Thread safety: pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "modelwatch/core/status.h"

namespace modelwatch {

struct PressureLine {
  double avg10 = 0.0;   // percent of wall time
  double avg60 = 0.0;   // percent of wall time
  double avg300 = 0.0;  // percent of wall time
  uint64_t total_micros = 0;
};

struct Pressure {
  PressureLine some;
  std::optional<PressureLine> full;  // absent in /proc/pressure/cpu before Linux 5.13
};

Result<Pressure> ParsePressure(std::string_view text, std::string_view source);

}  // namespace modelwatch
