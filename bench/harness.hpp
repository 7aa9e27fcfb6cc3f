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
    std::vector<std::string> rest;  // arguments the binary interprets itself

    // True when a figure (or a group of figures) with this id prefix should run: --only 5 runs
    // 5a, 5b, 5c and 5@...; --only 3@ enters group "3" for its scaling figures only.
    bool wants(std::string_view id) const {
        return only.empty() || id.substr(0, only.size()) == only || std::string_view(only).substr(0, id.size()) == id;
    }
    // Repetitions: the full count, or the quick one.
    int reps(int full, int quickReps) const { return quick ? quickReps : full; }
};

inline Options parseOptions(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--quick")
            o.quick = true;
        else if (a == "--out" && i + 1 < argc)
            o.out = argv[++i];
        else if (a == "--only" && i + 1 < argc)
            o.only = argv[++i];
        else
            o.rest.emplace_back(a);
    }
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

class Reporter {
public:
    explicit Reporter(const Options& o) : options_(o) {}

    // group: "main" for the figures of the table, "scaling" for the scaling table.
    // detail: how it was measured (samples, spread), shown with -v and kept in bench.json.
    void add(const std::string& id, const std::string& name, double value, const std::string& unit, Target target,
             const std::string& detail = {}, const std::string& group = "main") {
        if (!options_.only.empty() && id.rfind(options_.only, 0) != 0) return;  // measured on the way only
        std::string targetText;
        const char* met = "null";
        if (target.goal != Goal::None) {
            targetText = (target.goal == Goal::AtLeast ? ">= " : "<= ") + formatNumber(target.bound) + " " + unit;
            const bool ok = target.goal == Goal::AtLeast ? value >= target.bound : value <= target.bound;
            met = ok ? "true" : "false";
        }
        const std::string load = loadAverageText();
        std::printf("  %-7s %-64s %12s %-8s %-16s %s   (load %s)%s%s\n", id.c_str(), name.c_str(),
                    formatNumber(value).c_str(), unit.c_str(), targetText.c_str(),
                    std::strcmp(met, "true") == 0 ? "met" : std::strcmp(met, "false") == 0 ? "MISSED" : "",
                    load.c_str(), detail.empty() ? "" : "\n          ", detail.c_str());
        std::fflush(stdout);
        if (options_.out.empty()) return;
        std::FILE* f = std::fopen(options_.out.c_str(), "a");
        if (!f) return;
        std::fprintf(f,
                     "{\"id\": \"%s\", \"name\": \"%s\", \"value\": %.6g, \"unit\": \"%s\", \"target\": \"%s\", "
                     "\"met\": %s, \"group\": \"%s\", \"load_average\": \"%s\", \"quick\": %s, \"detail\": \"%s\"}\n",
                     jsonEscape(id).c_str(), jsonEscape(name).c_str(), value, jsonEscape(unit).c_str(),
                     jsonEscape(targetText).c_str(), met, jsonEscape(group).c_str(), load.c_str(),
                     options_.quick ? "true" : "false", jsonEscape(detail).c_str());
        std::fclose(f);
    }

    // A figure that could not be measured (a layer missing, no GL): reported, value null.
    void unavailable(const std::string& id, const std::string& name, const std::string& unit, const std::string& why,
                     const std::string& group = "main") {
        std::printf("  %-7s %-64s %12s %-8s %s\n", id.c_str(), name.c_str(), "n/a", unit.c_str(), why.c_str());
        std::fflush(stdout);
        if (options_.out.empty()) return;
        std::FILE* f = std::fopen(options_.out.c_str(), "a");
        if (!f) return;
        std::fprintf(f,
                     "{\"id\": \"%s\", \"name\": \"%s\", \"value\": null, \"unit\": \"%s\", \"target\": \"\", "
                     "\"met\": null, \"group\": \"%s\", \"load_average\": \"%s\", \"quick\": %s, \"detail\": \"%s\"}\n",
                     jsonEscape(id).c_str(), jsonEscape(name).c_str(), jsonEscape(unit).c_str(),
                     jsonEscape(group).c_str(), loadAverageText().c_str(), options_.quick ? "true" : "false",
                     jsonEscape(why).c_str());
        std::fclose(f);
    }

private:
    const Options& options_;
};

// "median 812 us, p99 901 us, min 790 us over 40 runs"
inline std::string describeNs(const Samples& s, double unitNs, const char* unit) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "median %s %s, p99 %s %s, min %s %s, max %s %s over %zu samples",
                  formatNumber(s.median() / unitNs).c_str(), unit, formatNumber(s.p99() / unitNs).c_str(), unit,
                  formatNumber(s.min() / unitNs).c_str(), unit, formatNumber(s.max() / unitNs).c_str(), unit, s.size());
    return buf;
}

}  // namespace genmon::bench
