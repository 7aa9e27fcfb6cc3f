// Jobs: /generation/jobs/active (§2.2, §4.4, §4.5), a job's params (§2.4), GET /jobs/{id}
// (§2.9). queue_update's jobs (decode_socket.cpp) are read by readJobList too.
#include <algorithm>

#include "protocol/decoders.hpp"

namespace genmon::protocol {

using namespace detail;

namespace {

// ---------------------------------------------------------------------------------------------
// Generation params (§2.4): lenient, a wrong field is ignored with a warning

using Params = model::GenerationParams;

// In the order the backend writes them (§2.4): a lookup tries the rows in order.
constexpr auto kParamFields = fieldTable<Params>({
    {"prompt", Rule::Warn, kStringOrNull, [](In& in, Params& p) { return in.recentText(p.prompt, in.core.recent.prompt); }},
    {"negative_prompt", Rule::Warn, kStringOrNull,
     [](In& in, Params& p) { return in.recentText(p.negative_prompt, in.core.recent.negativePrompt); }},
    {"steps", Rule::Warn, kIntegerOrNull, [](In& in, Params& p) { return in.integer(p.steps); }},
    {"sampler_name", Rule::Warn, kStringOrNull,
     [](In& in, Params& p) { return in.recentText(p.sampler_name, in.core.recent.sampler); }},
    {"cfg_scale", Rule::Warn, kNumberOrNull, [](In& in, Params& p) { return in.number(p.cfg_scale); }},
    {"width", Rule::Warn, kIntegerOrNull, [](In& in, Params& p) { return in.integer(p.width); }},
    {"height", Rule::Warn, kIntegerOrNull, [](In& in, Params& p) { return in.integer(p.height); }},
    {"seed", Rule::Warn, kIntegerOrNull, [](In& in, Params& p) { return in.integer(p.seed); }},
    {"batch_size", Rule::Warn, kIntegerOrNull, [](In& in, Params& p) { return in.integer(p.batch_size); }},
    {"n_iter", Rule::Warn, kIntegerOrNull, [](In& in, Params& p) { return in.integer(p.n_iter); }},
    {"denoising_strength", Rule::Warn, kNumberOrNull,
     [](In& in, Params& p) { return in.number(p.denoising_strength); }},
    {"backend", Rule::Warn, kStringOrNull, [](In& in, Params& p) { return in.recentText(p.backend, in.core.recent.backend); }},
    // A job detail (§2.9) nests the real params one level down.
    {"generation_params", Rule::Warn, "an object",
     [](In& in, Params& p) {
         od::object nested;
         const Read r = in.rd.object(in.value, nested);
         if (r == Read::Ok && !readParams(in.core, nested, p, in.notes, in.prefix)) return Read::Broken;
         return r;
     }},
});

// ---------------------------------------------------------------------------------------------
// One /jobs/active entry, validated like the frontend's schema: a field of the wrong type, or
// a required one missing, drops the job with the first reason (Rule::Reject / Require).

struct JobEntry {
    model::Job& job;
    std::string_view id{}, jobId{}, uiId{}, backendId{};
    std::string_view idToken{};  // id as written, quotes included
    bool haveId = false, haveStatus = false, haveProgress = false, haveCreatedAt = false;
    double progress = 0;
};

constexpr const char* kIdOrNull = "a string, a number or null";

// The backend's fields in its order (§2.2), then genmon's own keys and the socket's extras.
constexpr auto kJobFields = fieldTable<JobEntry>({
    {"id", Rule::Require, "a string or a number",
     [](In& in, JobEntry& e) {
         e.idToken = in.value.raw_json_token();
         const Read r = in.id(e.id);
         e.haveId = r == Read::Ok;
         return r;
     }},
    {"jobId", Rule::Reject, kIdOrNull,
     [](In& in, JobEntry& e) {
         // Server jobs repeat id as jobId (§2.2): the same bytes, so no second parse.
         if (e.haveId && in.value.raw_json_token() == e.idToken) {
             e.jobId = e.id;
             return Read::Ok;
         }
         return in.id(e.jobId);
     }},
    {"prompt", Rule::Reject, kStringOrNull,
     [](In& in, JobEntry& e) { return in.recentText(e.job.prompt, in.core.recent.prompt); }},
    {"status", Rule::Require, kString,
     [](In& in, JobEntry& e) {
         std::string_view text;
         const Read r = in.text(text);
         if (r == Read::Ok) e.job.status = model::normalizeStatus(text);
         e.haveStatus = e.haveStatus || r == Read::Ok;
         return r;
     }},
    {"progress", Rule::Require, "a number >= 0",
     [](In& in, JobEntry& e) {
         const Read r = in.rd.numberLoose(in.value, e.progress);
         if (r == Read::Ok && e.progress >= 0)
             e.haveProgress = true;
         else if (r == Read::Ok)
             in.reject("progress must be a number >= 0, got " + excerpt(trimView(in.value.raw_json_token()), 24));
         return r;
     }},
    {"message", Rule::Reject, kStringOrNull,
     [](In& in, JobEntry& e) { return in.recentText(e.job.message, in.core.recent.message); }},
    {"error", Rule::Reject, kStringOrNull, [](In& in, JobEntry& e) { return in.recentText(e.job.error, in.core.recent.error); }},
    {"params", Rule::Reject, kObjectOrNull,
     [](In& in, JobEntry& e) {
         od::object params;
         const Read r = in.rd.object(in.value, params);
         if (r != Read::Ok) return r;
         e.job.params.emplace();
         return readParams(in.core, params, *e.job.params, in.notes, "params.") ? Read::Ok : Read::Broken;
     }},
    {"created_at", Rule::Require, kString,
     [](In& in, JobEntry& e) {
         const Read r = in.timestamp(e.job.created_at);
         e.haveCreatedAt = e.haveCreatedAt || r == Read::Ok;
         return r;
     }},
    {"startTime", Rule::Reject, kStringOrNull, [](In& in, JobEntry& e) { return in.timestamp(e.job.startTime); }},
    {"finished_at", Rule::Reject, kStringOrNull, [](In& in, JobEntry& e) { return in.timestamp(e.job.finished_at); }},
    {"result", Rule::Reject, kObjectOrNull,
     [](In& in, JobEntry& e) {
         const Read r = in.rd.expect(in.value, od::json_type::object);
         if (r != Read::Ok) return r;
         std::string_view text;
         if (!in.core.minified(in.value, text)) return Read::Broken;
         setOptText(e.job.result_json, text);
         return Read::Ok;
     }},
    {"uiId", Rule::Reject, kIdOrNull, [](In& in, JobEntry& e) { return in.id(e.uiId); }},
    {"backendId", Rule::Reject, kIdOrNull, [](In& in, JobEntry& e) { return in.id(e.backendId); }},
    {"current_step", Rule::Reject, kIntegerOrNull, [](In& in, JobEntry& e) { return in.integer(e.job.current_step); }},
    {"total_steps", Rule::Reject, kIntegerOrNull, [](In& in, JobEntry& e) { return in.integer(e.job.total_steps); }},
    {"eta_seconds", Rule::Reject, kNumberOrNull, [](In& in, JobEntry& e) { return in.number(e.job.eta_seconds); }},
});

std::string generatedJobId(ReaderCore& core, int64_t micros) {
    // splitmix64: enough to keep generated ids apart, no global RNG state.
    uint64_t z = (core.idState += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id = "job-";
    appendNumber(id, static_cast<uint64_t>(micros < 0 ? 0 : micros));
    id += '-';
    for (int shift = 28; shift >= 0; shift -= 4) id += kHex[(z >> shift) & 15];
    return id;
}

// §4.5: startTime <- startTime, created_at, receipt; created_at <- created_at, startTime; the
// prompt from the params when the job has none.
void fillTimesAndPrompt(model::Job& job, int64_t receivedMicros) {
    if (!job.startTime.valid)
        job.startTime = job.created_at.valid ? job.created_at : model::Timestamp::fromMicros(receivedMicros);
    if (!job.created_at.valid) job.created_at = job.startTime;
    if (!job.prompt && job.params && job.params->prompt) job.prompt = job.params->prompt;
    job.receivedMicros = receivedMicros;
}

// Reads one job. Returns false only when the document is broken; a job the frontend's schema
// would reject leaves `reason` set and is dropped by the caller.
bool readJob(ReaderCore& core, od::value& element, model::Job& job, std::string& reason, int64_t receivedMicros,
             const Notes& notes) {
    Reader& rd = core.rd;
    od::object obj;
    const Read shape = rd.object(element, obj);
    if (shape == Read::Broken) return false;
    if (shape != Read::Ok) {
        reason = "expected an object, got " + rd.describe(element);
        return true;
    }
    JobEntry e{job};
    if (!core.readFields<kJobFields>(obj, e, notes, {}, &reason)) return false;
    if (reason.empty()) {
        if (!e.haveId)
            reason = "id is required (a string or a number), missing";
        else if (!e.haveStatus)
            reason = "status is required (a string), missing";
        else if (!e.haveProgress)
            reason = "progress is required (a number >= 0), missing";
        else if (!e.haveCreatedAt)
            reason = "created_at is required (a string), missing";
    }
    if (!reason.empty()) return true;

    // Keys (§4.4). For server jobs id == jobId: the second key shares the first's text.
    const std::string_view ui = !e.uiId.empty()    ? e.uiId
                                : !e.id.empty()    ? e.id
                                : !e.jobId.empty() ? e.jobId
                                                   : e.backendId;
    if (ui.empty())
        setText(job.uiId, generatedJobId(core, receivedMicros));
    else
        setText(job.uiId, ui);
    const std::string_view backend = !e.backendId.empty() ? e.backendId : !e.jobId.empty() ? e.jobId : e.id;
    if (backend.empty() || backend == ui)
        job.backendId = job.uiId;
    else
        setText(job.backendId, backend);

    job.progress = model::normalizeProgress(e.progress, model::ProgressScale::Percent);
    fillTimesAndPrompt(job, receivedMicros);
    return true;
}

// ---------------------------------------------------------------------------------------------
// Job detail (§2.9): what the upstream UI shows; a wrong field is skipped (no warning list)

struct DetailEntry {
    model::JobDetail& detail;
    std::string_view id{};
};

constexpr auto kDetailFields = fieldTable<DetailEntry>({
    {"id", Rule::Quiet, "", [](In& in, DetailEntry& e) { return in.id(e.id); }},
    {"prompt", Rule::Quiet, "", [](In& in, DetailEntry& e) { return in.text(e.detail.job.prompt); }},
    {"mode", Rule::Quiet, "", [](In& in, DetailEntry& e) { return in.text(e.detail.mode); }},
    {"status", Rule::Quiet, "",
     [](In& in, DetailEntry& e) {
         std::string_view text;
         const Read r = in.text(text);
         if (r == Read::Ok) e.detail.job.status = model::normalizeStatus(text);
         return r;
     }},
    {"created_at", Rule::Quiet, "", [](In& in, DetailEntry& e) { return in.timestamp(e.detail.job.created_at); }},
    {"started_at", Rule::Quiet, "",
     [](In& in, DetailEntry& e) {
         std::string_view text;
         const Read r = in.text(text);
         if (r == Read::Ok) {
             e.detail.started_at.emplace(text);
             e.detail.job.startTime = model::Timestamp::parse(text);
         }
         return r;
     }},
    {"finished_at", Rule::Quiet, "", [](In& in, DetailEntry& e) { return in.timestamp(e.detail.job.finished_at); }},
    {"params", Rule::Quiet, "",
     [](In& in, DetailEntry& e) {
         od::object params;
         const Read r = in.rd.object(in.value, params);
         if (r != Read::Ok) return r;
         e.detail.job.params.emplace();
         return readParams(in.core, params, *e.detail.job.params, in.notes, "params.") ? Read::Ok : Read::Broken;
     }},
    {"result", Rule::Quiet, "",
     [](In& in, DetailEntry& e) {
         const Read r = in.rd.expect(in.value, od::json_type::object);
         if (r != Read::Ok) return r;
         std::string_view text;
         if (!in.core.minified(in.value, text)) return in.rd.broken ? Read::Broken : Read::Ok;
         setOptText(e.detail.job.result_json, text);
         return Read::Ok;
     }},
});

// A stored result object, looked into for progress, message and error as the backend's
// GenerationJobStatus builder does (§2.2: progress <= 1 is a fraction).
constexpr auto kStoredResultFields = fieldTable<model::Job>({
    {"progress", Rule::Quiet, "",
     [](In& in, model::Job& job) {
         double d = 0;
         const Read r = in.rd.numberLoose(in.value, d);
         if (r == Read::Ok && d >= 0)
             job.progress = model::normalizeProgress(
                 d, d <= 1 ? model::ProgressScale::Fraction : model::ProgressScale::Percent);
         return r;
     }},
    {"message", Rule::Quiet, "", [](In& in, model::Job& job) { return job.message ? Read::Ok : in.text(job.message); }},
    {"detail", Rule::Quiet, "", [](In& in, model::Job& job) { return job.message ? Read::Ok : in.text(job.message); }},
    {"error", Rule::Quiet, "", [](In& in, model::Job& job) { return job.error ? Read::Ok : in.text(job.error); }},
    {"error_message", Rule::Quiet, "",
     [](In& in, model::Job& job) { return job.error ? Read::Ok : in.text(job.error); }},
});

model::Outcome<JobDetail> readJobDetail(ReaderCore& core, od::object& obj, int64_t receivedMicros,
                                        std::string_view what) {
    JobDetail detail;
    model::Job& job = detail.job;
    DetailEntry e{detail};
    if (!core.readFields<kDetailFields>(obj, e, core.quietNotes(what)))
        return decodeError(std::string(what) + ": broken");  // replaced by the syntax error in run()
    if (e.id.empty()) return decodeError(std::string(what) + ": delivery.id is missing");
    setText(job.uiId, e.id);
    job.backendId = job.uiId;
    if (job.result_json) {
        const std::string_view stored(*job.result_json);
        core.withNestedObject(stored, [&](od::object& result) {
            core.readFields<kStoredResultFields>(result, job, core.quietNotes(what));
        });
    }
    fillTimesAndPrompt(job, receivedMicros);
    return detail;
}

}  // namespace

namespace detail {

bool readParams(ReaderCore& core, od::object& obj, model::GenerationParams& params, const Notes& notes,
                std::string_view prefix) {
    return core.readFields<kParamFields>(obj, params, notes, prefix);
}

bool readJobList(ReaderCore& core, od::array& arr, std::vector<model::Job>& jobs, std::vector<std::string>& warnings,
                 std::string_view label, int64_t receivedMicros) {
    // A server job is 600-900 bytes of JSON; reserving for one per 512 bytes saves regrowing a
    // 10,000-job vector fourteen times (~8% of the decode). Capped, and trimmed below when a
    // large body held few jobs.
    jobs.reserve(std::min({core.limits.maxJobs, core.bodySize / 512, size_t{1} << 14}));
    const bool ok = core.readList(arr, warnings, label, core.limits.maxJobs,
                                  [&](od::value& element, const Notes& notes, std::string& reason) {
                                      // Read in place (a Job is 352 bytes); a rejected one is taken back.
                                      model::Job& job = jobs.emplace_back();
                                      const bool ok = readJob(core, element, job, reason, receivedMicros, notes);
                                      if (!ok || !reason.empty()) jobs.pop_back();
                                      return ok;
                                  });
    if (jobs.capacity() > 2 * jobs.size() + 64) jobs.shrink_to_fit();
    return ok;
}

}  // namespace detail

model::Outcome<Decoded<std::vector<model::Job>>> Decoder::activeJobs(const std::string& body, int64_t receivedMicros) {
    using Out = Decoded<std::vector<model::Job>>;
    Impl& core = *impl_;
    constexpr std::string_view what = "active jobs";
    return core.run<Out>(body, what, [&](od::document& doc) -> model::Outcome<Out> {
        Out out;
        od::array arr;
        std::string problem;
        if (!core.rootArray(doc, arr, what, problem)) return decodeError(std::move(problem));
        if (!readJobList(core, arr, out.value, out.warnings, "active job", receivedMicros)) return decodeError({});
        return out;
    });
}

model::Outcome<JobDetail> Decoder::jobDetail(const std::string& body, int64_t receivedMicros) {
    Impl& core = *impl_;
    constexpr std::string_view what = "job detail";
    return core.run<JobDetail>(body, what, [&](od::document& doc) -> model::Outcome<JobDetail> {
        od::object obj;
        std::string problem;
        if (!core.rootObject(doc, obj, what, problem)) return decodeError(std::move(problem));
        // {"delivery":{...}} (§2.9); a bare delivery object is accepted too.
        od::value delivery;
        const error_code found = obj.find_field_unordered("delivery").get(delivery);
        if (found == simdjson::SUCCESS) {
            od::object inner;
            const Read r = core.rd.object(delivery, inner);
            if (r == Read::Broken) return decodeError({});
            if (r != Read::Ok)
                return decodeError(std::string(what) + ": " + core.rd.problem("delivery", "an object", delivery));
            model::Outcome<JobDetail> detail = readJobDetail(core, inner, receivedMicros, what);
            if (detail.ok() && !core.consumeAll(doc)) return decodeError({});
            return detail;
        }
        if (found != simdjson::NO_SUCH_FIELD) return core.rd.fail(found), decodeError({});
        if (!core.rewound(doc) || !core.rootObject(doc, obj, what, problem)) return decodeError(std::move(problem));
        return readJobDetail(core, obj, receivedMicros, what);
    });
}

}  // namespace genmon::protocol
