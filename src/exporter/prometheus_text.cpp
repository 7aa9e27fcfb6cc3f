#include "exporter/prometheus_text.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <span>

namespace genmon::exporter {

namespace {

constexpr double kBytesPerMiB = 1024.0 * 1024.0;

// A bucket bound as people write it in queries: le="0.0005", never le="5e-04".
std::string formatBound(double bound) {
    std::array<char, 48> buf{};
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), bound, std::chars_format::fixed);
    return std::string(buf.data(), r.ptr);
}

std::string formatCount(uint64_t value) {
    std::array<char, 24> buf{};
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), value);
    return std::string(buf.data(), r.ptr);
}

// Builds the exposition: one family at a time, its samples right after its HELP and TYPE.
class Exposition {
public:
    explicit Exposition(size_t expectedBytes) { out_.reserve(expectedBytes); }
    void family(std::string_view name, std::string_view type, std::string_view help) {
        out_ += "# HELP ";
        out_ += name;
        out_ += ' ';
        out_ += escapeHelp(help);
        out_ += "\n# TYPE ";
        out_ += name;
        out_ += ' ';
        out_ += type;
        out_ += '\n';
    }
    // labels: already escaped pairs without braces, e.g. backend="a",status="queued" (may be empty).
    void sample(std::string_view name, std::string_view labels, std::string_view value) {
        out_ += name;
        if (!labels.empty()) {
            out_ += '{';
            out_ += labels;
            out_ += '}';
        }
        out_ += ' ';
        out_ += value;
        out_ += '\n';
    }
    void sample(std::string_view name, std::string_view labels, double value) { sample(name, labels, formatValue(value)); }
    void count(std::string_view name, std::string_view labels, uint64_t value) { sample(name, labels, formatCount(value)); }

    // bounds: the buckets' upper bounds; counts: per bucket (not cumulative), one more than bounds
    // (the observations above the last bound). The text format wants cumulative buckets ending in
    // le="+Inf", whose value is _count.
    void histogram(std::string_view name, std::string_view labels, std::span<const double> bounds,
                   std::span<const uint64_t> counts, double sum) {
        const std::string bucket = std::string(name) + "_bucket";
        const std::string prefix = labels.empty() ? std::string() : std::string(labels) + ",";
        uint64_t cumulative = 0;
        for (size_t i = 0; i < bounds.size(); ++i) {
            cumulative += counts[i];
            count(bucket, prefix + "le=\"" + formatBound(bounds[i]) + "\"", cumulative);
        }
        cumulative += counts[bounds.size()];
        count(bucket, prefix + "le=\"+Inf\"", cumulative);
        sample(std::string(name) + "_sum", labels, sum);
        count(std::string(name) + "_count", labels, cumulative);
    }

    std::string take() && { return std::move(out_); }

private:
    std::string out_;
};

std::string label(std::string_view key, std::string_view value) {
    return std::string(key) + "=\"" + escapeLabelValue(value) + "\"";
}

}  // namespace

std::string escapeLabelValue(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string escapeHelp(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string formatValue(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    std::array<char, 32> buf{};
    // Whole numbers (counts, bytes) print without a fraction; exact up to 2^53.
    if (value == std::trunc(value) && std::fabs(value) < 9007199254740992.0) {
        const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), static_cast<int64_t>(value));
        return std::string(buf.data(), r.ptr);
    }
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), value);  // shortest round trip
    return std::string(buf.data(), r.ptr);
}

bool backendUp(const orchestrator::Snapshot& s) noexcept {
    return s.isConnected || (s.isActive && s.jobsUpdatedAtMicros > 0 && s.lastRefreshError.empty());
}

