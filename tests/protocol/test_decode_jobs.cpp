// /generation/jobs/active decoding against bad and unusual input: spec §2.2 (frontend
// validation), §4.2 / decision 2 (percent scale), §4.4 (keys) and §4.5 (time fallbacks).
#include <doctest/doctest.h>

#include <string>
#include <type_traits>

#include "protocol/decode.hpp"
#include "protocol_test_util.hpp"

using namespace genmon;
using namespace genmon::protocol;
using genmon::test::anyContains;
using genmon::test::cat;
using genmon::test::joined;
using genmon::test::jsonArray;
using genmon::test::sv;
using model::JobStatus;
using model::Timestamp;

namespace {

constexpr int64_t kReceived = 1'800'000'000'000'000;

// A valid job with one field replaced (or added): {"id":"job-<n>", ... , <override>}.
std::string job(const std::string& id, const std::string& extra = "") {
    std::string s = R"({"id":)" + id + R"(,"jobId":)" + id +
                    R"(,"prompt":"p","status":"processing","progress":50.0,"message":null,"error":null,)"
                    R"("params":{"prompt":"p","steps":20},"created_at":"2026-11-26T07:06:38.818771",)"
                    R"("startTime":"2026-11-26T07:06:40.734286","finished_at":null,"result":null)";
    if (!extra.empty()) s += "," + extra;
    return s + "}";
}

// A job object built field by field: `replace` swaps one field's value (or adds the field),
// `omit` leaves one out.
std::string jobWith(const std::string& id, const std::string& replace = "", const std::string& value = "",
                    const std::string& omit = "") {
    const std::pair<std::string, std::string> fields[] = {
        {"id", id},
        {"jobId", id},
        {"prompt", "\"p\""},
        {"status", "\"processing\""},
        {"progress", "50.0"},
        {"message", "null"},
        {"error", "null"},
        {"params", R"({"prompt":"p","steps":20})"},
        {"created_at", "\"2026-11-26T07:06:38.818771\""},
        {"startTime", "\"2026-11-26T07:06:40.734286\""},
        {"finished_at", "null"},
        {"result", "null"},
    };
    std::string s = "{";
    bool replaced = false;
    auto add = [&](const std::string& name, const std::string& v) {
        if (s.size() > 1) s += ",";
        s += cat("\"", name, "\":", v);
    };
    for (const auto& [name, v] : fields) {
        if (name == omit) continue;
        if (name == replace) {
            add(name, value);
            replaced = true;
        } else {
            add(name, v);
        }
    }
    if (!replace.empty() && !replaced) add(replace, value);
    return s + "}";
}

std::string jobWithout(const std::string& field) { return jobWith("\"x\"", "", "", field); }

Decoded<std::vector<model::Job>> decodeOk(const std::string& body) {
    Decoder decoder;
    auto decoded = decoder.activeJobs(body, kReceived);
    REQUIRE_MESSAGE(decoded.ok(), test::why(decoded));
    return std::move(decoded).value();
}

model::Job single(const std::string& jobJson) {
    auto d = decodeOk(jsonArray({jobJson}));
    REQUIRE_MESSAGE(d.value.size() == 1, joined(d.warnings));
    return d.value.front();
}

}  // namespace

TEST_CASE("spec 2.2: an invalid active job is dropped with a warning naming its index") {
    const auto d = decodeOk(jsonArray({job("\"a\""), job("null"), job("\"c\"")}));
    REQUIRE(d.value.size() == 2);
    CHECK(sv(d.value[0].uiId) == "a");
    CHECK(sv(d.value[1].uiId) == "c");
    REQUIRE(d.warnings.size() == 1);
    CHECK(d.warnings[0].find("active job #1") == 0);
    CHECK(d.warnings[0].find("id must be a string or a number, got null") != std::string::npos);
    CHECK(d.warnings[0].find("entry dropped") != std::string::npos);
}

