#pragma once
// An immutable, reference-counted string: copying is one atomic increment, no allocation.
// Jobs change many times a second (progress), and every change makes a new job version that
// shares its text with the old one. The handle is one pointer; the empty text allocates nothing.
#include <atomic>
#include <compare>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <string_view>

namespace genmon::model {

class Text {
public:
    Text() noexcept = default;
    Text(std::string_view s) : rep_(make(s)) {}  // NOLINT: implicit, like std::string
    Text(const std::string& s) : Text(std::string_view(s)) {}  // NOLINT
    Text(const char* s) : Text(std::string_view(s)) {}  // NOLINT
    Text(const Text& o) noexcept : rep_(o.rep_) { retain(); }
    Text(Text&& o) noexcept : rep_(o.rep_) { o.rep_ = nullptr; }
    Text& operator=(const Text& o) noexcept {
        if (rep_ != o.rep_) {
            o.retain();
            release();
            rep_ = o.rep_;
        }
        return *this;
    }
    Text& operator=(Text&& o) noexcept {
        if (this != &o) {
            release();
            rep_ = o.rep_;
            o.rep_ = nullptr;
        }
        return *this;
    }
    ~Text() { release(); }

    std::string_view view() const noexcept { return rep_ ? std::string_view(rep_->data(), rep_->size) : std::string_view(); }
    operator std::string_view() const noexcept { return view(); }  // NOLINT
    std::string str() const { return std::string(view()); }
    const char* data() const noexcept { return rep_ ? rep_->data() : ""; }
    const char* c_str() const noexcept { return data(); }  // always NUL-terminated
    size_t size() const noexcept { return rep_ ? rep_->size : 0; }
    bool empty() const noexcept { return size() == 0; }

    friend bool operator==(const Text& a, const Text& b) noexcept { return a.rep_ == b.rep_ || a.view() == b.view(); }
    friend bool operator==(const Text& a, std::string_view b) noexcept { return a.view() == b; }
    friend bool operator==(const Text& a, const char* b) noexcept { return a.view() == std::string_view(b); }
    friend bool operator==(const Text& a, const std::string& b) noexcept { return a.view() == std::string_view(b); }
    friend std::strong_ordering operator<=>(const Text& a, const Text& b) noexcept { return a.view() <=> b.view(); }

private:
    struct Rep {
        std::atomic<uint32_t> refs;
        uint32_t size;
        char* data() noexcept { return reinterpret_cast<char*>(this + 1); }
        const char* data() const noexcept { return reinterpret_cast<const char*>(this + 1); }
    };
    static Rep* make(std::string_view s) {
        if (s.empty()) return nullptr;
        void* mem = ::operator new(sizeof(Rep) + s.size() + 1);
        Rep* r = new (mem) Rep{{1}, static_cast<uint32_t>(s.size())};
        std::memcpy(r->data(), s.data(), s.size());
        r->data()[s.size()] = '\0';
        return r;
    }
    void retain() const noexcept {
        if (rep_) rep_->refs.fetch_add(1, std::memory_order_relaxed);
    }
    void release() noexcept {
        if (rep_ && rep_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            rep_->~Rep();
            ::operator delete(rep_);
        }
        rep_ = nullptr;
    }
    Rep* rep_ = nullptr;
};

}  // namespace genmon::model
