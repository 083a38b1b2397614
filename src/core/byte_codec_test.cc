#include "modelwatch/core/byte_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>

namespace modelwatch {
namespace {

using ::testing::HasSubstr;

TEST(Crc32cTest, KnownValues) {
  // RFC 3720 (iSCSI) appendix B.4 and the common check value.
  EXPECT_EQ(Crc32c(""), 0u);
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(std::string(32, '\xFF')), 0x62A8AB43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(Crc32c(ascending), 0x46DD794Eu);
}

TEST(Crc32cTest, ContinuesAcrossCallsAndMatchesBytewise) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(i * 7 + 3));
  const uint32_t whole = Crc32c(data);
  for (size_t split : {0, 1, 7, 8, 9, 500, 999, 1000}) {
    EXPECT_EQ(Crc32c(data.substr(split), Crc32c(data.substr(0, split))), whole) << split;
  }
  uint32_t bytewise = 0;
  for (char c : data) bytewise = Crc32c(std::string_view(&c, 1), bytewise);
  EXPECT_EQ(bytewise, whole);
}

TEST(ByteCodecTest, RoundTripsEveryKind) {
  ByteWriter w;
  w.PutU8(0xAB);
  w.PutU16(0xBEEF);
  w.PutU32(0xDEADBEEF);
  w.PutU64(0x0123456789ABCDEFull);
  for (uint64_t v :
       std::initializer_list<uint64_t>{0ull, 1ull, 127ull, 128ull, 300ull, 16383ull, 16384ull,
                                       uint64_t{std::numeric_limits<uint64_t>::max()}}) {
    w.PutVarint(v);
  }
  w.PutDouble(-0.0);
  w.PutDouble(std::numeric_limits<double>::infinity());
  w.PutDouble(3.5);
  w.PutString("hello");
  w.PutString("");
  w.PutRaw("xyz");
  // Little-endian on every platform.
  EXPECT_EQ(w.bytes().substr(1, 2), "\xEF\xBE");

  ByteReader r(w.bytes(), "test");
  EXPECT_EQ(*r.ReadU8("a"), 0xAB);
  EXPECT_EQ(*r.ReadU16("b"), 0xBEEF);
  EXPECT_EQ(*r.ReadU32("c"), 0xDEADBEEFu);
  EXPECT_EQ(*r.ReadU64("d"), 0x0123456789ABCDEFull);
  for (uint64_t v :
       std::initializer_list<uint64_t>{0ull, 1ull, 127ull, 128ull, 300ull, 16383ull, 16384ull,
                                       uint64_t{std::numeric_limits<uint64_t>::max()}}) {
    EXPECT_EQ(*r.ReadVarint("v"), v);
  }
  const double neg_zero = *r.ReadDouble("z");
  EXPECT_EQ(neg_zero, 0.0);
  EXPECT_TRUE(std::signbit(neg_zero));
  EXPECT_EQ(*r.ReadDouble("inf"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(*r.ReadDouble("x"), 3.5);
  EXPECT_EQ(*r.ReadString("s"), "hello");
  EXPECT_EQ(*r.ReadString("s"), "");
  EXPECT_EQ(*r.ReadRaw(3, "raw"), "xyz");
  EXPECT_TRUE(r.ExpectEnd().ok());
}

TEST(ByteCodecTest, TruncationNamesTheFieldAndOffset) {
  ByteWriter w;
  w.PutU32(7);
  w.PutU8(1);
  ByteReader r(w.bytes(), "kll sketch", 32);
  ASSERT_TRUE(r.ReadU32("k").ok());
  ASSERT_TRUE(r.ReadU8("flag").ok());
  const auto missing = r.ReadU64("item count");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(missing.status().message(), "kll sketch: truncated at byte 37 reading 'item count'");
}

TEST(ByteCodecTest, RejectsBadVarints) {
  // Overlong: 0 encoded in two bytes.
  const std::string overlong_bytes("\x80\x00", 2);
  ByteReader overlong(overlong_bytes, "t");
  const auto a = overlong.ReadVarint("n");
  ASSERT_FALSE(a.ok());
  EXPECT_THAT(a.status().message(), HasSubstr("not minimally encoded"));
  // 11 bytes / more than 64 bits.
  const std::string too_long_bytes = std::string(10, '\xFF') + '\x01';
  ByteReader too_long(too_long_bytes, "t");
  const auto b = too_long.ReadVarint("n");
  ASSERT_FALSE(b.ok());
  EXPECT_THAT(b.status().message(), HasSubstr("does not fit in 64 bits"));
  const std::string too_big_bytes = std::string(9, '\xFF') + '\x02';
  ByteReader too_big(too_big_bytes, "t");
  EXPECT_FALSE(too_big.ReadVarint("n").ok());
  const std::string cut_bytes("\xFF\xFF", 2);
  ByteReader cut(cut_bytes, "t");
  const auto c = cut.ReadVarint("n");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("truncated at byte 2 reading 'n'"));
}

TEST(ByteCodecTest, CountsAreCheckedAgainstRemainingBytes) {
  ByteWriter w;
  w.PutVarint(uint64_t{1} << 60);  // a hostile length
  w.PutRaw("abcdefgh");
  ByteReader r(w.bytes(), "t");
  const auto n = r.ReadCount("items", std::numeric_limits<uint64_t>::max(), 8);
  ASSERT_FALSE(n.ok());
  EXPECT_THAT(n.status().message(), HasSubstr("bytes remain"));

  ByteWriter w2;
  w2.PutVarint(5);
  ByteReader r2(w2.bytes(), "t");
  const auto too_many = r2.ReadCount("items", 4, 0);
  ASSERT_FALSE(too_many.ok());
  EXPECT_THAT(too_many.status().message(), HasSubstr("more than the maximum 4"));

  ByteWriter w3;
  w3.PutVarint(1000);
  w3.PutRaw("ab");
  ByteReader r3(w3.bytes(), "t");
  const auto s = r3.ReadString("name");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("length 1000 of 'name' exceeds the 2 bytes"));
}

