// WebSocket frames (§3): the server's envelopes {"type", "data": {...}} (§3.1) and the flat
// legacy types (§3.2), mapped onto the model's messages as §3.3 says. Lenient: a wrong field
// is ignored with a warning named by the frame's type ("progress_update: progress must be ...").
#include <initializer_list>

#include "model/names.hpp"
#include "protocol/base64.hpp"
#include "protocol/decoders.hpp"

namespace genmon::protocol {

using namespace detail;
using model::SocketMessageKind;

namespace {

constexpr const char* kJobId = "a string or a number";

Read jobIdField(In& in, std::string& out) {
    std::string_view text;
    const Read r = in.id(text);
    if (r == Read::Ok) out.assign(text);
    return r;
}

// ---------------------------------------------------------------------------------------------
// progress_update / generation_progress

using model::ProgressMessage;
constexpr auto kProgressFields = fieldTable<ProgressMessage>({
    {"job_id", Rule::Warn, kJobId, [](In& in, ProgressMessage& m) { return jobIdField(in, m.job_id); }},
    {"progress", Rule::Warn, "a number",
     [](In& in, ProgressMessage& m) {
         double d = 0;
         const Read r = in.rd.numberLoose(in.value, d);
         if (r == Read::Ok) m.progress = model::normalizeProgress(d, model::ProgressScale::Fraction);
         return r;
     }},
    {"status", Rule::Warn, kStringOrNull,
     [](In& in, ProgressMessage& m) {
         std::string_view text;
         const Read r = in.text(text);
         if (r == Read::Ok) m.status = model::normalizeStatus(text);
         return r;
     }},
    {"current_step", Rule::Warn, kIntegerOrNull, [](In& in, ProgressMessage& m) { return in.integer(m.current_step); }},
    {"total_steps", Rule::Warn, kIntegerOrNull, [](In& in, ProgressMessage& m) { return in.integer(m.total_steps); }},
    {"eta_seconds", Rule::Warn, kNumberOrNull, [](In& in, ProgressMessage& m) { return in.number(m.eta_seconds); }},
    {"error_message", Rule::Warn, kStringOrNull, [](In& in, ProgressMessage& m) { return in.text(m.error_message); }},
});

// ---------------------------------------------------------------------------------------------
// generation_complete / generation_error: read alike, then split by status (§3.3)

struct CompletionFields {
    model::CompletionMessage msg;
    std::optional<std::string_view> status;
    std::optional<std::string_view> errorMessage;  // envelope: data.error_message
    std::optional<std::string_view> error;         // flat generation_error: msg.error
    std::optional<std::string_view> imageUrl, firstImage;
};

constexpr auto kCompletionFields = fieldTable<CompletionFields>({
    {"job_id", Rule::Warn, kJobId, [](In& in, CompletionFields& c) { return jobIdField(in, c.msg.job_id); }},
    {"result_id", Rule::Warn, "a string, a number or null",
     [](In& in, CompletionFields& c) {
         std::string_view text;
         const Read r = in.id(text);
         if (r == Read::Ok) c.msg.result_id.emplace(text);
         return r;
     }},
    {"prompt", Rule::Warn, kStringOrNull, [](In& in, CompletionFields& c) { return in.text(c.msg.prompt); }},
    {"negative_prompt", Rule::Warn, kStringOrNull,
     [](In& in, CompletionFields& c) { return in.text(c.msg.negative_prompt); }},
    {"created_at", Rule::Warn, kStringOrNull, [](In& in, CompletionFields& c) { return in.text(c.msg.created_at); }},
    {"width", Rule::Warn, kIntegerOrNull, [](In& in, CompletionFields& c) { return in.integer(c.msg.width); }},
    {"height", Rule::Warn, kIntegerOrNull, [](In& in, CompletionFields& c) { return in.integer(c.msg.height); }},
    {"steps", Rule::Warn, kIntegerOrNull, [](In& in, CompletionFields& c) { return in.integer(c.msg.steps); }},
    {"cfg_scale", Rule::Warn, kNumberOrNull, [](In& in, CompletionFields& c) { return in.number(c.msg.cfg_scale); }},
    {"seed", Rule::Warn, kIntegerOrNull, [](In& in, CompletionFields& c) { return in.integer(c.msg.seed); }},
    {"total_duration", Rule::Warn, kNumberOrNull,
     [](In& in, CompletionFields& c) { return in.number(c.msg.total_duration); }},
    {"status", Rule::Warn, kStringOrNull, [](In& in, CompletionFields& c) { return in.text(c.status); }},
    {"error_message", Rule::Warn, kStringOrNull, [](In& in, CompletionFields& c) { return in.text(c.errorMessage); }},
    {"error", Rule::Warn, kStringOrNull, [](In& in, CompletionFields& c) { return in.text(c.error); }},
    {"image_url", Rule::Warn, kStringOrNull, [](In& in, CompletionFields& c) { return in.text(c.imageUrl); }},
    {"images", Rule::Warn, "an array of strings or null",
     [](In& in, CompletionFields& c) {
         od::array images;
         const Read r = in.rd.array(in.value, images);
         if (r != Read::Ok) return r;
         // Only images[0] is used (§5.3); the others are skipped without a copy.
         for (auto elementResult : images) {
             od::value element;
             if (const error_code e = std::move(elementResult).get(element)) return in.rd.fail(e);
             if (c.firstImage) continue;
             std::string_view text;
             const Read s = in.rd.string(element, text);
             if (s == Read::Broken) return s;
             if (s == Read::Ok) c.firstImage = text;
         }
         return Read::Ok;
     }},
    // The seed really used stays inside generation_info_json: `seed` is the requested one.
    {"generation_info", Rule::Warn, kObjectOrNull,
     [](In& in, CompletionFields& c) {
         GenerationInfo info;
         return readGenerationInfo(in.core, in.value, c.msg.generation_info_json, info);
     }},
});

// ---------------------------------------------------------------------------------------------
// generation_started, connected, subscription_confirmed, queue_update

using model::StartedMessage;
constexpr auto kStartedFields = fieldTable<StartedMessage>({
    {"job_id", Rule::Warn, kJobId, [](In& in, StartedMessage& m) { return jobIdField(in, m.job_id); }},
    {"estimated_duration", Rule::Warn, kNumberOrNull,
     [](In& in, StartedMessage& m) { return in.number(m.estimated_duration); }},
    {"params", Rule::Warn, kObjectOrNull,
     [](In& in, StartedMessage& m) {
         od::object params;
         const Read r = in.rd.object(in.value, params);
         if (r != Read::Ok) return r;
         m.params.emplace();
         return readParams(in.core, params, *m.params, in.notes, "params.") ? Read::Ok : Read::Broken;
     }},
});

constexpr auto kConnectedFields = fieldTable<WsConnected>({
    {"connection_id", Rule::Warn, kStringOrNull, [](In& in, WsConnected& m) { return in.textTo(m.connection_id); }},
    {"message", Rule::Warn, kStringOrNull, [](In& in, WsConnected& m) { return in.textTo(m.message); }},
});

constexpr auto kSubscriptionFields = fieldTable<WsSubscriptionConfirmed>({
    {"job_ids", Rule::Warn, "an array or null",
     [](In& in, WsSubscriptionConfirmed& m) {
         od::array ids;
         const Read r = in.rd.array(in.value, ids);
         if (r != Read::Ok) return r;
         m.job_ids.emplace();
         for (auto elementResult : ids) {
             od::value element;
             if (const error_code e = std::move(elementResult).get(element)) return in.rd.fail(e);
             std::string_view id;
             const Read s = in.rd.idText(element, id);
             if (s == Read::Broken) return s;
             if (s == Read::Ok) m.job_ids->emplace_back(id);
         }
         return Read::Ok;
     }},
});

struct QueueUpdateFields {
    WsQueueUpdate& m;
    std::vector<std::string>& warnings;
    int64_t receivedMicros = 0;
    bool sawJobs = false;
};

constexpr auto kQueueUpdateFields = fieldTable<QueueUpdateFields>({
    {"jobs", Rule::Quiet, "",
     [](In& in, QueueUpdateFields& q) {
         q.sawJobs = true;
         od::array jobs;
         const Read r = in.rd.array(in.value, jobs);
         if (r == Read::Ok)
             return readJobList(in.core, jobs, q.m.jobs, q.warnings, "queue_update job", q.receivedMicros)
                        ? Read::Ok
                        : Read::Broken;
         // §3.2: a non-array becomes [], which clears the queue.
         if (r != Read::Broken)
             in.notes.add(in.rd.problem("jobs", "an array", in.value) + "; treated as an empty queue");
         return r;
     }},
});

// §3.3: a failed completion is the error handler's; its text falls back as the SPA's does.
model::ErrorMessage failedCompletion(CompletionFields& c, SocketMessageKind kind) {
    model::ErrorMessage m;
    m.job_id = std::move(c.msg.job_id);
    auto firstNonEmpty = [](std::initializer_list<std::optional<std::string_view>> options) {
        for (const auto& o : options)
            if (o && !trimView(*o).empty()) return std::string(*o);
        return std::string("Unknown error");
    };
    m.error = kind == SocketMessageKind::GenerationError ? firstNonEmpty({c.error, c.errorMessage, c.status})
                                                         : firstNonEmpty({c.errorMessage, c.error});
    return m;
}

// The message of a known kind, read from `source` (the envelope's data or the flat frame)
// straight into out.value.
bool readMessage(ReaderCore& core, SocketMessageKind kind, od::object& source, const Notes& notes,
                 Decoded<WsMessage>& out, int64_t receivedMicros) {
    switch (kind) {
        case SocketMessageKind::Connected:
            return core.readFields<kConnectedFields>(source, out.value.emplace<WsConnected>(), notes);
        case SocketMessageKind::SubscriptionConfirmed:
            return core.readFields<kSubscriptionFields>(source, out.value.emplace<WsSubscriptionConfirmed>(),
                                                        notes);
        case SocketMessageKind::Started:
            return core.readFields<kStartedFields>(source, out.value.emplace<StartedMessage>(), notes);
        case SocketMessageKind::Progress:
            return core.readFields<kProgressFields>(source, out.value.emplace<ProgressMessage>(), notes);
        case SocketMessageKind::Complete:
        case SocketMessageKind::GenerationError: {
            CompletionFields c;
            if (!core.readFields<kCompletionFields>(source, c, notes)) return false;
            // image_url ?? images[0] (§5.3), split by what it holds (decision 6).
            const auto image = c.imageUrl && !trimView(*c.imageUrl).empty() ? c.imageUrl : c.firstImage;
            const std::string_view url = image ? trimView(*image) : std::string_view();
            if (!url.empty()) (looksLikeBase64Image(url) ? c.msg.image_base64 : c.msg.image_path).emplace(url);
            const bool failed = kind == SocketMessageKind::GenerationError ||
                                (c.status && model::normalizeStatus(*c.status) == model::JobStatus::Failed);
            if (failed)
                out.value = failedCompletion(c, kind);
            else
                out.value = std::move(c.msg);
            return true;
        }
        case SocketMessageKind::QueueUpdate: {
            QueueUpdateFields q{out.value.emplace<WsQueueUpdate>(), out.warnings, receivedMicros};
            const bool ok = core.readFields<kQueueUpdateFields>(source, q, notes);
            if (ok && !q.sawJobs) notes.add("no \"jobs\"; treated as an empty queue");
            return ok;
        }
        case SocketMessageKind::SystemStatus:
            return readSystemStatus(core, source, out.value.emplace<WsSystemStatus>().patch, out.warnings);
        case SocketMessageKind::Unknown: break;
    }
    return true;
}

}  // namespace

model::Outcome<Decoded<WsMessage>> Decoder::wsMessage(const std::string& frame, int64_t receivedMicros) {
    using Out = Decoded<WsMessage>;
    Impl& core = *impl_;
    constexpr std::string_view what = "WebSocket frame";
    return core.run<Out>(frame, what, [&](od::document& doc) -> model::Outcome<Out> {
        Out out{WsUnknown{}, {}};
        od::object obj;
        std::string problem;
        if (!core.rootObject(doc, obj, what, problem)) return decodeError(std::move(problem));

        // The server's own order, {"type": known, ..., "data": {...}, ...}, is read in one walk
        // (issue 16.1: the two passes below and the walk that checks for trailing text were a
        // quarter of a progress frame's parse). Any other shape goes the general way.
        {
            std::string typeName;
            SocketMessageKind kind = SocketMessageKind::Unknown;
            bool dataRead = false, general = false;
            for (auto fieldResult : obj) {
                od::field field;
                if (const error_code e = std::move(fieldResult).get(field)) return core.rd.fail(e), decodeError({});
                const std::string_view key = rawKey(field);
                if (kind == SocketMessageKind::Unknown) {
                    std::string_view text;
                    if (key != "type" || core.rd.string(field.value(), text) != Read::Ok) {
                        general = true;
                        break;
                    }
                    typeName.assign(text);
                    kind = model::socketMessageKind(typeName);
                    if (kind == SocketMessageKind::Unknown) {
                        general = true;
                        break;
                    }
                } else if (key == "data" && !dataRead) {
                    od::object source;
                    const Read r = core.rd.object(field.value(), source);
                    if (r == Read::Broken) return decodeError({});
                    if (r != Read::Ok) {  // a flat message with a field named data
                        general = true;
                        break;
                    }
                    dataRead = true;
                    const Notes notes{out.warnings, core.droppedWarnings, typeName};
                    if (!readMessage(core, kind, source, notes, out, receivedMicros)) return decodeError({});
                }
            }
            if (core.rd.broken) return decodeError({});
            if (!general && dataRead) return out;  // the root object was read to its end
            out = Out{WsUnknown{}, {}};
            if (!core.rewound(doc) || !core.rootObject(doc, obj, what, problem)) return decodeError(std::move(problem));
        }

        // Pass 1: the type. Copied out, because rewinding reuses the string buffer.
        std::string typeName;
        {
            od::value typeValue;
            const error_code e = obj.find_field_unordered("type").get(typeValue);
            if (e && e != simdjson::NO_SUCH_FIELD) return core.rd.fail(e), decodeError({});
            std::string_view text;
            if (!e) {
                const Read r = core.rd.string(typeValue, text);
                if (r == Read::Broken) return decodeError({});
                if (r == Read::Ok) typeName.assign(text);
            }
        }
        const SocketMessageKind kind = model::socketMessageKind(typeName);
        if (kind == SocketMessageKind::Unknown) {
            if (typeName.empty()) out.warnings.push_back(std::string(what) + ": no \"type\"; ignored");
            out.value = WsUnknown{std::move(typeName)};
            if (!core.consumeAll(doc)) return decodeError({});
            return out;
        }

        // Pass 2: the fields, from the envelope's `data` (§3.1) or the flat message (§3.2).
        if (!core.rewound(doc) || !core.rootObject(doc, obj, what, problem)) return decodeError(std::move(problem));
        od::object source;
        bool fromData = false;
        {
            od::value data;
            const error_code e = obj.find_field_unordered("data").get(data);
            if (e && e != simdjson::NO_SUCH_FIELD) return core.rd.fail(e), decodeError({});
            if (!e) {
                const Read r = core.rd.object(data, source);
                if (r == Read::Broken) return decodeError({});
                fromData = r == Read::Ok;
            }
        }
        if (!fromData && (!core.rewound(doc) || !core.rootObject(doc, source, what, problem)))
            return decodeError(std::move(problem));
        const Notes notes{out.warnings, core.droppedWarnings, typeName};
        if (!readMessage(core, kind, source, notes, out, receivedMicros)) return decodeError({});
        if (fromData && !core.consumeAll(doc)) return decodeError({});
        return out;
    });
}

std::string messageSummary(const WsMessage& m) {
    using model::socketMessageName;
    using K = SocketMessageKind;
    struct Summary {
        std::string operator()(const WsConnected&) const { return socketMessageName(K::Connected); }
        std::string operator()(const WsSubscriptionConfirmed&) const {
            return socketMessageName(K::SubscriptionConfirmed);
        }
        std::string operator()(const model::StartedMessage& x) const {
            return std::string(socketMessageName(K::Started)) + " " + x.job_id;
        }
        std::string operator()(const model::ProgressMessage& x) const {
            std::string s = std::string(socketMessageName(K::Progress)) + " " + x.job_id;
            if (x.progress) s += " " + std::to_string(*x.progress) + "%";
            return s;
        }
        std::string operator()(const model::CompletionMessage& x) const {
            return std::string(socketMessageName(K::Complete)) + " " + x.job_id;
        }
        std::string operator()(const model::ErrorMessage& x) const { return "generation failed " + x.job_id; }
        std::string operator()(const WsQueueUpdate& x) const {
            return std::string(socketMessageName(K::QueueUpdate)) + " (" + std::to_string(x.jobs.size()) + " jobs)";
        }
        std::string operator()(const WsSystemStatus&) const { return socketMessageName(K::SystemStatus); }
        std::string operator()(const WsUnknown& x) const { return "ignored type " + x.type; }
    };
    return std::visit(Summary{}, m);
}

}  // namespace genmon::protocol
