#pragma once
// Persistent, chunked, ordered lists of jobs: the structural sharing behind cheap snapshots.
//
// A list is a vector of immutable chunks (at most kChunkCapacity jobs each). Publishing a
// snapshot copies only the chunk pointers; changing one job copies one chunk. Lists are kept
// in a known order (insertion sequence, or the §4.6 sort key), so finding a job is a binary
// search, and keeping the sorted order after a change is one erase and one insert: no re-sort.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "model/job.hpp"

namespace genmon::orchestrator {

inline constexpr size_t kChunkCapacity = 128;

using JobChunk = std::vector<model::JobPtr>;
using JobChunkPtr = std::shared_ptr<const JobChunk>;

// An immutable view, as held by a Snapshot. Random access is O(log chunks).
class JobList {
public:
    JobList() = default;

    size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    const model::JobPtr& operator[](size_t index) const;
    const model::Job& job(size_t index) const { return *(*this)[index]; }

    template <class Fn>
    void forEach(Fn&& fn) const {
        if (!chunks_) return;
        for (const auto& c : *chunks_)
            for (const auto& j : *c) fn(*j);
    }
    template <class Fn>
    void forEachPtr(Fn&& fn) const {
        if (!chunks_) return;
        for (const auto& c : *chunks_)
            for (const auto& j : *c) fn(j);
    }
    std::vector<model::JobPtr> toVector() const;

    // The very same list (an unchanged index hands out the same chunk vector).
    bool sameAs(const JobList& other) const noexcept { return chunks_ == other.chunks_ && size_ == other.size_; }

    // Number of chunk pointers this view shares with another (tests of structural sharing).
    size_t sharedChunksWith(const JobList& other) const;

private:
    friend class OrderedJobIndex;
    std::shared_ptr<const std::vector<JobChunkPtr>> chunks_;
    std::shared_ptr<const std::vector<size_t>> starts_;  // index of each chunk's first job
    size_t size_ = 0;
};

// The worker's mutable side of one ordered list. Not thread-safe: the worker owns it.
// Chunks shared with published snapshots are copied before they change (copy-on-write).
class OrderedJobIndex {
public:
    // less(a, b): strict weak order of the list; must be a total order over live jobs.
    using Less = std::function<bool(const model::Job&, const model::Job&)>;
    explicit OrderedJobIndex(Less less) : less_(std::move(less)) {}
    // Ordered by a key (insertion sequence, the §4.6 key): the last key of every chunk is kept
    // in one contiguous array, so a search picks its chunk without touching any job.
    using KeyOf = model::JobOrderKey (*)(const model::Job&);
    explicit OrderedJobIndex(KeyOf keyOf)
        : less_([keyOf](const model::Job& a, const model::Job& b) { return keyOf(a) < keyOf(b); }), keyOf_(keyOf) {}

    size_t size() const noexcept { return size_; }
    const Less& less() const noexcept { return less_; }
    void clear();
    // Replaces everything with jobs already in this index's order (e.g. after a full ingest).
    void assignSorted(const std::vector<model::JobPtr>& jobs);
    // Inserts at the ordered position. O(log n + chunk).
    void insert(model::JobPtr job);
    // Removes the entry that compares equal to `job` (same order key) and is the same job.
    bool erase(const model::Job& job);
    // Where a job was last seen (issue 16.1): a progress tick replaces a job in place, so the
    // place it had is checked first (one pointer compare) before a binary search, whose ~15
    // comparisons each read a job scattered in memory. Inserts and erases may move the job;
    // a hint that no longer points at it is simply not used.
    struct Hint {
        uint32_t chunk = UINT32_MAX;
        uint32_t offset = 0;
    };
    // Replaces `before` by `after` when both have the same order key: no reordering.
    bool replaceInPlace(const model::Job& before, model::JobPtr after);
    bool replaceInPlace(const model::Job& before, model::JobPtr after, Hint& hint);
    // Position-agnostic update: erase old, insert new (when the order key may have changed).
    void update(const model::Job& before, model::JobPtr after);
    void update(const model::Job& before, model::JobPtr after, Hint& hint);

    // Iterates in order without making a view (a view would mark every chunk as shared).
    template <class Fn>
    void forEachPtr(Fn&& fn) const {
        for (const auto& c : chunks_)
            for (const auto& j : *c) fn(j);
    }

    // Snapshot view: O(chunks) to build, shares every chunk.
    JobList view() const;

private:
    struct Position {
        size_t chunk;
        size_t offset;
    };
    Position lowerBound(const model::Job& job) const;
    bool find(const model::Job& job, Position& pos) const;
    bool findHinted(const model::Job& job, const Hint& hint, Position& pos) const;
    std::vector<model::JobPtr>& mutableChunk(size_t chunk);
    void splitIfFull(size_t chunk);
    void mergeIfSmall(size_t chunk);
    void refreshKeys(size_t from, size_t to);  // lastKeys_ for chunks [from, to], clipped

    Less less_;
    KeyOf keyOf_ = nullptr;
    std::vector<model::JobOrderKey> lastKeys_;  // with keyOf_: each chunk's last key
    std::vector<std::shared_ptr<JobChunk>> chunks_;
    // owned_[i]: chunk i was made after the last view(), so no snapshot can see it and it may
    // change in place. view() clears every flag; the next change of a chunk copies it once.
    mutable std::vector<bool> owned_;
    size_t size_ = 0;
    // Cached view; rebuilt lazily after a change so repeated publishes without change are free.
    mutable std::shared_ptr<const std::vector<JobChunkPtr>> viewChunks_;
    mutable std::shared_ptr<const std::vector<size_t>> viewStarts_;
};

}  // namespace genmon::orchestrator
