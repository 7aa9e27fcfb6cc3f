#pragma once
// A one-shot answer to a command, carried by a std::future. Whoever holds the last copy of an
// unanswered Reply answers "Cancelled" when it goes away, so a future never ends with a
// broken promise and nothing throws across the worker/UI boundary.
#include <atomic>
#include <future>
#include <memory>

#include "model/error.hpp"

namespace genmon::orchestrator {

template <class T>
class Reply {
public:
    Reply() : state_(std::make_shared<State>()) {}
    std::future<model::Outcome<T>> future() { return state_->promise.get_future(); }
    void operator()(model::Outcome<T> outcome) const { state_->answer(std::move(outcome)); }
    bool answered() const { return state_->done.load(); }

private:
    struct State {
        std::promise<model::Outcome<T>> promise;
        std::atomic<bool> done{false};
        void answer(model::Outcome<T> o) {
            if (!done.exchange(true)) promise.set_value(std::move(o));
        }
        ~State() { answer(model::Error::make(model::ErrorKind::Cancelled, "genmon is shutting down")); }
    };
    std::shared_ptr<State> state_;
};

using StatusFuture = std::future<model::Status>;

}  // namespace genmon::orchestrator