TEST_CASE("spec 2.2: a wrong type in any job field drops that entry and keeps the others") {
    struct Case {
        const char* field;
        const char* value;
    };
    const Case cases[] = {
        {"id", R"({"x":1})"},      {"id", "true"},          {"id", "[1]"},
        {"jobId", "{}"},           {"uiId", "false"},       {"backendId", "[]"},
        {"prompt", "5"},           {"status", "5"},         {"status", "null"},
        {"progress", "\"abc\""},   {"progress", "null"},    {"progress", "true"},
        {"message", "[]"},         {"error", "{}"},         {"params", "\"x\""},
        {"params", "[1,2]"},       {"created_at", "5"},     {"created_at", "null"},
        {"startTime", "5"},        {"finished_at", "true"}, {"result", "\"done\""},
        {"current_step", "\"x\""}, {"total_steps", "[]"},   {"eta_seconds", "\"soon\""},
    };
    for (const Case& c : cases) {
        CAPTURE(c.field);
        CAPTURE(c.value);
        const std::string bad = jobWith("\"b\"", c.field, c.value);
        const auto d = decodeOk(jsonArray({job("\"a\""), bad, job("\"c\"")}));
        REQUIRE(d.value.size() == 2);
        CHECK(sv(d.value[0].uiId) == "a");
        CHECK(sv(d.value[1].uiId) == "c");
        REQUIRE(d.warnings.size() == 1);
        CHECK(d.warnings[0].find("active job #1: ") == 0);
        CHECK(d.warnings[0].find(c.field) != std::string::npos);
    }
}

TEST_CASE("spec 2.2: an entry that is not an object is dropped with its index") {
    const auto d = decodeOk(jsonArray({job("\"a\""), R"("just text",42,null,[])"}));
    CHECK(d.value.size() == 1);
    REQUIRE(d.warnings.size() == 4);
    CHECK(d.warnings[0].find("active job #1: expected an object, got string \"just text\"") == 0);
    CHECK(d.warnings[1].find("active job #2: expected an object, got number 42") == 0);
    CHECK(d.warnings[2].find("active job #3: expected an object, got null") == 0);
    CHECK(d.warnings[3].find("active job #4: expected an object, got an array") == 0);
}

TEST_CASE("spec 2.2: id, status, progress and created_at are required") {
    for (const char* field : {"id", "status", "progress", "created_at"}) {
        CAPTURE(field);
        const auto d = decodeOk(jsonArray({jobWithout(field)}));
        CHECK(d.value.empty());
        REQUIRE(d.warnings.size() == 1);
        CHECK(d.warnings[0].find(std::string(field) + " is required") != std::string::npos);
        CHECK(d.warnings[0].find("missing") != std::string::npos);
    }
    CHECK(decodeOk(jsonArray({jobWithout("none")})).value.size() == 1);
}

TEST_CASE("spec 2.2: numeric ids are accepted and become text") {
    const model::Job j = single(job("42"));
    CHECK(sv(j.uiId) == "42");
    CHECK(sv(j.backendId) == "42");
    const model::Job k =
        single(R"({"id":7,"jobId":"backend-7","status":"queued","progress":0,"created_at":"2026-01-01T00:00:00"})");
    CHECK(sv(k.uiId) == "7");
    CHECK(sv(k.backendId) == "backend-7");
}

TEST_CASE("spec 4.4: uiId and backendId take the first non-empty key, trimmed") {
    const std::string rest = R"("status":"queued","progress":0,"created_at":"2026-01-01T00:00:00")";
    // uiId ?? id ?? jobId ?? backendId; backendId ?? jobId ?? id.
    model::Job a = single(R"({"id":"  ui-1  ","jobId":" be-1 ",)" + rest + "}");
    CHECK(sv(a.uiId) == "ui-1");
    CHECK(sv(a.backendId) == "be-1");
    model::Job b = single(R"({"id":"","jobId":"only-job-id",)" + rest + "}");
    CHECK(sv(b.uiId) == "only-job-id");
    CHECK(sv(b.backendId) == "only-job-id");
    model::Job c = single(R"({"uiId":"u","backendId":"b","id":"i","jobId":"j",)" + rest + "}");
    CHECK(sv(c.uiId) == "u");
    CHECK(sv(c.backendId) == "b");
    model::Job d = single(R"({"id":"i",)" + rest + "}");
    CHECK(sv(d.uiId) == "i");
    CHECK(sv(d.backendId) == "i");  // falls back to id, then to uiId
}

