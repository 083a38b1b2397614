#include "modelwatch/core/byte_codec.h"

#include <array>
#include <bit>
#include <cstring>
#include <string>

namespace modelwatch {
namespace {

// Slicing-by-8 tables for the reflected Castagnoli polynomial (Kounavis and Berry, "A Systematic
// Approach to Building High Performance Software-Based CRC Generators", 2005): table[0] is the
// classic byte-at-a-time table, table[j][b] is the CRC of byte b followed by j zero bytes.
constexpr uint32_t kCastagnoliReflected = 0x82F63B78u;

constexpr std::array<std::array<uint32_t, 256>, 8> MakeCrcTables() {
  std::array<std::array<uint32_t, 256>, 8> t{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t c = b;
    for (int i = 0; i < 8; ++i) c = (c >> 1) ^ ((c & 1u) != 0 ? kCastagnoliReflected : 0u);
    t[0][b] = c;
  }
  for (size_t j = 1; j < 8; ++j) {
    for (uint32_t b = 0; b < 256; ++b) t[j][b] = (t[j - 1][b] >> 8) ^ t[0][t[j - 1][b] & 0xFFu];
  }
  return t;
}

constexpr std::array<std::array<uint32_t, 256>, 8> kCrcTables = MakeCrcTables();

uint64_t LoadLe64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

std::string Quote(std::string_view what) {
  std::string s = "'";
  s += what;
  s += "'";
  return s;
}

}  // namespace

std::string_view FormatFamilyName(uint16_t family) {
  switch (static_cast<FormatFamily>(family)) {
    case FormatFamily::kKll:
      return "KLL";
    case FormatFamily::kHyperLogLog:
      return "HyperLogLog";
    case FormatFamily::kFrequentItems:
      return "frequent items";
    case FormatFamily::kCategoryCounts:
      return "category counts";
    case FormatFamily::kDatasetProfile:
      return "dataset profile";
    case FormatFamily::kWindowState:
      return "window state";
  }
  return "unknown";
}

uint32_t Crc32c(std::string_view data, uint32_t crc) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  uint32_t c = ~crc;
  while (n >= 8) {
    const uint64_t w = LoadLe64(p) ^ c;
    c = kCrcTables[7][w & 0xFF] ^ kCrcTables[6][(w >> 8) & 0xFF] ^ kCrcTables[5][(w >> 16) & 0xFF] ^
        kCrcTables[4][(w >> 24) & 0xFF] ^ kCrcTables[3][(w >> 32) & 0xFF] ^
        kCrcTables[2][(w >> 40) & 0xFF] ^ kCrcTables[1][(w >> 48) & 0xFF] ^ kCrcTables[0][w >> 56];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) c = (c >> 8) ^ kCrcTables[0][(c ^ *p++) & 0xFF];
  return ~c;
}

// ---------------------------------------------------------------------------------------------
// ByteWriter

void ByteWriter::PutU16(uint16_t v) {
  for (int i = 0; i < 2; ++i) PutU8(static_cast<uint8_t>(v >> (8 * i)));
}

void ByteWriter::PutU32(uint32_t v) {
  for (int i = 0; i < 4; ++i) PutU8(static_cast<uint8_t>(v >> (8 * i)));
}

void ByteWriter::PutU64(uint64_t v) {
  for (int i = 0; i < 8; ++i) PutU8(static_cast<uint8_t>(v >> (8 * i)));
}

