#include "orchestrator/job_list.hpp"

#include <cassert>

namespace genmon::orchestrator {

const model::JobPtr& JobList::operator[](size_t index) const {
    const auto& starts = *starts_;
    // The chunk whose start is the last one <= index.
    const auto it = std::upper_bound(starts.begin(), starts.end(), index);
    const size_t chunk = static_cast<size_t>(it - starts.begin()) - 1;
    return (*(*chunks_)[chunk])[index - starts[chunk]];
}

std::vector<model::JobPtr> JobList::toVector() const {
    std::vector<model::JobPtr> out;
    out.reserve(size_);
    if (chunks_)
        for (const auto& c : *chunks_) out.insert(out.end(), c->begin(), c->end());
    return out;
}

size_t JobList::sharedChunksWith(const JobList& other) const {
    if (!chunks_ || !other.chunks_) return 0;
    size_t shared = 0;
    for (const auto& a : *chunks_)
        for (const auto& b : *other.chunks_)
            if (a == b) ++shared;
    return shared;
}

void OrderedJobIndex::clear() {
    chunks_.clear();
    owned_.clear();
    lastKeys_.clear();
    size_ = 0;
    viewChunks_.reset();
    viewStarts_.reset();
}

void OrderedJobIndex::assignSorted(const std::vector<model::JobPtr>& jobs) {
    clear();
    // Fill chunks three quarters full so that inserts rarely split right away.
    constexpr size_t kFill = kChunkCapacity * 3 / 4;
    for (size_t i = 0; i < jobs.size(); i += kFill) {
        const size_t end = std::min(jobs.size(), i + kFill);
        chunks_.push_back(std::make_shared<JobChunk>(jobs.begin() + static_cast<std::ptrdiff_t>(i),
                                                     jobs.begin() + static_cast<std::ptrdiff_t>(end)));
        owned_.push_back(true);
        if (keyOf_) lastKeys_.push_back(keyOf_(*chunks_.back()->back()));
    }
    size_ = jobs.size();
}

namespace {
// lowerBound's search for any comparator: {chunk, offset}.
template <class Less>
std::pair<size_t, size_t> lowerBoundIn(const std::vector<std::shared_ptr<JobChunk>>& chunks, const Less& less,
                                       const model::Job& job) {
    // First chunk whose last element is not less than job.
    size_t lo = 0, hi = chunks.size();
    while (lo < hi) {
        const size_t mid = (lo + hi) / 2;
        if (less(*chunks[mid]->back(), job))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == chunks.size()) {
        if (chunks.empty()) return {0, 0};
        return {chunks.size() - 1, chunks.back()->size()};
    }
    const auto& c = *chunks[lo];
    const auto it = std::lower_bound(c.begin(), c.end(), job,
                                     [&less](const model::JobPtr& a, const model::Job& b) { return less(*a, b); });
    return {lo, static_cast<size_t>(it - c.begin())};
}
}  // namespace

OrderedJobIndex::Position OrderedJobIndex::lowerBound(const model::Job& job) const {
    if (keyOf_) {
        const model::JobOrderKey key = keyOf_(job);
        // The first chunk whose last key is not less than the key: found in the key array.
        const size_t lo = static_cast<size_t>(std::lower_bound(lastKeys_.begin(), lastKeys_.end(), key) - lastKeys_.begin());
        if (lo == chunks_.size()) {
            if (chunks_.empty()) return {0, 0};
            return {chunks_.size() - 1, chunks_.back()->size()};
        }
        const auto& c = *chunks_[lo];
        const auto it = std::lower_bound(c.begin(), c.end(), key, [this](const model::JobPtr& a, const model::JobOrderKey& k) {
            return keyOf_(*a) < k;
        });
        return {lo, static_cast<size_t>(it - c.begin())};
    }
    // The queue's lists mostly order by plain functions (insertion sequence, the §4.6 key): call
    // those directly instead of through std::function at each of a search's ~15 comparisons
    // (the searches are the larger part of applying a progress update: issue 8, figure 2).
    using LessFn = bool (*)(const model::Job&, const model::Job&);
    const auto found = [&] {
        if (const LessFn* fn = less_.target<LessFn>()) return lowerBoundIn(chunks_, *fn, job);
        return lowerBoundIn(chunks_, less_, job);
    }();
    return {found.first, found.second};
}

bool OrderedJobIndex::find(const model::Job& job, Position& pos) const {
    pos = lowerBound(job);
    if (pos.chunk >= chunks_.size() || pos.offset >= chunks_[pos.chunk]->size()) return false;
    const model::Job& found = *(*chunks_[pos.chunk])[pos.offset];
    // Equal order keys: found is not less than job and job is not less than found.
    if (keyOf_) return keyOf_(found) == keyOf_(job) && found.uiId == job.uiId;
    return !less_(job, found) && found.uiId == job.uiId;
}

std::vector<model::JobPtr>& OrderedJobIndex::mutableChunk(size_t chunk) {
    viewChunks_.reset();
    viewStarts_.reset();
    // A chunk a published snapshot may hold is copied first (once per publish period).
    if (!owned_[chunk]) {
        chunks_[chunk] = std::make_shared<JobChunk>(*chunks_[chunk]);
        owned_[chunk] = true;
    }
    return *chunks_[chunk];
}

void OrderedJobIndex::splitIfFull(size_t chunk) {
    auto& c = mutableChunk(chunk);
    if (c.size() <= kChunkCapacity) return;
    const auto half = static_cast<std::ptrdiff_t>(c.size() / 2);
    auto tail = std::make_shared<JobChunk>(c.begin() + half, c.end());
    c.erase(c.begin() + half, c.end());
    chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(chunk) + 1, std::move(tail));
    owned_.insert(owned_.begin() + static_cast<std::ptrdiff_t>(chunk) + 1, true);
    if (keyOf_) lastKeys_.insert(lastKeys_.begin() + static_cast<std::ptrdiff_t>(chunk) + 1, model::JobOrderKey{});
}