TEST_CASE("spec 4.4: a job whose keys are all empty gets a generated job-<micros>-<hex> id") {
    const std::string body = R"([{"id":" ","status":"queued","progress":0,"created_at":"2026-01-01T00:00:00"},)"
                             R"({"id":"","status":"queued","progress":0,"created_at":"2026-01-01T00:00:00"}])";
    const auto d = decodeOk(body);
    REQUIRE(d.value.size() == 2);
    const std::string prefix = cat("job-", std::to_string(kReceived), "-");
    for (const auto& j : d.value) {
        CHECK(sv(j.uiId).substr(0, prefix.size()) == prefix);
        CHECK(sv(j.uiId).size() > prefix.size());
        CHECK(sv(j.backendId) == sv(j.uiId));
    }
    CHECK(sv(d.value[0].uiId) != sv(d.value[1].uiId));
}

TEST_CASE("spec 4.1: job statuses are normalised, unknown ones become processing") {
    auto statusOf = [](const char* raw) {
        return single(cat(R"({"id":"x","status":")", raw, R"(","progress":0,"created_at":"2026-01-01T00:00:00"})"))
            .status;
    };
    CHECK(statusOf("queued") == JobStatus::Queued);
    CHECK(statusOf("PENDING") == JobStatus::Queued);
    CHECK(statusOf("retrying") == JobStatus::Processing);
    CHECK(statusOf("succeeded") == JobStatus::Completed);
    CHECK(statusOf("cancelled") == JobStatus::Failed);
    CHECK(statusOf("unknown") == JobStatus::Processing);
    CHECK(statusOf("") == JobStatus::Processing);
    CHECK(statusOf("teleporting") == JobStatus::Processing);
}

TEST_CASE("decision 2: /jobs/active progress is on the 0-100 scale and normalised once") {
    auto progressOf = [](const std::string& raw) {
        return single(cat(R"({"id":"x","status":"processing","progress":)", raw,
                          R"(,"created_at":"2026-01-01T00:00:00"})"))
            .progress;
    };
    CHECK(progressOf("0.0") == 0);
    CHECK(progressOf("50") == 50);
    CHECK(progressOf("45.2") == 45);
    CHECK(progressOf("1.0") == 1);  // 1 %, not 100 % (the SPA's double normalisation, §4.2)
    CHECK(progressOf("0.5") == 1);  // half a percent rounds up
    CHECK(progressOf("100") == 100);
    CHECK(progressOf("150") == 100);
    CHECK(progressOf("1e308") == 100);
    CHECK(progressOf("\"50\"") == 50);  // coerced like the schema does
    CHECK(progressOf("\" 12.5 \"") == 13);
}

TEST_CASE("spec 2.2: progress that is not a number >= 0 drops the job") {
    for (const char* raw : {"-5", "-0.001", "\"-1\"", "\"abc\"", "\"NaN\"", "\"nan\"", "\"Infinity\"", "\"inf\"",
                            "\"\"", "NaN", "Infinity", "1e400", "null", "true", "{}", "[50]"}) {
        CAPTURE(raw);
        const auto d = decodeOk(cat(R"([{"id":"x","status":"processing","progress":)", raw,
                                    R"(,"created_at":"2026-01-01T00:00:00"},)", job("\"ok\""), "]"));
        REQUIRE(d.value.size() == 1);
        CHECK(sv(d.value[0].uiId) == "ok");
        REQUIRE(d.warnings.size() == 1);
        CHECK(d.warnings[0].find("active job #0: progress must be a number >= 0, got ") == 0);
    }
}

