#pragma once
// A Snapshot as JSON (--dump-snapshot): every state key of the contract under its contract name
// (jobs, activeJobs, sortedActiveJobs, recentResults, systemStatus, isConnected,
// queueManagerActive, historyLimit, pollIntervalMs, systemStatusReady, systemStatusLastUpdated,
// systemStatusApiAvailable, isActive), plus version and connection and genmon's additions.
// Jobs and results use the upstream field names (id, jobId, status, progress, prompt,
// created_at, startTime, finished_at, params, ...; results id, job_id, prompt, width, ...).
// Each job has "eta" (issue 14.4, see EtaContext) and the top level "queueDrain".
// Image pixels are never written: "image":{"state":"ready","width":128,"height":128}.
// The API key is not part of a snapshot, so it cannot appear here.
#include <string>

#include "model/job.hpp"
#include "model/result.hpp"
#include "model/system_status.hpp"
#include "orchestrator/snapshot.hpp"
#include "protocol/json_writer.hpp"

namespace genmon::app {

std::string snapshotToJson(const orchestrator::Snapshot& snapshot, bool pretty = true);

// Issue 14.4: with a forecast, each job also carries "eta": when it will be done, seconds from
// nowMicros (the snapshot's builtAt), or null (finished, or no basis at all):
//   {"done_in_s", "low_s", "high_s", "starts_in_s", "lower_bound", "basis", "ahead", "ahead_unknown"}
struct EtaContext {
    const orchestrator::QueueForecast* forecast = nullptr;
    int64_t nowMicros = 0;
};
void writeJob(protocol::JsonWriter& w, const model::Job& job, const EtaContext* eta = nullptr);
void writeResult(protocol::JsonWriter& w, const model::GenerationResult& result);
// The system status is written by protocol::writeSystemStatusState (the backend's names, one writer).
void writeConnection(protocol::JsonWriter& w, const orchestrator::ConnectionInfo& info);

}  // namespace genmon::app
