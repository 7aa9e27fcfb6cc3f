// Figures 1, 1r, 2 and the decode column of the scaling table (1@1k, 1@10k, 1@100k).
//   1   /jobs/active of N realistic jobs -> std::vector<model::Job> with protocol::Decoder, MB/s
//   1r  that speed over simdjson On-Demand's own parse-and-iterate of the same bytes (every
//       field of every job read: strings unescaped, numbers parsed; no model built)
//   2   WebSocket progress_update: Decoder::wsMessage + QueueModule::handleProgressMessage on
//       one thread, over a 10,000-job queue, job ids round robin, messages/s
#include <variant>

#include "harness.hpp"
#include "model/timestamp.hpp"
#include "orchestrator/queue_module.hpp"
#include "payload.hpp"
#include "protocol/decode.hpp"

using namespace genmon;
using namespace genmon::bench;
namespace od = simdjson::ondemand;

namespace {

constexpr int64_t kNow = 1'795'694'400'000'000;

// simdjson's own speed over the same document: every value visited and read.
uint64_t touch(od::value v, bool& ok) {
    od::json_type t;
    if (v.type().get(t)) return ok = false, 0;
    uint64_t h = 0;
    switch (t) {
        case od::json_type::object: {
            od::object obj;
            if (v.get_object().get(obj)) return ok = false, 0;
            for (auto fr : obj) {
                od::field f;
                if (std::move(fr).get(f)) return ok = false, 0;
                h += f.key().raw() != nullptr;
                h += touch(f.value(), ok);
            }
            return h;
        }
        case od::json_type::array: {
            od::array arr;
            if (v.get_array().get(arr)) return ok = false, 0;
            for (auto er : arr) {
                od::value e;
                if (std::move(er).get(e)) return ok = false, 0;
                h += touch(e, ok);
            }
            return h;
        }
        case od::json_type::string: {
            std::string_view s;
            if (v.get_string().get(s)) return ok = false, 0;
            return s.size();
        }
        case od::json_type::number: {
            double d = 0;
            if (v.get_double().get(d)) return ok = false, 0;
            return static_cast<uint64_t>(d);
        }
        case od::json_type::boolean: {
            bool b = false;
            if (v.get_bool().get(b)) return ok = false, 0;
            return b;
        }
        case od::json_type::null: return v.is_null() ? 0 : 1;
    }
    return h;
}

uint64_t simdjsonIterate(od::parser& parser, const std::string& body) {
    od::document doc;
    if (parser.iterate(simdjson::padded_string_view(body.data(), body.size(), body.capacity())).get(doc)) return 0;
    od::array arr;
    if (doc.get_array().get(arr)) return 0;
    uint64_t h = 0;
    bool ok = true;
    for (auto er : arr) {
        od::value e;
        if (std::move(er).get(e)) return 0;
        h += touch(e, ok);
    }
    return ok ? h : 0;
}

struct DecodeFigure {
    double mbPerSec = 0;          // bytes / median CPU time
    double simdjsonMbPerSec = 0;
    size_t bytes = 0;
    size_t jobs = 0;
    Timed decode, simdjson;
};

DecodeFigure measureDecode(size_t n, int reps, bool withBaseline) {
    DecodeFigure f;
    const std::string body = activeJobsPayload(n, 7);
    f.bytes = body.size();
    protocol::Decoder decoder;
    // The vector is destroyed outside the timed region: freeing 10,000 jobs is not decoding.
    std::vector<std::vector<model::Job>> keep;
    keep.reserve(2);
    auto once = [&] {
        auto out = decoder.activeJobs(body, kNow);
        if (!out || !out->warnings.empty()) {
            std::fprintf(stderr, "bench: decode failed: %s\n",
                         out ? out->warnings.front().c_str() : out.error().message.c_str());
            std::exit(1);
        }
        f.jobs = out->value.size();
        keep.push_back(std::move(out->value));
    };
    for (int i = 0; i < 2; ++i) {  // warm-up
        once();
        keep.clear();
    }
    for (int i = 0; i < reps; ++i) {
        const int64_t c0 = threadCpuNs(), w0 = nowNs();
        once();
        const int64_t w1 = nowNs(), c1 = threadCpuNs();
        f.decode.cpu.add(static_cast<double>(c1 - c0));
        f.decode.wall.add(static_cast<double>(w1 - w0));
        keep.clear();
    }
    f.mbPerSec = static_cast<double>(f.bytes) / 1e6 / (f.decode.cpu.median() / 1e9);
    if (withBaseline) {
        od::parser parser;
        uint64_t sink = 0;
        f.simdjson = timeRepeatedCpu(2, reps, [&] { sink += simdjsonIterate(parser, body); });
        doNotOptimize(sink);
        if (sink == 0) std::fprintf(stderr, "bench: simdjson baseline read nothing\n");
        f.simdjsonMbPerSec = static_cast<double>(f.bytes) / 1e6 / (f.simdjson.cpu.median() / 1e9);
    }
    return f;
}

std::string decodeDetail(const DecodeFigure& f) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "%zu jobs, %.2f MB body (%.0f B/job); ", f.jobs, static_cast<double>(f.bytes) / 1e6,
                  static_cast<double>(f.bytes) / static_cast<double>(f.jobs));
    return buf + std::string("CPU ") + describeNs(f.decode.cpu, 1e6, "ms") + "; wall median " +
           formatNumber(f.decode.wall.median() / 1e6) + " ms (" +
           formatNumber(static_cast<double>(f.bytes) / 1e6 / (f.decode.wall.median() / 1e9)) + " MB/s)";
}