TEST_CASE("spec 4.5: startTime falls back to created_at, then to the receipt time") {
    model::Job noStart =
        single(R"({"id":"x","status":"queued","progress":0,"created_at":"2026-11-26T07:06:38.818771"})");
    CHECK(noStart.startTime == Timestamp::parse("2026-11-26T07:06:38.818771"));
    CHECK(noStart.created_at == noStart.startTime);

    model::Job nullStart =
        single(R"({"id":"x","status":"queued","progress":0,"created_at":"2026-11-26T07:06:38","startTime":null})");
    CHECK(nullStart.startTime == Timestamp::parse("2026-11-26T07:06:38"));

    // created_at present but unparsable: created_at <- startTime (§4.5), the job is kept.
    model::Job badCreated = single(
        R"({"id":"x","status":"queued","progress":0,"created_at":"yesterday","startTime":"2026-11-26T07:06:40"})");
    CHECK(badCreated.created_at == Timestamp::parse("2026-11-26T07:06:40"));
    CHECK(badCreated.startTime == Timestamp::parse("2026-11-26T07:06:40"));

    model::Job noTimes = single(R"({"id":"x","status":"queued","progress":0,"created_at":"not a date"})");
    CHECK(noTimes.startTime == Timestamp::fromMicros(kReceived));
    CHECK(noTimes.created_at == Timestamp::fromMicros(kReceived));
    CHECK(noTimes.receivedMicros == kReceived);

    model::Job offset = single(R"({"id":"x","status":"queued","progress":0,"created_at":"2026-11-26T08:06:38+01:00"})");
    CHECK(offset.created_at.micros == Timestamp::parse("2026-11-26T07:06:38").micros);  // §8.4
}

TEST_CASE("spec 2.2: finished_at, message, error and the stored result are kept") {
    model::Job j = single(
        job("\"x\"",
            R"("finished_at":"2026-11-26T07:07:00","message":"rendering","error":"boom","result":{ "progress" : 0.5, "images" : [ ] })")
            .replace(0, 0, ""));
    // The later keys override the earlier nulls of job().
    CHECK(j.finished_at == Timestamp::parse("2026-11-26T07:07:00"));
    REQUIRE(j.message);
    CHECK(sv(*j.message) == "rendering");
    REQUIRE(j.error);
    CHECK(sv(*j.error) == "boom");
    REQUIRE(j.result_json);
    CHECK(sv(*j.result_json) == R"({"progress":0.5,"images":[]})");  // minified
}

TEST_CASE("spec 2.2: the job prompt falls back to params.prompt") {
    model::Job j = single(
        R"({"id":"x","status":"queued","progress":0,"created_at":"2026-01-01T00:00:00","prompt":null,"params":{"prompt":"from params"}})");
    REQUIRE(j.prompt);
    CHECK(sv(*j.prompt) == "from params");
}

TEST_CASE("spec 2.2: a wrong type inside params is ignored with a warning and the job stays") {
    const auto d = decodeOk(
        R"([{"id":"x","status":"queued","progress":0,"created_at":"2026-01-01T00:00:00",)"
        R"("params":{"steps":"twenty","width":512.0,"height":1e12,"cfg_scale":"7","seed":-1,"extra":{"deep":[1]}}}])");
    REQUIRE(d.value.size() == 1);
    const model::GenerationParams& p = *d.value[0].params;
    CHECK_FALSE(p.steps);
    CHECK(p.width == 512);  // 512.0 is an integer
    CHECK_FALSE(p.height);  // out of int range
    CHECK_FALSE(p.cfg_scale);
    CHECK(p.seed == -1);
    CHECK(d.warnings.size() == 3);
    CHECK(anyContains(d.warnings,
                      "active job #0: params.steps must be an integer or null, got string \"twenty\"; ignored"));
    CHECK(anyContains(d.warnings, "params.height"));
    CHECK(anyContains(d.warnings, "params.cfg_scale must be a number or null"));
}

