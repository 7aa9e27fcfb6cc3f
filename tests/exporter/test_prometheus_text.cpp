// Issue 17.4: the Prometheus text exposition 0.0.4 of genmon_* for a list of backends. Escaping,
// HELP and TYPE once per family, cumulative histograms ending in +Inf, the values each family
// takes from the snapshot. (promtool and a real Prometheus read the real binary's output in
// tests/app/test_serve_metrics.cpp.)
#include <doctest/doctest.h>

#include <cstring>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "exporter/prometheus_text.hpp"

using namespace genmon;
namespace ex = genmon::exporter;
namespace orch = genmon::orchestrator;

namespace {

constexpr int64_t kNow = 1'790'000'000'000'000;

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// The value of the sample line that starts with `series` (name and labels exactly as written).
std::optional<std::string> valueOf(const std::string& text, const std::string& series) {
    for (const auto& l : lines(text))
        if (l.size() > series.size() && l.compare(0, series.size(), series) == 0 && l[series.size()] == ' ')
            return l.substr(series.size() + 1);
    return std::nullopt;
}

int countLines(const std::string& text, const std::string& prefix) {
    int n = 0;
    for (const auto& l : lines(text))
        if (l.rfind(prefix, 0) == 0) ++n;
    return n;
}

// A snapshot as the worker would publish it, with the parts the exposition reads.
std::shared_ptr<orch::Snapshot> snapshot() {
    auto s = std::make_shared<orch::Snapshot>();
    s->isConnected = true;
    s->isActive = true;
    s->counts.queued = 4;
    s->counts.processing = 1;
    s->counts.completed = 7;  // still listed, finished: not in genmon_jobs
    s->jobsUpdatedAtMicros = kNow - 2'500'000;
    s->statusUpdatedAtMicros = kNow - 4'000'000;
    s->serverQueueLength = 5;
    auto status = std::make_shared<model::SystemStatus>();
    status->memory_used = 2048;   // MiB
    status->memory_total = 8192;
    s->systemStatus = status;
    auto c = std::make_shared<orch::CumulativeMetrics>();
    c->jobsFinished[static_cast<size_t>(orch::JobOutcome::Completed)] = 40;
    c->jobsFinished[static_cast<size_t>(orch::JobOutcome::Failed)] = 3;
    c->jobsFinished[static_cast<size_t>(orch::JobOutcome::Cancelled)] = 2;
    c->jobsFinished[static_cast<size_t>(orch::JobOutcome::Vanished)] = 1;
    for (double v : {0.3, 0.5, 0.7, 45.0, 900.0}) c->runSeconds.observe(v);
    c->queueWaitSeconds.observe(12);
    c->socketMessages = 1234;
    c->reconnects = 2;
    c->parseSeconds = 0.0125;
    c->parses = 321;
    s->cumulative = c;
    return s;
}

std::string format(const std::vector<ex::BackendMetrics>& b, const ex::FrameHistogram* frames = nullptr) {
    return ex::formatPrometheus(b, frames, kNow);
}

}  // namespace

TEST_CASE("issue 17.4 exposition: label values escape backslash, double quote and newline") {
    CHECK(ex::escapeLabelValue("plain-name:8000") == "plain-name:8000");
    CHECK(ex::escapeLabelValue("a\\b") == "a\\\\b");
    CHECK(ex::escapeLabelValue("say \"hi\"") == "say \\\"hi\\\"");
    CHECK(ex::escapeLabelValue("two\nlines") == "two\\nlines");
    CHECK(ex::escapeLabelValue("ünïcode ok") == "ünïcode ok");  // UTF-8 passes through
    CHECK(ex::escapeHelp("a \\ b\nc \"q\"") == "a \\\\ b\\nc \"q\"");  // HELP keeps quotes as they are

    const std::string text = format({{"lab \"gpu\"\\1\nx", snapshot()}});
    CHECK(valueOf(text, "genmon_backend_up{backend=\"lab \\\"gpu\\\"\\\\1\\nx\"}") == "1");
    // No raw newline inside a sample: every line is a comment or one whole sample.
    for (const auto& l : lines(text)) CHECK_MESSAGE(!l.empty(), "an empty line in the exposition");
}

TEST_CASE("issue 17.4 exposition: sample values print as Prometheus reads them") {
    CHECK(ex::formatValue(0) == "0");
    CHECK(ex::formatValue(42) == "42");
    CHECK(ex::formatValue(8589934592.0) == "8589934592");  // 8 GiB in bytes: no exponent, no fraction
    CHECK(ex::formatValue(0.25) == "0.25");
    CHECK(ex::formatValue(1e-5) == "1e-05");
    CHECK(ex::formatValue(-3.5) == "-3.5");
    CHECK(ex::formatValue(std::numeric_limits<double>::quiet_NaN()) == "NaN");
    CHECK(ex::formatValue(std::numeric_limits<double>::infinity()) == "+Inf");
    CHECK(ex::formatValue(-std::numeric_limits<double>::infinity()) == "-Inf");
}

