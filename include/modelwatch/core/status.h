// Status and Result<T>: the error types used across every layer of modelwatch.
//
// A Status is either OK or carries a specific code and a message that names the place
// ("data.csv:17:3: column 'score': 'abc' is not a number"). Functions that can fail return
// `[[nodiscard]] Status` or `Result<T>`; errors are propagated with MW_RETURN_IF_ERROR and
// MW_ASSIGN_OR_RETURN. No exceptions cross module boundaries. Modelled on absl::Status /
// absl::StatusOr, reduced to what this project needs.
//
// Thread safety: value types; distinct objects may be used concurrently.
#pragma once

#include <cassert>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace modelwatch {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller's input is wrong (bad flag, bad record, bad file content)
  kNotFound,            // a named thing (file, column, model) does not exist
  kFailedPrecondition,  // the system is not in a state to do this (e.g. metric undefined)
  kOutOfRange,          // a value outside its allowed range
  kResourceExhausted,   // a limit was reached (memory, cardinality, queue)
  kDataLoss,            // stored bytes are truncated, corrupt or foreign
  kUnavailable,         // a dependency (file system, store, peer) cannot be reached now
  kInternal,            // a bug: an invariant of ours does not hold
};

// Stable lower-case name of a code ("invalid_argument"), as used in JSON error bodies.
std::string_view StatusCodeName(StatusCode code);

// One pointer wide: OK is a null pointer, so creating, returning and testing an OK Status (the
// hot path of every row) costs no allocation and no string construction.
class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);
  Status(const Status& other) : rep_(other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr) {}
  Status& operator=(const Status& other) {
    if (this != &other) rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status Ok() { return Status(); }

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  // The message; empty when OK.
  const std::string& message() const;
  // "invalid_argument: <message>", or "ok".
  std::string ToString() const;

  // Returns a copy whose message is "<prefix>: <message>"; OK stays OK.
  Status WithPrefix(std::string_view prefix) const;

 private:
  struct Rep {
    StatusCode code;
    std::string message;
  };
  std::unique_ptr<Rep> rep_;  // null when OK
};

inline Status InvalidArgumentError(std::string m) {
  return Status(StatusCode::kInvalidArgument, std::move(m));
}
inline Status NotFoundError(std::string m) { return Status(StatusCode::kNotFound, std::move(m)); }
inline Status FailedPreconditionError(std::string m) {
  return Status(StatusCode::kFailedPrecondition, std::move(m));
}
inline Status OutOfRangeError(std::string m) {
  return Status(StatusCode::kOutOfRange, std::move(m));
}
inline Status ResourceExhaustedError(std::string m) {
  return Status(StatusCode::kResourceExhausted, std::move(m));
}
inline Status DataLossError(std::string m) { return Status(StatusCode::kDataLoss, std::move(m)); }
inline Status UnavailableError(std::string m) {
  return Status(StatusCode::kUnavailable, std::move(m));
}
inline Status InternalError(std::string m) { return Status(StatusCode::kInternal, std::move(m)); }

// Result<T> holds either a T or a non-OK Status. Constructing a Result from an OK Status is a
// programmer error (asserts in debug builds; becomes kInternal otherwise).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok());
    if (std::get<Status>(v_).ok()) v_ = InternalError("Result constructed from an OK Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // The error; OK when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

  T& value() & {
    assert(ok());
    return std::get<T>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace modelwatch

#define MW_CONCAT_INNER_(a, b) a##b
#define MW_CONCAT_(a, b) MW_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define MW_RETURN_IF_ERROR(expr)              \
  do {                                        \
    ::modelwatch::Status mw_status_ = (expr); \
    if (!mw_status_.ok()) return mw_status_;  \
  } while (false)

// `lhs` = value of `rexpr` (a Result<T>), or returns its Status from the enclosing function.
#define MW_ASSIGN_OR_RETURN(lhs, rexpr) \
  MW_ASSIGN_OR_RETURN_IMPL_(MW_CONCAT_(mw_result_, __LINE__), lhs, rexpr)
#define MW_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                              \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