TEST_CASE("spec 2.2: unknown keys pass through without warnings (extra keys allowed)") {
    model::Job j =
        single(job("\"x\"", R"("name":null,"cfg_scale":null,"seed":null,"future":{"nested":[1,2,{"a":null}]})"));
    CHECK(sv(j.uiId) == "x");
    CHECK(j.progress == 50);
}

TEST_CASE("spec 2.2: strings with escapes and unicode are unescaped") {
    model::Job j = single(
        R"({"id":"x","status":"queued","progress":0,"created_at":"2026-01-01T00:00:00","prompt":"a \"quoted\" caf\u00e9\nline \ud83d\ude00"})");
    REQUIRE(j.prompt);
    CHECK(sv(*j.prompt) == "a \"quoted\" caf\xC3\xA9\nline \xF0\x9F\x98\x80");
}

TEST_CASE("spec 2.2: a body that is not a JSON array is an error with a readable message") {
    Decoder decoder;
    auto object = decoder.activeJobs(R"({"jobs":[]})", kReceived);
    REQUIRE_FALSE(object.ok());
    CHECK(object.error().kind == model::ErrorKind::Decode);
    CHECK(object.error().message == "active jobs: expected a JSON array, got object");

    auto null = decoder.activeJobs("null", kReceived);
    REQUIRE_FALSE(null.ok());
    CHECK(null.error().message == "active jobs: expected a JSON array, got null");

    auto empty = decoder.activeJobs("", kReceived);
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().message == "active jobs: empty body (expected JSON)");

    auto truncated = decoder.activeJobs(R"([{"id":"a","status":"queued","progress":0,"created_at":"2026)", kReceived);
    REQUIRE_FALSE(truncated.ok());
    CHECK(truncated.error().message.find("active jobs: invalid JSON (") == 0);

    auto trailing = decoder.activeJobs("[] []", kReceived);
    REQUIRE_FALSE(trailing.ok());
    CHECK(trailing.error().message.find("active jobs: ") == 0);

    auto afterArray = decoder.activeJobs("[]]", kReceived);
    REQUIRE_FALSE(afterArray.ok());
}

TEST_CASE("spec 2.2: a truncated body is an error at every cut, never a crash or a partial list") {
    const std::string full = jsonArray({job("\"a\""), job("\"b\"")});
    Decoder decoder;
    for (size_t cut = 0; cut < full.size(); ++cut) {
        CAPTURE(cut);
        auto decoded = decoder.activeJobs(full.substr(0, cut), kReceived);
        CHECK_FALSE(decoded.ok());
    }
    auto whole = decoder.activeJobs(full, kReceived);
    REQUIRE(whole.ok());
    CHECK(whole->value.size() == 2);
}

TEST_CASE("spec 2.2: bodies are decoded in place when padded and copied otherwise, with equal results") {
    const std::string text = jsonArray({job("\"a\""), job("17")});
    const std::string padded = test::withSlack(text);
    const std::string tight = test::tight(text);
    REQUIRE(padded.capacity() - padded.size() >= 64);
    Decoder decoder;
    auto a = decoder.activeJobs(padded, kReceived);
    auto b = decoder.activeJobs(tight, kReceived);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    REQUIRE(a->value.size() == 2);
    REQUIRE(b->value.size() == 2);
    for (size_t i = 0; i < 2; ++i) {
        CHECK(sv(a->value[i].uiId) == sv(b->value[i].uiId));
        CHECK(a->value[i].progress == b->value[i].progress);
        CHECK(a->value[i].created_at == b->value[i].created_at);
    }
    CHECK(padded == text);  // the caller's body is never modified
}