TEST_CASE("issue 17.4 exposition: every family has HELP and TYPE once, before its samples, for any number of backends") {
    auto down = std::make_shared<orch::Snapshot>();  // a backend genmon never reached
    const std::string text = format({{"a:8000", snapshot()}, {"b:8000", down}, {"c", nullptr}});
    std::map<std::string, int> help, type;
    std::set<std::string> typed;  // families whose TYPE came already
    const std::regex sampleLine(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$)");
    for (const auto& l : lines(text)) {
        if (l.rfind("# HELP ", 0) == 0) {
            ++help[l.substr(7, l.find(' ', 7) - 7)];
            continue;
        }
        if (l.rfind("# TYPE ", 0) == 0) {
            const std::string name = l.substr(7, l.find(' ', 7) - 7);
            ++type[name];
            typed.insert(name);
            continue;
        }
        std::smatch m;
        REQUIRE_MESSAGE(std::regex_match(l, m, sampleLine), "not a sample line: " << l);
        std::string family = m[1];
        for (const char* suffix : {"_bucket", "_sum", "_count"})
            if (!typed.count(family) && family.size() > std::strlen(suffix) &&
                family.compare(family.size() - std::strlen(suffix), std::string::npos, suffix) == 0)
                family.resize(family.size() - std::strlen(suffix));
        CHECK_MESSAGE(typed.count(family), "a sample before its family's TYPE: " << l);
        CHECK_MESSAGE(family.rfind("genmon_", 0) == 0, l);
    }
    CHECK(help.size() == 14);  // genmon_frame_seconds only with a window
    for (const auto& [name, n] : help) CHECK_MESSAGE(n == 1, name);
    for (const auto& [name, n] : type) CHECK_MESSAGE(n == 1, name);
    CHECK(help.size() == type.size());
    // Counters end in _total, as Prometheus names them.
    for (const auto& l : lines(text))
        if (l.rfind("# TYPE ", 0) == 0 && l.size() > 8 && l.compare(l.size() - 8, 8, " counter") == 0)
            CHECK_MESSAGE(l.find("_total counter") != std::string::npos, l);
    // Each backend has its own series.
    CHECK(valueOf(text, "genmon_backend_up{backend=\"a:8000\"}") == "1");
    CHECK(valueOf(text, "genmon_backend_up{backend=\"b:8000\"}") == "0");
    CHECK(valueOf(text, "genmon_backend_up{backend=\"c\"}") == "0");
    CHECK(valueOf(text, "genmon_jobs{backend=\"b:8000\",status=\"queued\"}") == "0");
    CHECK(valueOf(text, "genmon_reconnects_total{backend=\"c\"}") == "0");  // nothing counted yet: 0, present
}

TEST_CASE("issue 17.4 exposition: histogram buckets are cumulative and end in +Inf, which equals _count") {
    const std::string text = format({{"a", snapshot()}});
    // Runs of 0.3, 0.5, 0.7, 45 and 900 s.
    const std::string b = "genmon_job_run_seconds_bucket{backend=\"a\",le=";
    CHECK(valueOf(text, b + "\"0.5\"}") == "2");  // 0.3 and 0.5: "less than or equal"
    CHECK(valueOf(text, b + "\"1\"}") == "3");
    CHECK(valueOf(text, b + "\"30\"}") == "3");
    CHECK(valueOf(text, b + "\"60\"}") == "4");
    CHECK(valueOf(text, b + "\"600\"}") == "4");
    CHECK(valueOf(text, b + "\"+Inf\"}") == "5");
    CHECK(valueOf(text, "genmon_job_run_seconds_count{backend=\"a\"}") == "5");
    CHECK(valueOf(text, "genmon_job_run_seconds_sum{backend=\"a\"}") == "946.5");
    // Never decreasing from one bucket to the next, and one line per bound plus +Inf.
    CHECK(countLines(text, b) == static_cast<int>(orch::kJobSecondsBuckets.size()) + 1);
    uint64_t previous = 0;
    for (const auto& l : lines(text))
        if (l.rfind(b, 0) == 0) {
            const uint64_t v = std::stoull(l.substr(l.rfind(' ') + 1));
            CHECK(v >= previous);
            previous = v;
        }
    CHECK(valueOf(text, "genmon_job_queue_wait_seconds_bucket{backend=\"a\",le=\"10\"}") == "0");
    CHECK(valueOf(text, "genmon_job_queue_wait_seconds_bucket{backend=\"a\",le=\"20\"}") == "1");
    CHECK(valueOf(text, "genmon_job_queue_wait_seconds_count{backend=\"a\"}") == "1");
}

