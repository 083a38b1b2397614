// The binary encoding shared by every stored sketch (and, later, profile): little-endian
// fixed-width integers, LEB128 varints, IEEE-754 doubles, length-prefixed strings, and a framing
// that makes stored bytes self-identifying and checked.
//
// Frame (all integers little-endian; layout in docs/sketches.md):
//   offset 0   4 bytes   magic "MWSK"
//   offset 4   u16       family id (FormatFamily)
//   offset 6   u16       format version of that family, >= 1
//   offset 8   u64       payload length L
//   offset 16  L bytes   payload (the family's own encoding)
//   offset 16+L u32      CRC-32C (Castagnoli) of bytes [0, 16+L)
// A frame is exactly 20 + L bytes: OpenFrame rejects anything shorter or longer.
//
// Version policy: a family's writer always writes its current version; a reader accepts every
// version from 1 up to the newest it knows and rejects newer ones ("version 3 is newer than this
// build supports (1)") instead of guessing. A format change bumps the version and keeps the
// reader of the old one.
//
// Errors: every failure is kDataLoss with a message that starts with the context the reader was
// given and names the byte offset (counted from the start of the frame) and the field that was
// being read: "kll sketch: truncated at byte 37 reading 'item count'". Readers never allocate
// from a length field without first checking that the remaining bytes can hold that many
// elements (ByteReader::ReadCount), so hostile input cannot make them allocate huge buffers.
//
// Canonical encodings: varints must be minimal (no redundant 0x80 continuation bytes), so every
// value has exactly one encoding and a decoded-then-re-encoded frame is byte-identical.
//
// Thread safety: ByteWriter and ByteReader are single-threaded value types; the free functions
// are pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "modelwatch/core/status.h"

namespace modelwatch {

// Family ids of the framed formats. Stable: stored bytes carry them. Profiles take ids >= 16.
enum class FormatFamily : uint16_t {
  kKll = 1,
  kHyperLogLog = 2,
  kFrequentItems = 3,
  kCategoryCounts = 4,
  kDatasetProfile = 16,  // dataset_profile.h
  kWindowState = 32,     // monitor/window_state.h (the daemon's per-window accumulator)
};

// "KLL", "HyperLogLog", "frequent items", "category counts", "dataset profile"; "unknown" for
// other ids.
std::string_view FormatFamilyName(uint16_t family);

// CRC-32C (Castagnoli polynomial 0x1EDC6F41, reflected; init and final xor 0xFFFFFFFF), as in
// iSCSI (RFC 3720) and ext4. `crc` continues a previous call's result: Crc32c(ab) ==
// Crc32c(b, Crc32c(a)). Crc32c("123456789") == 0xE3069283.
uint32_t Crc32c(std::string_view data, uint32_t crc = 0);

// Appends encoded values to a byte string.
class ByteWriter {
 public:
  void PutU8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void PutU16(uint16_t v);
  void PutU32(uint32_t v);
  void PutU64(uint64_t v);
  // Unsigned LEB128: 7 bits per byte, low bits first, high bit = more bytes follow. 1-10 bytes.
  void PutVarint(uint64_t v);
  // The IEEE-754 bit pattern as a u64 (NaN payloads and the sign of zero are kept).
  void PutDouble(double v);
  // Varint length, then the bytes.
  void PutString(std::string_view s);
  // The bytes alone (the caller knows the length).
  void PutRaw(std::string_view s) { out_.append(s); }

  size_t size() const { return out_.size(); }
  const std::string& bytes() const { return out_; }
  std::string Release() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads encoded values from a byte string, with bounds checks. Every read names what it reads;
// a failure is a kDataLoss Status "<context>: truncated at byte <offset> reading '<what>'".
// `base_offset` is added to offsets in messages, so a reader over a frame's payload reports
// offsets within the whole frame. The reader does not own `data`: it must outlive the reader.
class ByteReader {
 public:
  ByteReader(std::string_view data, std::string_view context, size_t base_offset = 0)
      : data_(data), context_(context), base_offset_(base_offset) {}

  Result<uint8_t> ReadU8(std::string_view what);
  Result<uint16_t> ReadU16(std::string_view what);
  Result<uint32_t> ReadU32(std::string_view what);
  Result<uint64_t> ReadU64(std::string_view what);
  // A minimal varint; overlong or over-64-bit encodings are errors.
  Result<uint64_t> ReadVarint(std::string_view what);
  Result<double> ReadDouble(std::string_view what);
  // A length-prefixed string (PutString); the view points into the reader's data.
  Result<std::string_view> ReadString(std::string_view what);
  Result<std::string_view> ReadRaw(size_t n, std::string_view what);
  // A varint element count, checked to be <= max_count and to fit the remaining bytes at
  // `min_bytes_each` bytes per element (>= 1): call before reserving memory for the elements.
  Result<uint64_t> ReadCount(std::string_view what, uint64_t max_count, size_t min_bytes_each);

  // kDataLoss unless every byte was read ("<context>: 3 trailing bytes at byte 40").
  Status ExpectEnd() const;

  // A kDataLoss Status "<context>: at byte <offset>: <message>" for a field that was read but is
  // inconsistent; `offset` is absolute (as offset()).
  Status Corrupt(size_t offset, std::string_view message) const;

  // Absolute offset of the next byte to read.
  size_t offset() const { return base_offset_ + pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  std::string_view context() const { return context_; }

 private:
  Status Truncated(std::string_view what) const;

  std::string_view data_;
  std::string context_;
  size_t base_offset_;
  size_t pos_ = 0;
};

inline constexpr char kFrameMagic[4] = {'M', 'W', 'S', 'K'};
inline constexpr size_t kFrameHeaderBytes = 16;
inline constexpr size_t kFrameTrailerBytes = 4;

// Wraps `payload` in a frame (header, payload, CRC-32C).
std::string WriteFrame(FormatFamily family, uint16_t version, std::string_view payload);

// A frame that passed OpenFrame's checks.
struct OpenedFrame {
  uint16_t version = 0;
  std::string_view payload;  // points into the bytes given to OpenFrame
  size_t payload_offset = kFrameHeaderBytes;

  // A reader over the payload whose messages carry `context` and frame offsets.
  ByteReader PayloadReader(std::string_view context) const {
    return ByteReader(payload, context, payload_offset);
  }
};

// Checks, in this order, and fails with kDataLoss naming `context` and the offset on:
// a too-short or wrong magic ("not a modelwatch sketch"), a different family ("expected a KLL
// sketch, found family 2 (HyperLogLog)"), version 0 or one newer than `max_version`, a payload
// length that disagrees with the byte count (truncated or trailing bytes), a CRC mismatch.
Result<OpenedFrame> OpenFrame(std::string_view bytes, FormatFamily expected, uint16_t max_version,
                              std::string_view context);

}  // namespace modelwatch