TEST_CASE("spec 4.4: when jobId repeats id, both keys share one text") {
    const model::Job j = single(job("\"5e8ee68e-6ce4-470b-a005-e19a58b91284\""));
    CHECK(sv(j.backendId) == sv(j.uiId));
    if constexpr (!std::is_same_v<decltype(j.uiId), std::string>)
        CHECK(sv(j.uiId).data() == sv(j.backendId).data());  // shared, not copied
    // Same id written differently (escaped) is still the same key.
    const model::Job k =
        single(R"({"id":"a/b","jobId":"a\/b","status":"queued","progress":0,"created_at":"2026-01-01T00:00:00"})");
    CHECK(sv(k.uiId) == "a/b");
    CHECK(sv(k.backendId) == "a/b");
}

TEST_CASE("spec 2.2: a 10,000-job list decodes completely and in order") {
    std::string body = "[";
    for (int i = 0; i < 10000; ++i) {
        if (i > 0) body += ',';
        body += job(cat("\"job-", std::to_string(i), "\""), cat("\"progress\":", std::to_string(i % 101)));
    }
    body += ']';
    const auto d = decodeOk(body);
    CHECK(d.warnings.empty());
    REQUIRE(d.value.size() == 10000);
    CHECK(sv(d.value.front().uiId) == "job-0");
    CHECK(sv(d.value.back().uiId) == "job-9999");
    CHECK(d.value[150].progress == 49);  // the later "progress" key wins, 150 % 101
    CHECK(d.value.capacity() <= 2 * d.value.size() + 64);
}

TEST_CASE("issue 16.3: repeated texts share one allocation: params.prompt, sampler, negative prompt, message") {
    Decoder decoder;
    auto entry = [](const std::string& id, const std::string& prompt, const std::string& sampler,
                    const std::string& message) {
        return cat(R"({"id":")", id, R"(","prompt":")", prompt, R"(","status":"processing","progress":5,"message":")",
                   message, R"(","params":{"prompt":")", prompt, R"(","negative_prompt":"blurry","sampler_name":")",
                   sampler, R"(","backend":"sdnext"},"created_at":"2026-11-26T07:06:38"})");
    };
    std::string body = cat("[", entry("a", "cat", "Euler a", "Sampling"), ",", entry("b", "dog", "DDIM", "Sampling"));
    for (int i = 0; i < 9; ++i) {  // nine other samplers and prompts in between
        const std::string n = std::to_string(i);
        body += ",";
        body += entry(cat("x", n), cat("p", n), cat("S", n), "m");
    }
    body += cat(",", entry("c", "cat", "Euler a", "Loading model"), "]");
    auto out = decoder.activeJobs(body, kReceived);
    REQUIRE_MESSAGE(out.ok(), test::why(out));
    const auto& jobs = out->value;
    REQUIRE(jobs.size() == 12);
    const model::Job &a = jobs[0], &b = jobs[1], &c = jobs[11];
    // Values are what was sent.
    CHECK(sv(*a.prompt) == "cat");
    CHECK(sv(*b.params->sampler_name) == "DDIM");
    CHECK(sv(*c.message) == "Loading model");
    CHECK(sv(*c.params->sampler_name) == "Euler a");
    // The params' prompt is the job's own text, not a copy.
    CHECK(a.params->prompt->data() == a.prompt->data());
    CHECK(b.params->prompt->data() == b.prompt->data());
    // Texts that repeat between jobs are one allocation...
    CHECK(a.params->negative_prompt->data() == b.params->negative_prompt->data());
    CHECK(a.params->backend->data() == c.params->backend->data());
    CHECK(a.message->data() == b.message->data());
    // ...while a value pushed out by eight others is made again (equal, not shared), and
    // different values never mix.
    CHECK(sv(*a.params->sampler_name) == sv(*c.params->sampler_name));
    CHECK(a.params->sampler_name->data() != c.params->sampler_name->data());
    CHECK(a.params->sampler_name->data() != b.params->sampler_name->data());
    CHECK(a.prompt->data() != c.prompt->data());  // the prompt keeps only the last one
}
