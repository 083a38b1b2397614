// BlockBuffer: a sliding window over a ByteSource, the memory of a streaming table reader.
//
// It holds the not yet consumed tail of what was read, followed by the next block. A reader
// parses records in [data(), end()); when a record runs past end(), it calls Refill(start of
// the record), which drops everything before that point and appends more input. Memory is
// therefore bounded by about twice the larger of the block size and the longest record,
// independent of the input size.
//
// `padding` readable bytes always follow end() (their content is unspecified), for parsers such
// as simdjson that read a little past the end of their input, and `front_padding` readable bytes
// precede data() (zeros), for loads that end at a record's last byte (ParseDoubleWithSlack).
//
// Thread safety: not thread safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "byte_source.h"
#include "modelwatch/core/status.h"

namespace modelwatch::io::internal {

class BlockBuffer {
 public:
  BlockBuffer(std::unique_ptr<ByteSource> source, size_t block_size, size_t padding,
              size_t front_padding = 0)
      : source_(std::move(source)),
        block_size_(std::max<size_t>(block_size, 1)),
        padding_(padding),
        front_padding_(front_padding),
        buf_(std::make_unique<char[]>(front_padding + padding)) {}  // zeroed, no data yet

  BlockBuffer(const BlockBuffer&) = delete;
  BlockBuffer& operator=(const BlockBuffer&) = delete;

  // The bytes held, [data(), end()). Parsers may modify them in place (e.g. to unescape a
  // field); pointers stay valid until the next Refill().
  char* data() { return buf_.get() + front_padding_; }
  char* end() { return data() + size_; }
  size_t size() const { return size_; }
  // True once the source reported its end: no byte will be appended any more.
  bool eof() const { return eof_; }
  // Bytes that may be read from `p` (a pointer into the buffer) on, padding included.
  size_t ReadableFrom(const char* p) const {
    return static_cast<size_t>(buf_.get() + front_padding_ + capacity_ + padding_ - p);
  }
  // Offset in the input of `p`, a pointer into [data(), end()].
  uint64_t OffsetOf(const char* p) const {
    return base_ + static_cast<uint64_t>(p - (buf_.get() + front_padding_));
  }
  // Size of the input when known, else 0.
  uint64_t total_size() const { return source_->size(); }

  // Empties the buffer and continues reading the source at input offset `offset`.
  Status Reset(uint64_t offset) {
    MW_RETURN_IF_ERROR(source_->Seek(offset));
    base_ = offset;
    size_ = 0;
    eof_ = false;
    return Status::Ok();
  }

  // Drops the bytes before `keep` (a pointer into [data(), end()]), moves the rest to data() and
  // appends what one read of the source returns. It asks for the larger of a block and what is
  // kept, so that re-scanning a long record after each refill stays linear (and for no more than
  // the source's known size says is left). At the end of input, sets eof(). Errors come from
  // the source (kUnavailable).
  Status Refill(const char* keep) {
    const size_t drop = static_cast<size_t>(keep - data());
    const size_t kept = size_ - drop;
    size_t want = std::max(block_size_, kept);
    const uint64_t total = source_->size();
    const uint64_t consumed = base_ + size_;
    if (total > consumed) {
      want = static_cast<size_t>(std::min<uint64_t>(want, std::max<uint64_t>(total - consumed, 1)));
    } else if (total != 0) {
      // The source should be at its end: confirm it without growing the buffer.
      want = capacity_ > kept ? capacity_ - kept : 1;
    }
    if (kept + want > capacity_) {
      const size_t capacity = std::max(kept + want, 2 * capacity_);
      auto grown = std::make_unique_for_overwrite<char[]>(front_padding_ + capacity + padding_);
      std::memset(grown.get(), 0, front_padding_);
      if (kept > 0) std::memcpy(grown.get() + front_padding_, keep, kept);
      buf_ = std::move(grown);
      capacity_ = capacity;
    } else if (drop > 0 && kept > 0) {
      std::memmove(data(), keep, kept);
    }
    base_ += drop;
    size_ = kept;
    Result<size_t> n = source_->Read(data() + size_, want);
    if (!n.ok()) {
      std::memset(end(), 0, padding_);
      return n.status();
    }
    if (*n == 0) eof_ = true;
    size_ += *n;
    std::memset(end(), 0, padding_);
    return Status::Ok();
  }

 private:
  std::unique_ptr<ByteSource> source_;
  const size_t block_size_;
  const size_t padding_;
  const size_t front_padding_;
  std::unique_ptr<char[]> buf_;  // front_padding_, then capacity_ bytes of data, then padding_
  size_t capacity_ = 0;  // bytes available for data; padding_ more are allocated
  size_t size_ = 0;      // bytes held
  uint64_t base_ = 0;    // input offset of data()
  bool eof_ = false;
};

}  // namespace modelwatch::io::internal
