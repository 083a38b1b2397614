#include "modelwatch/core/hyperloglog.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "modelwatch/core/byte_codec.h"

namespace modelwatch {
namespace {

constexpr std::string_view kContext = "hyperloglog sketch";

// Register encodings in the payload. The writer picks the shorter one (sparse on a tie is
// impossible: it is chosen only when strictly shorter), so each sketch has one encoding.
constexpr uint8_t kDense = 0;
constexpr uint8_t kSparse = 1;

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Size of the sparse encoding's body: count, then (gap, value) per non-zero register, where gap
// is the number of zero registers skipped since the previous non-zero one.
size_t SparseBodySize(const std::vector<uint8_t>& registers) {
  size_t nonzero = 0;
  size_t bytes = 0;
  size_t previous_end = 0;  // index just after the previous non-zero register
  for (size_t i = 0; i < registers.size(); ++i) {
    if (registers[i] == 0) continue;
    ++nonzero;
    bytes += VarintSize(i - previous_end) + 1;
    previous_end = i + 1;
  }
  return VarintSize(nonzero) + bytes;
}

// sigma(x) = x + sum_{k>=1} x^(2^k) 2^(k-1), for x in [0, 1) (Ertl 2017, eq. 38).
double Sigma(double x) {
  if (x == 1.0) return std::numeric_limits<double>::infinity();
  double y = 1.0;
  double z = x;
  for (;;) {
    x *= x;
    const double z_old = z;
    z += x * y;
    y += y;
    if (z == z_old) return z;
  }
}

// tau(x) = (1 - x - sum_{k>=1} (1 - x^(2^-k))^2 2^-k) / 3, for x in [0, 1] (Ertl 2017, eq. 40).
double Tau(double x) {
  if (x == 0.0 || x == 1.0) return 0.0;
  double y = 1.0;
  double z = 1.0 - x;
  for (;;) {
    x = std::sqrt(x);
    const double z_old = z;
    y *= 0.5;
    z -= (1.0 - x) * (1.0 - x) * y;
    if (z == z_old) return z / 3.0;
  }
}

}  // namespace

Result<HyperLogLog> HyperLogLog::Create(int precision) {
  if (precision < kMinPrecision || precision > kMaxPrecision) {
    return InvalidArgumentError(
        "hyperloglog precision must be in [" + std::to_string(kMinPrecision) + ", " +
        std::to_string(kMaxPrecision) + "], got " + std::to_string(precision));
  }
  return HyperLogLog(precision);
}

Status HyperLogLog::Merge(const HyperLogLog& other) {
  if (other.precision_ != precision_) {
    return InvalidArgumentError("cannot merge a hyperloglog sketch of precision " +
                                std::to_string(other.precision_) + " into one of precision " +
                                std::to_string(precision_));
  }
  for (size_t i = 0; i < registers_.size(); ++i) {
    registers_[i] = std::max(registers_[i], other.registers_[i]);
  }
  return Status::Ok();
}

bool HyperLogLog::empty() const {
  return std::all_of(registers_.begin(), registers_.end(), [](uint8_t r) { return r == 0; });
}

double HyperLogLog::StandardError(int precision) {
  return 1.04 / std::sqrt(std::ldexp(1.0, precision));
}

double HyperLogLog::Estimate() const {
  const int q = 64 - precision_;
  // histogram[k] = number of registers holding k, k in [0, q + 1].
  std::vector<double> histogram(static_cast<size_t>(q) + 2, 0.0);
  for (uint8_t r : registers_) histogram[r] += 1.0;
  const double m = static_cast<double>(registers_.size());
  if (histogram[0] == m) return 0.0;
  double z = m * Tau(1.0 - histogram[static_cast<size_t>(q) + 1] / m);
  for (int k = q; k >= 1; --k) z = 0.5 * (z + histogram[static_cast<size_t>(k)]);
  z += m * Sigma(histogram[0] / m);
  constexpr double kAlphaInfinity = 0.72134752044448170368;  // 1 / (2 ln 2)
  return kAlphaInfinity * m * m / z;
}

std::string HyperLogLog::Serialize() const {
  ByteWriter w;
  w.PutU8(static_cast<uint8_t>(precision_));
  if (SparseBodySize(registers_) < registers_.size()) {
    w.PutU8(kSparse);
    size_t nonzero = 0;
    for (uint8_t r : registers_) nonzero += r != 0;
    w.PutVarint(nonzero);
    size_t previous_end = 0;
    for (size_t i = 0; i < registers_.size(); ++i) {
      if (registers_[i] == 0) continue;
      w.PutVarint(i - previous_end);
      w.PutU8(registers_[i]);
      previous_end = i + 1;
    }
  } else {
    w.PutU8(kDense);
    w.PutRaw(std::string_view(reinterpret_cast<const char*>(registers_.data()), registers_.size()));
  }
  return WriteFrame(FormatFamily::kHyperLogLog, kFormatVersion, w.bytes());
}

Result<HyperLogLog> HyperLogLog::Deserialize(std::string_view bytes) {
  MW_ASSIGN_OR_RETURN(const OpenedFrame frame,
                      OpenFrame(bytes, FormatFamily::kHyperLogLog, kFormatVersion, kContext));
  ByteReader r = frame.PayloadReader(kContext);
  const size_t precision_at = r.offset();
  MW_ASSIGN_OR_RETURN(const uint8_t precision, r.ReadU8("precision"));
  if (precision < kMinPrecision || precision > kMaxPrecision) {
    return r.Corrupt(precision_at, "precision " + std::to_string(precision) + " is outside [" +
                                       std::to_string(kMinPrecision) + ", " +
                                       std::to_string(kMaxPrecision) + "]");
  }
  HyperLogLog sketch(precision);
  const size_t m = sketch.registers_.size();
  const uint8_t max_rank = static_cast<uint8_t>(65 - precision);
  const size_t encoding_at = r.offset();
  MW_ASSIGN_OR_RETURN(const uint8_t encoding, r.ReadU8("register encoding"));
  if (encoding == kDense) {
    MW_ASSIGN_OR_RETURN(const std::string_view raw, r.ReadRaw(m, "registers"));
    for (size_t i = 0; i < m; ++i) {
      const auto v = static_cast<uint8_t>(raw[i]);
      if (v > max_rank) {
        return r.Corrupt(r.offset() - m + i, "register " + std::to_string(i) + " holds " +
                                                 std::to_string(v) + ", more than the maximum " +
                                                 std::to_string(max_rank));
      }
      sketch.registers_[i] = v;
    }
  } else if (encoding == kSparse) {
    MW_ASSIGN_OR_RETURN(const uint64_t nonzero, r.ReadCount("non-zero register count", m, 2));
    size_t next = 0;  // first index the next entry may use
    for (uint64_t e = 0; e < nonzero; ++e) {
      const size_t entry_at = r.offset();
      MW_ASSIGN_OR_RETURN(const uint64_t gap, r.ReadVarint("register gap"));
      if (gap >= m - next) {
        return r.Corrupt(entry_at,
                         "sparse register index beyond the " + std::to_string(m) + " registers");
      }
      const size_t index = next + static_cast<size_t>(gap);
      MW_ASSIGN_OR_RETURN(const uint8_t v, r.ReadU8("register value"));
      if (v == 0 || v > max_rank) {
        return r.Corrupt(r.offset() - 1, "sparse register " + std::to_string(index) + " holds " +
                                             std::to_string(v) + ", outside [1, " +
                                             std::to_string(max_rank) + "]");
      }
      sketch.registers_[index] = v;
      next = index + 1;
    }
  } else {
    return r.Corrupt(encoding_at, "unknown register encoding " + std::to_string(encoding));
  }
  MW_RETURN_IF_ERROR(r.ExpectEnd());
  const bool sparse_is_shorter = SparseBodySize(sketch.registers_) < m;
  if (sparse_is_shorter != (encoding == kSparse)) {
    return r.Corrupt(encoding_at, "registers are not in their canonical encoding");
  }
  return sketch;
}

}  // namespace modelwatch
