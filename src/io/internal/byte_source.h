// ByteSource: where a table reader's bytes come from (a file, or a string held in memory).
//
// The readers pull blocks through this seam, so tests and fuzzers drive exactly the code that
// reads files. Errors are Status values whose message starts with the name given at creation.
// Thread safety: not thread safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "modelwatch/core/status.h"

namespace modelwatch::io::internal {

class ByteSource {
 public:
  virtual ~ByteSource() = default;

  // Copies up to `n` (> 0) bytes into `dst` and returns how many; 0 means the end of input.
  // kUnavailable on a read error.
  virtual Result<size_t> Read(char* dst, size_t n) = 0;
  // Total size in bytes when known up front (a regular file, a string), else 0.
  virtual uint64_t size() const = 0;
  // Makes the next Read() start at byte `offset` (kUnavailable when the source cannot seek).
  virtual Status Seek(uint64_t offset) = 0;
};

// Opens `path` for reading. kNotFound "PATH: cannot open: No such file or directory" when it does
// not exist, kUnavailable for other failures (permissions, ...).
Result<std::unique_ptr<ByteSource>> OpenFileSource(const std::string& path);

// Serves the bytes of `data`.
std::unique_ptr<ByteSource> NewStringSource(std::string data);

}  // namespace modelwatch::io::internal
