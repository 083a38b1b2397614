// ChunkedVector<T>: an append-only sequence stored in chunks that are never moved or copied once
// written. Appending never reallocates what is there (a std::vector copies everything, and
// faults in twice the memory, each time it grows), and appending a whole other ChunkedVector
// by rvalue moves its chunks instead of copying them. Readers see the elements as a list of
// contiguous spans (chunks()), in order.
//
// Chunk sizes start at kFirstChunk elements and double up to kMaxChunk, so a small sequence
// costs little and a large one wastes at most one partly filled chunk (plus the partly filled
// chunks of appended sequences). T must be trivially copyable; new elements are uninitialized
// until written.
// Thread safety: not thread safe; a const object may be read concurrently.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

namespace modelwatch {

template <typename T>
class ChunkedVector {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  static constexpr size_t kFirstChunk = size_t{1} << 10;
  static constexpr size_t kMaxChunk = size_t{1} << 20;

  ChunkedVector() = default;
  ChunkedVector(ChunkedVector&& other) noexcept { Take(other); }
  ChunkedVector& operator=(ChunkedVector&& other) noexcept {
    if (this != &other) Take(other);
    return *this;
  }
  ChunkedVector(const ChunkedVector& other) { AppendCopy(other); }
  ChunkedVector& operator=(const ChunkedVector& other) {
    if (this != &other) {
      ChunkedVector copy(other);
      *this = std::move(copy);
    }
    return *this;
  }

  void push_back(T value) {
    if (next_ == end_) [[unlikely]]
      AddChunk();
    *next_++ = value;
  }

  size_t size() const {
    size_t n = 0;
    for (const Chunk& c : chunks_) n += c.size;
    return n + Filled();
  }
  bool empty() const { return size() == 0; }

  // Bytes allocated (capacity), for memory accounting.
  size_t capacity_bytes() const {
    size_t n = 0;
    for (const Chunk& c : chunks_) n += c.capacity;
    return (n + Capacity()) * sizeof(T);
  }

  // The elements in order, as contiguous spans (empty chunks omitted).
  std::vector<std::span<const T>> chunks() const {
    std::vector<std::span<const T>> spans;
    for (const Chunk& c : chunks_) {
      if (c.size > 0) spans.emplace_back(c.data.get(), c.size);
    }
    if (Filled() > 0) spans.emplace_back(current_.get(), Filled());
    return spans;
  }

  // Appends the elements of `other`, taking its chunks (no copy); `other` is left empty.
  void Append(ChunkedVector&& other) {
    if (&other == this) {
      const ChunkedVector copy(other);
      AppendCopy(copy);
      return;
    }
    Seal();
    other.Seal();
    for (Chunk& c : other.chunks_) chunks_.push_back(std::move(c));
    other.chunks_.clear();
    other.next_chunk_ = kFirstChunk;
  }

  // Appends a copy of the elements of `other`.
  void AppendCopy(const ChunkedVector& other) {
    for (std::span<const T> span : other.chunks()) {
      for (const T& value : span) push_back(value);
    }
  }

 private:
  struct Chunk {
    std::unique_ptr<T[]> data;
    size_t size = 0;
    size_t capacity = 0;
  };

  // Takes other's state; other is left empty.
  void Take(ChunkedVector& other) {
    chunks_ = std::exchange(other.chunks_, {});
    current_ = std::move(other.current_);
    next_ = std::exchange(other.next_, nullptr);
    end_ = std::exchange(other.end_, nullptr);
    next_chunk_ = std::exchange(other.next_chunk_, kFirstChunk);
  }

  size_t Filled() const { return current_ ? static_cast<size_t>(next_ - current_.get()) : 0; }
  size_t Capacity() const { return current_ ? static_cast<size_t>(end_ - current_.get()) : 0; }

  // Moves the current chunk (if any) to the sealed list.
  void Seal() {
    if (!current_) return;
    const size_t filled = Filled();
    const size_t capacity = Capacity();
    chunks_.push_back(Chunk{std::move(current_), filled, capacity});
    next_ = end_ = nullptr;
  }

  void AddChunk() {
    Seal();
    const size_t n = next_chunk_;
    next_chunk_ = std::min(kMaxChunk, 2 * next_chunk_);
    current_ = std::make_unique_for_overwrite<T[]>(n);
    next_ = current_.get();
    end_ = next_ + n;
  }

  std::vector<Chunk> chunks_;  // full (or sealed) chunks, in order
  std::unique_ptr<T[]> current_;
  T* next_ = nullptr;
  T* end_ = nullptr;
  size_t next_chunk_ = kFirstChunk;
};

}  // namespace modelwatch
