// simdjson On-Demand decoders for spec §2-3. Layout of this file:
//   1. field tables (key -> enum) for each payload
//   2. Decoder::Impl: one method per payload shape
//   3. the public Decoder methods
// The typed reads (Reader, Notes) are in json_read.hpp; errorMessageFromBody in
// error_message.cpp.
//
// The model's string members may be std::string or model::Text; every write goes through
// setText / setOptText so this file does not care which.
#include "protocol/decode.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

#include "protocol/base64.hpp"
#include "protocol/json_read.hpp"

namespace genmon::protocol {

using namespace detail;

namespace {

// ---------------------------------------------------------------------------------------------
// 1. Field tables

enum class JobKey : uint8_t {
    Unknown,
    Id,
    JobId,
    UiId,
    BackendId,
    Prompt,
    Status,
    Progress,
    Message,
    ErrorText,
    Params,
    CreatedAt,
    StartTime,
    FinishedAt,
    Result,
    CurrentStep,
    TotalSteps,
    EtaSeconds,
};
constexpr std::array<std::pair<std::string_view, JobKey>, 17> kJobKeys{{
    {"id", JobKey::Id},
    {"jobId", JobKey::JobId},
    {"prompt", JobKey::Prompt},
    {"status", JobKey::Status},
    {"progress", JobKey::Progress},
    {"message", JobKey::Message},
    {"error", JobKey::ErrorText},
    {"params", JobKey::Params},
    {"created_at", JobKey::CreatedAt},
    {"startTime", JobKey::StartTime},
    {"finished_at", JobKey::FinishedAt},
    {"result", JobKey::Result},
    {"uiId", JobKey::UiId},
    {"backendId", JobKey::BackendId},
    {"current_step", JobKey::CurrentStep},
    {"total_steps", JobKey::TotalSteps},
    {"eta_seconds", JobKey::EtaSeconds},
}};

enum class ParamKey : uint8_t {
    Unknown,
    Prompt,
    NegativePrompt,
    Steps,
    SamplerName,
    CfgScale,
    Width,
    Height,
    Seed,
    BatchSize,
    NIter,
    DenoisingStrength,
    Backend,
    Nested,
};
constexpr std::array<std::pair<std::string_view, ParamKey>, 13> kParamKeys{{
    {"prompt", ParamKey::Prompt},
    {"negative_prompt", ParamKey::NegativePrompt},
    {"steps", ParamKey::Steps},
    {"sampler_name", ParamKey::SamplerName},
    {"cfg_scale", ParamKey::CfgScale},
    {"width", ParamKey::Width},
    {"height", ParamKey::Height},
    {"seed", ParamKey::Seed},
    {"batch_size", ParamKey::BatchSize},
    {"n_iter", ParamKey::NIter},
    {"denoising_strength", ParamKey::DenoisingStrength},
    {"backend", ParamKey::Backend},
    {"generation_params", ParamKey::Nested},  // job detail (§2.9) nests the real params
}};

enum class ResultKey : uint8_t {
    Unknown,
    Id,
    JobId,
    ResultId,
    Prompt,
    NegativePrompt,
    Status,
    ImageUrl,
    ThumbnailUrl,
    Width,
    Height,
    Steps,
    CfgScale,
    Seed,
    CreatedAt,
    FinishedAt,
    GenerationInfo,
    Rating,
    IsFavorite,
    RatingUpdatedAt,
    FavoriteUpdatedAt,
    SamplerName,
    ModelName,
};
constexpr std::array<std::pair<std::string_view, ResultKey>, 25> kResultKeys{{
    {"id", ResultKey::Id},
    {"job_id", ResultKey::JobId},
    {"prompt", ResultKey::Prompt},
    {"negative_prompt", ResultKey::NegativePrompt},
    {"status", ResultKey::Status},
    {"image_url", ResultKey::ImageUrl},
    {"thumbnail_url", ResultKey::ThumbnailUrl},
    {"width", ResultKey::Width},
    {"height", ResultKey::Height},
    {"steps", ResultKey::Steps},
    {"cfg_scale", ResultKey::CfgScale},
    {"seed", ResultKey::Seed},
    {"created_at", ResultKey::CreatedAt},
    {"finished_at", ResultKey::FinishedAt},
    {"generation_info", ResultKey::GenerationInfo},
    {"rating", ResultKey::Rating},
    {"is_favorite", ResultKey::IsFavorite},
    {"rating_updated_at", ResultKey::RatingUpdatedAt},
    {"favorite_updated_at", ResultKey::FavoriteUpdatedAt},
    {"result_id", ResultKey::ResultId},
    {"sampler_name", ResultKey::SamplerName},
    {"sampler", ResultKey::SamplerName},
    {"model", ResultKey::ModelName},
    {"model_name", ResultKey::ModelName},
    {"images", ResultKey::Unknown},
}};

enum class StatusKey : uint8_t {
    Unknown,
    GpuAvailable,
    QueueLength,
    Status,
    GpuStatus,
    MemoryUsed,
    MemoryTotal,
    ActiveWorkers,
    Backend,
    QueueEta,
    LastUpdated,
    Warnings,
    Metrics,
    Message,
    UpdatedAt,
    SdNext,
    Importer,
    Recommendations,
    Queue,
    Thresholds,
    Type,
};
constexpr std::array<std::pair<std::string_view, StatusKey>, 20> kStatusKeys{{
    {"gpu_available", StatusKey::GpuAvailable},
    {"queue_length", StatusKey::QueueLength},
    {"status", StatusKey::Status},
    {"gpu_status", StatusKey::GpuStatus},
    {"memory_used", StatusKey::MemoryUsed},
    {"memory_total", StatusKey::MemoryTotal},
    {"active_workers", StatusKey::ActiveWorkers},
    {"backend", StatusKey::Backend},
    {"queue_eta_seconds", StatusKey::QueueEta},
    {"last_updated", StatusKey::LastUpdated},
    {"warnings", StatusKey::Warnings},
    {"metrics", StatusKey::Metrics},
    {"message", StatusKey::Message},
    {"updated_at", StatusKey::UpdatedAt},
    {"sdnext", StatusKey::SdNext},
    {"importer", StatusKey::Importer},
    {"recommendations", StatusKey::Recommendations},
    {"queue", StatusKey::Queue},
    {"thresholds", StatusKey::Thresholds},
    {"type", StatusKey::Type},
}};

enum class WsType : uint8_t {
    Unknown,
    Connected,
    SubscriptionConfirmed,
    Started,
    Progress,
    Complete,
    GenerationError,
    QueueUpdate,
    SystemStatus,
};
constexpr std::array<std::pair<std::string_view, WsType>, 9> kWsTypes{{
    {"connected", WsType::Connected},
    {"subscription_confirmed", WsType::SubscriptionConfirmed},
    {"generation_started", WsType::Started},
    {"progress_update", WsType::Progress},      // server envelope (§3.1)
    {"generation_progress", WsType::Progress},  // flat legacy (§3.2)
    {"generation_complete", WsType::Complete},
    {"generation_error", WsType::GenerationError},
    {"queue_update", WsType::QueueUpdate},
    {"system_status", WsType::SystemStatus},
}};

// The fields of generation_complete / generation_error, before deciding which one it is.
struct CompletionFields {
    model::CompletionMessage msg;
    std::optional<std::string_view> status;
    std::optional<std::string_view> errorMessage;  // envelope: data.error_message
    std::optional<std::string_view> error;         // flat generation_error: msg.error
};

// What generation_info carries besides itself (decision 6 shows the real seed from it).
struct GenerationInfo {
    std::optional<int64_t> seed;
    std::optional<std::string_view> samplerName;
    std::optional<std::string_view> modelName;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// 2. Decoder::Impl

// Adds one call and its duration to a tally when the decode returns, whichever way it returns.
struct TallyScope {
    explicit TallyScope(DecodeTally& t) : tally(t), start(std::chrono::steady_clock::now()) {}
    ~TallyScope() {
        ++tally.decodes;
        tally.nanos += std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
    }
    TallyScope(const TallyScope&) = delete;
    TallyScope& operator=(const TallyScope&) = delete;
    DecodeTally& tally;
    std::chrono::steady_clock::time_point start;
};

struct Decoder::Impl {
    explicit Impl(DecodeLimits l) : limits(l) {
        idState = static_cast<uint64_t>(model::systemNowMicros()) ^ reinterpret_cast<uintptr_t>(this);
        // simdjson checks nesting against its own limit only in debug builds; the pre-scan
        // enforces ours. Keep simdjson's at least as high so the two never disagree.
        const size_t depth = std::max<size_t>(limits.maxDepth + 1, simdjson::DEFAULT_MAX_DEPTH);
        if (depth > simdjson::DEFAULT_MAX_DEPTH) {
            const error_code a = parser.allocate(4096, depth), b = nestedParser.allocate(4096, depth);
            (void)a, (void)b;  // a failure here is retried by the next parse's own allocation
        }
    }

    DecodeLimits limits;
    od::parser parser;
    od::parser nestedParser;       // JSON inside JSON: generation_info as text, a job's stored result
    std::unique_ptr<char[]> copy;  // padded copy of bodies without spare capacity, reused
    size_t copyCapacity = 0;
    std::string scratch;        // minified subtrees, reused
    std::string nestedScratch;  // padded text for nestedParser, reused
    uint64_t idState = 0;       // generated job ids (§4.4), splitmix64
    Reader rd;
    const char* bodyBegin = nullptr;
    size_t bodySize = 0;
    size_t droppedWarnings = 0;
    DecodeTally tally;

    // -- opening a document ------------------------------------------------------------------

