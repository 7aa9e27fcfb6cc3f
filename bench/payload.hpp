#pragma once
// Realistic upstream payloads for the benchmarks, generated deterministically: a
// /generation/jobs/active body in the shape of tests/fixtures/upstream/jobs_active_GET_running.json
// (every field the server sends, params included) with varied prompts, uuids, statuses,
// progress, messages and errors; and WebSocket progress_update envelopes as genmon-sim sends them.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

namespace genmon::bench {

inline uint64_t splitmix(uint64_t& s) {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// A string with SIMDJSON_PADDING bytes of spare capacity, as the transport hands bodies over
// (the decoder then parses it in place instead of copying it).
inline std::string padded(std::string s) {
    std::string out;
    out.reserve(s.size() + simdjson::SIMDJSON_PADDING);
    out.append(s);
    return out;
}

inline std::string uuidFor(uint64_t seed, uint64_t i) {
    uint64_t s = seed * 0x100000001B3ull + i;
    const uint64_t a = splitmix(s), b = splitmix(s);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                  static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                  static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                  static_cast<unsigned long long>(b & 0xffffffffffffull));
    return buf;
}

struct JobShape {
    std::string id;
    std::string status;  // queued, processing, completed, failed (as /jobs/active writes them)
};

// The /jobs/active body for n jobs. `shapes`, when given, receives each job's id and status.
inline std::string activeJobsPayload(size_t n, uint64_t seed = 1, std::vector<JobShape>* shapes = nullptr) {
    static const char* kSubjects[] = {
        "a lighthouse at dusk",        "a red fox in fresh snow",          "an astronaut cat floating over Saturn",
        "a koi pond in autumn rain",   "a neon city street at night",      "a mountain cabin under the aurora",
        "a paper boat on a puddle",    "a desert caravan at noon",         "portrait of an old sailor",
        "a bowl of ramen, steam",      "a gothic cathedral interior",      "a robot tending a rooftop garden",
        "a caf\xc3\xa9 terrace in Paris", "\\\"the last train\\\", film still", "a hummingbird mid-flight",
        "an isometric pixel-art village"};
    static const char* kStyles[] = {"watercolor",   "35mm film",       "oil painting, impasto", "isometric",
                                    "studio light", "ukiyo-e",         "cinematic, volumetric fog",
                                    "analog photo", "concept art, trending on artstation", "charcoal sketch"};
    static const char* kLoras[] = {"coastal", "film_grain", "detail_tweaker", "anime_lineart", "test", "epic_light"};
    static const char* kSamplers[] = {"DPM++ 2M", "Euler a", "DPM++ SDE Karras", "UniPC", "DDIM"};
    static const char* kNegatives[] = {"blurry", "blurry, lowres, jpeg artifacts", "text, watermark, signature",
                                       "bad anatomy, extra fingers, deformed hands"};
    static const char* kMessages[] = {"Loading model", "Sampling", "Decoding latents", "Waiting for a worker"};
    static const char* kErrors[] = {"CUDA out of memory. Tried to allocate 2.00 GiB",
                                    "SDNext returned 500: Internal Server Error", "Generation cancelled by user",
                                    "Timed out waiting for the SDNext backend"};
    constexpr auto count = [](const auto& a) { return sizeof(a) / sizeof(a[0]); };

    std::string out;
    out.reserve(n * 900 + 64);
    out += "[";
    uint64_t s = seed;
    char buf[256];
    for (size_t i = 0; i < n; ++i) {
        const uint64_t r = splitmix(s), r2 = splitmix(s);
        const std::string id = uuidFor(seed, i);
        const unsigned roll = static_cast<unsigned>(r % 100);
        const char* status = roll < 10 ? "processing" : roll < 90 ? "queued" : roll < 95 ? "completed" : "failed";
        if (shapes) shapes->push_back({id, status});
        std::string prompt = kSubjects[(r >> 8) % count(kSubjects)];
        prompt += ", ";
        prompt += kStyles[(r >> 16) % count(kStyles)];
        if ((r >> 24) % 3 == 0) {
            prompt += ", <lora:";
            prompt += kLoras[(r >> 28) % count(kLoras)];
            std::snprintf(buf, sizeof buf, ":%.1f>", 0.5 + static_cast<double>((r >> 32) % 6) / 10.0);
            prompt += buf;
        }
        if ((r >> 36) % 4 == 0) prompt += ", highly detailed, sharp focus, golden hour, masterpiece";
        const double progress = status[0] == 'p'   ? static_cast<double>((r >> 40) % 10000) / 100.0
                                : status[0] == 'c' ? 100.0
                                : status[0] == 'f' ? static_cast<double>((r >> 40) % 100)
                                                   : 0.0;
        const int steps = 20 + static_cast<int>((r2 % 4) * 10);
        const int side = 512 + static_cast<int>((r2 >> 8) % 3) * 256;
        // Newer jobs later in the list, a few seconds apart, over the day.
        const long secs = 7 * 3600 + static_cast<long>(i % 50000) * 3;
        const unsigned micros = static_cast<unsigned>((r2 >> 16) % 1000000);
        char created[40];
        std::snprintf(created, sizeof created, "2026-11-26T%02ld:%02ld:%02ld.%06u", (secs / 3600) % 24,
                      (secs / 60) % 60, secs % 60, micros);

        if (i) out += ",";
        out += "{\"id\":\"";
        out += id;
        out += "\",\"jobId\":\"";
        out += id;
        out += "\",\"prompt\":\"";
        out += prompt;
        out += "\",\"status\":\"";
        out += status;
        std::snprintf(buf, sizeof buf, "\",\"progress\":%.2f,\"message\":", progress);
        out += buf;
        if (status[0] == 'p' && (r2 >> 40) % 2 == 0) {
            out += "\"";
            out += kMessages[(r2 >> 44) % count(kMessages)];
            out += "\"";
        } else {
            out += "null";
        }
        out += ",\"error\":";
        if (status[0] == 'f') {
            out += "\"";
            out += kErrors[(r2 >> 48) % count(kErrors)];
            out += "\"";
        } else {
            out += "null";
        }
        out += ",\"params\":{\"prompt\":\"";
        out += prompt;
        out += "\",\"negative_prompt\":\"";
        out += kNegatives[(r2 >> 52) % count(kNegatives)];
        std::snprintf(buf, sizeof buf,
                      "\",\"steps\":%d,\"sampler_name\":\"%s\",\"cfg_scale\":%.1f,\"width\":%d,\"height\":%d,"
                      "\"seed\":%llu,\"batch_size\":1,\"n_iter\":1,\"denoising_strength\":null,\"backend\":\"sdnext\"}",
                      steps, kSamplers[(r2 >> 56) % count(kSamplers)], 5.0 + static_cast<double>((r >> 44) % 8),
                      side, side, static_cast<unsigned long long>((r >> 20) % 4294967295ull));
        out += buf;
        out += ",\"created_at\":\"";
        out += created;
        out += "\",\"startTime\":";
        if (status[0] == 'q') {
            out += "\"";
            out += created;
            out += "\"";
        } else {
            char started[40];
            std::snprintf(started, sizeof started, "2026-11-26T%02ld:%02ld:%02ld.%06u", ((secs + 2) / 3600) % 24,
                          ((secs + 2) / 60) % 60, (secs + 2) % 60, (micros + 38544) % 1000000);
            out += "\"";
            out += started;
            out += "\"";
        }
        out += ",\"finished_at\":";
        if (status[0] == 'c' || status[0] == 'f') {
            char fin[40];
            std::snprintf(fin, sizeof fin, "\"2026-11-26T%02ld:%02ld:%02ld.%06u\"", ((secs + 9) / 3600) % 24,
                          ((secs + 9) / 60) % 60, (secs + 9) % 60, (micros + 123457) % 1000000);
            out += fin;
        } else {
            out += "null";
        }
        out += ",\"result\":";
        if (status[0] == 'c') {
            std::snprintf(buf, sizeof buf,
                          "{\"images\":[\"/api/v1/generation/results/%s/download\"],\"info\":{\"seed\":%llu}}",
                          id.c_str(), static_cast<unsigned long long>(r2 % 4294967295ull));
            out += buf;
        } else {
            out += "null";
        }
        out += "}";
    }
    out += "]";
    return padded(std::move(out));
}

// One progress_update envelope (spec §3.1) as genmon-sim sends it; progress on the 0-1 scale.
inline std::string progressFrame(std::string_view jobId, double progress, std::string_view status, int step,
                                 int totalSteps, double eta) {
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "{\"type\":\"progress_update\",\"timestamp\":\"2026-11-26T07:07:26.084093+00:00\",\"data\":{"
                  "\"job_id\":\"%.*s\",\"progress\":%.4f,\"status\":\"%.*s\",\"current_step\":%d,\"total_steps\":%d,"
                  "\"eta_seconds\":%.3f,\"preview_image\":null,\"error_message\":null}}",
                  static_cast<int>(jobId.size()), jobId.data(), progress, static_cast<int>(status.size()),
                  status.data(), step, totalSteps, eta);
    return padded(buf);
}

}  // namespace genmon::bench
