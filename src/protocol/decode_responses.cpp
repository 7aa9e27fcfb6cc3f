// Answers of the action endpoints: POST /generate (§2.4), /queue-generation (§2.8) and
// /jobs/{id}/cancel (§2.5). They have no warning list: a field of the wrong type is skipped
// (Rule::Quiet), and only a missing key that makes the answer meaningless is an error.
#include "protocol/decoders.hpp"

namespace genmon::protocol {

using namespace detail;

namespace {

struct GenerateFields {
    GenerateResponse& out;
    bool haveStatus = false, haveJobId = false;
};

constexpr auto kGenerateFields = fieldTable<GenerateFields>({
    {"job_id", Rule::Quiet, "",
     [](In& in, GenerateFields& g) {
         std::string_view text;
         const Read r = in.id(text);
         if (r == Read::Ok) setText(g.out.job_id, text);
         g.haveJobId = g.haveJobId || r == Read::Ok;
         return r;
     }},
    {"status", Rule::Quiet, "",
     [](In& in, GenerateFields& g) {
         std::string_view text;
         const Read r = in.text(text);
         if (r == Read::Ok) g.out.status = model::normalizeStatus(text);
         g.haveStatus = g.haveStatus || r == Read::Ok;
         return r;
     }},
    {"progress", Rule::Quiet, "",
     [](In& in, GenerateFields& g) {
         double d = 0;
         const Read r = in.rd.numberLoose(in.value, d);
         if (r == Read::Ok) g.out.progress = model::normalizeProgress(d, model::ProgressScale::Fraction);
         return r;
     }},
    {"error_message", Rule::Quiet, "", [](In& in, GenerateFields& g) { return in.text(g.out.error_message); }},
    {"images", Rule::Quiet, "",
     [](In& in, GenerateFields& g) {
         od::array images;
         const Read r = in.rd.array(in.value, images);
         if (r != Read::Ok) return r;
         for (auto elementResult : images) {
             od::value element;
             if (const error_code e = std::move(elementResult).get(element)) return in.rd.fail(e);
             std::string_view text;
             const Read s = in.rd.string(element, text);
             if (s == Read::Broken) return s;
             if (s == Read::Ok) g.out.images.emplace_back(text);
         }
         return Read::Ok;
     }},
    {"generation_info", Rule::Quiet, "",
     [](In& in, GenerateFields& g) {
         GenerationInfo info;
         const Read r = readGenerationInfo(in.core, in.value, g.out.generation_info_json, info);
         if (r == Read::Ok) g.out.generation_seed = info.seed;
         return r;
     }},
});

// delivery_id is the whole answer: a wrong one fails it (Rule::Require writes the reason).
constexpr auto kQueueGenerationFields = fieldTable<QueueGenerationResponse>({
    {"delivery_id", Rule::Require, kString,
     [](In& in, QueueGenerationResponse& out) {
         std::string_view text;
         const Read r = in.id(text);
         if (r == Read::Ok) setText(out.delivery_id, text);
         return r;
     }},
});

constexpr auto kCancelFields = fieldTable<CancelResponse>({
    {"success", Rule::Quiet, "", [](In& in, CancelResponse& out) { return in.boolean(out.success); }},
    {"status", Rule::Quiet, "", [](In& in, CancelResponse& out) { return in.textTo(out.status); }},
    {"message", Rule::Quiet, "", [](In& in, CancelResponse& out) { return in.textTo(out.message); }},
});

}  // namespace

model::Outcome<GenerateResponse> Decoder::generateResponse(const std::string& body) {
    Impl& core = *impl_;
    constexpr std::string_view what = "generate response";
    return core.run<GenerateResponse>(body, what, [&](od::document& doc) -> model::Outcome<GenerateResponse> {
        GenerateResponse out;
        od::object obj;
        std::string problem;
        if (!core.rootObject(doc, obj, what, problem)) return decodeError(std::move(problem));
        GenerateFields g{out};
        if (!core.readFields<kGenerateFields>(obj, g, core.quietNotes(what))) return decodeError({});
        // Failures come back as HTTP 200 with status "failed" (§2.4); an object with neither
        // key is not a generate response at all.
        if (!g.haveStatus && !g.haveJobId)
            return decodeError(std::string(what) + ": neither \"job_id\" nor \"status\" present");
        return out;
    });
}

model::Outcome<QueueGenerationResponse> Decoder::queueGenerationResponse(const std::string& body) {
    Impl& core = *impl_;
    constexpr std::string_view what = "queue-generation response";
    return core.run<QueueGenerationResponse>(
        body, what, [&](od::document& doc) -> model::Outcome<QueueGenerationResponse> {
            QueueGenerationResponse out;
            od::object obj;
            std::string problem, wrong;
            if (!core.rootObject(doc, obj, what, problem)) return decodeError(std::move(problem));
            if (!core.readFields<kQueueGenerationFields>(obj, out, core.quietNotes(what), {}, &wrong))
                return decodeError({});
            if (!wrong.empty()) return decodeError(std::string(what) + ": " + wrong);
            if (std::string_view(out.delivery_id).empty())
                return decodeError(std::string(what) + ": \"delivery_id\" is missing");
            return out;
        });
}

model::Outcome<CancelResponse> Decoder::cancelResponse(const std::string& body) {
    Impl& core = *impl_;
    constexpr std::string_view what = "cancel response";
    return core.run<CancelResponse>(body, what, [&](od::document& doc) -> model::Outcome<CancelResponse> {
        CancelResponse out;
        od::object obj;
        std::string problem;
        if (!core.rootObject(doc, obj, what, problem)) return decodeError(std::move(problem));
        if (!core.readFields<kCancelFields>(obj, out, core.quietNotes(what))) return decodeError({});
        return out;
    });
}

}  // namespace genmon::protocol