    simdjson::padded_string_view padded(const std::string& body) {
        if (body.capacity() - body.size() >= simdjson::SIMDJSON_PADDING)
            return simdjson::padded_string_view(body.data(), body.size(), body.capacity());
        const size_t need = body.size() + simdjson::SIMDJSON_PADDING;
        if (copyCapacity < need) {
            copyCapacity = std::max(need, copyCapacity + copyCapacity / 2);
            copy.reset(new char[copyCapacity]);
        }
        std::memcpy(copy.get(), body.data(), body.size());
        std::memset(copy.get() + body.size(), 0, simdjson::SIMDJSON_PADDING);
        return simdjson::padded_string_view(copy.get(), body.size(), copyCapacity);
    }

    std::string syntaxError(std::string_view what, error_code e, od::document* doc) const {
        std::string s(what);
        if (e == simdjson::EMPTY) {
            s += ": empty body (expected JSON)";
            return s;
        }
        s += ": invalid JSON (";
        s += errorName(e);
        s += ": ";
        s += simdjson::error_message(e);
        s += ")";
        if (doc != nullptr && bodyBegin != nullptr) {
            const char* at = nullptr;
            if (doc->current_location().get(at) == simdjson::SUCCESS) {
                s += " near byte ";
                appendNumber(s, static_cast<uint64_t>(at - bodyBegin));
            }
        }
        return s;
    }

    // Runs decode(doc) on the body with the checks every payload shares: depth, syntax,
    // trailing content. decode returns an Outcome; a broken document turns into an error.
    template <class T, class F>
    model::Outcome<T> run(const std::string& body, std::string_view what, F&& decode) {
        const TallyScope timed(tally);
        rd = Reader{};
        droppedWarnings = 0;
        if (nestsDeeperThan(body, limits.maxDepth)) {
            std::string s(what);
            s += ": JSON nested deeper than ";
            appendNumber(s, limits.maxDepth);
            s += " levels; refused";
            return Error::make(ErrorKind::TooLarge, std::move(s));
        }
        const simdjson::padded_string_view view = padded(body);
        bodyBegin = view.data();
        bodySize = body.size();
        od::document doc;
        if (const error_code e = parser.iterate(view).get(doc)) return decodeError(syntaxError(what, e, nullptr));
        model::Outcome<T> out = decode(doc);
        if (rd.broken) return decodeError(syntaxError(what, rd.broken, &doc));
        if (!out.ok() && out.error().message.empty()) return decodeError(std::string(what) + ": could not be decoded");
        if (!out.ok()) return out;
        const char* at = nullptr;
        if (doc.current_location().get(at) == simdjson::SUCCESS) {
            std::string s(what);
            s += ": unexpected text after the JSON value near byte ";
            appendNumber(s, static_cast<uint64_t>(at - bodyBegin));
            return decodeError(std::move(s));
        }
        if constexpr (requires { out.value().warnings; }) {
            if (droppedWarnings > 0)
                out.value().warnings.push_back(std::string(what) + ": " + std::to_string(droppedWarnings) +
                                               " more warnings were left out");
        }
        return out;
    }

    // Walks the whole document again so run() can check for text after it. Needed where a
    // decode stops inside the root (a WebSocket envelope's data, a job detail's delivery).
    bool consumeAll(od::document& doc) {
        if (!rewound(doc)) return false;
        if (const error_code e = doc.raw_json().error()) return rd.fail(e), false;
        return true;
    }

    // On-Demand abandons a document after a fatal error and rewinding it then would crash;
    // every rewind goes through here.
    bool rewound(od::document& doc) {
        if (!doc.is_alive()) return rd.fail(simdjson::TAPE_ERROR), false;
        doc.rewind();
        return true;
    }

    // The root as the expected container, or an error naming what came instead.
    bool rootArray(od::document& doc, od::array& arr, std::string_view what, std::string& problem) {
        od::json_type t;
        if (const error_code e = doc.type().get(t)) {
            rd.fail(e);
            return false;
        }
        if (t != od::json_type::array) {
            problem = std::string(what) + ": expected a JSON array, got " + std::string(typeName(t));
            return false;
        }
        if (const error_code e = doc.get_array().get(arr)) {
            rd.fail(e);
            return false;
        }
        return true;
    }
    bool rootObject(od::document& doc, od::object& obj, std::string_view what, std::string& problem) {
        od::json_type t;
        if (const error_code e = doc.type().get(t)) {
            rd.fail(e);
            return false;
        }
        if (t != od::json_type::object) {
            problem = std::string(what) + ": expected a JSON object, got " + std::string(typeName(t));
            return false;
        }
        if (const error_code e = doc.get_object().get(obj)) {
            rd.fail(e);
            return false;
        }
        return true;
    }

    // -- raw subtrees ----------------------------------------------------------------------

    // The value's JSON text, minified into scratch. False when the document is broken.
    bool minified(od::value& v, std::string_view& out) {
        std::string_view raw;
        if (const error_code e = simdjson::to_json_string(v).get(raw)) {
            rd.classify(e);
            return false;
        }
        scratch.resize(raw.size());
        size_t length = 0;
        if (const error_code e = simdjson::minify(raw.data(), raw.size(), scratch.data(), length)) {
            rd.fail(e);
            return false;
        }
        scratch.resize(length);
        out = scratch;
        return true;
    }

    // Parses `text` (an object's JSON) with the nested parser and hands the object to visit.
    // Used for JSON carried as a string and for subtrees we keep raw and also look into.
    template <class F>
    bool withNestedObject(std::string_view text, F&& visit) {
        if (nestsDeeperThan(text, limits.maxDepth)) return false;
        nestedScratch.reserve(text.size() + simdjson::SIMDJSON_PADDING);
        nestedScratch.assign(text);
        od::document doc;
        if (nestedParser.iterate(nestedScratch.data(), nestedScratch.size(), nestedScratch.capacity()).get(doc))
            return false;
        od::object obj;
        if (doc.get_object().get(obj)) return false;
        Reader saved = rd;
        rd = Reader{};
        visit(obj);
        const bool ok = !rd.broken;
        rd = saved;
        return ok;
    }

    // -- generation params (§2.4), lenient: a wrong field is ignored with a warning ------------

    bool readParams(od::object& obj, model::GenerationParams& p, const Notes& notes, std::string_view prefix) {
        for (auto fieldResult : obj) {
            od::field field;
            if (const error_code e = std::move(fieldResult).get(field)) return rd.fail(e), false;
            const ParamKey key = lookup(rawKey(field), kParamKeys);
            if (key == ParamKey::Unknown) continue;
            od::value& v = field.value();
            Read r = Read::Ok;
            std::string_view text;
            const char* expected = "a string or null";
            switch (key) {
                case ParamKey::Prompt:
                    if ((r = rd.string(v, text)) == Read::Ok) setOptText(p.prompt, text);
                    break;
                case ParamKey::NegativePrompt:
                    if ((r = rd.string(v, text)) == Read::Ok) setOptText(p.negative_prompt, text);
                    break;
                case ParamKey::SamplerName:
                    if ((r = rd.string(v, text)) == Read::Ok) setOptText(p.sampler_name, text);
                    break;
                case ParamKey::Backend:
                    if ((r = rd.string(v, text)) == Read::Ok) setOptText(p.backend, text);
                    break;
                case ParamKey::Steps:
                    expected = "an integer or null";
                    r = readOptInt(v, p.steps);
                    break;
                case ParamKey::Width:
                    expected = "an integer or null";
                    r = readOptInt(v, p.width);
                    break;
                case ParamKey::Height:
                    expected = "an integer or null";
                    r = readOptInt(v, p.height);
                    break;
                case ParamKey::BatchSize:
                    expected = "an integer or null";
                    r = readOptInt(v, p.batch_size);
                    break;
                case ParamKey::NIter:
                    expected = "an integer or null";
                    r = readOptInt(v, p.n_iter);
                    break;
                case ParamKey::Seed: {
                    int64_t seed = 0;
                    expected = "an integer or null";
                    if ((r = rd.integer(v, seed)) == Read::Ok) p.seed = seed;
                    break;
                }
                case ParamKey::CfgScale: {
                    double d = 0;
                    expected = "a number or null";
                    if ((r = rd.number(v, d)) == Read::Ok) p.cfg_scale = d;
                    break;
                }
                case ParamKey::DenoisingStrength: {
                    double d = 0;
                    expected = "a number or null";
                    if ((r = rd.number(v, d)) == Read::Ok) p.denoising_strength = d;
                    break;
                }
                case ParamKey::Nested: {
                    od::object nested;
                    expected = "an object";
                    if ((r = rd.object(v, nested)) == Read::Ok && !readParams(nested, p, notes, prefix)) return false;
                    break;
                }
                case ParamKey::Unknown: break;
            }
            if (r == Read::Broken || rd.broken) return false;
            if (r == Read::Wrong) {
                std::string name(prefix);
                name += rawKey(field);
                notes.ignored(rd.problem(name, expected, v));
            }
        }
        return true;
    }

    Read readOptInt(od::value& v, std::optional<int>& out) {
        int i = 0;
        const Read r = rd.integer32(v, i);
        if (r == Read::Ok) out = i;
        return r;
    }

    // -- jobs (§2.2, §4.4, §4.5) --------------------------------------------------------------

