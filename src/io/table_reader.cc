// TableReader's factories and the pieces shared by the CSV and NDJSON readers: the byte sources
// (a POSIX file, a string) and the common error messages.
#include "modelwatch/io/table_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "internal/byte_source.h"
#include "internal/table_readers.h"

namespace modelwatch::io {
namespace internal {
namespace {

std::string ErrnoText(int err) {
  char buf[256];
  // GNU strerror_r returns the message (possibly not in buf).
  return std::string(strerror_r(err, buf, sizeof(buf)));
}

// Reads a file through its descriptor; closes it on destruction.
class FileSource final : public ByteSource {
 public:
  FileSource(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~FileSource() override { ::close(fd_); }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  Result<size_t> Read(char* dst, size_t n) override {
    for (;;) {
      const ssize_t got = ::read(fd_, dst, n);
      if (got >= 0) return static_cast<size_t>(got);
      if (errno == EINTR) continue;
      return UnavailableError(path_ + ": read error: " + ErrnoText(errno));
    }
  }
  uint64_t size() const override { return size_; }
  Status Seek(uint64_t offset) override {
    if (::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0) {
      return UnavailableError(path_ + ": cannot seek: " + ErrnoText(errno));
    }
    return Status::Ok();
  }

 private:
  const std::string path_;
  const int fd_;
  const uint64_t size_;
};

class StringSource final : public ByteSource {
 public:
  explicit StringSource(std::string data) : data_(std::move(data)) {}

  Result<size_t> Read(char* dst, size_t n) override {
    const size_t k = std::min(n, data_.size() - pos_);
    if (k > 0) std::memcpy(dst, data_.data() + pos_, k);
    pos_ += k;
    return k;
  }
  // An empty string reports 0, "unknown", which is harmless: the first read ends it.
  uint64_t size() const override { return data_.size(); }
  Status Seek(uint64_t offset) override {
    pos_ = static_cast<size_t>(std::min<uint64_t>(offset, data_.size()));
    return Status::Ok();
  }

 private:
  const std::string data_;
  size_t pos_ = 0;
};

}  // namespace

Result<std::unique_ptr<ByteSource>> OpenFileSource(const std::string& path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    const int err = errno;
    std::string message = path + ": cannot open: " + ErrnoText(err);
    if (err == ENOENT || err == ENOTDIR) return NotFoundError(std::move(message));
    return UnavailableError(std::move(message));
  }
  struct stat st;
  uint64_t size = 0;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) size = static_cast<uint64_t>(st.st_size);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::unique_ptr<ByteSource>(std::make_unique<FileSource>(path, fd, size));
}

std::unique_ptr<ByteSource> NewStringSource(std::string data) {
  return std::make_unique<StringSource>(std::move(data));
}

std::string Location(std::string_view file, uint64_t line) {
  std::string s(file);
  s += ':';
  s += std::to_string(line);
  return s;
}

Status EmptyFileError(std::string_view file) {
  return InvalidArgumentError(std::string(file) + ": file is empty");
}

Status ColumnNotFoundError(std::string_view file, uint64_t line, std::string_view column,
                           const std::vector<std::string>& columns) {
  std::string m = Location(file, line);
  m += ": column '";
  m += column;
  m += "' not found (columns: ";
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) m += ", ";
    m += columns[i];
  }
  m += ')';
  return NotFoundError(std::move(m));
}

Result<std::vector<size_t>> ResolveColumns(std::string_view file, uint64_t line,
                                           const std::vector<std::string>& columns,
                                           const std::vector<std::string>& wanted) {
  std::vector<size_t> indices;
  indices.reserve(wanted.size());
  for (const std::string& name : wanted) {
    const auto it = std::find(columns.begin(), columns.end(), name);
    if (it == columns.end()) return ColumnNotFoundError(file, line, name, columns);
    indices.push_back(static_cast<size_t>(it - columns.begin()));
  }
  return indices;
}

}  // namespace internal

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    const auto lower = [](char c) {
      return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    };
    return lower(x) == lower(y);
  });
}

