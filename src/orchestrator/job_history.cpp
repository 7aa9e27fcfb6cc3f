#include "orchestrator/job_history.hpp"

#include <algorithm>

namespace genmon::orchestrator {

namespace {
// How far back settle() looks: a late completion message follows the listing within seconds.
constexpr size_t kSettleLookback = 32;
// How far back append() looks for a cancel the backend ignored: the job may have waited behind
// many others before its worker picked it up.
constexpr size_t kReturnLookback = 1024;

bool matches(const JobLifecycle& e, std::string_view id) {
    return e.job && (e.job->uiId == id || e.job->backendId == id);
}
}  // namespace

const char* outcomeName(JobOutcome o) noexcept {
    switch (o) {
        case JobOutcome::Completed: return "completed";
        case JobOutcome::Failed: return "failed";
        case JobOutcome::Cancelled: return "cancelled";
        case JobOutcome::Vanished: return "left the queue";
    }
    return "";
}

const JobLifecycle* JobHistory::findNewest(std::string_view id) const {
    if (id.empty()) return nullptr;
    for (size_t i = size_; i-- > 0;)
        if (matches((*this)[i], id)) return &(*this)[i];
    return nullptr;
}

std::vector<JobLifecycle>& JobHistoryLog::mutableChunk(size_t index) {
    if (shared_[index]) {
        chunks_[index] = std::make_shared<std::vector<JobLifecycle>>(*chunks_[index]);
        shared_[index] = false;
    }
    view_.reset();
    return *chunks_[index];
}

void JobHistoryLog::append(JobLifecycle entry, int64_t now) {
    // Upstream renders a job it was asked to cancel anyway (spec §2.5, §9.7): it comes back and
    // leaves a second time. One job is one lifecycle: the later departure replaces the cancel.
    if (entry.job && entry.outcome != JobOutcome::Cancelled) {
        size_t looked = 0;
        for (size_t c = chunks_.size(); c-- > 0 && looked < kReturnLookback;)
            for (size_t i = chunks_[c]->size(); i-- > 0 && looked < kReturnLookback; ++looked) {
                const JobLifecycle& e = (*chunks_[c])[i];
                if (e.outcome != JobOutcome::Cancelled || !e.job || e.job->backendId.empty() ||
                    e.job->backendId != entry.job->backendId)
                    continue;
                entry.queuedAtMicros = std::min(entry.queuedAtMicros, e.queuedAtMicros);
                entry.cancelIgnored = true;
                mutableChunk(c)[i] = std::move(entry);
                return;
            }
    }
    if (chunks_.empty() || chunks_.back()->size() == kHistoryChunk) {
        chunks_.push_back(std::make_shared<std::vector<JobLifecycle>>());
        chunks_.back()->reserve(kHistoryChunk);
        shared_.push_back(false);
    }
    mutableChunk(chunks_.size() - 1).push_back(std::move(entry));
    ++size_;
    // Whole chunks go from the front (entries are in departure order, so the front is oldest).
    while (!chunks_.empty()) {
        const auto& front = *chunks_.front();
        const bool tooMany = size_ - front.size() >= maxEntries_;
        const bool tooOld = front.size() == kHistoryChunk && now - front.back().finishedAtMicros > retention_;
        if (!tooMany && !tooOld) break;
        size_ -= front.size();
        chunks_.erase(chunks_.begin());
        shared_.erase(shared_.begin());
    }
    view_.reset();
}

bool JobHistoryLog::settle(std::string_view id, JobOutcome outcome, const std::function<bool(const JobLifecycle&)>& learn,
                           std::string_view error) {
    size_t looked = 0;
    for (size_t c = chunks_.size(); c-- > 0 && looked < kSettleLookback;) {
        for (size_t i = chunks_[c]->size(); i-- > 0 && looked < kSettleLookback; ++looked) {
            const JobLifecycle& e = (*chunks_[c])[i];
            if (!matches(e, id)) continue;
            if (e.outcome != JobOutcome::Vanished) return false;  // it ended with a known outcome
            JobLifecycle& m = mutableChunk(c)[i];
            m.outcome = outcome;
            if (!error.empty()) m.error = model::Text(error);
            if (!m.learned && learn) m.learned = learn(m);
            return true;
        }
    }
    return false;
}

void JobHistoryLog::clear() {
    chunks_.clear();
    shared_.clear();
    size_ = 0;
    view_.reset();
}

std::shared_ptr<const JobHistory> JobHistoryLog::view() const {
    if (view_) return view_;
    auto h = std::make_shared<JobHistory>();
    h->chunks_.assign(chunks_.begin(), chunks_.end());
    h->size_ = size_;
    shared_.assign(shared_.size(), true);
    view_ = std::move(h);
    return view_;
}

}  // namespace genmon::orchestrator