std::string formatPrometheus(const std::vector<BackendMetrics>& backends, const FrameHistogram* frames,
                             int64_t nowMicros) {
    using orchestrator::JobOutcome;
    static const orchestrator::Snapshot kEmptySnapshot;
    static const orchestrator::CumulativeMetrics kNothingCounted;
    struct Row {
        std::string labels;  // backend="..."
        const orchestrator::Snapshot* snap;
        const orchestrator::CumulativeMetrics* counts;
    };
    std::vector<Row> rows;
    rows.reserve(backends.size());
    for (const auto& b : backends) {
        const orchestrator::Snapshot* s = b.snapshot ? b.snapshot.get() : &kEmptySnapshot;
        rows.push_back({label("backend", b.name), s, s->cumulative ? s->cumulative.get() : &kNothingCounted});
    }
    auto with = [](const Row& r, std::string_view key, std::string_view value) { return r.labels + "," + label(key, value); };

    Exposition x(4096 + 3072 * rows.size());  // about 2.8 KB of samples per backend
    x.family("genmon_backend_up", "gauge",
             "1 when the backend answers: its progress socket is connected or the latest HTTP refresh succeeded.");
    for (const auto& r : rows) x.sample("genmon_backend_up", r.labels, backendUp(*r.snap) ? 1.0 : 0.0);

    x.family("genmon_socket_connected", "gauge", "1 while the backend's progress WebSocket is connected.");
    for (const auto& r : rows) x.sample("genmon_socket_connected", r.labels, r.snap->isConnected ? 1.0 : 0.0);

    x.family("genmon_data_age_seconds", "gauge",
             "Seconds since the newest data (jobs or system status) arrived from the backend; absent before any.");
    for (const auto& r : rows) {
        const int64_t newest = std::max(r.snap->jobsUpdatedAtMicros, r.snap->statusUpdatedAtMicros);
        if (newest > 0)
            x.sample("genmon_data_age_seconds", r.labels, static_cast<double>(std::max<int64_t>(0, nowMicros - newest)) / 1e6);
    }

    x.family("genmon_jobs", "gauge", "Jobs in the backend's queue as genmon sees it, by status.");
    for (const auto& r : rows) {
        x.count("genmon_jobs", with(r, "status", "queued"), r.snap->counts.queued);
        x.count("genmon_jobs", with(r, "status", "processing"), r.snap->counts.processing);
    }

    x.family("genmon_server_queue_length", "gauge",
             "The backend's own queue length (system status queue_length: pending, running and retrying jobs).");
    for (const auto& r : rows)
        if (r.snap->statusUpdatedAtMicros > 0)
            x.sample("genmon_server_queue_length", r.labels, static_cast<double>(r.snap->serverQueueLength));

    // The status reports MiB (GPU memory; host RAM when the backend has no GPU). 0 total: unknown.
    auto hasMemory = [](const Row& r) { return r.snap->systemStatus && r.snap->systemStatus->memory_total > 0; };
    x.family("genmon_gpu_memory_used_bytes", "gauge",
             "GPU memory in use as the backend's system status reports it (host RAM when it has no GPU).");
    for (const auto& r : rows)
        if (hasMemory(r))
            x.sample("genmon_gpu_memory_used_bytes", r.labels,
                     static_cast<double>(r.snap->systemStatus->memory_used) * kBytesPerMiB);
    x.family("genmon_gpu_memory_total_bytes", "gauge",
             "GPU memory in all as the backend's system status reports it (host RAM when it has no GPU).");
    for (const auto& r : rows)
        if (hasMemory(r))
            x.sample("genmon_gpu_memory_total_bytes", r.labels,
                     static_cast<double>(r.snap->systemStatus->memory_total) * kBytesPerMiB);

    x.family("genmon_jobs_finished_total", "counter",
             "Jobs that left the queue since genmon started, by outcome (unknown: no longer listed and no message "
             "said how it ended).");
    for (const auto& r : rows) {
        x.count("genmon_jobs_finished_total", with(r, "outcome", "completed"), r.counts->finished(JobOutcome::Completed));
        x.count("genmon_jobs_finished_total", with(r, "outcome", "failed"), r.counts->finished(JobOutcome::Failed));
        x.count("genmon_jobs_finished_total", with(r, "outcome", "cancelled"), r.counts->finished(JobOutcome::Cancelled));
        x.count("genmon_jobs_finished_total", with(r, "outcome", "unknown"), r.counts->finished(JobOutcome::Vanished));
    }

    x.family("genmon_job_run_seconds", "histogram",
             "Running time of completed jobs (the server's total_duration, else from the start genmon saw), "
             "without the time in the queue.");
    for (const auto& r : rows)
        x.histogram("genmon_job_run_seconds", r.labels, orchestrator::kJobSecondsBuckets, r.counts->runSeconds.counts,
                    r.counts->runSeconds.sum);

    x.family("genmon_job_queue_wait_seconds", "histogram",
             "Time jobs waited in the queue, from created_at to the start of their run (observed when they leave).");
    for (const auto& r : rows)
        x.histogram("genmon_job_queue_wait_seconds", r.labels, orchestrator::kJobSecondsBuckets,
                    r.counts->queueWaitSeconds.counts, r.counts->queueWaitSeconds.sum);

    x.family("genmon_socket_messages_total", "counter", "WebSocket messages received from the backend.");
    for (const auto& r : rows) x.count("genmon_socket_messages_total", r.labels, r.counts->socketMessages);

    x.family("genmon_reconnects_total", "counter",
             "Times the progress socket connected again after having been connected (each one resyncs over HTTP).");
    for (const auto& r : rows) x.count("genmon_reconnects_total", r.labels, r.counts->reconnects);

    x.family("genmon_parse_seconds_total", "counter", "Time genmon spent decoding the backend's JSON.");
    for (const auto& r : rows) x.sample("genmon_parse_seconds_total", r.labels, r.counts->parseSeconds);
    x.family("genmon_parses_total", "counter", "JSON documents and messages genmon decoded from the backend.");
    for (const auto& r : rows) x.count("genmon_parses_total", r.labels, r.counts->parses);

    if (frames) {
        const FrameCounts c = frames->read();
        x.family("genmon_frame_seconds", "histogram", "Time genmon's window took to build each frame it drew.");
        x.histogram("genmon_frame_seconds", "", kFrameSecondsBuckets, c.counts, c.sum);
    }
    return std::move(x).take();
}

}  // namespace genmon::exporter
