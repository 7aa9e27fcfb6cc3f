#pragma once
// genmon's own benchmark harness (issue 8): warm-up, repetitions, medians and percentiles, and
// one JSON line per figure. No Google Benchmark: each bench binary is a plain main() that
// measures a few figures with targets and hands them to scripts/bench, which builds the table
// and build/bench.json.
//
// Every binary takes:
//   --quick       a smoke run: few repetitions, small sizes where a figure allows it
//   --out FILE    append one JSON object per figure to FILE (scripts/bench collects them)
//   --only ID     run only the figures whose id starts with ID (e.g. --only 5 or --only 3@)
//   --rounds N    issue 16.5: how many interleaved rounds (default 5, --quick 3): see runRounds
//
// A figure is: id ("1", "1r", "5a", "3@100k"), a name, a value in a fixed unit, the target as
// text ("<= 50 us") with its comparison, and whether it was met. Targets are reported, never
// enforced: every binary exits 0 when it could measure, whatever the numbers.
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace genmon::bench {

// ---- time ------------------------------------------------------------------------------------

inline int64_t nowNs() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// Keeps the optimiser from dropping a computation whose result is otherwise unused.
template <class T>
inline void doNotOptimize(const T& value) {
    asm volatile("" : : "r,m"(value) : "memory");
}

// CPU time of the calling thread, in nanoseconds. Figures whose samples last milliseconds use
// it, so that other processes on a busy machine (preemption) do not inflate them; wall time is
// reported beside it.
inline int64_t threadCpuNs() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// CPU time of the whole process (every thread), in seconds.
inline double processCpuSeconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// ---- samples -------------------------------------------------------------------------------

class Samples {
public:
    void reserve(size_t n) { v_.reserve(n); }
    void add(double x) { v_.push_back(x); sorted_ = false; }
    size_t size() const { return v_.size(); }
    bool empty() const { return v_.empty(); }
    // Nearest-rank percentile, p in [0, 100].
    double percentile(double p) const {
        if (v_.empty()) return 0;
        sort();
        const double rank = std::ceil(p / 100.0 * static_cast<double>(v_.size()));
        const size_t i = static_cast<size_t>(std::clamp(rank, 1.0, static_cast<double>(v_.size()))) - 1;
        return v_[i];
    }
    double median() const {
        if (v_.empty()) return 0;
        sort();
        const size_t n = v_.size();
        return n % 2 ? v_[n / 2] : (v_[n / 2 - 1] + v_[n / 2]) / 2;
    }
    double p99() const { return percentile(99); }
    double min() const { sort(); return v_.empty() ? 0 : v_.front(); }
    double max() const { sort(); return v_.empty() ? 0 : v_.back(); }
    double mean() const {
        double s = 0;
        for (double x : v_) s += x;
        return v_.empty() ? 0 : s / static_cast<double>(v_.size());
    }

private:
    void sort() const {
        if (!sorted_) std::sort(v_.begin(), v_.end());
        sorted_ = true;
    }
    mutable std::vector<double> v_;
    mutable bool sorted_ = true;
};

// Runs fn() warmup times untimed, then reps times, each timed on its own. Returns nanoseconds.
template <class Fn>
Samples timeRepeated(int warmup, int reps, Fn&& fn) {
    for (int i = 0; i < warmup; ++i) fn();
    Samples s;
    s.reserve(static_cast<size_t>(reps));
    for (int i = 0; i < reps; ++i) {
        const int64_t t0 = nowNs();
        fn();
        s.add(static_cast<double>(nowNs() - t0));
    }
    return s;
}

struct Timed {
    Samples cpu, wall;  // nanoseconds per repetition
};

// As timeRepeated, with both the thread's CPU time and wall time of each repetition.
template <class Fn>
Timed timeRepeatedCpu(int warmup, int reps, Fn&& fn) {
    for (int i = 0; i < warmup; ++i) fn();
    Timed t;
    t.cpu.reserve(static_cast<size_t>(reps));
    t.wall.reserve(static_cast<size_t>(reps));
    for (int i = 0; i < reps; ++i) {
        const int64_t c0 = threadCpuNs(), w0 = nowNs();
        fn();
        const int64_t w1 = nowNs(), c1 = threadCpuNs();
        t.cpu.add(static_cast<double>(c1 - c0));
        t.wall.add(static_cast<double>(w1 - w0));
    }
    return t;
}

// ---- the machine -----------------------------------------------------------------------------

inline std::string readFirstLine(const char* path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

inline double loadAverage1() {
    double a = 0;
    const std::string l = readFirstLine("/proc/loadavg");
    std::sscanf(l.c_str(), "%lf", &a);
    return a;
}

inline std::string loadAverageText() {
    const std::string l = readFirstLine("/proc/loadavg");
    std::istringstream in(l);
    std::string a, b, c;
    in >> a >> b >> c;
    return a + " " + b + " " + c;
}

inline std::string cpuModel() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("model name", 0) == 0) {
            const auto colon = line.find(':');
            if (colon != std::string::npos) {
                auto s = line.substr(colon + 1);
                s.erase(0, s.find_first_not_of(' '));
                return s;
            }
        }
    return "unknown CPU";
}

