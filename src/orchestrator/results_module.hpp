#pragma once
// The results half of the contract's utilities (setResults, addResult, removeResult,
// setHistoryLimit, resetResults), spec §5. Newest first, trimmed to the history limit.
#include <memory>
#include <string_view>
#include <vector>

#include "model/messages.hpp"
#include "model/result.hpp"
#include "orchestrator/snapshot.hpp"

namespace genmon::orchestrator {

inline constexpr int kDefaultHistoryLimit = 10;
inline constexpr int kHistoryLimitWhenShowing = 50;
inline constexpr int kMaxResults = 200;
inline constexpr int kBackendResultsPageMax = 100;  // the backend's bound on ?limit (decision 5)

// §5.3: the effective limit is min(max(1, floor(n)), 200); a non-finite or non-positive n is 10.
int effectiveHistoryLimit(double requested) noexcept;

class ResultsModule {
public:
    void setResults(std::vector<model::ResultPtr> results);  // server order kept, then trimmed
    void addResult(model::ResultPtr result);                  // prepends, then trims
    bool removeResult(std::string_view id);                    // strict id match
    void setHistoryLimit(double limit);                        // trims at once
    void resetResults();                                       // [] and limit 10
    // Replaces one result (its image arrived) without changing the order.
    bool replaceResult(model::ResultPtr result);

    int historyLimit() const noexcept { return limit_; }
    const std::shared_ptr<const ResultList>& results() const noexcept { return list_; }
    model::ResultPtr find(std::string_view id) const;
    uint64_t revision() const noexcept { return revision_; }

    // §5.3 createResultFromCompletion: id = result_id ?? job_id, image_url = image ?? images[0].
    static model::GenerationResult fromCompletion(const model::CompletionMessage& m, int64_t nowMicros);

private:
    void commit(ResultList next);
    std::shared_ptr<const ResultList> list_ = std::make_shared<const ResultList>();
    int limit_ = kDefaultHistoryLimit;
    uint64_t revision_ = 0;
};

}  // namespace genmon::orchestrator