void ByteWriter::PutVarint(uint64_t v) {
  while (v >= 0x80) {
    PutU8(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  PutU8(static_cast<uint8_t>(v));
}

void ByteWriter::PutDouble(double v) { PutU64(std::bit_cast<uint64_t>(v)); }

void ByteWriter::PutString(std::string_view s) {
  PutVarint(s.size());
  PutRaw(s);
}

// ---------------------------------------------------------------------------------------------
// ByteReader

Status ByteReader::Truncated(std::string_view what) const {
  return DataLossError(context_ + ": truncated at byte " + std::to_string(offset()) + " reading " +
                       Quote(what));
}

Status ByteReader::Corrupt(size_t offset, std::string_view message) const {
  return DataLossError(context_ + ": at byte " + std::to_string(offset) + ": " +
                       std::string(message));
}

Result<uint8_t> ByteReader::ReadU8(std::string_view what) {
  if (remaining() < 1) return Truncated(what);
  return static_cast<uint8_t>(data_[pos_++]);
}

Result<uint16_t> ByteReader::ReadU16(std::string_view what) {
  if (remaining() < 2) return Truncated(what);
  uint16_t v = 0;
  for (int i = 1; i >= 0; --i) v = static_cast<uint16_t>((v << 8) | uint8_t(data_[pos_ + i]));
  pos_ += 2;
  return v;
}

Result<uint32_t> ByteReader::ReadU32(std::string_view what) {
  if (remaining() < 4) return Truncated(what);
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(data_[pos_ + i]);
  pos_ += 4;
  return v;
}

Result<uint64_t> ByteReader::ReadU64(std::string_view what) {
  if (remaining() < 8) return Truncated(what);
  const uint64_t v = LoadLe64(reinterpret_cast<const unsigned char*>(data_.data() + pos_));
  pos_ += 8;
  return v;
}

Result<uint64_t> ByteReader::ReadVarint(std::string_view what) {
  const size_t start = offset();
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    if (remaining() < 1) return Truncated(what);
    const auto byte = static_cast<uint8_t>(data_[pos_++]);
    const uint64_t bits = byte & 0x7Fu;
    if (shift == 63 && bits > 1) {
      return Corrupt(start, Quote(what) + " does not fit in 64 bits");
    }
    v |= bits << shift;
    if ((byte & 0x80) == 0) {
      // A last byte of zero (after the first) is an overlong encoding of a shorter number.
      if (byte == 0 && shift > 0) {
        return Corrupt(start, Quote(what) + " is not minimally encoded");
      }
      return v;
    }
    if (shift == 63) return Corrupt(start, Quote(what) + " does not fit in 64 bits");
  }
}

Result<double> ByteReader::ReadDouble(std::string_view what) {
  MW_ASSIGN_OR_RETURN(const uint64_t bits, ReadU64(what));
  return std::bit_cast<double>(bits);
}

Result<std::string_view> ByteReader::ReadRaw(size_t n, std::string_view what) {
  if (remaining() < n) return Truncated(what);
  const std::string_view v = data_.substr(pos_, n);
  pos_ += n;
  return v;
}

Result<std::string_view> ByteReader::ReadString(std::string_view what) {
  const size_t start = offset();
  MW_ASSIGN_OR_RETURN(const uint64_t n, ReadVarint(what));
  if (n > remaining()) {
    return Corrupt(start, "length " + std::to_string(n) + " of " + Quote(what) + " exceeds the " +
                              std::to_string(remaining()) + " bytes that remain");
  }
  return ReadRaw(static_cast<size_t>(n), what);
}

Result<uint64_t> ByteReader::ReadCount(std::string_view what, uint64_t max_count,
                                       size_t min_bytes_each) {
  const size_t start = offset();
  MW_ASSIGN_OR_RETURN(const uint64_t n, ReadVarint(what));
  if (n > max_count) {
    return Corrupt(start, Quote(what) + " is " + std::to_string(n) + ", more than the maximum " +
                              std::to_string(max_count));
  }
  const size_t each = min_bytes_each == 0 ? 1 : min_bytes_each;
  if (n > remaining() / each) {
    return Corrupt(start, Quote(what) + " is " + std::to_string(n) + " but only " +
                              std::to_string(remaining()) + " bytes remain");
  }
  return n;
}

Status ByteReader::ExpectEnd() const {
  if (remaining() == 0) return Status::Ok();
  return DataLossError(context_ + ": " + std::to_string(remaining()) + " trailing bytes at byte " +
                       std::to_string(offset()));
}

// ---------------------------------------------------------------------------------------------
// Frames

std::string WriteFrame(FormatFamily family, uint16_t version, std::string_view payload) {
  ByteWriter w;
  w.PutRaw(std::string_view(kFrameMagic, sizeof(kFrameMagic)));
  w.PutU16(static_cast<uint16_t>(family));
  w.PutU16(version);
  w.PutU64(payload.size());
  w.PutRaw(payload);
  w.PutU32(Crc32c(w.bytes()));
  return w.Release();
}

Result<OpenedFrame> OpenFrame(std::string_view bytes, FormatFamily expected, uint16_t max_version,
                              std::string_view context) {
  const std::string ctx(context);
  const std::string_view magic(kFrameMagic, sizeof(kFrameMagic));
  // A prefix of the magic is a truncated sketch; anything else there is not one of ours.
  if (bytes.substr(0, magic.size()) != magic.substr(0, bytes.size())) {
    return DataLossError(ctx + ": not a modelwatch sketch (no \"MWSK\" magic at byte 0)");
  }
  ByteReader r(bytes, context);
  MW_ASSIGN_OR_RETURN(std::string_view m, r.ReadRaw(magic.size(), "magic"));
  (void)m;
  MW_ASSIGN_OR_RETURN(const uint16_t family, r.ReadU16("family id"));
  if (family != static_cast<uint16_t>(expected)) {
    return DataLossError(ctx + ": expected a " +
                         std::string(FormatFamilyName(static_cast<uint16_t>(expected))) +
                         " sketch, found family " + std::to_string(family) + " (" +
                         std::string(FormatFamilyName(family)) + ")");
  }
  MW_ASSIGN_OR_RETURN(const uint16_t version, r.ReadU16("format version"));
  if (version == 0) return r.Corrupt(6, "format version 0 is not valid");
  if (version > max_version) {
    return DataLossError(ctx + ": version " + std::to_string(version) +
                         " is newer than this build supports (" + std::to_string(max_version) +
                         ")");
  }
  MW_ASSIGN_OR_RETURN(const uint64_t length, r.ReadU64("payload length"));
  if (length > r.remaining() || r.remaining() - length < kFrameTrailerBytes) {
    return DataLossError(ctx + ": truncated: the payload length says " +
                         std::to_string(kFrameHeaderBytes + length + kFrameTrailerBytes) +
                         " bytes, found " + std::to_string(bytes.size()));
  }
  if (r.remaining() - length > kFrameTrailerBytes) {
    return DataLossError(ctx + ": " + std::to_string(r.remaining() - length - kFrameTrailerBytes) +
                         " trailing bytes after the checksum at byte " +
                         std::to_string(kFrameHeaderBytes + length + kFrameTrailerBytes));
  }
  MW_ASSIGN_OR_RETURN(const std::string_view payload,
                      r.ReadRaw(static_cast<size_t>(length), "payload"));
  const size_t crc_offset = r.offset();
  MW_ASSIGN_OR_RETURN(const uint32_t stored_crc, r.ReadU32("checksum"));
  const uint32_t actual_crc = Crc32c(bytes.substr(0, crc_offset));
  if (stored_crc != actual_crc) {
    return r.Corrupt(crc_offset, "checksum mismatch (stored " + std::to_string(stored_crc) +
                                     ", computed " + std::to_string(actual_crc) +
                                     "): the bytes are corrupt");
  }
  OpenedFrame frame;
  frame.version = version;
  frame.payload = payload;
  frame.payload_offset = kFrameHeaderBytes;
  return frame;
}

}  // namespace modelwatch