    std::string generatedJobId(int64_t micros) {
        // splitmix64: enough to keep generated ids apart, no global RNG state.
        uint64_t z = (idState += 0x9E3779B97F4A7C15ull);
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

    // Reads one job. Returns false only when the document is broken; a job the frontend's
    // schema would reject leaves `reason` set and is dropped by the caller.
    bool readJob(od::value& element, model::Job& job, std::string& reason, int64_t receivedMicros, const Notes& notes) {
        od::object obj;
        const Read shape = rd.object(element, obj);
        if (shape == Read::Broken) return false;
        if (shape != Read::Ok) {
            reason = "expected an object, got " + rd.describe(element);
            return true;
        }
        std::string_view id, jobId, uiId, backendId;
        std::string_view idToken;  // id as written, quotes included
        bool haveId = false, haveStatus = false, haveProgress = false, haveCreatedAt = false;
        double progress = 0;
        auto reject = [&](std::string text) {
            if (reason.empty()) reason = std::move(text);
        };
        for (auto fieldResult : obj) {
            od::field field;
            if (const error_code e = std::move(fieldResult).get(field)) return rd.fail(e), false;
            const JobKey key = lookup(rawKey(field), kJobKeys);
            if (key == JobKey::Unknown) continue;
            od::value& v = field.value();
            std::string_view text;
            Read r = Read::Ok;
            switch (key) {
                case JobKey::Id:
                    idToken = v.raw_json_token();
                    r = rd.idText(v, text);
                    if (r == Read::Ok) {
                        id = text;
                        haveId = true;
                    } else if (r != Read::Broken)
                        reject(rd.problem("id", "a string or a number", v));
                    break;
                case JobKey::JobId:
                    // Server jobs repeat id as jobId (§2.2): same bytes, so no second parse.
                    if (haveId && v.raw_json_token() == idToken) {
                        jobId = id;
                        break;
                    }
                    [[fallthrough]];
                case JobKey::UiId:
                case JobKey::BackendId:
                    r = rd.idText(v, text);
                    if (r == Read::Ok)
                        (key == JobKey::JobId ? jobId : key == JobKey::UiId ? uiId : backendId) = text;
                    else if (r == Read::Wrong)
                        reject(rd.problem(rawKey(field), "a string, a number or null", v));
                    break;
                case JobKey::Status:
                    r = rd.string(v, text);
                    if (r == Read::Ok) {
                        job.status = model::normalizeStatus(text);
                        haveStatus = true;
                    } else if (r != Read::Broken)
                        reject(rd.problem("status", "a string", v));
                    break;
                case JobKey::Progress:
                    r = rd.numberLoose(v, progress);
                    if (r == Read::Ok && progress >= 0)
                        haveProgress = true;
                    else if (r == Read::Ok)
                        reject("progress must be a number >= 0, got " + excerpt(trimView(v.raw_json_token()), 24));
                    else if (r != Read::Broken)
                        reject(rd.problem("progress", "a number >= 0", v));
                    break;
                case JobKey::Prompt:
                case JobKey::Message:
                case JobKey::ErrorText:
                    r = rd.string(v, text);
                    if (r == Read::Ok)
                        setOptText(key == JobKey::Prompt    ? job.prompt
                                   : key == JobKey::Message ? job.message
                                                            : job.error,
                                   text);
                    else if (r == Read::Wrong)
                        reject(rd.problem(rawKey(field), "a string or null", v));
                    break;
                case JobKey::CreatedAt:
                    r = rd.string(v, text);
                    if (r == Read::Ok) {
                        job.created_at = model::Timestamp::parse(text);
                        haveCreatedAt = true;
                    } else if (r != Read::Broken)
                        reject(rd.problem("created_at", "a string", v));
                    break;
                case JobKey::StartTime:
                case JobKey::FinishedAt:
                    r = rd.string(v, text);
                    if (r == Read::Ok)
                        (key == JobKey::StartTime ? job.startTime : job.finished_at) = model::Timestamp::parse(text);
                    else if (r == Read::Wrong)
                        reject(rd.problem(rawKey(field), "a string or null", v));
                    break;
                case JobKey::Params: {
                    od::object params;
                    r = rd.object(v, params);
                    if (r == Read::Ok) {
                        job.params.emplace();
                        if (!readParams(params, *job.params, notes, "params.")) return false;
                    } else if (r == Read::Wrong) {
                        reject(rd.problem("params", "an object or null", v));
                    }
                    break;
                }
                case JobKey::Result: {
                    r = rd.expect(v, od::json_type::object);
                    if (r == Read::Ok) {
                        if (!minified(v, text)) return false;
                        setOptText(job.result_json, text);
                    } else if (r == Read::Wrong) {
                        reject(rd.problem("result", "an object or null", v));
                    }
                    break;
                }
                case JobKey::CurrentStep:
                case JobKey::TotalSteps:
                    r = readOptInt(v, key == JobKey::CurrentStep ? job.current_step : job.total_steps);
                    if (r == Read::Wrong) reject(rd.problem(rawKey(field), "an integer or null", v));
                    break;
                case JobKey::EtaSeconds: {
                    double d = 0;
                    r = rd.number(v, d);
                    if (r == Read::Ok)
                        job.eta_seconds = d;
                    else if (r == Read::Wrong)
                        reject(rd.problem("eta_seconds", "a number or null", v));
                    break;
                }
                case JobKey::Unknown: break;
            }
            if (r == Read::Broken || rd.broken) return false;
        }
        if (reason.empty()) {
            if (!haveId)
                reason = "id is required (a string or a number), missing";
            else if (!haveStatus)
                reason = "status is required (a string), missing";
            else if (!haveProgress)
                reason = "progress is required (a number >= 0), missing";
            else if (!haveCreatedAt)
                reason = "created_at is required (a string), missing";
        }
        if (!reason.empty()) return true;

        // Keys (§4.4). For server jobs id == jobId: the second key shares the first's text.
        const std::string_view ui = !uiId.empty() ? uiId : !id.empty() ? id : !jobId.empty() ? jobId : backendId;
        if (ui.empty())
            setText(job.uiId, generatedJobId(receivedMicros));
        else
            setText(job.uiId, ui);
        const std::string_view backend = !backendId.empty() ? backendId : !jobId.empty() ? jobId : id;
        if (backend.empty() || backend == ui)
            job.backendId = job.uiId;
        else
            setText(job.backendId, backend);

        job.progress = model::normalizeProgress(progress, model::ProgressScale::Percent);
        // §4.5: startTime <- startTime, created_at, receipt; created_at <- created_at, startTime.
        if (!job.startTime.valid)
            job.startTime = job.created_at.valid ? job.created_at : model::Timestamp::fromMicros(receivedMicros);
        if (!job.created_at.valid) job.created_at = job.startTime;
        if (!job.prompt && job.params && job.params->prompt) job.prompt = job.params->prompt;
        job.receivedMicros = receivedMicros;
        return true;
    }

    // A list of jobs: /jobs/active, or a flat queue_update's jobs. False when broken.
    bool readJobList(od::array& arr, std::vector<model::Job>& jobs, std::vector<std::string>& warnings,
                     std::string_view label, int64_t receivedMicros) {
        size_t index = 0, beyondLimit = 0;
        std::string reason;
        // A server job is 600-900 bytes of JSON; reserving for one per 512 bytes saves regrowing
        // a 10,000-job vector fourteen times (~8% of the decode). Capped, and trimmed below when a
        // large body held few jobs.
        jobs.reserve(std::min({limits.maxJobs, bodySize / 512, size_t{1} << 14}));
        for (auto elementResult : arr) {
            od::value element;
            if (const error_code e = std::move(elementResult).get(element)) return rd.fail(e), false;
            const size_t at = index++;
            if (jobs.size() >= limits.maxJobs) {
                ++beyondLimit;
                continue;
            }
            const Notes notes{warnings, droppedWarnings, label, at, true};
            model::Job job;
            reason.clear();
            if (!readJob(element, job, reason, receivedMicros, notes) || rd.broken) return false;
            if (reason.empty())
                jobs.push_back(std::move(job));
            else
                notes.add(reason + "; entry dropped");
        }
        if (jobs.capacity() > 2 * jobs.size() + 64) jobs.shrink_to_fit();
        if (beyondLimit > 0) {
            std::string s = std::to_string(beyondLimit) + " more " + std::string(label) + "s beyond the limit of ";
            appendNumber(s, limits.maxJobs);
            s += " were left out";
            warnings.push_back(std::move(s));
        }
        return true;
    }

    // -- generation_info (§2.3): kept minified, with the seed really used ------------------------

    void readGenerationInfoFields(od::object& obj, GenerationInfo& info) {
        for (auto fieldResult : obj) {
            if (rd.broken) return;
            od::field field;
            if (const error_code e = std::move(fieldResult).get(field)) return void(rd.fail(e));
            const std::string_view key = rawKey(field);
            od::value& v = field.value();
            std::string_view text;
            if (key == "seed") {
                int64_t seed = 0;
                if (rd.integer(v, seed) == Read::Ok) info.seed = seed;
            } else if (key == "sampler_name" || key == "sampler") {
                if (rd.string(v, text) == Read::Ok) info.samplerName = text;
            } else if (key == "model" || key == "model_name" || key == "sd_model_name") {
                if (rd.string(v, text) == Read::Ok && !info.modelName) info.modelName = text;
            }
        }
    }

    // generation_info as an object, or as JSON text (real SDNext's `info`, spec §9 item 15).
    // Writes the minified object to `json` and picks seed, sampler and model.
    template <class S>
    Read readGenerationInfo(od::value& v, std::optional<S>& json, GenerationInfo& info) {
        od::json_type t;
        const Read k = rd.kind(v, t);
        if (k != Read::Ok) return k;
        std::string_view text;
        if (t == od::json_type::object) {
            if (!minified(v, text)) return rd.broken ? Read::Broken : Read::Wrong;
        } else if (t == od::json_type::string) {
            if (const error_code e = v.get_string().get(text)) return rd.classify(e);
            text = trimView(text);
            if (text.empty() || text.front() != '{') return Read::Wrong;
            // Minify the embedded text the same way, through scratch.
            scratch.resize(text.size());
            size_t length = 0;
            if (simdjson::minify(text.data(), text.size(), scratch.data(), length)) return Read::Wrong;
            scratch.resize(length);
            text = scratch;
        } else {
            return Read::Wrong;
        }
        setOptText(json, text);
        // The views put into `info` point into the nested parser's buffer: callers copy them
        // before the next nested parse.
        GenerationInfo found;
        const std::string_view stored = *json;
        const bool parsed = withNestedObject(stored, [&](od::object& obj) {
            readGenerationInfoFields(obj, found);
            if (found.samplerName) info.samplerName = found.samplerName;
            if (found.modelName) info.modelName = found.modelName;
            info.seed = found.seed;
        });
        if (!parsed && t == od::json_type::string) {
            json.reset();
            return Read::Wrong;
        }
        return Read::Ok;
    }

    // -- results (§2.3) ----------------------------------------------------------------------

    bool readResult(od::value& element, DecodedResult& out, std::string& reason, const Notes& notes,
                    int64_t receivedMicros) {
        od::object obj;
        const Read shape = rd.object(element, obj);
        if (shape == Read::Broken) return false;
        if (shape != Read::Ok) {
            reason = "expected an object, got " + rd.describe(element);
            return true;
        }
        model::GenerationResult& res = out.result;
        std::string_view id, jobId;
        bool haveId = false;
        std::optional<std::string> topSampler, topModel;
        for (auto fieldResult : obj) {
            od::field field;
            if (const error_code e = std::move(fieldResult).get(field)) return rd.fail(e), false;
            const ResultKey key = lookup(rawKey(field), kResultKeys);
            if (key == ResultKey::Unknown) continue;
            od::value& v = field.value();
            std::string_view text;
            Read r = Read::Ok;
            const char* expected = "a string or null";
            switch (key) {
                case ResultKey::Id:
                    r = rd.idText(v, text);
                    if (r == Read::Ok) {
                        id = text;
                        haveId = !text.empty();
                        if (!haveId && reason.empty())
                            reason = "id must be a non-empty string or a number, got an empty string";
                    } else if (r != Read::Broken && reason.empty()) {
                        reason = rd.problem("id", "a non-empty string or a number", v);
                    }
                    r = r == Read::Broken ? r : Read::Ok;
                    break;
                case ResultKey::JobId:
                    expected = "a string, a number or null";
                    if ((r = rd.idText(v, text)) == Read::Ok) jobId = text;
                    break;
                case ResultKey::ResultId:
                    expected = "a string, a number or null";
                    if ((r = rd.idText(v, text)) == Read::Ok) setOptText(res.result_id, text);
                    break;
                case ResultKey::Prompt:
                    if ((r = rd.string(v, text)) == Read::Ok) setOptText(res.prompt, text);
                    break;
                case ResultKey::NegativePrompt:
                    if ((r = rd.string(v, text)) == Read::Ok) setOptText(res.negative_prompt, text);
                    break;
                case ResultKey::Status:
                    expected = "a string";
                    if ((r = rd.string(v, text)) == Read::Ok) setText(res.status, text);
                    break;
                case ResultKey::ImageUrl:
                    if ((r = rd.string(v, text)) == Read::Ok) classifyImage(text, res, out.imageBase64);
                    break;
                case ResultKey::ThumbnailUrl:
                    if ((r = rd.string(v, text)) == Read::Ok) setOptText(res.thumbnail_url, text);
                    break;
                case ResultKey::Width:
                    expected = "an integer or null";
                    r = readOptInt(v, res.width);
                    break;
                case ResultKey::Height:
                    expected = "an integer or null";
                    r = readOptInt(v, res.height);
                    break;
                case ResultKey::Steps:
                    expected = "an integer or null";
                    r = readOptInt(v, res.steps);
                    break;
                case ResultKey::Rating:
                    expected = "an integer or null";
                    r = readOptInt(v, res.rating);
                    break;
                case ResultKey::CfgScale: {
                    double d = 0;
                    expected = "a number or null";
                    if ((r = rd.number(v, d)) == Read::Ok) res.cfg_scale = d;
                    break;
                }
                case ResultKey::Seed: {
                    int64_t seed = 0;
                    expected = "an integer or null";
                    if ((r = rd.integer(v, seed)) == Read::Ok) res.seed = seed;
                    break;
                }
                case ResultKey::CreatedAt:
                    if ((r = rd.string(v, text)) == Read::Ok) res.created_at = model::Timestamp::parse(text);
                    break;
                case ResultKey::FinishedAt:
                    if ((r = rd.string(v, text)) == Read::Ok) res.finished_at = model::Timestamp::parse(text);
                    break;
                case ResultKey::RatingUpdatedAt:
                    if ((r = rd.string(v, text)) == Read::Ok) res.rating_updated_at = model::Timestamp::parse(text);
                    break;
                case ResultKey::FavoriteUpdatedAt:
                    if ((r = rd.string(v, text)) == Read::Ok) res.favorite_updated_at = model::Timestamp::parse(text);
                    break;
                case ResultKey::IsFavorite: {
                    bool b = false;
                    expected = "a boolean or null";
                    if ((r = rd.boolean(v, b)) == Read::Ok) res.is_favorite = b;
                    break;
                }
                case ResultKey::SamplerName:
                    if ((r = rd.string(v, text)) == Read::Ok) topSampler.emplace(text);
                    break;
                case ResultKey::ModelName:
                    if ((r = rd.string(v, text)) == Read::Ok && !topModel) topModel.emplace(text);
                    break;
                case ResultKey::GenerationInfo: {
                    GenerationInfo info;
                    expected = "an object, JSON text or null";
                    r = readGenerationInfo(v, res.generation_info_json, info);
                    if (r == Read::Ok) {
                        res.generation_seed = info.seed;
                        if (info.samplerName) setOptText(res.sampler_name, *info.samplerName);
                        if (info.modelName) setOptText(res.model_name, *info.modelName);
                    }
                    break;
                }
                case ResultKey::Unknown: break;
            }
            if (r == Read::Broken || rd.broken) return false;
            if (r == Read::Wrong) notes.ignored(rd.problem(rawKey(field), expected, v));
        }
        if (!reason.empty()) return true;
        if (!haveId) {
            reason = "id is required (a non-empty string or a number), missing";
            return true;
        }
        setText(res.id, id);
        if (jobId.empty() || jobId == id)
            res.job_id = res.id;
        else
            setText(res.job_id, jobId);
        // Top-level fields (§5.2) win over generation_info's.
        if (topSampler) setOptText(res.sampler_name, *topSampler);
        if (topModel) setOptText(res.model_name, *topModel);
        if (!res.created_at.valid && receivedMicros != 0) res.created_at = model::Timestamp::fromMicros(receivedMicros);
        return true;
    }

    // image_url (decision 6): base64 travels beside the result; paths and file:// URLs stay.
    static void classifyImage(std::string_view url, model::GenerationResult& res, std::optional<std::string>& base64) {
        url = trimView(url);
        if (url.empty()) return;
        if (looksLikeBase64Image(url)) {
            res.imageSource = model::ImageSource::Base64;
            base64.emplace(url);
        } else {
            res.imageSource = model::ImageSource::ServerPath;
            setOptText(res.image_path, url);
        }
    }

    // -- system status (§2.1) ------------------------------------------------------------------

    // Reads an optional-with-null field: absent stays nullopt, null gives an engaged nullopt.
    template <class T, class F>
    Read nullable(od::value& v, std::optional<std::optional<T>>& out, F&& readValue) {
        od::json_type t;
        const Read k = rd.kind(v, t);
        if (k == Read::Null) {
            out.emplace();
            return Read::Ok;
        }
        if (k != Read::Ok) return k;
        T value{};
        const Read r = readValue(v, value);
        if (r == Read::Ok) out.emplace(std::move(value));
        return r;
    }

    template <class S>
    Read readStatusText(od::value& v, S& out) {
        std::string_view text;
        const Read r = rd.string(v, text);
        if (r == Read::Ok) setText(out, text);
        return r;
    }
    Read readStatusInt(od::value& v, int64_t& out) {
        const Read r = rd.integer(v, out);
        if (r != Read::Wrong) return r;
        // Memory figures may come as 410.5 MiB from other backends: round rather than drop.
        double d = 0;
        if (rd.number(v, d) != Read::Ok || std::fabs(d) > 9.2e18) return Read::Wrong;
        out = std::llround(d);
        return Read::Ok;
    }

    // Reads the fields of a small nested object with a per-field callback. A wrong field is
    // ignored with a warning naming "<prefix>.<field>".
    template <class F>
    bool forFields(od::object& obj, const Notes& notes, std::string_view prefix, F&& perField) {
        for (auto fieldResult : obj) {
            od::field field;
            if (const error_code e = std::move(fieldResult).get(field)) return rd.fail(e), false;
            const std::string_view key = rawKey(field);
            od::value& v = field.value();
            const char* expected = nullptr;
            const Read r = perField(key, v, expected);
            if (r == Read::Broken || rd.broken) return false;
            if (r == Read::Wrong && expected != nullptr) {
                std::string name(prefix);
                name += '.';
                name += key;
                notes.ignored(rd.problem(name, expected, v));
            }
        }
        return true;
    }

    // A nested object field that may also be null, read by readObject into T.
    template <class T, class F>
    Read nullableObject(od::value& v, std::optional<std::optional<T>>& out, F&& readObject) {
        od::object obj;
        const Read r = rd.object(v, obj);
        if (r == Read::Null) {
            out.emplace();
            return Read::Ok;
        }
        if (r != Read::Ok) return r;
        T value{};
        if (!readObject(obj, value)) return Read::Broken;
        out.emplace(std::move(value));
        return Read::Ok;
    }

    // One field of a nested status object, naming what it should have been.
    Read boolField(od::value& v, bool& out, const char*& expected) {
        expected = "a boolean";
        return rd.boolean(v, out);
    }
    Read intField(od::value& v, int64_t& out, const char*& expected) {
        expected = "an integer";
        return rd.integer(v, out);
    }

    bool readSdNext(od::object& obj, model::SdNextStatus& s, const Notes& notes) {
        return forFields(obj, notes, "sdnext", [&](std::string_view key, od::value& v, const char*& expected) {
            std::string_view text;
            Read r = Read::Ok;
            if (key == "configured")
                r = boolField(v, s.configured, expected);
            else if (key == "available")
                r = boolField(v, s.available, expected);
            else if (key == "base_url" || key == "error" || key == "checked_at") {
                expected = "a string or null";
                r = rd.string(v, text);
                if (r == Read::Ok)
                    setOptText(key == "base_url" ? s.base_url : key == "error" ? s.error : s.checked_at, text);
            }
            return r == Read::Null ? Read::Ok : r;
        });
    }

    bool readImporter(od::object& obj, model::ImporterStatus& s, const Notes& notes) {
        return forFields(obj, notes, "importer", [&](std::string_view key, od::value& v, const char*& expected) {
            std::string_view text;
            Read r = Read::Ok;
            if (key == "import_path" || key == "last_ingested_at") {
                expected = "a string or null";
                r = rd.string(v, text);
                if (r == Read::Ok) setOptText(key == "import_path" ? s.import_path : s.last_ingested_at, text);
            } else if (key == "recent_imports")
                r = intField(v, s.recent_imports, expected);
            else if (key == "total_adapters")
                r = intField(v, s.total_adapters, expected);
            else if (key == "stale")
                r = boolField(v, s.stale, expected);
            else if (key == "stale_threshold_hours") {
                int64_t hours = 0;
                expected = "an integer or null";
                r = rd.integer(v, hours);
                if (r == Read::Ok) s.stale_threshold_hours = hours;
            }
            return r == Read::Null ? Read::Ok : r;
        });
    }

    bool readRecommendations(od::object& obj, model::Recommendations& s, const Notes& notes) {
        return forFields(obj, notes, "recommendations", [&](std::string_view key, od::value& v, const char*& expected) {
            Read r = Read::Ok;
            if (key == "models_loaded")
                r = boolField(v, s.models_loaded, expected);
            else if (key == "gpu_available")
                r = boolField(v, s.gpu_available, expected);
            return r == Read::Null ? Read::Ok : r;
        });
    }

    bool readQueueCounts(od::object& obj, model::QueueCounts& s, const Notes& notes) {
        return forFields(obj, notes, "queue", [&](std::string_view key, od::value& v, const char*& expected) {
            expected = "an integer";
            Read r = Read::Ok;
            if (key == "total")
                r = rd.integer(v, s.total);
            else if (key == "active")
                r = rd.integer(v, s.active);
            else if (key == "running")
                r = rd.integer(v, s.running);
            else if (key == "failed")
                r = rd.integer(v, s.failed);
            return r == Read::Null ? Read::Ok : r;
        });
    }

    bool readThresholds(od::object& obj, model::Thresholds& s, const Notes& notes) {
        auto optionalInt = [&](od::value& v, std::optional<int64_t>& out) {
            int64_t i = 0;
            const Read r = rd.integer(v, i);
            if (r == Read::Ok) out = i;
            return r == Read::Null ? Read::Ok : r;
        };
        return forFields(obj, notes, "thresholds", [&](std::string_view key, od::value& v, const char*& expected) {
            od::object inner;
            expected = "an object or null";
            Read r = rd.object(v, inner);
            if (r != Read::Ok) return r == Read::Null ? Read::Ok : r;
            if (key == "queue") {
                const bool ok = forFields(inner, notes, "thresholds.queue",
                                          [&](std::string_view k, od::value& iv, const char*& ex) {
                                              ex = "an integer or null";
                                              if (k == "active_warning") return optionalInt(iv, s.queue_active_warning);
                                              if (k == "failed_warning") return optionalInt(iv, s.queue_failed_warning);
                                              return Read::Ok;
                                          });
                return ok ? Read::Ok : Read::Broken;
            }
            if (key == "importer") {
                const bool ok = forFields(inner, notes, "thresholds.importer",
                                          [&](std::string_view k, od::value& iv, const char*& ex) {
                                              ex = "an integer or null";
                                              if (k == "stale_hours") return optionalInt(iv, s.importer_stale_hours);
                                              return Read::Ok;
                                          });
                return ok ? Read::Ok : Read::Broken;
            }
            return Read::Ok;
        });
    }

    bool readGpu(od::object& obj, model::GpuMetrics& g, const Notes& notes, std::string_view prefix) {
        return forFields(obj, notes, prefix, [&](std::string_view key, od::value& v, const char*& expected) {
            std::string_view text;
            Read r = Read::Ok;
            if (key == "id") {
                expected = "a string or a number";
                if ((r = rd.idText(v, text)) == Read::Ok) setText(g.id, text);
            } else if (key == "name") {
                expected = "a string";
                if ((r = rd.string(v, text)) == Read::Ok) setText(g.name, text);
            } else {
                std::optional<double>* slot = key == "memory_total"       ? &g.memory_total
                                              : key == "memory_used"      ? &g.memory_used
                                              : key == "memory_percent"   ? &g.memory_percent
                                              : key == "temperature"      ? &g.temperature
                                              : key == "utilization"      ? &g.utilization
                                              : key == "fan_speed"        ? &g.fan_speed
                                              : key == "power_draw_watts" ? &g.power_draw_watts
                                                                          : nullptr;
                if (slot != nullptr) {
                    double d = 0;
                    expected = "a number or null";
                    if ((r = rd.number(v, d)) == Read::Ok) *slot = d;
                }
            }
            return r == Read::Null ? Read::Ok : r;
        });
    }

    bool readMetrics(od::object& obj, model::SystemMetrics& m, const Notes& notes) {
        bool haveCpu = false, haveMemPercent = false, haveMemUsed = false, haveMemTotal = false, haveGpus = false;
        const bool ok =
            forFields(obj, notes, "metrics", [&](std::string_view key, od::value& v, const char*& expected) {
                std::string_view text;
                Read r = Read::Ok;
                double* required = key == "cpu_percent"      ? &m.cpu_percent
                                   : key == "memory_percent" ? &m.memory_percent
                                   : key == "memory_used"    ? &m.memory_used
                                   : key == "memory_total"   ? &m.memory_total
                                                             : nullptr;
                if (required != nullptr) {
                    expected = "a number";
                    if ((r = rd.number(v, *required)) == Read::Ok)
                        (key == "cpu_percent"      ? haveCpu
                         : key == "memory_percent" ? haveMemPercent
                         : key == "memory_used"    ? haveMemUsed
                                                   : haveMemTotal) = true;
                    return r;
                }
                std::optional<double>* optional = key == "disk_percent" ? &m.disk_percent
                                                  : key == "disk_used"  ? &m.disk_used
                                                  : key == "disk_total" ? &m.disk_total
                                                                        : nullptr;
                if (optional != nullptr) {
                    double d = 0;
                    expected = "a number or null";
                    if ((r = rd.number(v, d)) == Read::Ok) *optional = d;
                } else if (key == "uptime_seconds") {
                    expected = "an integer or null";
                    int64_t up = 0;
                    if ((r = readStatusInt(v, up)) == Read::Ok) m.uptime_seconds = up;
                } else if (key == "timestamp") {
                    expected = "a string or null";
                    if ((r = rd.string(v, text)) == Read::Ok) setOptText(m.timestamp, text);
                } else if (key == "gpus") {
                    od::array gpus;
                    expected = "an array";
                    if ((r = rd.array(v, gpus)) != Read::Ok) return r == Read::Null ? Read::Ok : r;
                    haveGpus = true;
                    size_t index = 0;
                    for (auto elementResult : gpus) {
                        od::value element;
                        if (const error_code e = std::move(elementResult).get(element)) return rd.fail(e);
                        const std::string prefix = "metrics.gpus[" + std::to_string(index++) + "]";
                        od::object gpuObject;
                        const Read g = rd.object(element, gpuObject);
                        if (g == Read::Broken) return g;
                        if (g != Read::Ok) {
                            notes.ignored(rd.problem(prefix, "an object", element));
                            continue;
                        }
                        model::GpuMetrics gpu;
                        if (!readGpu(gpuObject, gpu, notes, prefix)) return Read::Broken;
                        m.gpus.push_back(std::move(gpu));
                    }
                }
                return r == Read::Null ? Read::Ok : r;
            });
        if (!ok) return false;
        // The frontend schema requires these when metrics is present (§2.1); we keep 0.
        for (auto [present, name] : {std::pair{haveCpu, "cpu_percent"}, std::pair{haveMemPercent, "memory_percent"},
                                     std::pair{haveMemUsed, "memory_used"}, std::pair{haveMemTotal, "memory_total"},
                                     std::pair{haveGpus, "gpus"}})
            if (!present) notes.add(std::string("metrics.") + name + " is missing; shown as 0");
        return true;
    }

    bool readSystemStatus(od::object& obj, model::SystemStatusPatch& p, std::vector<std::string>& warnings) {
        const Notes notes{warnings, droppedWarnings, "system status"};
        for (auto fieldResult : obj) {
            od::field field;
            if (const error_code e = std::move(fieldResult).get(field)) return rd.fail(e), false;
            const std::string_view rawName = rawKey(field);
            const StatusKey key = lookup(rawName, kStatusKeys);
            od::value& v = field.value();
            std::string_view text;
            Read r = Read::Ok;
            const char* expected = "a string";
            auto text_ = [&](od::value& value, auto& out) { return readStatusText(value, out); };
            auto int_ = [&](od::value& value, int64_t& out) { return readStatusInt(value, out); };
            switch (key) {
                case StatusKey::GpuAvailable: {
                    bool b = false;
                    expected = "a boolean";
                    if ((r = rd.boolean(v, b)) == Read::Ok) p.gpu_available = b;
                    break;
                }
                case StatusKey::QueueLength:
                case StatusKey::MemoryUsed:
                case StatusKey::MemoryTotal: {
                    int64_t i = 0;
                    expected = "an integer";
                    if ((r = readStatusInt(v, i)) == Read::Ok)
                        (key == StatusKey::QueueLength  ? p.queue_length
                         : key == StatusKey::MemoryUsed ? p.memory_used
                                                        : p.memory_total) = i;
                    break;
                }
                case StatusKey::Status:
                case StatusKey::GpuStatus:
                case StatusKey::Message:
                case StatusKey::UpdatedAt:
                case StatusKey::Type:
                    if ((r = rd.string(v, text)) == Read::Ok)
                        setOptText(key == StatusKey::Status      ? p.status
                                   : key == StatusKey::GpuStatus ? p.gpu_status
                                   : key == StatusKey::Message   ? p.message
                                   : key == StatusKey::UpdatedAt ? p.updated_at
                                                                 : p.type,
                                   text);
                    break;
                case StatusKey::ActiveWorkers:
                    expected = "an integer or null";
                    r = nullable(v, p.active_workers, int_);
                    break;
                case StatusKey::Backend:
                    expected = "a string or null";
                    r = nullable(v, p.backend, text_);
                    break;
                case StatusKey::LastUpdated:
                    expected = "a string or null";
                    r = nullable(v, p.last_updated, text_);
                    break;
                case StatusKey::QueueEta:
                    expected = "a number or null";
                    r = nullable(v, p.queue_eta_seconds,
                                 [&](od::value& value, double& out) { return rd.number(value, out); });
                    break;
                case StatusKey::Warnings: {
                    od::array list;
                    expected = "an array of strings";
                    r = rd.array(v, list);
                    if (r == Read::Null) {
                        p.warnings.emplace();  // null: no warnings
                        r = Read::Ok;
                    } else if (r == Read::Ok) {
                        p.warnings.emplace();
                        size_t index = 0;
                        for (auto elementResult : list) {
                            od::value element;
                            if (const error_code e = std::move(elementResult).get(element)) return rd.fail(e), false;
                            const Read w = rd.string(element, text);
                            if (w == Read::Broken) return false;
                            if (w == Read::Ok)
                                p.warnings->emplace_back(text);
                            else
                                notes.ignored(
                                    rd.problem("warnings[" + std::to_string(index) + "]", "a string", element));
                            ++index;
                        }
                    }
                    break;
                }
                case StatusKey::Metrics: {
                    od::object metrics;
                    expected = "an object or null";
                    r = rd.object(v, metrics);
                    if (r == Read::Ok) {
                        p.metrics.emplace();
                        if (!readMetrics(metrics, *p.metrics, notes)) return false;
                    }
                    break;
                }
                case StatusKey::SdNext:
                    expected = "an object or null";
                    r = nullableObject(v, p.sdnext,
                                       [&](od::object& o, model::SdNextStatus& s) { return readSdNext(o, s, notes); });
                    break;
                case StatusKey::Importer:
                    expected = "an object or null";
                    r = nullableObject(v, p.importer, [&](od::object& o, model::ImporterStatus& s) {
                        return readImporter(o, s, notes);
                    });
                    break;
                case StatusKey::Recommendations:
                    expected = "an object or null";
                    r = nullableObject(v, p.recommendations, [&](od::object& o, model::Recommendations& s) {
                        return readRecommendations(o, s, notes);
                    });
                    break;
                case StatusKey::Queue:
                    expected = "an object or null";
                    r = nullableObject(
                        v, p.queue, [&](od::object& o, model::QueueCounts& s) { return readQueueCounts(o, s, notes); });
                    break;
                case StatusKey::Thresholds:
                    expected = "an object or null";
                    r = nullableObject(v, p.thresholds, [&](od::object& o, model::Thresholds& s) {
                        return readThresholds(o, s, notes);
                    });
                    break;
                case StatusKey::Unknown: {
                    // Unknown keys pass through (§2.1), as minified raw JSON.
                    std::string_view name;
                    if (const error_code e = field.unescaped_key().get(name)) return rd.fail(e), false;
                    std::string keyCopy(name);
                    if (!minified(v, text)) {
                        if (rd.broken) return false;
                        notes.ignored(std::string(keyCopy) + " is not valid JSON");
                        break;
                    }
                    using Extra = decltype(p.extra);
                    p.extra.insert_or_assign(typename Extra::key_type(keyCopy), typename Extra::mapped_type(text));
                    break;
                }
            }
            if (r == Read::Broken || rd.broken) return false;
            if (r == Read::Wrong) notes.ignored(rd.problem(rawName, expected, v));
        }
        return true;
    }

    // -- WebSocket payloads (§3) -----------------------------------------------------------------

    template <class F>
    bool forEachField(od::object& obj, F&& perField) {
        for (auto fieldResult : obj) {
            od::field field;
            if (const error_code e = std::move(fieldResult).get(field)) return rd.fail(e), false;
            if (perField(rawKey(field), field.value()) == Read::Broken || rd.broken) return false;
        }
        return true;
    }

    // Optional fields of push messages: a wrong type is ignored with a warning.
    Read optText(od::value& v, std::optional<std::string>& out, const Notes& notes, std::string_view name) {
        std::string_view text;
        const Read r = rd.string(v, text);
        if (r == Read::Ok) out.emplace(text);
        if (r == Read::Wrong) notes.ignored(rd.problem(name, "a string or null", v));
        return r;
    }
    template <class T>
    Read optNumber(od::value& v, std::optional<T>& out, const Notes& notes, std::string_view name) {
        Read r;
        if constexpr (std::is_same_v<T, double>) {
            double d = 0;
            if ((r = rd.number(v, d)) == Read::Ok) out = d;
        } else if constexpr (std::is_same_v<T, int>) {
            int i = 0;
            if ((r = rd.integer32(v, i)) == Read::Ok) out = i;
        } else {
            int64_t i = 0;
            if ((r = rd.integer(v, i)) == Read::Ok) out = static_cast<T>(i);
        }
        if (r == Read::Wrong)
            notes.ignored(rd.problem(name, std::is_same_v<T, double> ? "a number or null" : "an integer or null", v));
        return r;
    }
    Read jobIdOf(od::value& v, std::string& out, const Notes& notes) {
        std::string_view text;
        const Read r = rd.idText(v, text);
        if (r == Read::Ok) out.assign(text);
        if (r == Read::Wrong) notes.ignored(rd.problem("job_id", "a string or a number", v));
        return r;
    }

    bool readProgress(od::object& obj, model::ProgressMessage& m, const Notes& notes) {
        return forEachField(obj, [&](std::string_view key, od::value& v) {
            if (key == "job_id") return jobIdOf(v, m.job_id, notes);
            if (key == "progress") {
                double d = 0;
                const Read r = rd.numberLoose(v, d);
                if (r == Read::Ok) m.progress = model::normalizeProgress(d, model::ProgressScale::Fraction);
                if (r == Read::Wrong) notes.ignored(rd.problem("progress", "a number", v));
                return r;
            }
            if (key == "status") {
                std::string_view text;
                const Read r = rd.string(v, text);
                if (r == Read::Ok) m.status = model::normalizeStatus(text);
                if (r == Read::Wrong) notes.ignored(rd.problem("status", "a string or null", v));
                return r;
            }
            if (key == "current_step") return optNumber(v, m.current_step, notes, key);
            if (key == "total_steps") return optNumber(v, m.total_steps, notes, key);
            if (key == "eta_seconds") return optNumber(v, m.eta_seconds, notes, key);
            if (key == "error_message") return optText(v, m.error_message, notes, key);
            return Read::Ok;
        });
    }

    bool readCompletion(od::object& obj, CompletionFields& c, const Notes& notes) {
        model::CompletionMessage& m = c.msg;
        std::optional<std::string_view> imageUrl, firstImage;
        const bool ok = forEachField(obj, [&](std::string_view key, od::value& v) {
            std::string_view text;
            if (key == "job_id") return jobIdOf(v, m.job_id, notes);
            if (key == "result_id") {
                const Read r = rd.idText(v, text);
                if (r == Read::Ok) m.result_id.emplace(text);
                if (r == Read::Wrong) notes.ignored(rd.problem(key, "a string, a number or null", v));
                return r;
            }
            if (key == "prompt") return optText(v, m.prompt, notes, key);
            if (key == "negative_prompt") return optText(v, m.negative_prompt, notes, key);
            if (key == "created_at") return optText(v, m.created_at, notes, key);
            if (key == "width") return optNumber(v, m.width, notes, key);
            if (key == "height") return optNumber(v, m.height, notes, key);
            if (key == "steps") return optNumber(v, m.steps, notes, key);
            if (key == "cfg_scale") return optNumber(v, m.cfg_scale, notes, key);
            if (key == "seed") return optNumber(v, m.seed, notes, key);
            if (key == "total_duration") return optNumber(v, m.total_duration, notes, key);
            if (key == "status" || key == "error_message" || key == "error" || key == "image_url") {
                const Read r = rd.string(v, text);
                if (r == Read::Ok)
                    (key == "status"      ? c.status
                     : key == "error"     ? c.error
                     : key == "image_url" ? imageUrl
                                          : c.errorMessage) = text;
                if (r == Read::Wrong) notes.ignored(rd.problem(key, "a string or null", v));
                return r;
            }
            if (key == "images") {
                od::array images;
                const Read r = rd.array(v, images);
                if (r == Read::Wrong) notes.ignored(rd.problem(key, "an array of strings or null", v));
                if (r != Read::Ok) return r;
                // Only images[0] is used (§5.3); the others are skipped without a copy.
                for (auto elementResult : images) {
                    od::value element;
                    if (const error_code e = std::move(elementResult).get(element)) return rd.fail(e);
                    if (!firstImage) {
                        const Read s = rd.string(element, text);
                        if (s == Read::Broken) return s;
                        if (s == Read::Ok) firstImage = text;
                    }
                }
                return Read::Ok;
            }
            if (key == "generation_info") {
                GenerationInfo info;
                const Read r = readGenerationInfo(v, m.generation_info_json, info);
                // The seed really used stays inside generation_info_json: `seed` is the requested one.
                if (r == Read::Wrong) notes.ignored(rd.problem(key, "an object or null", v));
                return r;
            }
            return Read::Ok;
        });
        if (!ok) return false;
        // image_url ?? images[0] (§5.3), split by what it holds (decision 6).
        const std::optional<std::string_view> image = imageUrl && !trimView(*imageUrl).empty() ? imageUrl : firstImage;
        const std::string_view url = image ? trimView(*image) : std::string_view();
        if (!url.empty()) (looksLikeBase64Image(url) ? m.image_base64 : m.image_path).emplace(url);
        return true;
    }

    bool readStarted(od::object& obj, model::StartedMessage& m, const Notes& notes) {
        return forEachField(obj, [&](std::string_view key, od::value& v) {
            if (key == "job_id") return jobIdOf(v, m.job_id, notes);
            if (key == "estimated_duration") return optNumber(v, m.estimated_duration, notes, key);
            if (key == "params") {
                od::object params;
                const Read r = rd.object(v, params);
                if (r == Read::Wrong) notes.ignored(rd.problem(key, "an object or null", v));
                if (r != Read::Ok) return r;
                m.params.emplace();
                return readParams(params, *m.params, notes, "params.") ? Read::Ok : Read::Broken;
            }
            return Read::Ok;
        });
    }

    bool readConnected(od::object& obj, WsConnected& m, const Notes& notes) {
        return forEachField(obj, [&](std::string_view key, od::value& v) {
            std::optional<std::string> text;
            Read r = Read::Ok;
            if (key == "connection_id" || key == "message") {
                r = optText(v, text, notes, key);
                if (text) (key == "message" ? m.message : m.connection_id) = std::move(*text);
            }
            return r;
        });
    }

    bool readSubscription(od::object& obj, WsSubscriptionConfirmed& m, const Notes& notes) {
        return forEachField(obj, [&](std::string_view key, od::value& v) {
            if (key != "job_ids") return Read::Ok;
            od::array ids;
            const Read r = rd.array(v, ids);
            if (r == Read::Wrong) notes.ignored(rd.problem(key, "an array or null", v));
            if (r != Read::Ok) return r;
            m.job_ids.emplace();
            for (auto elementResult : ids) {
                od::value element;
                if (const error_code e = std::move(elementResult).get(element)) return rd.fail(e);
                std::string_view id;
                const Read s = rd.idText(element, id);
                if (s == Read::Broken) return s;
                if (s == Read::Ok) m.job_ids->emplace_back(id);
            }
            return Read::Ok;
        });
    }

    // -- job detail (§2.9) -----------------------------------------------------------------------

    // Looks into a stored result object for progress, message and error, as the backend's
    // GenerationJobStatus builder does (§2.2: progress <= 1 is a fraction).
    void readStoredResult(std::string_view json, model::Job& job) {
        withNestedObject(json, [&](od::object& obj) {
            forEachField(obj, [&](std::string_view key, od::value& v) {
                std::string_view text;
                if (key == "progress") {
                    double d = 0;
                    if (rd.numberLoose(v, d) == Read::Ok && d >= 0)
                        job.progress = model::normalizeProgress(
                            d, d <= 1 ? model::ProgressScale::Fraction : model::ProgressScale::Percent);
                } else if ((key == "message" || key == "detail") && !job.message) {
                    if (rd.string(v, text) == Read::Ok) setOptText(job.message, text);
                } else if ((key == "error" || key == "error_message") && !job.error) {
                    if (rd.string(v, text) == Read::Ok) setOptText(job.error, text);
                }
                return Read::Ok;
            });
        });
    }

    model::Outcome<JobDetail> readJobDetail(od::object& obj, int64_t receivedMicros, std::string_view what) {
        JobDetail detail;
        model::Job& job = detail.job;
        std::string_view id;
        std::vector<std::string> ignored;
        const Notes notes{ignored, droppedWarnings, what};
        const bool ok = forEachField(obj, [&](std::string_view key, od::value& v) {
            std::string_view text;
            Read r = Read::Ok;
            if (key == "id") {
                if ((r = rd.idText(v, text)) == Read::Ok) id = text;
            } else if (key == "prompt") {
                if ((r = rd.string(v, text)) == Read::Ok) setOptText(job.prompt, text);
            } else if (key == "mode") {
                if ((r = rd.string(v, text)) == Read::Ok) detail.mode.emplace(text);
            } else if (key == "status") {
                if ((r = rd.string(v, text)) == Read::Ok) job.status = model::normalizeStatus(text);
            } else if (key == "created_at") {
                if ((r = rd.string(v, text)) == Read::Ok) job.created_at = model::Timestamp::parse(text);
            } else if (key == "started_at") {
                if ((r = rd.string(v, text)) == Read::Ok) {
                    detail.started_at.emplace(text);
                    job.startTime = model::Timestamp::parse(text);
                }
            } else if (key == "finished_at") {
                if ((r = rd.string(v, text)) == Read::Ok) job.finished_at = model::Timestamp::parse(text);
            } else if (key == "params") {
                od::object params;
                if ((r = rd.object(v, params)) == Read::Ok) {
                    job.params.emplace();
                    if (!readParams(params, *job.params, notes, "params.")) r = Read::Broken;
                }
            } else if (key == "result") {
                if ((r = rd.expect(v, od::json_type::object)) == Read::Ok) {
                    if (!minified(v, text)) return rd.broken ? Read::Broken : Read::Ok;
                    setOptText(job.result_json, text);
                }
            }
            return r;
        });
        if (!ok) return decodeError(std::string(what) + ": broken");  // replaced by the syntax error in run()
        if (id.empty()) return decodeError(std::string(what) + ": delivery.id is missing");
        setText(job.uiId, id);
        job.backendId = job.uiId;
        if (job.result_json) readStoredResult(std::string_view(*job.result_json), job);
        if (!job.startTime.valid)
            job.startTime = job.created_at.valid ? job.created_at : model::Timestamp::fromMicros(receivedMicros);
        if (!job.created_at.valid) job.created_at = job.startTime;
        if (!job.prompt && job.params && job.params->prompt) job.prompt = job.params->prompt;
        job.receivedMicros = receivedMicros;
        return detail;
    }
};

// ---------------------------------------------------------------------------------------------
// 3. Public methods

Decoder::Decoder(DecodeLimits limits) : impl_(std::make_unique<Impl>(limits)) {}
Decoder::~Decoder() = default;

DecodeTally Decoder::tally() const noexcept { return impl_->tally; }

model::Outcome<Decoded<std::vector<model::Job>>> Decoder::activeJobs(const std::string& body, int64_t receivedMicros) {
    using Out = Decoded<std::vector<model::Job>>;
    Impl& im = *impl_;
    return im.run<Out>(body, "active jobs", [&](od::document& doc) -> model::Outcome<Out> {
        Out out;
        od::array arr;
        std::string problem;
        if (!im.rootArray(doc, arr, "active jobs", problem)) return decodeError(std::move(problem));
        if (!im.readJobList(arr, out.value, out.warnings, "active job", receivedMicros)) return decodeError({});
        return out;
    });
}

model::Outcome<Decoded<std::vector<DecodedResult>>> Decoder::results(const std::string& body, int64_t receivedMicros) {
    using Out = Decoded<std::vector<DecodedResult>>;
    Impl& im = *impl_;
    return im.run<Out>(body, "results", [&](od::document& doc) -> model::Outcome<Out> {
        Out out;
        od::array arr;
        std::string problem, reason;
        if (!im.rootArray(doc, arr, "results", problem)) return decodeError(std::move(problem));
        size_t index = 0, beyondLimit = 0;
        for (auto elementResult : arr) {
            od::value element;
            if (const error_code e = std::move(elementResult).get(element)) return im.rd.fail(e), decodeError({});
            const size_t at = index++;
            if (out.value.size() >= im.limits.maxResults) {
                ++beyondLimit;
                continue;
            }
            const Notes notes{out.warnings, im.droppedWarnings, "result", at, true};
            DecodedResult entry;
            reason.clear();
            if (!im.readResult(element, entry, reason, notes, receivedMicros) || im.rd.broken) return decodeError({});
            if (reason.empty())
                out.value.push_back(std::move(entry));
            else
                notes.add(reason + "; entry dropped");
        }
        if (beyondLimit > 0)
            out.warnings.push_back(std::to_string(beyondLimit) + " more results beyond the limit of " +
                                   std::to_string(im.limits.maxResults) + " were left out");
        return out;
    });
}

model::Outcome<Decoded<model::SystemStatusPatch>> Decoder::systemStatus(const std::string& body) {
    using Out = Decoded<model::SystemStatusPatch>;
    Impl& im = *impl_;
    return im.run<Out>(body, "system status", [&](od::document& doc) -> model::Outcome<Out> {
        Out out;
        od::object obj;
        std::string problem;
        if (!im.rootObject(doc, obj, "system status", problem)) return decodeError(std::move(problem));
        if (!im.readSystemStatus(obj, out.value, out.warnings)) return decodeError({});
        return out;
    });
}

model::Outcome<GenerateResponse> Decoder::generateResponse(const std::string& body) {
    Impl& im = *impl_;
    constexpr std::string_view what = "generate response";
    return im.run<GenerateResponse>(body, what, [&](od::document& doc) -> model::Outcome<GenerateResponse> {
        GenerateResponse out;
        od::object obj;
        std::string problem;
        if (!im.rootObject(doc, obj, what, problem)) return decodeError(std::move(problem));
        // This shape has no warning list: an optional field of the wrong type is skipped.
        bool haveStatus = false, haveJobId = false;
        const bool ok = im.forEachField(obj, [&](std::string_view key, od::value& v) {
            std::string_view text;
            Read r = Read::Ok;
            if (key == "job_id") {
                if ((r = im.rd.idText(v, text)) == Read::Ok) {
                    setText(out.job_id, text);
                    haveJobId = true;
                }
            } else if (key == "status") {
                if ((r = im.rd.string(v, text)) == Read::Ok) {
                    out.status = model::normalizeStatus(text);
                    haveStatus = true;
                }
            } else if (key == "progress") {
                double d = 0;
                if ((r = im.rd.numberLoose(v, d)) == Read::Ok)
                    out.progress = model::normalizeProgress(d, model::ProgressScale::Fraction);
            } else if (key == "error_message") {
                if ((r = im.rd.string(v, text)) == Read::Ok) setOptText(out.error_message, text);
            } else if (key == "images") {
                od::array images;
                if ((r = im.rd.array(v, images)) == Read::Ok) {
                    for (auto elementResult : images) {
                        od::value element;
                        if (const error_code e = std::move(elementResult).get(element)) return im.rd.fail(e);
                        const Read s = im.rd.string(element, text);
                        if (s == Read::Broken) return s;
                        if (s == Read::Ok) out.images.emplace_back(text);
                    }
                }
            } else if (key == "generation_info") {
                GenerationInfo info;
                if ((r = im.readGenerationInfo(v, out.generation_info_json, info)) == Read::Ok)
                    out.generation_seed = info.seed;
            }
            return r;
        });
        if (!ok) return decodeError({});
        // Failures come back as HTTP 200 with status "failed" (§2.4); an object with neither
        // key is not a generate response at all.
        if (!haveStatus && !haveJobId)
            return decodeError(std::string(what) + ": neither \"job_id\" nor \"status\" present");
        return out;
    });
}

model::Outcome<QueueGenerationResponse> Decoder::queueGenerationResponse(const std::string& body) {
    Impl& im = *impl_;
    constexpr std::string_view what = "queue-generation response";
    return im.run<QueueGenerationResponse>(
        body, what, [&](od::document& doc) -> model::Outcome<QueueGenerationResponse> {
            QueueGenerationResponse out;
            od::object obj;
            std::string problem;
            if (!im.rootObject(doc, obj, what, problem)) return decodeError(std::move(problem));
            std::string wrong;
            const bool ok = im.forEachField(obj, [&](std::string_view key, od::value& v) {
                if (key != "delivery_id") return Read::Ok;
                std::string_view text;
                const Read r = im.rd.idText(v, text);
                if (r == Read::Ok)
                    setText(out.delivery_id, text);
                else if (r != Read::Broken)
                    wrong = im.rd.problem("delivery_id", "a string", v);
                return r;
            });
            if (!ok) return decodeError({});
            if (!wrong.empty()) return decodeError(std::string(what) + ": " + wrong);
            if (std::string_view(out.delivery_id).empty())
                return decodeError(std::string(what) + ": \"delivery_id\" is missing");
            return out;
        });
}

model::Outcome<CancelResponse> Decoder::cancelResponse(const std::string& body) {
    Impl& im = *impl_;
    constexpr std::string_view what = "cancel response";
    return im.run<CancelResponse>(body, what, [&](od::document& doc) -> model::Outcome<CancelResponse> {
        CancelResponse out;
        od::object obj;
        std::string problem;
        if (!im.rootObject(doc, obj, what, problem)) return decodeError(std::move(problem));
        const bool ok = im.forEachField(obj, [&](std::string_view key, od::value& v) {
            std::string_view text;
            Read r = Read::Ok;
            if (key == "success")
                r = im.rd.boolean(v, out.success);
            else if (key == "status") {
                if ((r = im.rd.string(v, text)) == Read::Ok) setText(out.status, text);
            } else if (key == "message") {
                if ((r = im.rd.string(v, text)) == Read::Ok) setText(out.message, text);
            }
            return r;
        });
        if (!ok) return decodeError({});
        return out;
    });
}

model::Outcome<JobDetail> Decoder::jobDetail(const std::string& body, int64_t receivedMicros) {
    Impl& im = *impl_;
    constexpr std::string_view what = "job detail";
    return im.run<JobDetail>(body, what, [&](od::document& doc) -> model::Outcome<JobDetail> {
        od::object obj;
        std::string problem;
        if (!im.rootObject(doc, obj, what, problem)) return decodeError(std::move(problem));
        // {"delivery":{...}} (§2.9); a bare delivery object is accepted too.
        od::value delivery;
        const error_code found = obj.find_field_unordered("delivery").get(delivery);
        if (found == simdjson::SUCCESS) {
            od::object inner;
            const Read r = im.rd.object(delivery, inner);
            if (r == Read::Broken) return decodeError({});
            if (r != Read::Ok)
                return decodeError(std::string(what) + ": " + im.rd.problem("delivery", "an object", delivery));
            model::Outcome<JobDetail> detail = im.readJobDetail(inner, receivedMicros, what);
            if (detail.ok() && !im.consumeAll(doc)) return decodeError({});
            return detail;
        }
        if (found != simdjson::NO_SUCH_FIELD) return im.rd.fail(found), decodeError({});
        if (!im.rewound(doc) || !im.rootObject(doc, obj, what, problem)) return decodeError(std::move(problem));
        return im.readJobDetail(obj, receivedMicros, what);
    });
}

model::Outcome<Decoded<WsMessage>> Decoder::wsMessage(const std::string& frame, int64_t receivedMicros) {
    using Out = Decoded<WsMessage>;
    Impl& im = *impl_;
    constexpr std::string_view what = "WebSocket frame";
    return im.run<Out>(frame, what, [&](od::document& doc) -> model::Outcome<Out> {
        Out out{WsUnknown{}, {}};
        od::object obj;
        std::string problem;
        if (!im.rootObject(doc, obj, what, problem)) return decodeError(std::move(problem));

        // Pass 1: the type. Copied out, because rewinding reuses the string buffer.
        std::string typeName;
        {
            od::value typeValue;
            const error_code e = obj.find_field_unordered("type").get(typeValue);
            if (e && e != simdjson::NO_SUCH_FIELD) return im.rd.fail(e), decodeError({});
            std::string_view text;
            if (!e) {
                const Read r = im.rd.string(typeValue, text);
                if (r == Read::Broken) return decodeError({});
                if (r == Read::Ok) typeName.assign(text);
            }
        }
        const WsType type = lookup(std::string_view(typeName), kWsTypes);
        if (type == WsType::Unknown) {
            if (typeName.empty()) out.warnings.push_back(std::string(what) + ": no \"type\"; ignored");
            out.value = WsUnknown{std::move(typeName)};
            if (!im.consumeAll(doc)) return decodeError({});
            return out;
        }

        // Pass 2: the fields, from the envelope's `data` (§3.1) or the flat message (§3.2).
        if (!im.rewound(doc) || !im.rootObject(doc, obj, what, problem)) return decodeError(std::move(problem));
        od::object source;
        bool fromData = false;
        {
            od::value data;
            const error_code e = obj.find_field_unordered("data").get(data);
            if (e && e != simdjson::NO_SUCH_FIELD) return im.rd.fail(e), decodeError({});
            if (!e) {
                const Read r = im.rd.object(data, source);
                if (r == Read::Broken) return decodeError({});
                fromData = r == Read::Ok;
            }
        }
        if (!fromData && (!im.rewound(doc) || !im.rootObject(doc, source, what, problem)))
            return decodeError(std::move(problem));
        const Notes notes{out.warnings, im.droppedWarnings, typeName};
        bool ok = true;
        switch (type) {
            case WsType::Connected: {
                WsConnected m;
                ok = im.readConnected(source, m, notes);
                out.value = std::move(m);
                break;
            }
            case WsType::SubscriptionConfirmed: {
                WsSubscriptionConfirmed m;
                ok = im.readSubscription(source, m, notes);
                out.value = std::move(m);
                break;
            }
            case WsType::Started: {
                model::StartedMessage m;
                ok = im.readStarted(source, m, notes);
                out.value = std::move(m);
                break;
            }
            case WsType::Progress: {
                model::ProgressMessage m;
                ok = im.readProgress(source, m, notes);
                out.value = std::move(m);
                break;
            }
            case WsType::Complete:
            case WsType::GenerationError: {
                CompletionFields c;
                ok = im.readCompletion(source, c, notes);
                if (!ok) break;
                const bool failed = type == WsType::GenerationError ||
                                    (c.status && model::normalizeStatus(*c.status) == model::JobStatus::Failed);
                if (!failed) {
                    out.value = std::move(c.msg);
                    break;
                }
                // §3.3: a failed completion is the error handler's; text falls back as the SPA's does.
                model::ErrorMessage m;
                m.job_id = std::move(c.msg.job_id);
                auto firstNonEmpty = [](std::initializer_list<std::optional<std::string_view>> options) {
                    for (const auto& o : options)
                        if (o && !trimView(*o).empty()) return std::string(*o);
                    return std::string("Unknown error");
                };
                m.error = type == WsType::GenerationError ? firstNonEmpty({c.error, c.errorMessage, c.status})
                                                          : firstNonEmpty({c.errorMessage, c.error});
                out.value = std::move(m);
                break;
            }
            case WsType::QueueUpdate: {
                WsQueueUpdate m;
                bool sawJobs = false;
                ok = im.forEachField(source, [&](std::string_view key, od::value& v) {
                    if (key != "jobs") return Read::Ok;
                    sawJobs = true;
                    od::array jobs;
                    const Read r = im.rd.array(v, jobs);
                    if (r == Read::Ok)
                        return im.readJobList(jobs, m.jobs, out.warnings, "queue_update job", receivedMicros)
                                   ? Read::Ok
                                   : Read::Broken;
                    // §3.2: a non-array becomes [], which clears the queue.
                    if (r != Read::Broken)
                        notes.add(im.rd.problem("jobs", "an array", v) + "; treated as an empty queue");
                    return r;
                });
                if (ok && !sawJobs) notes.add("no \"jobs\"; treated as an empty queue");
                out.value = std::move(m);
                break;
            }
            case WsType::SystemStatus: {
                WsSystemStatus m;
                ok = im.readSystemStatus(source, m.patch, out.warnings);
                out.value = std::move(m);
                break;
            }
            case WsType::Unknown: break;
        }
        if (!ok) return decodeError({});
        if (fromData && !im.consumeAll(doc)) return decodeError({});
        return out;
    });
}

}  // namespace genmon::protocol
