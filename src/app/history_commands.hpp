#pragma once
// Issue 18.6: the history's script commands. They open the database for reading only (no
// writer thread, nothing deleted) and never create it.
//
//   genmon --history-search QUERY [--json] [--limit N]   exit 0: jobs printed; 1: none matched
//                                                        (or no history yet); 2: a bad query or
//                                                        a database that cannot be used
//   genmon --history-export FILE.jsonl                   exit 0: written; 1: it could not be
#include <string>

#include "app/cli.hpp"
#include "history/record.hpp"

namespace genmon::app {

int runHistorySearch(const CliOptions& options);
int runHistoryExport(const CliOptions& options);

// One job as a JSON object on one line (no newline): the upstream parameter names, times as
// ISO-8601 UTC; with the thumbnail (raw RGBA, base64) for the export.
std::string historyJobJson(const history::JobRecord& job, bool withThumbnail);

}  // namespace genmon::app