void figure2(const Options& opt, Reporter& report) {
    constexpr size_t kJobs = 10000;
    std::vector<JobShape> shapes;
    const std::string body = activeJobsPayload(kJobs, 11, &shapes);
    protocol::Decoder decoder;
    auto decoded = decoder.activeJobs(body, kNow);
    if (!decoded) {
        std::fprintf(stderr, "bench: %s\n", decoded.error().message.c_str());
        std::exit(1);
    }
    orchestrator::QueueModule queue;
    queue.setJobs(std::move(decoded->value), kNow);

    // Four rounds of messages, each job once per round in queue order; each carries the job's
    // own status (a progress tick, the common case) and a new progress, step and ETA.
    constexpr int kRounds = 4;
    std::vector<std::string> frames;
    frames.reserve(kJobs * kRounds);
    for (int round = 0; round < kRounds; ++round)
        for (size_t i = 0; i < kJobs; ++i) {
            const double p = 0.1 + 0.2 * round + static_cast<double>(i % 7) / 100.0;
            frames.push_back(progressFrame(shapes[i].id, p, shapes[i].status, static_cast<int>(p * 20), 20,
                                           (1.0 - p) * 12.0));
        }

    int64_t now = kNow;
    size_t next = 0, applied = 0;
    auto batch = [&] {  // kJobs messages
        for (size_t k = 0; k < kJobs; ++k) {
            const std::string& frame = frames[next];
            next = next + 1 == frames.size() ? 0 : next + 1;
            now += 50;
            auto msg = decoder.wsMessage(frame, now);
            if (!msg) {
                std::fprintf(stderr, "bench: %s\n", msg.error().message.c_str());
                std::exit(1);
            }
            if (const auto* p = std::get_if<model::ProgressMessage>(&msg->value)) {
                queue.handleProgressMessage(*p, now);
                ++applied;
            }
        }
    };
    const Timed t = timeRepeatedCpu(3, opt.reps(30, 3), batch);
    const Samples& s = t.cpu;
    if (applied == 0 || queue.size() != kJobs) {
        std::fprintf(stderr, "bench: progress messages were not applied\n");
        std::exit(1);
    }
    const double perSec = static_cast<double>(kJobs) / (s.median() / 1e9);

    // Where the time goes: the parse alone, then the apply alone (messages decoded beforehand).
    size_t at = 0;
    const Timed parseOnly = timeRepeatedCpu(2, opt.reps(15, 2), [&] {
        for (size_t k = 0; k < kJobs; ++k) {
            auto msg = decoder.wsMessage(frames[at], now);
            doNotOptimize(msg);
            at = at + 1 == frames.size() ? 0 : at + 1;
        }
    });
    std::vector<model::ProgressMessage> decodedBatch;
    decodedBatch.reserve(kJobs);
    for (size_t k = 0; k < kJobs; ++k)
        decodedBatch.push_back(std::get<model::ProgressMessage>(decoder.wsMessage(frames[k], now)->value));
    const Timed applyOnly = timeRepeatedCpu(2, opt.reps(15, 2), [&] {
        for (const auto& m : decodedBatch) queue.handleProgressMessage(m, now += 50);
    });
    const double n = static_cast<double>(kJobs);
    char detail[600];
    std::snprintf(detail, sizeof detail,
                  "batches of %zu messages (%zu B each), CPU %s; %.0f ns/message (parse alone %.0f, apply alone "
                  "%.0f); wall median %.0f ns/message",
                  kJobs, frames[0].size(), describeNs(s, 1e6, "ms").c_str(), s.median() / n,
                  parseOnly.cpu.median() / n, applyOnly.cpu.median() / n, t.wall.median() / n);
    report.add("2", "WS progress_update parse + apply (10,000-job queue, 1 thread)", perSec, "msg/s",
               Target::atLeast(1'500'000), detail);
}

}  // namespace

int main(int argc, char** argv) {
    const Options opt = parseOptions(argc, argv);
    Reporter report(opt);
    runRounds(opt, report, [&] {
    if (opt.wants("1")) {
        const DecodeFigure f = measureDecode(10000, opt.reps(30, 3), true);
        report.add("1", "decode /jobs/active, 10,000 jobs, into the model", f.mbPerSec, "MB/s", Target::atLeast(300),
                   decodeDetail(f));
        char d[300];
        std::snprintf(d, sizeof d, "decode %.1f MB/s; simdjson On-Demand parse + iterate every field %.1f MB/s (CPU %s)",
                      f.mbPerSec, f.simdjsonMbPerSec, describeNs(f.simdjson.cpu, 1e6, "ms").c_str());
        report.add("1r", "decode speed / simdjson parse-and-iterate speed (same bytes)",
                   f.mbPerSec / f.simdjsonMbPerSec, "ratio", Target::atLeast(0.4), d);
        if (opt.wants("1@")) {
            report.add("1@10k", "decode /jobs/active, 10,000 jobs (= figure 1)", f.mbPerSec, "MB/s",
                       Target::atLeast(300), decodeDetail(f), "scaling");
            for (size_t n : {size_t{1000}, size_t{100000}}) {
                const DecodeFigure g = measureDecode(n, n > 10000 ? opt.reps(10, 2) : opt.reps(200, 10), false);
                report.add(n == 1000 ? "1@1k" : "1@100k",
                           std::string("decode /jobs/active, ") + (n == 1000 ? "1,000" : "100,000") + " jobs",
                           g.mbPerSec, "MB/s", Target::atLeast(300), decodeDetail(g), "scaling");
            }
        }
    }
    if (opt.wants("2")) figure2(opt, report);
    });
    return 0;
}
