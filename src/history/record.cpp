#include "history/record.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace genmon::history {

std::string_view runStatusName(RunStatus s) noexcept {
    switch (s) {
        case RunStatus::Queued: return "queued";
        case RunStatus::Running: return "running";
        case RunStatus::Succeeded: return "succeeded";
        case RunStatus::Failed: return "failed";
        case RunStatus::Cancelled: return "cancelled";
        case RunStatus::Left: return "left";
    }
    return "left";
}

std::optional<RunStatus> runStatusFromName(std::string_view name) noexcept {
    for (RunStatus s : kAllRunStatuses)
        if (runStatusName(s) == name) return s;
    return std::nullopt;
}

namespace {
std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool startsWithNoCase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    return true;
}
}  // namespace

std::vector<LoraTag> parseLoraTags(std::string_view prompt) {
    std::vector<LoraTag> tags;
    size_t at = 0;
    while ((at = prompt.find('<', at)) != std::string_view::npos) {
        const std::string_view rest = prompt.substr(at + 1);
        const size_t close = rest.find('>');
        if (close == std::string_view::npos) break;
        std::string_view inside = rest.substr(0, close);
        at += 1;
        if (!startsWithNoCase(inside, "lora:")) continue;
        inside.remove_prefix(5);
        // The weight follows the last colon, when what follows it is a number.
        LoraTag tag;
        std::string_view name = inside;
        if (const size_t colon = inside.rfind(':'); colon != std::string_view::npos) {
            const std::string_view w = trim(inside.substr(colon + 1));
            double value = 0;
            const auto r = std::from_chars(w.data(), w.data() + w.size(), value);
            name = inside.substr(0, colon);
            if (r.ec == std::errc() && r.ptr == w.data() + w.size() && std::isfinite(value)) tag.weight = value;
        }
        name = trim(name);
        if (name.empty()) continue;
        tag.name = std::string(name);
        tags.push_back(std::move(tag));
        at += close;
    }
    return tags;
}

std::optional<Thumbnail> shrinkForHistory(const model::Image& image, int maxSide) {
    if (image.width <= 0 || image.height <= 0 || maxSide <= 0) return std::nullopt;
    const size_t w = static_cast<size_t>(image.width), h = static_cast<size_t>(image.height);
    if (image.rgba.size() != w * h * 4) return std::nullopt;
    const double scale = std::min(1.0, static_cast<double>(maxSide) / static_cast<double>(std::max(w, h)));
    Thumbnail t;
    t.width = std::max(1, static_cast<int>(std::lround(static_cast<double>(w) * scale)));
    t.height = std::max(1, static_cast<int>(std::lround(static_cast<double>(h) * scale)));
    const size_t tw = static_cast<size_t>(t.width), th = static_cast<size_t>(t.height);
    t.rgba.resize(tw * th * 4);
    // Each target pixel averages the source pixels its box covers.
    for (size_t ty = 0; ty < th; ++ty) {
        const size_t y0 = ty * h / th, y1 = std::max(y0 + 1, (ty + 1) * h / th);
        for (size_t tx = 0; tx < tw; ++tx) {
            const size_t x0 = tx * w / tw, x1 = std::max(x0 + 1, (tx + 1) * w / tw);
            uint64_t sum[4] = {0, 0, 0, 0};
            for (size_t y = y0; y < y1; ++y)
                for (size_t x = x0; x < x1; ++x)
                    for (size_t c = 0; c < 4; ++c) sum[c] += image.rgba[(y * w + x) * 4 + c];
            const uint64_t n = (y1 - y0) * (x1 - x0);
            for (size_t c = 0; c < 4; ++c) t.rgba[(ty * tw + tx) * 4 + c] = static_cast<uint8_t>((sum[c] + n / 2) / n);
        }
    }
    return t;
}

std::string backendName(std::string_view url) {
    std::string_view rest = url;
    if (const size_t scheme = rest.find("://"); scheme != std::string_view::npos) rest.remove_prefix(scheme + 3);
    else return std::string(url);
    rest = rest.substr(0, rest.find_first_of("/?#"));
    if (const size_t at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);  // never credentials
    return rest.empty() ? std::string(url) : std::string(rest);
}

JobRecord recordFromJob(const model::Job& job, std::string_view backend, std::string_view backendUrl) {
    JobRecord r;
    r.backend = std::string(backend);
    r.backendUrl = std::string(backendUrl);
    r.jobId = job.backendId.empty() ? job.uiId.str() : job.backendId.str();
    switch (job.status) {
        case model::JobStatus::Queued: r.status = RunStatus::Queued; break;
        case model::JobStatus::Processing: r.status = RunStatus::Running; break;
        case model::JobStatus::Completed: r.status = RunStatus::Succeeded; break;
        case model::JobStatus::Failed: r.status = RunStatus::Failed; break;
    }
    if (job.created_at.valid) r.createdMicros = job.created_at.micros;
    if (job.runningSinceMicros) r.startedMicros = job.runningSinceMicros;
    if (job.finished_at.valid) r.finishedMicros = job.finished_at.micros;
    if (job.error && !job.error->empty()) r.error = job.error->str();
    if (job.params) {
        const model::GenerationParams& p = *job.params;
        auto str = [](const std::optional<model::Text>& t) -> std::optional<std::string> {
            return t ? std::optional<std::string>(t->str()) : std::nullopt;
        };
        r.params.prompt = str(p.prompt);
        r.params.negativePrompt = str(p.negative_prompt);
        r.params.sampler = str(p.sampler_name);
        r.params.width = p.width;
        r.params.height = p.height;
        r.params.steps = p.steps;
        r.params.cfg = p.cfg_scale;
        r.params.seed = p.seed;
        r.params.batchSize = p.batch_size;
        r.params.nIter = p.n_iter;
        r.params.denoisingStrength = p.denoising_strength;
    }
    if (!r.params.prompt && job.prompt) r.params.prompt = job.prompt->str();
    return r;
}

model::GenerationParams generationParams(const JobParams& p) {
    auto text = [](const std::optional<std::string>& s) {
        return s ? std::optional<model::Text>(model::Text(*s)) : std::nullopt;
    };
    model::GenerationParams g;
    g.prompt = text(p.prompt);
    g.negative_prompt = text(p.negativePrompt);
    g.sampler_name = text(p.sampler);
    g.width = p.width;
    g.height = p.height;
    g.steps = p.steps;
    g.cfg_scale = p.cfg;
    g.seed = p.seed;
    g.batch_size = p.batchSize;
    g.n_iter = p.nIter;
    g.denoising_strength = p.denoisingStrength;
    return g;
}

model::GenerationRequest requestToRunAgain(const JobParams& p) { return model::requestFromParams(generationParams(p)); }

}  // namespace genmon::history
