#include "orchestrator/results_module.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace genmon::orchestrator {

int effectiveHistoryLimit(double requested) noexcept {
    if (!std::isfinite(requested) || requested <= 0) return kDefaultHistoryLimit;
    const double floored = std::floor(requested);
    if (floored < 1) return 1;
    if (floored > kMaxResults) return kMaxResults;
    return static_cast<int>(floored);
}

void ResultsModule::commit(ResultList next) {
    if (next.size() > static_cast<size_t>(limit_)) next.resize(static_cast<size_t>(limit_));
    // Every change is a new list: snapshots that hold the old one keep it unchanged.
    list_ = std::make_shared<const ResultList>(std::move(next));
    ++revision_;
}

void ResultsModule::setResults(std::vector<model::ResultPtr> results) {
    std::erase(results, nullptr);
    // An id listed twice (a broken or hostile answer) keeps its first entry, as setJobs does:
    // the views, the image cache and the texture cache key results by id.
    {
        std::unordered_set<std::string_view> ids;
        std::erase_if(results, [&](const model::ResultPtr& r) { return !ids.insert(r->id).second; });
    }
    if (results.size() > static_cast<size_t>(limit_)) results.resize(static_cast<size_t>(limit_));
    // A refresh that brings nothing new keeps the list (and its revision): no redraw needed.
    if (std::equal(results.begin(), results.end(), list_->begin(), list_->end(),
                   [](const model::ResultPtr& a, const model::ResultPtr& b) { return a == b || *a == *b; }))
        return;
    commit(std::move(results));
}

void ResultsModule::addResult(model::ResultPtr result) {
    if (!result) return;
    ResultList next;
    next.reserve(list_->size() + 1);
    next.push_back(result);
    // A result that is already listed (a completion message after a refresh) moves to the top.
    for (const auto& r : *list_)
        if (r->id != result->id) next.push_back(r);
    commit(std::move(next));
}

bool ResultsModule::removeResult(std::string_view id) {
    ResultList next;
    next.reserve(list_->size());
    for (const auto& r : *list_)
        if (r->id != id) next.push_back(r);
    if (next.size() == list_->size()) return false;
    commit(std::move(next));
    return true;
}

bool ResultsModule::replaceResult(model::ResultPtr result) {
    ResultList next = *list_;
    for (auto& r : next)
        if (r->id == result->id) {
            r = std::move(result);
            commit(std::move(next));
            return true;
        }
    return false;
}

void ResultsModule::setHistoryLimit(double limit) {
    limit_ = effectiveHistoryLimit(limit);
    commit(*list_);
}

void ResultsModule::resetResults() {
    limit_ = kDefaultHistoryLimit;
    commit({});
}

model::ResultPtr ResultsModule::find(std::string_view id) const {
    for (const auto& r : *list_)
        if (r->id == id) return r;
    return nullptr;
}

model::GenerationResult ResultsModule::fromCompletion(const model::CompletionMessage& m, int64_t now) {
    model::GenerationResult r;
    r.id = m.result_id.value_or(m.job_id);
    r.job_id = m.job_id;
    r.result_id = m.result_id;
    r.prompt = m.prompt;
    r.negative_prompt = m.negative_prompt;
    if (m.image_base64) {
        r.imageSource = model::ImageSource::Base64;
    } else if (m.image_path) {
        r.imageSource = model::ImageSource::ServerPath;
        r.image_path = m.image_path;
    }
    r.width = m.width;
    r.height = m.height;
    r.steps = m.steps;
    r.cfg_scale = m.cfg_scale;
    r.seed = m.seed;
    r.generation_info_json = m.generation_info_json;
    r.created_at = m.created_at ? model::Timestamp::parse(*m.created_at) : model::Timestamp{};
    if (!r.created_at.valid) r.created_at = model::Timestamp::fromMicros(now, true);
    r.finished_at = model::Timestamp::fromMicros(now, true);
    return r;
}

}  // namespace genmon::orchestrator