inline std::string machineDescription() {
    utsname u{};
    uname(&u);
    std::ostringstream s;
    s << cpuModel() << ", " << std::thread::hardware_concurrency() << " cores, Linux " << u.release;
    return s.str();
}

// VmRSS / VmHWM of this process in KiB (from /proc/self/status).
inline long procStatusKiB(const char* field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    const size_t n = std::strlen(field);
    while (std::getline(in, line))
        if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':') return std::atol(line.c_str() + n + 1);
    return -1;
}

// ---- options and reporting -------------------------------------------------------------------

struct Options {
    bool quick = false;
    std::string out;
    std::string only;
    int rounds = 5;  // issue 16.5: every figure is the median of this many interleaved rounds
    std::vector<std::string> rest;  // arguments the binary interprets itself

    // True when a figure (or a group of figures) with this id prefix should run: --only 5 runs
    // 5a, 5b, 5c and 5@...; --only 3@ enters group "3" for its scaling figures only.
    bool wants(std::string_view id) const {
        return only.empty() || id.substr(0, only.size()) == only || std::string_view(only).substr(0, id.size()) == id;
    }
    // Repetitions of one round: the full count (or the quick one) shared over the rounds, so
    // that the rounds together take about as long as one run used to.
    int reps(int full, int quickReps) const { return perRound(quick ? quickReps : full); }
    template <class N>
    N perRound(N total) const {
        const N r = static_cast<N>(std::max(1, rounds));
        return std::max<N>(1, (total + r - 1) / r);
    }
};

inline Options parseOptions(int argc, char** argv) {
    Options o;
    bool roundsGiven = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--quick")
            o.quick = true;
        else if (a == "--out" && i + 1 < argc)
            o.out = argv[++i];
        else if (a == "--only" && i + 1 < argc)
            o.only = argv[++i];
        else if (a == "--rounds" && i + 1 < argc)
            o.rounds = std::max(1, std::atoi(argv[++i])), roundsGiven = true;
        else
            o.rest.emplace_back(a);
    }
    if (o.quick && !roundsGiven) o.rounds = 3;  // a smoke run: three rounds
    return o;
}

enum class Goal { AtLeast, AtMost, None };

struct Target {
    Goal goal = Goal::None;
    double bound = 0;
    static Target atLeast(double b) { return {Goal::AtLeast, b}; }
    static Target atMost(double b) { return {Goal::AtMost, b}; }
    static Target none() { return {}; }
};

inline std::string formatNumber(double v) {
    char buf[64];
    const double a = std::fabs(v);
    if (a >= 1 && a < 1e15 && v == std::floor(v))
        std::snprintf(buf, sizeof buf, "%.0f", v);
    else if (a >= 1e6)
        std::snprintf(buf, sizeof buf, "%.0f", v);
    else if (a >= 100)
        std::snprintf(buf, sizeof buf, "%.1f", v);
    else if (a >= 1)
        std::snprintf(buf, sizeof buf, "%.3g", v);
    else
        std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
}

