// Results: /generation/results (§2.3, §5.2) and generation_info, which completions
// (decode_socket.cpp) and /generate answers (decode_responses.cpp) carry too.
#include "protocol/base64.hpp"
#include "protocol/decoders.hpp"

namespace genmon::protocol {

using namespace detail;

namespace {

// ---------------------------------------------------------------------------------------------
// generation_info (§2.3): kept minified; seed, sampler and model picked out, silently

constexpr auto kGenerationInfoFields = fieldTable<GenerationInfo>({
    {"seed", Rule::Quiet, "", [](In& in, GenerationInfo& g) { return in.integer(g.seed); }},
    {"sampler_name", Rule::Quiet, "", [](In& in, GenerationInfo& g) { return in.text(g.samplerName); }},
    {"sampler", Rule::Quiet, "", [](In& in, GenerationInfo& g) { return in.text(g.samplerName); }},
    {"model", Rule::Quiet, "", [](In& in, GenerationInfo& g) { return in.firstText(g.modelName); }},
    {"model_name", Rule::Quiet, "", [](In& in, GenerationInfo& g) { return in.firstText(g.modelName); }},
    {"sd_model_name", Rule::Quiet, "", [](In& in, GenerationInfo& g) { return in.firstText(g.modelName); }},
});

// ---------------------------------------------------------------------------------------------
// One /results entry: lenient (a wrong field is ignored with a warning) but for its id

struct ResultEntry {
    DecodedResult& out;
    std::string_view id{}, jobId{};
    bool haveId = false;
    std::optional<std::string> topSampler{}, topModel{};
};

// image_url (decision 6): base64 travels beside the result; paths and file:// URLs stay.
void classifyImage(std::string_view url, model::GenerationResult& res, std::optional<std::string>& base64) {
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

constexpr const char* kIdOrNull = "a string, a number or null";

// The backend's fields in its order (§2.3), then other backends' names (§5.2).
constexpr auto kResultFields = fieldTable<ResultEntry>({
    {"id", Rule::Require, "a non-empty string or a number",
     [](In& in, ResultEntry& e) {
         const Read r = in.id(e.id);
         if (r != Read::Ok) return r;
         e.haveId = !e.id.empty();
         if (!e.haveId) in.reject("id must be a non-empty string or a number, got an empty string");
         return r;
     }},
    {"job_id", Rule::Warn, kIdOrNull, [](In& in, ResultEntry& e) { return in.id(e.jobId); }},
    {"prompt", Rule::Warn, kStringOrNull, [](In& in, ResultEntry& e) { return in.text(e.out.result.prompt); }},
    {"negative_prompt", Rule::Warn, kStringOrNull,
     [](In& in, ResultEntry& e) { return in.text(e.out.result.negative_prompt); }},
    {"status", Rule::Warn, kString, [](In& in, ResultEntry& e) { return in.textTo(e.out.result.status); }},
    {"image_url", Rule::Warn, kStringOrNull,
     [](In& in, ResultEntry& e) {
         std::string_view text;
         const Read r = in.text(text);
         if (r == Read::Ok) classifyImage(text, e.out.result, e.out.imageBase64);
         return r;
     }},
    {"thumbnail_url", Rule::Warn, kStringOrNull,
     [](In& in, ResultEntry& e) { return in.text(e.out.result.thumbnail_url); }},
    {"width", Rule::Warn, kIntegerOrNull, [](In& in, ResultEntry& e) { return in.integer(e.out.result.width); }},
    {"height", Rule::Warn, kIntegerOrNull, [](In& in, ResultEntry& e) { return in.integer(e.out.result.height); }},
    {"steps", Rule::Warn, kIntegerOrNull, [](In& in, ResultEntry& e) { return in.integer(e.out.result.steps); }},
    {"cfg_scale", Rule::Warn, kNumberOrNull, [](In& in, ResultEntry& e) { return in.number(e.out.result.cfg_scale); }},
    {"seed", Rule::Warn, kIntegerOrNull, [](In& in, ResultEntry& e) { return in.integer(e.out.result.seed); }},
    {"created_at", Rule::Warn, kStringOrNull,
     [](In& in, ResultEntry& e) { return in.timestamp(e.out.result.created_at); }},
    {"finished_at", Rule::Warn, kStringOrNull,
     [](In& in, ResultEntry& e) { return in.timestamp(e.out.result.finished_at); }},
    {"generation_info", Rule::Warn, "an object, JSON text or null",
     [](In& in, ResultEntry& e) {
         GenerationInfo info;
         model::GenerationResult& res = e.out.result;
         const Read r = readGenerationInfo(in.core, in.value, res.generation_info_json, info);
         if (r == Read::Ok) {
             res.generation_seed = info.seed;
             if (info.samplerName) setOptText(res.sampler_name, *info.samplerName);
             if (info.modelName) setOptText(res.model_name, *info.modelName);
         }
         return r;
     }},
    {"rating", Rule::Warn, kIntegerOrNull, [](In& in, ResultEntry& e) { return in.integer(e.out.result.rating); }},
    {"is_favorite", Rule::Warn, "a boolean or null",
     [](In& in, ResultEntry& e) { return in.boolean(e.out.result.is_favorite); }},
    {"rating_updated_at", Rule::Warn, kStringOrNull,
     [](In& in, ResultEntry& e) { return in.timestamp(e.out.result.rating_updated_at); }},
    {"favorite_updated_at", Rule::Warn, kStringOrNull,
     [](In& in, ResultEntry& e) { return in.timestamp(e.out.result.favorite_updated_at); }},
    {"result_id", Rule::Warn, kIdOrNull,
     [](In& in, ResultEntry& e) {
         std::string_view text;
         const Read r = in.id(text);
         if (r == Read::Ok) setOptText(e.out.result.result_id, text);
         return r;
     }},
    {"sampler_name", Rule::Warn, kStringOrNull, [](In& in, ResultEntry& e) { return in.text(e.topSampler); }},
    {"sampler", Rule::Warn, kStringOrNull, [](In& in, ResultEntry& e) { return in.text(e.topSampler); }},
    {"model", Rule::Warn, kStringOrNull, [](In& in, ResultEntry& e) { return in.firstText(e.topModel); }},
    {"model_name", Rule::Warn, kStringOrNull, [](In& in, ResultEntry& e) { return in.firstText(e.topModel); }},
});

// Reads one result. Returns false only when the document is broken; a result without a
// usable id leaves `reason` set and is dropped by the caller.
bool readResult(ReaderCore& core, od::value& element, DecodedResult& out, std::string& reason, const Notes& notes,
                int64_t receivedMicros) {
    od::object obj;
    const Read shape = core.rd.object(element, obj);
    if (shape == Read::Broken) return false;
    if (shape != Read::Ok) {
        reason = "expected an object, got " + core.rd.describe(element);
        return true;
    }
    ResultEntry e{out};
    if (!core.readFields<kResultFields>(obj, e, notes, {}, &reason)) return false;
    if (!reason.empty()) return true;
    if (!e.haveId) {
        reason = "id is required (a non-empty string or a number), missing";
        return true;
    }
    model::GenerationResult& res = out.result;
    setText(res.id, e.id);
    if (e.jobId.empty() || e.jobId == e.id)
        res.job_id = res.id;
    else
        setText(res.job_id, e.jobId);
    // Top-level fields (§5.2) win over generation_info's.
    if (e.topSampler) setOptText(res.sampler_name, *e.topSampler);
    if (e.topModel) setOptText(res.model_name, *e.topModel);
    if (!res.created_at.valid && receivedMicros != 0) res.created_at = model::Timestamp::fromMicros(receivedMicros);
    return true;
}

}  // namespace

namespace detail {

Read readGenerationInfo(ReaderCore& core, od::value& v, std::optional<std::string>& json, GenerationInfo& info) {
    Reader& rd = core.rd;
    od::json_type t;
    const Read k = rd.kind(v, t);
    if (k != Read::Ok) return k;
    std::string_view text;
    if (t == od::json_type::object) {
        if (!core.minified(v, text)) return rd.broken ? Read::Broken : Read::Wrong;
    } else if (t == od::json_type::string) {
        if (const error_code e = v.get_string().get(text)) return rd.classify(e);
        text = trimView(text);
        if (text.empty() || text.front() != '{') return Read::Wrong;
        // Minify the embedded text the same way, through scratch.
        core.scratch.resize(text.size());
        size_t length = 0;
        if (simdjson::minify(text.data(), text.size(), core.scratch.data(), length)) return Read::Wrong;
        core.scratch.resize(length);
        text = core.scratch;
    } else {
        return Read::Wrong;
    }
    setOptText(json, text);
    GenerationInfo found;
    const std::string_view stored = *json;
    const bool parsed = core.withNestedObject(stored, [&](od::object& obj) {
        core.readFields<kGenerationInfoFields>(obj, found, core.quietNotes("generation_info"));
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

}  // namespace detail

model::Outcome<Decoded<std::vector<DecodedResult>>> Decoder::results(const std::string& body, int64_t receivedMicros) {
    using Out = Decoded<std::vector<DecodedResult>>;
    Impl& core = *impl_;
    constexpr std::string_view what = "results";
    return core.run<Out>(body, what, [&](od::document& doc) -> model::Outcome<Out> {
        Out out;
        od::array arr;
        std::string problem;
        if (!core.rootArray(doc, arr, what, problem)) return decodeError(std::move(problem));
        const bool ok = core.readList(arr, out.warnings, "result", core.limits.maxResults,
                                      [&](od::value& element, const Notes& notes, std::string& reason) {
                                          DecodedResult entry;
                                          if (!readResult(core, element, entry, reason, notes, receivedMicros))
                                              return false;
                                          if (reason.empty()) out.value.push_back(std::move(entry));
                                          return true;
                                      });
        if (!ok) return decodeError({});
        return out;
    });
}

}  // namespace genmon::protocol