void OrderedJobIndex::mergeIfSmall(size_t chunk) {
    if (chunks_[chunk]->empty()) {
        chunks_.erase(chunks_.begin() + static_cast<std::ptrdiff_t>(chunk));
        owned_.erase(owned_.begin() + static_cast<std::ptrdiff_t>(chunk));
        if (keyOf_) lastKeys_.erase(lastKeys_.begin() + static_cast<std::ptrdiff_t>(chunk));
        return;
    }
    // Keep chunks from fragmenting: fold a small chunk into its right neighbour when both fit.
    if (chunk + 1 < chunks_.size() && chunks_[chunk]->size() + chunks_[chunk + 1]->size() <= kChunkCapacity / 2) {
        auto& c = mutableChunk(chunk);
        const auto& next = *chunks_[chunk + 1];
        c.insert(c.end(), next.begin(), next.end());
        chunks_.erase(chunks_.begin() + static_cast<std::ptrdiff_t>(chunk) + 1);
        owned_.erase(owned_.begin() + static_cast<std::ptrdiff_t>(chunk) + 1);
        if (keyOf_) lastKeys_.erase(lastKeys_.begin() + static_cast<std::ptrdiff_t>(chunk) + 1);
    }
}

void OrderedJobIndex::insert(model::JobPtr job) {
    if (chunks_.empty()) {
        // The first job makes the first chunk (lowerBound needs non-empty chunks).
        viewChunks_.reset();
        viewStarts_.reset();
        chunks_.push_back(std::make_shared<JobChunk>(1, std::move(job)));
        owned_.push_back(true);
        if (keyOf_) lastKeys_.push_back(keyOf_(*chunks_.back()->back()));
        ++size_;
        return;
    }
    const Position pos = lowerBound(*job);
    auto& c = mutableChunk(pos.chunk);
    c.insert(c.begin() + static_cast<std::ptrdiff_t>(pos.offset), std::move(job));
    ++size_;
    splitIfFull(pos.chunk);
    refreshKeys(pos.chunk, pos.chunk + 1);
}

void OrderedJobIndex::refreshKeys(size_t from, size_t to) {
    if (!keyOf_) return;
    for (size_t i = from; i <= to && i < chunks_.size(); ++i)
        if (!chunks_[i]->empty()) lastKeys_[i] = keyOf_(*chunks_[i]->back());
}

bool OrderedJobIndex::erase(const model::Job& job) {
    Position pos;
    if (!find(job, pos)) return false;
    auto& c = mutableChunk(pos.chunk);
    c.erase(c.begin() + static_cast<std::ptrdiff_t>(pos.offset));
    --size_;
    mergeIfSmall(pos.chunk);
    refreshKeys(pos.chunk > 0 ? pos.chunk - 1 : 0, pos.chunk);
    return true;
}

bool OrderedJobIndex::replaceInPlace(const model::Job& before, model::JobPtr after) {
    Hint none;
    return replaceInPlace(before, std::move(after), none);
}

bool OrderedJobIndex::findHinted(const model::Job& job, const Hint& hint, Position& pos) const {
    // The very object at the hinted place: a list holds a job version once, so it is the one.
    if (hint.chunk < chunks_.size()) {
        const JobChunk& c = *chunks_[hint.chunk];
        if (hint.offset < c.size() && c[hint.offset].get() == &job) {
            pos = {hint.chunk, hint.offset};
            return true;
        }
    }
    return find(job, pos);
}

bool OrderedJobIndex::replaceInPlace(const model::Job& before, model::JobPtr after, Hint& hint) {
    Position pos;
    if (!findHinted(before, hint, pos)) return false;
    mutableChunk(pos.chunk)[pos.offset] = std::move(after);
    hint = {static_cast<uint32_t>(pos.chunk), static_cast<uint32_t>(pos.offset)};
    return true;
}

void OrderedJobIndex::update(const model::Job& before, model::JobPtr after) {
    Hint none;
    update(before, std::move(after), none);
}

void OrderedJobIndex::update(const model::Job& before, model::JobPtr after, Hint& hint) {
    const bool sameKey = keyOf_ ? keyOf_(before) == keyOf_(*after) : !less_(before, *after) && !less_(*after, before);
    if (sameKey) {
        if (replaceInPlace(before, after, hint)) return;
    }
    hint = {};  // it moves: the next change searches once and remembers the new place
    erase(before);
    insert(std::move(after));
}

JobList OrderedJobIndex::view() const {
    if (!viewChunks_) {
        auto chunks = std::make_shared<std::vector<JobChunkPtr>>();
        auto starts = std::make_shared<std::vector<size_t>>();
        chunks->reserve(chunks_.size());
        starts->reserve(chunks_.size());
        size_t at = 0;
        for (const auto& c : chunks_) {
            if (c->empty()) continue;
            chunks->push_back(c);
            starts->push_back(at);
            at += c->size();
        }
        viewChunks_ = std::move(chunks);
        viewStarts_ = std::move(starts);
        owned_.assign(owned_.size(), false);  // every chunk is now visible to a snapshot
    }
    JobList list;
    list.chunks_ = viewChunks_;
    list.starts_ = viewStarts_;
    list.size_ = size_;
    return list;
}

}  // namespace genmon::orchestrator