inline std::string jsonEscape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 8);
    for (char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char b[8];
                    std::snprintf(b, sizeof b, "\\u%04x", c);
                    out += b;
                } else {
                    out += c;
                }
        }
    }
    return out;
}

// ---- the reference workload (issue 16.5) ------------------------------------------------------

// A fixed, pure-CPU piece of work, timed in every round beside the figures: 2^18 pseudo-random
// 64-bit keys (splitmix64, a fixed seed) sorted, then hashed (FNV-1a). Its time says how fast the
// machine is at that moment, so a figure's ratio to it tells a slow machine from slow code:
// when the VM slows down, both grow and the ratio stays put. Milliseconds of thread CPU time,
// the median of three runs.
inline double referenceWorkloadMs() {
    constexpr size_t kKeys = size_t{1} << 18;
    static std::vector<uint64_t> keys(kKeys);
    Samples s;
    for (int run = 0; run < 3; ++run) {
        const int64_t t0 = threadCpuNs();
        uint64_t x = 42;
        for (auto& k : keys) {
            uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            k = z ^ (z >> 31);
        }
        std::sort(keys.begin(), keys.end());
        uint64_t h = 1469598103934665603ULL;
        for (uint64_t k : keys) h = (h ^ k) * 1099511628211ULL;
        doNotOptimize(h);
        s.add(static_cast<double>(threadCpuNs() - t0) / 1e6);
    }
    return s.median();
}

// How a figure relates to the reference run of its round: a duration as a share of the
// reference's time ("reference runs", lower is better), a rate as the work done in the
// reference's time ("per reference run", higher is better). Sizes, shares of a core and ratios
// have none (they do not scale with the machine's speed the same way).
enum class Scaling { Time, Rate, None };

inline Scaling scalingOf(std::string_view unit) {
    if (unit == "ns" || unit == "us" || unit == "ms" || unit == "s") return Scaling::Time;
    if (unit.size() > 2 && unit.substr(unit.size() - 2) == "/s") return Scaling::Rate;
    return Scaling::None;
}

inline double toMs(double value, std::string_view unit) {
    if (unit == "ns") return value / 1e6;
    if (unit == "us") return value / 1e3;
    if (unit == "s") return value * 1e3;
    return value;
}

inline double ratioToReference(double value, std::string_view unit, double referenceMs) {
    switch (scalingOf(unit)) {
        case Scaling::Time: return toMs(value, unit) / referenceMs;
        case Scaling::Rate: return value * referenceMs / 1e3;
        case Scaling::None: break;
    }
    return NAN;
}

class Reporter {
public:
    explicit Reporter(const Options& o) : options_(o) {}
    ~Reporter() { finishRounds(); }

    // group: "main" for the figures of the table, "scaling" for the scaling table.
    // detail: how it was measured (samples, spread), shown with -v and kept in bench.json.
    // Inside runRounds the value is one round's: it is kept, and reported by finishRounds.
    void add(const std::string& id, const std::string& name, double value, const std::string& unit, Target target,
             const std::string& detail = {}, const std::string& group = "main") {
        if (!options_.only.empty() && id.rfind(options_.only, 0) != 0) return;  // measured on the way only
        if (round_ >= 0) {
            Figure& f = figure(id, name, unit, target, group);
            f.values.push_back(value);
            f.references.push_back(referenceMs_);
            f.detail = detail;
            std::printf("    round %d/%d  %-7s %12s %s\n", round_ + 1, options_.rounds, id.c_str(),
                        formatNumber(value).c_str(), unit.c_str());
            std::fflush(stdout);
            return;
        }
        Figure f{id, name, unit, target, group, detail, {value}, {}, {}};
        emit(f);
    }

