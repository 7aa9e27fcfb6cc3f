// A child process for the history tests (issue 18.7): records jobs into a history database the
// way genmon's worker will, and says on stdout after each commit how many records are in.
//
//   history_writer --db FILE --prefix NAME --count N [--batch-rows R] [--interval-ms I]
//                  [--pace-us U] [--shared K --shared-status running|succeeded]
//
// Jobs NAME-0 .. NAME-(N-1) of backend NAME, all succeeded, recorded in order; with --shared,
// also shared-0 .. shared-(K-1) of backend "shared" in the given state, interleaved. Each commit
// prints "committed <total>" with one write(2), so a SIGKILL cannot leave half a line. At the end
// "done written=W failed=F dropped=D" and exit 0 when nothing failed or was dropped, else 3.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "history/history_store.hpp"

using namespace genmon;

int main(int argc, char** argv) {
    std::string db, prefix = "w", sharedStatus = "succeeded";
    long long count = 0, shared = 0;
    int batchRows = 500, intervalMs = 250, paceUs = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i], v = argv[i + 1];
        if (a == "--db") db = v;
        else if (a == "--prefix") prefix = v;
        else if (a == "--count") count = std::atoll(v.c_str());
        else if (a == "--batch-rows") batchRows = std::atoi(v.c_str());
        else if (a == "--interval-ms") intervalMs = std::atoi(v.c_str());
        else if (a == "--pace-us") paceUs = std::atoi(v.c_str());
        else if (a == "--shared") shared = std::atoll(v.c_str());
        else if (a == "--shared-status") sharedStatus = v;
        else {
            std::fprintf(stderr, "history_writer: unknown argument %s\n", a.c_str());
            return 2;
        }
    }
    history::HistoryOptions o;
    o.path = db;
    o.batchRows = static_cast<size_t>(batchRows);
    o.batchInterval = std::chrono::milliseconds(intervalMs);
    o.queueCapacity = 1'000'000;
    o.onCommit = [](const history::CommitInfo& c) {
        char line[64];
        const int n = std::snprintf(line, sizeof line, "committed %llu\n", static_cast<unsigned long long>(c.totalWritten));
        if (::write(1, line, static_cast<size_t>(n)) != n) std::abort();
    };
    auto opened = history::HistoryStore::open(o);
    if (!opened) {
        std::fprintf(stderr, "history_writer: %s\n", opened.error().message.c_str());
        return 1;
    }
    auto& store = *opened.value();
    const auto sharedState = sharedStatus == "running" ? history::RunStatus::Running : history::RunStatus::Succeeded;
    const int64_t now = model::systemNowMicros();
    for (long long i = 0; i < count; ++i) {
        history::JobRecord r;
        r.backend = prefix;
        r.backendUrl = "http://" + prefix + ":8000/api/v1";
        r.jobId = prefix + "-" + std::to_string(i);
        r.status = history::RunStatus::Succeeded;
        r.createdMicros = now + i;
        r.startedMicros = now + i;
        r.finishedMicros = now + i + 1000;
        r.params.prompt = "job " + std::to_string(i) + " of " + prefix + " <lora:helper:1>";
        r.params.sampler = "Euler a";
        store.record(std::move(r));
        if (shared > 0 && i % std::max(1LL, count / shared) == 0 && i / std::max(1LL, count / shared) < shared) {
            history::JobRecord s;
            s.backend = "shared";
            s.jobId = "shared-" + std::to_string(i / std::max(1LL, count / shared));
            s.status = sharedState;
            if (sharedState == history::RunStatus::Succeeded) s.finishedMicros = now;
            s.params.prompt = "shared job";
            store.record(std::move(s));
        }
        if (paceUs > 0) std::this_thread::sleep_for(std::chrono::microseconds(paceUs));
    }
    store.close();
    const auto st = store.stats();
    std::printf("done written=%llu failed=%llu dropped=%llu%s%s\n", static_cast<unsigned long long>(st.written),
                static_cast<unsigned long long>(st.failed), static_cast<unsigned long long>(st.dropped),
                st.lastError.empty() ? "" : " error=", st.lastError.c_str());
    return st.failed == 0 && st.dropped == 0 ? 0 : 3;
}