TEST_CASE("issue 17.4 exposition: each family takes its value from the backend's snapshot") {
    const std::string text = format({{"a", snapshot()}});
    CHECK(text.find("# TYPE genmon_jobs gauge\n") != std::string::npos);
    CHECK(valueOf(text, "genmon_jobs{backend=\"a\",status=\"queued\"}") == "4");
    CHECK(valueOf(text, "genmon_jobs{backend=\"a\",status=\"processing\"}") == "1");
    CHECK(valueOf(text, "genmon_socket_connected{backend=\"a\"}") == "1");
    CHECK(valueOf(text, "genmon_data_age_seconds{backend=\"a\"}") == "2.5");  // the newer of jobs and status
    CHECK(valueOf(text, "genmon_server_queue_length{backend=\"a\"}") == "5");
    CHECK(valueOf(text, "genmon_gpu_memory_used_bytes{backend=\"a\"}") == "2147483648");  // 2048 MiB
    CHECK(valueOf(text, "genmon_gpu_memory_total_bytes{backend=\"a\"}") == "8589934592");
    CHECK(valueOf(text, "genmon_jobs_finished_total{backend=\"a\",outcome=\"completed\"}") == "40");
    CHECK(valueOf(text, "genmon_jobs_finished_total{backend=\"a\",outcome=\"failed\"}") == "3");
    CHECK(valueOf(text, "genmon_jobs_finished_total{backend=\"a\",outcome=\"cancelled\"}") == "2");
    CHECK(valueOf(text, "genmon_jobs_finished_total{backend=\"a\",outcome=\"unknown\"}") == "1");
    CHECK(valueOf(text, "genmon_socket_messages_total{backend=\"a\"}") == "1234");
    CHECK(valueOf(text, "genmon_reconnects_total{backend=\"a\"}") == "2");
    CHECK(valueOf(text, "genmon_parse_seconds_total{backend=\"a\"}") == "0.0125");
    CHECK(valueOf(text, "genmon_parses_total{backend=\"a\"}") == "321");

    // Unknown values are left out rather than made up: no data yet, no status, no memory figures.
    auto fresh = std::make_shared<orch::Snapshot>();
    const std::string empty = format({{"new", fresh}});
    CHECK_FALSE(valueOf(empty, "genmon_data_age_seconds{backend=\"new\"}"));
    CHECK_FALSE(valueOf(empty, "genmon_server_queue_length{backend=\"new\"}"));
    CHECK_FALSE(valueOf(empty, "genmon_gpu_memory_total_bytes{backend=\"new\"}"));
    CHECK(valueOf(empty, "genmon_backend_up{backend=\"new\"}") == "0");
}

TEST_CASE("issue 17.4 exposition: a backend counts as up by its socket or by a good HTTP refresh") {
    orch::Snapshot s;
    CHECK_FALSE(ex::backendUp(s));
    s.isConnected = true;
    CHECK(ex::backendUp(s));
    s.isConnected = false;  // no socket (an upstream whose socket path is refused), polling works
    s.isActive = true;
    s.jobsUpdatedAtMicros = kNow;
    CHECK(ex::backendUp(s));
    s.lastRefreshError = "active jobs: cannot connect to 127.0.0.1:8000: Connection refused";
    CHECK_FALSE(ex::backendUp(s));
    s.lastRefreshError.clear();
    s.isActive = false;  // initialize failed: the orchestrator cleaned up
    CHECK_FALSE(ex::backendUp(s));
}

TEST_CASE("issue 17.4 exposition: frame times appear only when a window feeds them, without a backend label") {
    CHECK(format({{"a", snapshot()}}).find("genmon_frame_seconds") == std::string::npos);
    ex::FrameHistogram frames;
    frames.observe(0.0004);
    frames.observe(0.003);
    frames.observe(0.003);
    frames.observe(2.0);
    const std::string text = format({{"a", snapshot()}}, &frames);
    CHECK(text.find("# TYPE genmon_frame_seconds histogram\n") != std::string::npos);
    CHECK(valueOf(text, "genmon_frame_seconds_bucket{le=\"0.0005\"}") == "1");
    CHECK(valueOf(text, "genmon_frame_seconds_bucket{le=\"0.004\"}") == "3");
    CHECK(valueOf(text, "genmon_frame_seconds_bucket{le=\"1\"}") == "3");
    CHECK(valueOf(text, "genmon_frame_seconds_bucket{le=\"+Inf\"}") == "4");
    CHECK(valueOf(text, "genmon_frame_seconds_count") == "4");
    CHECK(std::stod(*valueOf(text, "genmon_frame_seconds_sum")) == doctest::Approx(2.0064));
}
