#pragma once
// Errors are values with a message a person can act on. They cross the worker/UI boundary
// inside Outcome; nothing throws across it.
#include <string>
#include <utility>
#include <variant>

namespace genmon::model {

enum class ErrorKind : uint8_t {
    Network,          // connection refused, DNS failure, reset (HTTP status 0)
    Timeout,          // connect or total timeout fired
    Http,             // a non-2xx answer; httpStatus and the server's text are set
    Decode,           // the body was not the JSON we expect
    TooLarge,         // a size cap was hit (response, frame, image)
    InvalidArgument,  // the request was refused before it was sent
    NotFound,         // a local lookup failed (unknown job or result id)
    Cancelled,        // shut down before it finished
    Internal,
};

struct Error {
    ErrorKind kind = ErrorKind::Internal;
    int httpStatus = 0;
    std::string message;

    static Error http(int status, std::string msg) { return Error{ErrorKind::Http, status, std::move(msg)}; }
    static Error make(ErrorKind k, std::string msg) { return Error{k, 0, std::move(msg)}; }
};

struct Unit {};

template <class T>
class Outcome {
public:
    Outcome(T value) : v_(std::move(value)) {}  // NOLINT: implicit on purpose
    Outcome(Error e) : v_(std::move(e)) {}      // NOLINT
    bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    const Error& error() const& { return std::get<1>(v_); }
    Error&& error() && { return std::get<1>(std::move(v_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

private:
    std::variant<T, Error> v_;
};

using Status = Outcome<Unit>;
inline Status okStatus() { return Unit{}; }

}  // namespace genmon::model