TEST(ByteCodecTest, ExpectEndReportsTrailingBytes) {
  ByteReader r("abc", "ctx", 10);
  ASSERT_TRUE(r.ReadU8("x").ok());
  const Status s = r.ExpectEnd();
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "ctx: 2 trailing bytes at byte 11");
}

TEST(FrameTest, RoundTripAndLayout) {
  const std::string frame = WriteFrame(FormatFamily::kHyperLogLog, 1, "payload");
  ASSERT_EQ(frame.size(), kFrameHeaderBytes + 7 + kFrameTrailerBytes);
  EXPECT_EQ(frame.substr(0, 4), "MWSK");
  EXPECT_EQ(frame[4], '\x02');
  const auto opened = OpenFrame(frame, FormatFamily::kHyperLogLog, 1, "hll");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->version, 1);
  EXPECT_EQ(opened->payload, "payload");
  EXPECT_EQ(opened->payload_offset, 16u);
}

TEST(FrameTest, RejectsWithClearMessages) {
  const std::string frame = WriteFrame(FormatFamily::kHyperLogLog, 1, "payload");
  const auto open = [](std::string_view bytes, uint16_t max_version = 1) {
    return OpenFrame(bytes, FormatFamily::kKll, max_version, "kll sketch");
  };
  const auto Message = [&](std::string_view bytes, uint16_t max_version = 1) {
    const auto r = open(bytes, max_version);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
    return r.status().message();
  };
  EXPECT_EQ(Message("{\"json\": 1}"),
            "kll sketch: not a modelwatch sketch (no \"MWSK\" magic at byte 0)");
  EXPECT_EQ(Message(""), "kll sketch: truncated at byte 0 reading 'magic'");
  EXPECT_EQ(Message("MW"), "kll sketch: truncated at byte 0 reading 'magic'");
  EXPECT_EQ(Message(frame), "kll sketch: expected a KLL sketch, found family 2 (HyperLogLog)");
  EXPECT_THAT(Message(WriteFrame(static_cast<FormatFamily>(77), 1, "")),
              HasSubstr("found family 77 (unknown)"));
  EXPECT_EQ(Message(WriteFrame(FormatFamily::kKll, 3, "")),
            "kll sketch: version 3 is newer than this build supports (1)");
  EXPECT_THAT(Message(WriteFrame(FormatFamily::kKll, 0, "")), HasSubstr("version 0"));
  EXPECT_TRUE(open(WriteFrame(FormatFamily::kKll, 3, ""), 3).ok());

  const std::string kll = WriteFrame(FormatFamily::kKll, 1, "abc");
  EXPECT_THAT(Message(kll.substr(0, kll.size() - 1)), HasSubstr("truncated"));
  EXPECT_THAT(Message(kll.substr(0, 12)),
              HasSubstr("truncated at byte 8 reading 'payload length'"));
  EXPECT_THAT(Message(kll + "zz"), HasSubstr("2 trailing bytes"));
  std::string flipped = kll;
  flipped[17] ^= 0x20;
  EXPECT_THAT(Message(flipped), HasSubstr("checksum mismatch"));
  // A hostile payload length must not be trusted.
  std::string huge = kll;
  huge[15] = '\x7F';
  EXPECT_THAT(Message(huge), HasSubstr("truncated"));
}

TEST(FormatFamilyTest, Names) {
  EXPECT_EQ(FormatFamilyName(1), "KLL");
  EXPECT_EQ(FormatFamilyName(2), "HyperLogLog");
  EXPECT_EQ(FormatFamilyName(3), "frequent items");
  EXPECT_EQ(FormatFamilyName(4), "category counts");
  EXPECT_EQ(FormatFamilyName(0), "unknown");
}

}  // namespace
}  // namespace modelwatch
