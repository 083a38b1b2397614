// Test helpers shared by the sketch tests (*_test.cc in src/core): checks that Deserialize
// rejects every damaged form of a valid serialized sketch. Test-only; not part of mw_core.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "modelwatch/core/byte_codec.h"
#include "modelwatch/core/status.h"

namespace modelwatch::testing {

// Every proper prefix of `bytes` (including the empty one) and `bytes` plus a trailing byte are
// rejected with kDataLoss.
template <typename Sketch>
void ExpectRejectsTruncationAndTrailing(const std::string& bytes) {
  for (size_t len = 0; len < bytes.size(); ++len) {
    const auto r = Sketch::Deserialize(std::string_view(bytes).substr(0, len));
    ASSERT_FALSE(r.ok()) << "prefix of " << len << " of " << bytes.size() << " bytes accepted";
    ASSERT_EQ(r.status().code(), StatusCode::kDataLoss) << r.status().ToString();
  }
  const auto r = Sketch::Deserialize(bytes + '\0');
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
}

// Changing any one byte (by each of a few masks; every `stride`-th byte) is rejected with
// kDataLoss: the checksum covers every byte before it, and changing the checksum itself breaks
// the match.
template <typename Sketch>
void ExpectRejectsByteCorruption(const std::string& bytes, size_t stride = 1) {
  for (size_t i = 0; i < bytes.size(); i += stride) {
    for (unsigned mask : {0x01u, 0x80u, 0xFFu, 0x5Au}) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(static_cast<unsigned char>(damaged[i]) ^ mask);
      const auto r = Sketch::Deserialize(damaged);
      ASSERT_FALSE(r.ok()) << "byte " << i << " ^ " << mask << " accepted";
      ASSERT_EQ(r.status().code(), StatusCode::kDataLoss) << r.status().ToString();
    }
  }
}

// Serialize -> Deserialize -> Serialize gives the same bytes and an equal sketch.
template <typename Sketch>
void ExpectRoundTrip(const Sketch& sketch) {
  const std::string bytes = sketch.Serialize();
  const auto back = Sketch::Deserialize(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == sketch);
  EXPECT_EQ(back->Serialize(), bytes);
}

// Deserialize of the framed `payload` (a valid frame around hand-made content) fails with
// kDataLoss and a message containing `message_part`.
template <typename Sketch>
void ExpectPayloadRejected(FormatFamily family, const std::string& payload,
                           std::string_view message_part) {
  const auto r = Sketch::Deserialize(WriteFrame(family, 1, payload));
  ASSERT_FALSE(r.ok()) << "payload accepted; expected an error with: " << message_part;
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), ::testing::HasSubstr(std::string(message_part)));
}

}  // namespace modelwatch::testing
