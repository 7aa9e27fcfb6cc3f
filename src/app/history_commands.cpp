#include "app/history_commands.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "history/history_store.hpp"
#include "model/timestamp.hpp"
#include "protocol/base64.hpp"
#include "protocol/json_writer.hpp"

namespace genmon::app {

namespace {

void say(const std::string& line) { std::fprintf(stderr, "genmon: %s\n", line.c_str()); }

model::Outcome<std::unique_ptr<history::HistoryStore>> openForReading(const CliOptions& o) {
    history::HistoryOptions h;
    if (o.historyDbPath) h.path = *o.historyDbPath;
    h.createIfMissing = false;
    h.writer = false;
    return history::HistoryStore::open(h);
}

void timeField(protocol::JsonWriter& w, const char* key, int64_t micros) {
    w.key(key);
    if (micros)
        w.value(model::Timestamp::fromMicros(micros, true).toIso());
    else
        w.null();
}

// "2026-12-02 11:04" in local time.
std::string localMinute(int64_t micros) {
    if (!micros) return "-";
    const std::time_t t = static_cast<std::time_t>(micros / 1'000'000);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
    return buf;
}

// At most n bytes, cut on a UTF-8 boundary, with an ellipsis when cut; newlines become spaces.
std::string fit(std::string_view s, size_t n) {
    std::string out(s.substr(0, std::min(s.size(), n + 1)));
    for (char& c : out)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (out.size() <= n) return out;
    size_t cut = n - 3;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    return out.substr(0, cut) + "...";
}

std::string column(std::string s, size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

void printTable(const std::vector<history::JobRecord>& jobs, size_t limit) {
    std::printf("%s%s%s%s%s%s%s%s\n", column("WHEN (local)", 18).c_str(), column("STATUS", 11).c_str(),
                column("JOB", 10).c_str(), column("BACKEND", 22).c_str(), column("SIZE", 11).c_str(),
                column("STEPS", 7).c_str(), column("SAMPLER", 18).c_str(), "PROMPT");
    for (const auto& j : jobs) {
        const auto& p = j.params;
        const std::string size = p.width && p.height ? std::to_string(*p.width) + "x" + std::to_string(*p.height) : "-";
        std::printf("%s%s%s%s%s%s%s%s\n", column(localMinute(j.atMicros()), 18).c_str(),
                    column(std::string(history::runStatusName(j.status)), 11).c_str(), column(j.jobId.substr(0, 8), 10).c_str(),
                    column(fit(j.backend, 20), 22).c_str(), column(size, 11).c_str(),
                    column(p.steps ? std::to_string(*p.steps) : "-", 7).c_str(), column(fit(p.sampler.value_or("-"), 16), 18).c_str(),
                    fit(p.prompt.value_or("-"), 70).c_str());
        if (j.error) std::printf("%s%s\n", column("", 18).c_str(), fit("error: " + *j.error, 140).c_str());
    }
    std::printf("%zu job%s, newest first%s\n", jobs.size(), jobs.size() == 1 ? "" : "s",
                jobs.size() == limit ? " (--limit N shows more)" : "");
}

}  // namespace

std::string historyJobJson(const history::JobRecord& j, bool withThumbnail) {
    protocol::JsonWriter w;
    w.beginObject();
    w.field("backend", j.backend).field("backend_url", j.backendUrl).field("job_id", j.jobId);
    w.field("status", std::string(history::runStatusName(j.status)));
    timeField(w, "created_at", j.createdMicros);
    timeField(w, "started_at", j.startedMicros);
    timeField(w, "finished_at", j.finishedMicros);
    timeField(w, "first_seen_at", j.seenMicros);
    timeField(w, "last_seen_at", j.updatedMicros);
    w.field("error", j.error);
    const auto& p = j.params;
    w.key("params").beginObject();
    w.field("prompt", p.prompt).field("negative_prompt", p.negativePrompt).field("sampler_name", p.sampler);
    w.field("width", p.width).field("height", p.height).field("steps", p.steps).field("cfg_scale", p.cfg);
    w.field("seed", p.seed).field("batch_size", p.batchSize).field("n_iter", p.nIter);
    w.field("denoising_strength", p.denoisingStrength);
    w.endObject();
    w.key("loras").beginArray();
    for (const auto& tag : j.loras()) {
        w.beginObject().field("name", tag.name).field("weight", tag.weight);
        w.endObject();
    }
    w.endArray();
    w.field("result_id", j.resultId).field("rerun_of", j.rerunOf);
    if (withThumbnail) {
        w.key("thumbnail");
        if (j.thumbnail) {
            w.beginObject().field("width", j.thumbnail->width).field("height", j.thumbnail->height);
            w.field("rgba_base64", protocol::base64Encode(j.thumbnail->rgba));
            w.endObject();
        } else {
            w.null();
        }
    }
    w.endObject();
    return std::move(w).take();
}

int runHistorySearch(const CliOptions& o) {
    auto parsed = history::parseQuery(*o.historySearch);
    if (!parsed) {
        say("bad query '" + *o.historySearch + "': " + parsed.error.message());
        return 2;
    }
    auto opened = openForReading(o);
    if (!opened) {
        say(opened.error().message);
        return opened.error().kind == model::ErrorKind::NotFound ? 1 : 2;
    }
    history::SearchOptions s;
    s.limit = static_cast<size_t>(o.historyLimit);
    auto found = opened.value()->search(*parsed.query, s);
    if (!found) {
        say(found.error().message);
        return 2;
    }
    if (found->empty()) {
        say("no stored job matches '" + *o.historySearch + "' in " + opened.value()->path().string());
        return 1;
    }
    if (o.historyJson) {
        for (const auto& j : found.value()) std::printf("%s\n", historyJobJson(j, false).c_str());
    } else {
        printTable(found.value(), s.limit);
    }
    return 0;
}

int runHistoryExport(const CliOptions& o) {
    auto opened = openForReading(o);
    if (!opened) {
        say(opened.error().message);
        return 1;
    }
    // Written beside the target and renamed over it: a failed export leaves no half file.
    const std::filesystem::path target = *o.historyExport;
    std::string tempName = ".";  // appended, not "." + ...: GCC 12's -Wrestrict misfires on that at -O3
    tempName += target.filename().string();
    tempName += ".tmp-" + std::to_string(::getpid());
    const std::filesystem::path temp = target.parent_path() / tempName;
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) {
        say("cannot write " + temp.string() + ": " + std::strerror(errno));
        return 1;
    }
    size_t count = 0;
    auto st = opened.value()->forEachJob([&](const history::JobRecord& j) {
        out << historyJobJson(j, true) << '\n';
        ++count;
    });
    out.close();
    std::error_code ec;
    if (!st || !out) {
        std::filesystem::remove(temp, ec);
        say(!st ? st.error().message : "cannot write " + target.string() + ": the write failed");
        return 1;
    }
    std::filesystem::rename(temp, target, ec);
    if (ec) {
        const std::string why = ec.message();
        std::filesystem::remove(temp, ec);
        say("cannot write " + target.string() + ": " + why);
        return 1;
    }
    std::printf("exported %zu job%s to %s\n", count, count == 1 ? "" : "s", target.string().c_str());
    return 0;
}

}  // namespace genmon::app
