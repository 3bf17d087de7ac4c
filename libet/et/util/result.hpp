#pragma once
/// `result<T>`: a value or a `failure`, the return type of fallible libet calls.

#include <cassert>
#include <utility>
#include <variant>

#include "et/llm/errc.hpp"

namespace et {

/// Holds either a T or the failure that prevented it.
template <class T>
class result {
public:
  /// A successful result.
  result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  /// A failed result.
  result(failure f) : state_(std::in_place_index<1>, std::move(f)) {}

  /// True when a value is present.
  bool has_value() const noexcept { return state_.index() == 0; }
  /// True when a value is present.
  explicit operator bool() const noexcept { return has_value(); }

  /// The value; only valid when has_value().
  T& value() & {
    assert(has_value());
    return std::get<0>(state_);
  }
  /// The value; only valid when has_value().
  const T& value() const& {
    assert(has_value());
    return std::get<0>(state_);
  }
  /// The value, moved out; only valid when has_value().
  T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(state_));
  }
  /// The value; only valid when has_value().
  T& operator*() & { return value(); }
  /// The value; only valid when has_value().
  const T& operator*() const& { return value(); }
  /// Member access to the value.
  T* operator->() { return &value(); }
  /// Member access to the value.
  const T* operator->() const { return &value(); }

  /// The failure; only valid when !has_value().
  const failure& error() const& {
    assert(!has_value());
    return std::get<1>(state_);
  }
  /// The failure, moved out; only valid when !has_value().
  failure&& error() && {
    assert(!has_value());
    return std::get<1>(std::move(state_));
  }

private:
  std::variant<T, failure> state_;
};

/// A success without a value, or a failure.
template <>
class result<void> {
public:
  /// Success.
  result() = default;
  /// Failure.
  result(failure f) : failure_(std::move(f)), failed_(true) {}

  /// True on success.
  bool has_value() const noexcept { return !failed_; }
  /// True on success.
  explicit operator bool() const noexcept { return has_value(); }
  /// The failure; only valid when !has_value().
  const failure& error() const& {
    assert(failed_);
    return failure_;
  }

private:
  failure failure_;
  bool failed_ = false;
};

} // namespace et
