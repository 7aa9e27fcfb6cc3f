#pragma once
// A Snapshot as JSON (--dump-snapshot): every state key of the contract under its contract name
// (jobs, activeJobs, sortedActiveJobs, recentResults, systemStatus, isConnected,
// queueManagerActive, historyLimit, pollIntervalMs, systemStatusReady, systemStatusLastUpdated,
// systemStatusApiAvailable, isActive), plus version and connection and genmon's additions.
// Jobs and results use the upstream field names (id, jobId, status, progress, prompt,
// created_at, startTime, finished_at, params, ...; results id, job_id, prompt, width, ...).
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

void writeJob(protocol::JsonWriter& w, const model::Job& job);
void writeResult(protocol::JsonWriter& w, const model::GenerationResult& result);
void writeSystemStatus(protocol::JsonWriter& w, const model::SystemStatus& status);
void writeConnection(protocol::JsonWriter& w, const orchestrator::ConnectionInfo& info);

}  // namespace genmon::app