Status CheckOptions(const TableReader::Options& options) {
  if (options.block_size == 0) return InvalidArgumentError("table reader: block_size must be > 0");
  if (options.range_begin > options.range_end) {
    return InvalidArgumentError("table reader: range_begin is after range_end");
  }
  return Status::Ok();
}

Result<std::unique_ptr<TableReader>> NewReader(std::unique_ptr<internal::ByteSource> source,
                                               std::string name, TableFormat format,
                                               const TableReader::Options& options) {
  switch (format) {
    case TableFormat::kCsv:
      return internal::NewCsvReader(std::move(source), std::move(name), options);
    case TableFormat::kNdjson:
      return internal::NewNdjsonReader(std::move(source), std::move(name), options);
  }
  return InvalidArgumentError(name + ": unknown table format");
}

}  // namespace

Result<TableFormat> ParseTableFormat(std::string_view name) {
  if (EqualsIgnoreCase(name, "csv")) return TableFormat::kCsv;
  if (EqualsIgnoreCase(name, "ndjson") || EqualsIgnoreCase(name, "jsonl")) {
    return TableFormat::kNdjson;
  }
  return InvalidArgumentError("unknown table format '" + std::string(name) +
                              "' (expected csv, ndjson or jsonl)");
}

Result<TableFormat> TableFormatFromPath(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  const std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const size_t dot = base.find_last_of('.');
  if (dot != std::string_view::npos && dot > 0) {
    const std::string_view ext = base.substr(dot + 1);
    if (EqualsIgnoreCase(ext, "csv")) return TableFormat::kCsv;
    if (EqualsIgnoreCase(ext, "ndjson") || EqualsIgnoreCase(ext, "jsonl") ||
        EqualsIgnoreCase(ext, "json")) {
      return TableFormat::kNdjson;
    }
  }
  return InvalidArgumentError(std::string(path) +
                              ": cannot tell the format from the file name (expected .csv, "
                              ".ndjson, .jsonl or .json)");
}

Result<std::unique_ptr<TableReader>> TableReader::Open(const std::string& path, TableFormat format,
                                                       const Options& options) {
  MW_RETURN_IF_ERROR(CheckOptions(options));
  MW_ASSIGN_OR_RETURN(std::unique_ptr<internal::ByteSource> source, internal::OpenFileSource(path));
  return NewReader(std::move(source), path, format, options);
}

Result<std::vector<uint64_t>> TableReader::SplitPoints(const std::string& path, int parts) {
  MW_ASSIGN_OR_RETURN(std::unique_ptr<internal::ByteSource> source, internal::OpenFileSource(path));
  const uint64_t size = source->size();
  std::vector<uint64_t> splits;
  std::string block(64 * 1024, '\0');
  for (int i = 1; i < parts; ++i) {
    // The first line start after the i-th equal share of the bytes.
    uint64_t offset = size / static_cast<uint64_t>(parts) * static_cast<uint64_t>(i);
    if (!splits.empty() && offset <= splits.back()) continue;
    MW_RETURN_IF_ERROR(source->Seek(offset));
    bool found = false;
    while (!found) {
      MW_ASSIGN_OR_RETURN(size_t n, source->Read(block.data(), block.size()));
      if (n == 0) break;
      const void* nl = std::memchr(block.data(), '\n', n);
      if (nl == nullptr) {
        offset += n;
        continue;
      }
      offset += static_cast<uint64_t>(static_cast<const char*>(nl) - block.data()) + 1;
      found = true;
    }
    if (!found || offset >= size) break;
    splits.push_back(offset);
  }
  return splits;
}

Result<std::unique_ptr<TableReader>> TableReader::FromString(std::string data, std::string name,
                                                             TableFormat format,
                                                             const Options& options) {
  MW_RETURN_IF_ERROR(CheckOptions(options));
  return NewReader(internal::NewStringSource(std::move(data)), std::move(name), format, options);
}

}  // namespace modelwatch::io