    // A figure that could not be measured (a layer missing, no GL): reported, value null.
    void unavailable(const std::string& id, const std::string& name, const std::string& unit, const std::string& why,
                     const std::string& group = "main") {
        if (round_ >= 0) {
            figure(id, name, unit, Target::none(), group).unavailable = why;
            return;
        }
        Figure f{id, name, unit, Target::none(), group, why, {}, {}, why};
        emit(f);
    }

    // runRounds: a new round, timed beside the reference workload measured just before it.
    void beginRound(int round, double referenceMs) {
        round_ = round;
        referenceMs_ = referenceMs;
        std::printf("  -- round %d/%d: reference workload %.2f ms (load %s)\n", round + 1, options_.rounds,
                    referenceMs, loadAverageText().c_str());
        std::fflush(stdout);
    }

    // Reports every figure collected over the rounds: the median, its spread and its ratio to
    // the reference. Called by runRounds (and the destructor, for safety); idempotent.
    void finishRounds() {
        if (round_ < 0) return;
        round_ = -1;
        for (Figure& f : rounds_) {
            if (f.values.empty()) f.detail = f.unavailable;
            emit(f);
        }
        rounds_.clear();
    }

private:
    struct Figure {
        std::string id, name, unit;
        Target target;
        std::string group, detail;
        std::vector<double> values;      // one per round (a single value outside runRounds)
        std::vector<double> references;  // the reference workload's ms of each value's round
        std::string unavailable;         // why, when no round could measure it
    };

    Figure& figure(const std::string& id, const std::string& name, const std::string& unit, Target target,
                   const std::string& group) {
        for (Figure& f : rounds_)
            if (f.id == id) return f;
        rounds_.push_back(Figure{id, name, unit, target, group, {}, {}, {}, {}});
        return rounds_.back();
    }

    static std::string jsonNumber(double v) {
        if (!std::isfinite(v)) return "null";
        char b[40];
        std::snprintf(b, sizeof b, "%.6g", v);
        return b;
    }
    static std::string jsonArray(const std::vector<double>& v) {
        std::string s = "[";
        for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + jsonNumber(v[i]);
        return s + "]";
    }

