#pragma once
// genmon --backend URL --dump-snapshot [--wait-ms N] [--after-ms N]: connect with the real
// transport, wait for the first full refresh (initialize) or --wait-ms, keep watching for
// --after-ms more (the socket and polls run meanwhile), print the snapshot as JSON on stdout.
// Exit 0 with the JSON; exit 1 with one readable line on stderr when the backend cannot be
// reached ("genmon: cannot reach http://127.0.0.1:9/api/v1: connection refused") or refuses
// us; exit 2 for an unusable URL or API key file. (--demo is handled by main.cpp.)
#include <cstdio>
#include <string>

#include "app/cli.hpp"
#include "model/error.hpp"

namespace genmon::app {

int runDumpSnapshot(const CliOptions& options);

// The same, writing to the given streams (tests).
int runDumpSnapshot(const CliOptions& options, std::FILE* out, std::FILE* err);

// genmon --replay FILE --dump-snapshot: the snapshot at the end of the recording, computed on a
// virtual clock (no waiting). Exit 0 with the JSON; exit 1 with one line naming the file and the
// line for a missing or garbled recording.
int runReplayDumpSnapshot(const CliOptions& options, std::FILE* out, std::FILE* err);

// Issue 17.3: several --backend: {"backends":[{"name","url",["error",]...the contract's keys...}]}.
// A backend that cannot be read gets "error" (and a line on err); exit 0 when at least one
// backend answered, 1 when none did, 2 for a bad URL or key file.
int runFleetDumpSnapshot(const CliOptions& options, std::FILE* out, std::FILE* err);

// "cannot reach http://127.0.0.1:9/api/v1: connection refused" and the like, without "genmon: ".
std::string describeInitFailure(const std::string& baseUrl, const model::Error& error);

}  // namespace genmon::app
