#include "ui/metrics_view.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "orchestrator/metrics.hpp"
#include "ui/fleet_scope.hpp"
#include "ui/fonts.hpp"
#include "ui/format.hpp"
#include "ui/theme.hpp"
#include "ui/widgets.hpp"

namespace genmon::ui {
namespace {

using orchestrator::Metric;
using orchestrator::SecondRing;

enum class Style { Line, Spikes };  // spikes: rare events (reconnects), one mark per second

// One cell of the grid: a series, how to word its values, and what to say when it has none.
struct Cell {
    const char* id;
    const char* title;
    const SecondRing* ring = nullptr;  // null: the worker has not closed a second yet
    int64_t newestMicros = 0;          // the end of the ring's newest second
    std::string (*format)(double) = nullptr;
    std::string empty;                 // the window holds no value at all
    std::string noValue;               // this second has no value (tooltip, headline)
    ImVec4 color;
    Style style = Style::Line;
    std::string headline;              // replaces the newest value (reconnects: the total)
};

Cell makeCell(const char* id, const char* title, const SecondRing* ring, int64_t newestMicros,
              std::string (*format)(double), std::string empty, std::string noValue, const ImVec4& color) {
    Cell c;
    c.id = id;
    c.title = title;
    c.ring = ring;
    c.newestMicros = newestMicros;
    c.format = format;
    c.empty = std::move(empty);
    c.noValue = std::move(noValue);
    c.color = color;
    return c;
}

std::string printf1(const char* fmt, double v) {
    char buf[48];
    std::snprintf(buf, sizeof buf, fmt, v);
    return buf;
}
std::string plural(double v, const char* one, const char* many) {
    const double n = std::round(v);
    return printf1("%.0f ", n) + (n == 1 ? one : many);
}
std::string jobs(double v) { return plural(v, "job", "jobs"); }
std::string jobsPerMinute(double v) { return printf1("%.0f jobs/min", v); }
std::string seconds(double v) { return formatDuration(v); }
std::string messagesPerSecond(double v) { return printf1("%.0f msg/s", v); }
std::string parseTime(double ms) { return ms < 1 ? printf1("%.0f \xC2\xB5s/s", ms * 1000) : printf1("%.1f ms/s", ms); }
std::string frameTime(double ms) { return printf1("%.1f ms", ms); }
std::string reconnects(double v) { return plural(v, "reconnect", "reconnects"); }

// "12 s ago", "2m 5s ago": whole seconds, as the samples are.
std::string agoText(int64_t s) {
    char buf[40];
    if (s < 60)
        std::snprintf(buf, sizeof buf, "%lld s ago", static_cast<long long>(s));
    else
        std::snprintf(buf, sizeof buf, "%lldm %llds ago", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
    return buf;
}

struct WindowStats {
    double min = 0, max = 0, sum = 0;
    size_t values = 0;    // samples with a value
    size_t samples = 0;   // samples inside the window
    int64_t lagSeconds = 0;  // the newest sample's age
};

WindowStats statsOf(const Cell& c, int64_t now, int windowSeconds) {
    WindowStats st;
    if (!c.ring || c.ring->size() == 0) return st;
    st.lagSeconds = std::max<int64_t>(0, (now - c.newestMicros) / orchestrator::kMetricSampleMicros);
    for (size_t a = 0; a < c.ring->size() && st.lagSeconds + static_cast<int64_t>(a) < windowSeconds; ++a) {
        ++st.samples;
        const double v = c.ring->ago(a);
        if (std::isnan(v)) continue;
        st.min = st.values ? std::min(st.min, v) : v;
        st.max = st.values ? std::max(st.max, v) : v;
        st.sum += v;
        ++st.values;
    }
    return st;
}

// Finished jobs per bucket as stacked bars (succeeded below, failed above, cancelled and left on
// top), with the count and failure rate of the bucket under the pointer.
void throughputBars(FrameContext& ctx, const char* id, const std::vector<orchestrator::ThroughputBin>& bins,
                    bool days, float width, float height) {
    const Palette& pal = palette();
    ImGui::InvisibleButton(id, ImVec2(std::max(width, 4 * ctx.em), height));
    const ImVec2 lo = ImGui::GetItemRectMin(), hi = ImGui::GetItemRectMax();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(lo, hi, ImGui::GetColorU32(ImGuiCol_FrameBg), ImGui::GetStyle().FrameRounding);
    if (bins.empty()) return;
    uint32_t peak = 1;
    for (const auto& b : bins) peak = std::max(peak, b.finished());
    const float pad = 0.2f * ctx.em;
    const float slot = (hi.x - lo.x - 2 * pad) / static_cast<float>(bins.size());
    const float bottom = hi.y - pad, span = hi.y - lo.y - 2 * pad;
    for (size_t i = 0; i < bins.size(); ++i) {
        const auto& b = bins[i];
        const float x0 = lo.x + pad + slot * static_cast<float>(i) + 1, x1 = x0 + std::max(1.0f, slot - 2);
        float y = bottom;
        auto stack = [&](uint32_t n, const ImVec4& color) {
            if (!n) return;
            const float h = span * static_cast<float>(n) / static_cast<float>(peak);
            dl->AddRectFilled(ImVec2(x0, y - h), ImVec2(x1, y), ImGui::ColorConvertFloat4ToU32(color));
            y -= h;
        };
        stack(b.succeeded, pal.completed);
        stack(b.failed, pal.failed);
        stack(b.cancelled + b.left, pal.muted);
    }
    if (ImGui::IsItemHovered()) {
        const float mx = ImGui::GetIO().MousePos.x - lo.x - pad;
        const size_t i = std::min(bins.size() - 1, static_cast<size_t>(std::max(0.0f, mx / slot)));
        const auto& b = bins[i];
        char when[32];
        const std::time_t t = static_cast<std::time_t>(b.startMicros / 1'000'000);
        std::tm tm{};
        localtime_r(&t, &tm);
        std::strftime(when, sizeof when, days ? "%a %d %b" : "%d %b %H:00", &tm);
        const double rate = b.finished() ? 100.0 * b.failed / b.finished() : 0.0;
        ImGui::SetTooltip("%s: %u finished (%u succeeded, %u failed, %u cancelled or left), %.0f%% failed", when,
                          b.finished(), b.succeeded, b.failed, b.cancelled + b.left, rate);
    }
}

void drawStoredThroughput(FrameContext& ctx, const orchestrator::StoredThroughput& t, float height) {
    const Palette& pal = palette();
    auto summary = [](const std::vector<orchestrator::ThroughputBin>& bins, const char* span) {
        uint32_t finished = 0, failed = 0;
        for (const auto& b : bins) {
            finished += b.finished();
            failed += b.failed;
        }
        char text[128];
        std::snprintf(text, sizeof text, "%s: %u finished, %.1f%% failed", span, finished,
                      finished ? 100.0 * failed / finished : 0.0);
        return std::string(text);
    };
    const std::string hours = summary(t.hours, "Per hour, last 24 h"), days = summary(t.days, "per day, last 14 days");
    coloredText(pal.muted, "History (every backend)  " + hours + "  |  " + days);
    ctx.note("metrics.history", {}, hours + " | " + days);
    const float gap = ctx.em;
    const float width = (ImGui::GetContentRegionAvail().x - gap) / 2;
    const float barHeight = std::max(2 * ctx.em, height - ImGui::GetTextLineHeightWithSpacing());
    throughputBars(ctx, "perHour", t.hours, false, width, barHeight);
    ImGui::SameLine(0, gap);
    throughputBars(ctx, "perDay", t.days, true, width, barHeight);
}

}  // namespace

void MetricsView::placeOnAppearing(float em) const {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowSize(ImVec2(std::min(vp->Size.x * 0.75f, 72 * em), std::min(vp->Size.y * 0.8f, 46 * em)),
                             ImGuiCond_Appearing);
    ImGui::SetNextWindowPos(vp->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
}

void MetricsView::draw(FrameContext& ctx) {
    if (!ctx.fleet) {
        drawOne(ctx, {});
        return;
    }
    // Issue 17.2, all-backends mode: each backend's own series, a tab each (durations and data
    // ages do not add up across backends; the Fleet panel has the sums).
    if (!ImGui::BeginTabBar("##metrics_backends")) return;
    for (size_t b = 0; b < ctx.fleet->backends.size(); ++b) {
        const std::string& name = ctx.fleet->name(static_cast<int>(b));
        const bool open = ImGui::BeginTabItem(name.c_str());
        ctx.note("metrics.backend", name, open ? "open" : "");
        if (!open) continue;
        FrameContext own{ctx.fleet->snapshot(static_cast<int>(b)), ctx.nowMicros, ctx.commands.backend(static_cast<int>(b)),
                         ctx.state, ctx.textures, ctx.em, ctx.probe};
        drawOne(own, name);
        ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
}

void MetricsView::drawOne(FrameContext& ctx, const std::string& backend) {
    const orchestrator::Snapshot& snap = ctx.snap;
    const Palette& pal = palette();
    const float em = ctx.em;
    const orchestrator::MetricsSeries* m = snap.metrics.get();

    // ---- header: what this is, the window, the totals ----
    ImGui::PushFont(fonts().heading);
    ImGui::TextUnformatted(backend.empty() ? "genmon watching itself" : ("genmon watching " + backend).c_str());
    ImGui::PopFont();
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    coloredText(pal.muted, "one sample a second, now at the right edge");
    int& minutes = ctx.state.metricsWindowMinutes;
    if (minutes != 1 && minutes != 5 && minutes != 10) minutes = 5;
    const float radios = ImGui::CalcTextSize("1 min 5 min 10 min Window").x + 9 * em;
    ImGui::SameLine(std::max(ImGui::GetCursorPosX() + em, ImGui::GetWindowContentRegionMax().x - radios));
    coloredText(pal.muted, "Window");
    for (int choice : {1, 5, 10}) {
        ImGui::SameLine();
        const std::string label = std::to_string(choice) + " min";
        if (ImGui::RadioButton(label.c_str(), minutes == choice)) minutes = choice;
        ctx.note("metrics.window", std::to_string(choice), label);
    }
    const int window = minutes * 60;
    if (m) {
        const std::string totals = "Since start: " + plural(static_cast<double>(m->wsMessagesTotal), "socket message", "socket messages") +
                                   ", " + plural(static_cast<double>(m->completionsTotal), "job", "jobs") + " completed, " +
                                   reconnects(static_cast<double>(m->reconnectsTotal));
        coloredText(pal.muted, totals);
    } else {
        coloredText(pal.muted, snap.isActive ? "Collecting: the first sample comes a second after connecting."
                                             : "No samples: genmon samples its backend connection once it is started.");
    }
    ctx.note("metrics.header");
    ImGui::Spacing();

    // ---- the cells ----
    auto worker = [&](Metric which) -> const SecondRing* { return m ? &(*m)[which] : nullptr; };
    const int64_t workerNewest = m ? m->newestSampleMicros : 0;
    const bool anyCompletion = m && m->completionsTotal > 0;
    const std::string noCompletions = anyCompletion ? "no completions in the last 5 min" : "no completions yet";
    const std::string noSamples = "no samples yet";
    const FrameTimeRing& frames = ctx.state.frameTimes;
    Cell cells[] = {
        makeCell("queue", "Queue depth", worker(Metric::QueueDepth), workerNewest, jobs, noSamples, "", pal.queued),
        makeCell("throughput", "Jobs per minute", worker(Metric::JobsPerMinute), workerNewest, jobsPerMinute, noSamples,
                 "", pal.completed),
        makeCell("reconnects", "Reconnects", worker(Metric::Reconnects), workerNewest, reconnects, noSamples, "",
                 pal.warning),
        makeCell("p50", "Job duration p50", worker(Metric::DurationP50Seconds), workerNewest, seconds,
                 m ? noCompletions : noSamples, noCompletions, pal.processing),
        makeCell("p95", "Job duration p95", worker(Metric::DurationP95Seconds), workerNewest, seconds,
                 m ? noCompletions : noSamples, noCompletions, pal.accent),
        makeCell("age", "Snapshot age", worker(Metric::SnapshotAgeSeconds), workerNewest, seconds,
                 m ? "no data received yet" : noSamples, "no data yet", pal.info),
        makeCell("messages", "WebSocket messages", worker(Metric::WsMessagesPerSecond), workerNewest, messagesPerSecond,
                 noSamples, "", pal.accent),
        makeCell("parse", "JSON parse time", worker(Metric::ParseMillisPerSecond), workerNewest, parseTime, noSamples,
                 "", pal.info),
        makeCell("frame", "UI frame time (slowest per second)", &frames.seconds(), frames.newestSampleMicros(),
                 frameTime, "no frames measured yet", "nothing drawn (idle)", pal.ok),
    };
    // Reconnects are rare: one mark per second that had any, and the total as the headline.
    cells[2].style = Style::Spikes;
    if (m) cells[2].headline = reconnects(static_cast<double>(m->reconnectsTotal)) + " total";

    const ImGuiStyle& style = ImGui::GetStyle();
    const float line = ImGui::GetTextLineHeightWithSpacing();
    // Issue 18.3: the history's per-hour and per-day bars take the bottom when there is a history.
    const float historyHeight = snap.storedThroughput ? 5.5f * line : 0.0f;
    const float rowHeight = (ImGui::GetContentRegionAvail().y - historyHeight - 3 * style.CellPadding.y * 2) / 3;
    // A row: title line, sparkline (+ item spacing), min/max line.
    const float sparkHeight = std::max(2.5f * em, rowHeight - 2 * line - style.ItemSpacing.y);
    if (!ImGui::BeginTable("metricsGrid", 3,
                           ImGuiTableFlags_SizingStretchSame | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_PadOuterX))
        return;
    for (const Cell& c : cells) {
        ImGui::TableNextColumn();
        ImGui::PushID(c.id);
        const WindowStats st = statsOf(c, ctx.nowMicros, window);
        const double newest = st.samples > 0 ? c.ring->newest() : std::nan("");
        // Title left, the value now right.
        const float cellWidth = ImGui::GetContentRegionAvail().x;
        const float cellX = ImGui::GetCursorScreenPos().x;
        coloredText(pal.muted, c.title);
        const std::string headline = !c.headline.empty() ? c.headline
                                     : st.values == 0    ? std::string()
                                     : std::isnan(newest) ? c.noValue
                                                          : c.format(newest);
        if (!headline.empty()) {
            ImGui::SameLine();
            const float width = ImGui::CalcTextSize(headline.c_str()).x;
            ImGui::SetCursorScreenPos(
                ImVec2(std::max(ImGui::GetCursorScreenPos().x, cellX + cellWidth - width), ImGui::GetCursorScreenPos().y));
            coloredText(std::isnan(newest) && c.headline.empty() ? pal.muted : c.color, headline);
        }
        ctx.note("metrics.value", c.id, headline);

        // The sparkline: time runs left to right, now at the right edge.
        ImGui::InvisibleButton("spark", ImVec2(std::max(cellWidth, 4 * em), sparkHeight));
        const ImVec2 lo = ImGui::GetItemRectMin(), hi = ImGui::GetItemRectMax();
        ImDrawList* dl = ImGui::GetWindowDrawList();
        dl->AddRectFilled(lo, hi, ImGui::GetColorU32(ImGuiCol_FrameBg), style.FrameRounding);
        const float pad = 0.25f * em;
        const float left = lo.x + pad, right = hi.x - pad, top = lo.y + pad, bottom = hi.y - pad;
        const double base = std::min(0.0, st.min);
        const double peak = st.values && st.max > base ? st.max + (st.max - base) * 0.12 : base + 1;
        auto xAt = [&](double ageSeconds) {
            return right - static_cast<float>(ageSeconds / window) * (right - left);
        };
        auto yAt = [&](double v) { return bottom - static_cast<float>((v - base) / (peak - base)) * (bottom - top); };
        const ImU32 color = ImGui::ColorConvertFloat4ToU32(c.color);
        if (st.values == 0) {
            const ImVec2 size = ImGui::CalcTextSize(c.empty.c_str());
            dl->AddText(ImVec2((lo.x + hi.x - size.x) / 2, (lo.y + hi.y - size.y) / 2),
                        ImGui::ColorConvertFloat4ToU32(pal.muted), c.empty.c_str());
            ctx.note("metrics.spark", c.id, c.empty);
        } else {
            ctx.note("metrics.spark", c.id);
            // Oldest first; a second without a value breaks the line instead of dropping to 0.
            points_.clear();
            auto flush = [&] {
                if (points_.size() == 1) dl->AddCircleFilled(points_[0], 1.5f, color);
                if (points_.size() > 1) dl->AddPolyline(points_.data(), static_cast<int>(points_.size()), color, 0, 1.5f);
                points_.clear();
            };
            for (size_t i = st.samples; i-- > 0;) {
                const double v = c.ring->ago(i);
                const double age = static_cast<double>(st.lagSeconds + static_cast<int64_t>(i));
                if (std::isnan(v)) {
                    flush();
                } else if (c.style == Style::Spikes) {
                    if (v > 0) dl->AddLine(ImVec2(xAt(age), bottom), ImVec2(xAt(age), yAt(v)), color, 2.0f);
                } else {
                    points_.push_back(ImVec2(xAt(age), yAt(v)));
                }
            }
            flush();
            if (c.style == Style::Spikes)
                dl->AddLine(ImVec2(left, bottom), ImVec2(right, bottom), ImGui::ColorConvertFloat4ToU32(pal.muted), 1.0f);
        }
        // The value under the pointer: the nearest second.
        if (ImGui::IsItemHovered() && c.ring && st.samples > 0) {
            const float mx = std::clamp(ImGui::GetIO().MousePos.x, left, right);
            const auto age = static_cast<int64_t>(std::lround((right - mx) / (right - left) * window));
            const int64_t at = std::clamp<int64_t>(age - st.lagSeconds, 0, static_cast<int64_t>(st.samples) - 1);
            const double v = c.ring->ago(static_cast<size_t>(at));
            const int64_t shownAge = st.lagSeconds + at;
            const float x = xAt(static_cast<double>(shownAge));
            dl->AddLine(ImVec2(x, top), ImVec2(x, bottom), ImGui::ColorConvertFloat4ToU32(pal.muted), 1.0f);
            if (!std::isnan(v)) dl->AddCircleFilled(ImVec2(x, yAt(v)), 3.0f, color);
            const std::string tip = agoText(shownAge) + ": " +
                                    (std::isnan(v) ? (c.noValue.empty() ? c.empty : c.noValue) : c.format(v));
            ImGui::SetTooltip("%s", tip.c_str());
            ctx.note("metrics.tooltip", c.id, tip);
        }

        // Min and max over the window (spikes: how many in it).
        std::string range;
        if (st.values == 0)
            range = std::to_string(window / 60) + " min window";
        else if (c.style == Style::Spikes)
            range = c.format(st.sum) + " in " + std::to_string(window / 60) + " min";
        else
            range = "min " + c.format(st.min) + "   max " + c.format(st.max);
        coloredText(pal.muted, range);
        ctx.note("metrics.range", c.id, range);
        ImGui::PopID();
    }
    ImGui::EndTable();
    if (snap.storedThroughput) drawStoredThroughput(ctx, *snap.storedThroughput, historyHeight - line);
}

}  // namespace genmon::ui