    void emit(const Figure& f) {
        if (f.values.empty()) {
            std::printf("  %-7s %-64s %12s %-8s %s\n", f.id.c_str(), f.name.c_str(), "n/a", f.unit.c_str(),
                        f.detail.c_str());
            std::fflush(stdout);
            write("{\"id\": \"" + jsonEscape(f.id) + "\", \"name\": \"" + jsonEscape(f.name) +
                  "\", \"value\": null, \"unit\": \"" + jsonEscape(f.unit) + "\", \"target\": \"\", \"met\": null, " +
                  "\"group\": \"" + jsonEscape(f.group) + "\", \"load_average\": \"" + loadAverageText() +
                  "\", \"quick\": " + (options_.quick ? "true" : "false") + ", \"detail\": \"" + jsonEscape(f.detail) +
                  "\"}");
            return;
        }
        Samples values, ratios;
        for (double v : f.values) values.add(v);
        for (size_t i = 0; i < f.references.size() && i < f.values.size(); ++i) {
            const double r = ratioToReference(f.values[i], f.unit, f.references[i]);
            if (std::isfinite(r)) ratios.add(r);
        }
        const double value = values.median();
        std::string targetText;
        const char* met = "null";
        if (f.target.goal != Goal::None) {
            targetText = (f.target.goal == Goal::AtLeast ? ">= " : "<= ") + formatNumber(f.target.bound) + " " + f.unit;
            const bool ok = f.target.goal == Goal::AtLeast ? value >= f.target.bound : value <= f.target.bound;
            met = ok ? "true" : "false";
        }
        std::string spread, ratioText;
        if (values.size() > 1)
            spread = "[" + formatNumber(values.min()) + " .. " + formatNumber(values.max()) + ", " +
                     std::to_string(values.size()) + " rounds]";
        if (!ratios.empty())
            ratioText = "ratio to reference " + formatNumber(ratios.median()) + " [" + formatNumber(ratios.min()) +
                        " .. " + formatNumber(ratios.max()) + "] " +
                        (scalingOf(f.unit) == Scaling::Time ? "reference runs" : std::string(f.unit, 0, f.unit.size() - 2) + " per reference run");
        const std::string load = loadAverageText();
        std::printf("  %-7s %-64s %12s %-8s %-16s %s %s  (load %s)%s%s%s%s\n", f.id.c_str(), f.name.c_str(),
                    formatNumber(value).c_str(), f.unit.c_str(), targetText.c_str(),
                    std::strcmp(met, "true") == 0 ? "met" : std::strcmp(met, "false") == 0 ? "MISSED" : "",
                    spread.c_str(), load.c_str(), ratioText.empty() ? "" : "\n          ", ratioText.c_str(),
                    f.detail.empty() ? "" : "\n          ", f.detail.c_str());
        std::fflush(stdout);
        std::string line = "{\"id\": \"" + jsonEscape(f.id) + "\", \"name\": \"" + jsonEscape(f.name) +
                           "\", \"value\": " + jsonNumber(value) + ", \"unit\": \"" + jsonEscape(f.unit) +
                           "\", \"target\": \"" + jsonEscape(targetText) + "\", \"met\": " + met + ", \"group\": \"" +
                           jsonEscape(f.group) + "\", \"load_average\": \"" + load + "\", \"quick\": " +
                           (options_.quick ? "true" : "false") + ", \"detail\": \"" + jsonEscape(f.detail) + "\"";
        // Issue 16.5: every round's value and the spread, the reference of each round, the ratio.
        line += ", \"runs\": " + jsonArray(f.values);
        line += ", \"spread\": {\"min\": " + jsonNumber(values.min()) + ", \"max\": " + jsonNumber(values.max()) +
                ", \"q1\": " + jsonNumber(values.percentile(25)) + ", \"q3\": " + jsonNumber(values.percentile(75)) + "}";
        line += ", \"reference_ms\": " + jsonArray(f.references);
        if (ratios.empty())
            line += ", \"ratio\": null";
        else
            line += ", \"ratio\": {\"median\": " + jsonNumber(ratios.median()) + ", \"min\": " + jsonNumber(ratios.min()) +
                    ", \"max\": " + jsonNumber(ratios.max()) + ", \"unit\": \"" +
                    (scalingOf(f.unit) == Scaling::Time ? std::string("reference runs")
                                                         : jsonEscape(f.unit.substr(0, f.unit.size() - 2)) + " per reference run") +
                    "\"}";
        write(line + "}");
    }

    void write(const std::string& line) const {
        if (options_.out.empty()) return;
        std::FILE* out = std::fopen(options_.out.c_str(), "a");
        if (!out) return;
        std::fprintf(out, "%s\n", line.c_str());
        std::fclose(out);
    }

    const Options& options_;
    int round_ = -1;  // >= 0 inside runRounds
    double referenceMs_ = NAN;
    std::vector<Figure> rounds_;
};

// Issue 16.5, honest figures on a noisy machine: runs body(options) options.rounds times
// (default 5), each round preceded by the reference workload, so the figures of a binary and the
// reference take turns and a slow minute touches them all alike. Each figure is reported once at
// the end: the median of its rounds, their min..max, and its ratio to the reference of the same
// round (median and min..max). options.reps() gives each round its share of the repetitions.
template <class Body>
void runRounds(const Options& options, Reporter& report, Body&& body) {
    for (int r = 0; r < options.rounds; ++r) {
        report.beginRound(r, referenceWorkloadMs());
        body();
    }
    report.finishRounds();
}


// "median 812 us, p99 901 us, min 790 us over 40 runs"
inline std::string describeNs(const Samples& s, double unitNs, const char* unit) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "median %s %s, p99 %s %s, min %s %s, max %s %s over %zu samples",
                  formatNumber(s.median() / unitNs).c_str(), unit, formatNumber(s.p99() / unitNs).c_str(), unit,
                  formatNumber(s.min() / unitNs).c_str(), unit, formatNumber(s.max() / unitNs).c_str(), unit, s.size());
    return buf;
}

}  // namespace genmon::bench
