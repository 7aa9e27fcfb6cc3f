// Figures 10 and 7w (issue 14.1): the real genmon binary in a real window, on a real X server
// (Xvfb, started here on a free display) with Mesa's llvmpipe through GLX
// (LIBGL_ALWAYS_SOFTWARE=1), as a person runs it. CPU of the whole process from /proc/PID/stat
// (every thread: UI, worker, llvmpipe's rasterisers, and for --demo the embedded genmon-sim),
// averaged over a measured window after a warm-up; frames counted by genmon itself
// (GENMON_FRAME_STATS=1 prints "genmon frame-stats: t=... frames=..." on stderr).
//
//   10   genmon --demo (busy scenario), target <= 10 % of one core
//   7w   genmon --backend URL, genmon-sim --scenario idle in a separate process, target <= 1 %
//
//   bench_window [--quick] [--out FILE] [--only ID] --genmon PATH --sim PATH
//                [--xvfb PATH] [--warmup S] [--seconds S] [--no-partial]
// --no-partial runs genmon with GENMON_PARTIAL_REDRAW=0 (every frame drawn whole), to compare.
// Full run: 30 s warm-up, 60 s measured (each figure); --quick: 5 s and 10 s.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>

#include "harness.hpp"

extern char** environ;

using namespace genmon::bench;

namespace {

// ---- child processes -----------------------------------------------------------------------

struct Child {
    pid_t pid = -1;
    int out = -1;  // the child's stdout (or stderr) when captured

    // SIGTERM, then SIGKILL after 5 s; always reaped. Only this child, by its pid. Its output
    // stays open (a reader may still be draining it): closeOut() when done.
    void stop() {
        if (pid <= 0) return;
        kill(pid, SIGTERM);
        for (int i = 0; i < 500; ++i) {
            if (waitpid(pid, nullptr, WNOHANG) == pid) {
                pid = -1;
                break;
            }
            usleep(10'000);
        }
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
            pid = -1;
        }
    }
    void closeOut() {
        if (out >= 0) close(out);
        out = -1;
    }
    ~Child() {
        stop();
        closeOut();
    }
};

// Starts argv with the given environment changes (value nullptr: unset). captureFd 1 or 2: that
// stream comes back through child.out; the other one goes to /dev/null. keepFd stays open in the
// child (Xvfb's -displayfd).
bool spawn(Child& child, const std::vector<std::string>& argv, const std::map<std::string, const char*>& envChanges,
           int captureFd, int keepFd = -1) {
    int pipeFds[2] = {-1, -1};
    if (captureFd >= 0 && pipe(pipeFds) != 0) return false;
    const pid_t pid = fork();
    if (pid < 0) return false;
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);  // an interrupted bench leaves no Xvfb or genmon behind
        const int devnull = open("/dev/null", O_RDWR);
        dup2(devnull, 0);
        for (int fd : {1, 2}) dup2(fd == captureFd ? pipeFds[1] : devnull, fd);
        for (int fd = 3; fd < 1024; ++fd)
            if (fd != keepFd) close(fd);
        for (const auto& [k, v] : envChanges) {
            if (v)
                setenv(k.c_str(), v, 1);
            else
                unsetenv(k.c_str());
        }
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    child.pid = pid;
    if (captureFd >= 0) {
        close(pipeFds[1]);
        child.out = pipeFds[0];
    }
    return true;
}

// One line from fd, waiting at most timeoutMs (empty: nothing came).
std::string readLine(int fd, int timeoutMs) {
    std::string line;
    char c;
    const int64_t deadline = nowNs() + int64_t{timeoutMs} * 1'000'000;
    while (nowNs() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) continue;
        if (read(fd, &c, 1) != 1) break;
        if (c == '\n') return line;
        line += c;
    }
    return line;
}

struct Xvfb {
    Child child;
    std::string display;  // ":N"
    bool start(const std::string& exe) {
        int fds[2];
        if (pipe(fds) != 0) return false;
        const std::vector<std::string> argv{exe, "-displayfd", std::to_string(fds[1]), "-screen", "0", "1600x1000x24",
                                            "-nolisten", "tcp", "-noreset"};
        const bool ok = spawn(child, argv, {}, -1, fds[1]);
        close(fds[1]);
        if (!ok) {
            close(fds[0]);
            return false;
        }
        const std::string n = readLine(fds[0], 10000);
        close(fds[0]);
        if (n.empty()) return false;
        display = ":" + n;
        return true;
    }
};

// ---- CPU and frames --------------------------------------------------------------------------

struct Ticks {
    double total = 0;                      // seconds of CPU, every thread
    std::map<std::string, double> byName;  // "UI (main)", "llvmpipe", "worker, sim, ..."
};

// utime + stime of a /proc stat line, in seconds; the name is between the parentheses.
bool parseStat(const std::string& line, std::string& name, double& seconds) {
    const size_t open = line.find('('), close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos) return false;
    name = line.substr(open + 1, close - open - 1);
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) utime = std::atof(field.c_str());
        if (i == 15) stime = std::atof(field.c_str());
    }
    seconds = (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
    return true;
}

Ticks processTicks(pid_t pid) {
    Ticks t;
    std::string name;
    parseStat(readFirstLine(("/proc/" + std::to_string(pid) + "/stat").c_str()), name, t.total);
    const std::string taskDir = "/proc/" + std::to_string(pid) + "/task";
    if (DIR* d = opendir(taskDir.c_str())) {
        while (dirent* e = readdir(d)) {
            if (e->d_name[0] == '.') continue;
            double s = 0;
            if (!parseStat(readFirstLine((taskDir + "/" + e->d_name + "/stat").c_str()), name, s)) continue;
            if (std::atoi(e->d_name) == pid)
                name = "UI (main)";
            else if (name.rfind("llvmpipe", 0) == 0)
                name = "llvmpipe";
            else
                name = "other threads";
            t.byName[name] += s;
        }
        closedir(d);
    }
    return t;
}

struct FrameLine {
    double t = 0;  // genmon's own seconds since its window opened
    std::map<std::string, double> counts;  // frames, input, animation, data, clock, wakeups
};

// Reads genmon's stderr on a thread; keeps the latest frame-stats line.
class FrameStatsReader {
public:
    explicit FrameStatsReader(int fd) : thread_([this, fd] { run(fd); }) {}
    ~FrameStatsReader() { thread_.join(); }  // ends when genmon closes stderr (it exited)
    std::optional<FrameLine> latest() {
        std::lock_guard lock(mutex_);
        return latest_;
    }
    std::string lastOtherLine() {
        std::lock_guard lock(mutex_);
        return other_;
    }

private:
    void run(int fd) {
        std::string line;
        char buf[4096];
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0)
            for (ssize_t i = 0; i < n; ++i) {
                if (buf[i] != '\n') {
                    line += buf[i];
                    continue;
                }
                parse(line);
                line.clear();
            }
    }
    void parse(const std::string& line) {
        static constexpr std::string_view kPrefix = "genmon frame-stats: ";
        if (line.rfind(kPrefix, 0) != 0) {
            std::lock_guard lock(mutex_);
            other_ = line;
            return;
        }
        FrameLine f;
        std::istringstream in(line.substr(kPrefix.size()));
        std::string kv;
        while (in >> kv) {
            const size_t eq = kv.find('=');
            if (eq == std::string::npos) continue;
            const double v = std::atof(kv.c_str() + eq + 1);
            if (kv.compare(0, eq, "t") == 0)
                f.t = v;
            else
                f.counts[kv.substr(0, eq)] = v;
        }
        std::lock_guard lock(mutex_);
        latest_ = f;
    }
    std::mutex mutex_;
    std::optional<FrameLine> latest_;
    std::string other_;
    std::thread thread_;
};

struct Measured {
    double cpuPercent = 0;              // over the whole measured time
    std::vector<double> roundPercents;  // issue 16.5: each round's share of it
    std::vector<double> referenceMs;    // the reference workload, timed before each round
    std::string detail;
    std::string error;
};

void sleepSeconds(double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); }

// Runs genmon with args in a real window on display, measures, stops it.
// The measured time is cut into `rounds` rounds, each after a run of the reference workload
// (its time is not measured: genmon's CPU is read after it).
Measured measureWindow(const std::string& genmon, const std::vector<std::string>& args, const std::string& display,
                       double warmup, double seconds, bool partial, int rounds) {
    Measured m;
    char configDir[] = "/tmp/genmon-bench-XXXXXX";  // settings and layout never touch the user's
    if (!mkdtemp(configDir)) {
        m.error = "cannot make a temporary config folder";
        return m;
    }
    Child g;
    std::vector<std::string> argv{genmon};
    argv.insert(argv.end(), args.begin(), args.end());
    const std::map<std::string, const char*> env{{"DISPLAY", display.c_str()},
                                                 {"WAYLAND_DISPLAY", nullptr},
                                                 {"LIBGL_ALWAYS_SOFTWARE", "1"},
                                                 {"GALLIUM_DRIVER", "llvmpipe"},
                                                 {"GENMON_FRAME_STATS", "1"},
                                                 {"GENMON_PARTIAL_REDRAW", partial ? nullptr : "0"},
                                                 {"XDG_CONFIG_HOME", configDir}};
    if (!spawn(g, argv, env, 2)) {
        m.error = "cannot start " + genmon;
        return m;
    }
    {
        FrameStatsReader stats(g.out);
        sleepSeconds(warmup);
        if (waitpid(g.pid, nullptr, WNOHANG) == g.pid) {
            g.pid = -1;
            m.error = "genmon exited during the warm-up: " + stats.lastOtherLine();
        } else {
            const auto f0 = stats.latest();
            Ticks c0, c1;
            double wall = 0;
            int64_t firstStart = 0;
            for (int r = 0; r < rounds; ++r) {
                m.referenceMs.push_back(referenceWorkloadMs());
                const Ticks a = processTicks(g.pid);
                const int64_t w0 = nowNs();
                sleepSeconds(seconds / rounds);
                const Ticks b = processTicks(g.pid);
                const double w = static_cast<double>(nowNs() - w0) / 1e9;
                m.roundPercents.push_back((b.total - a.total) / w * 100.0);
                wall += w;
                if (r == 0) c0 = a, firstStart = w0;
                c1 = b;
            }
            // By thread: from the first round's start to the last one's end (the reference's
            // runs in between included: a few tenths of a second in a minute).
            const double span = static_cast<double>(nowNs() - firstStart) / 1e9;
            const auto f1 = stats.latest();
            double measured = 0;
            for (size_t r = 0; r < m.roundPercents.size(); ++r) measured += m.roundPercents[r];
            m.cpuPercent = m.roundPercents.empty() ? 0 : measured / static_cast<double>(m.roundPercents.size());
            char buf[512];
            std::snprintf(buf, sizeof buf, "%s%.1f s measured after %.0f s warm-up, load average %s; by thread:",
                          partial ? "" : "GENMON_PARTIAL_REDRAW=0: ", wall, warmup, loadAverageText().c_str());
            m.detail = buf;
            for (const auto& [name, s] : c1.byName) {
                const auto before = c0.byName.find(name);
                std::snprintf(buf, sizeof buf, " %s %.2f %%", name.c_str(),
                              (s - (before == c0.byName.end() ? 0 : before->second)) / span * 100.0);
                m.detail += buf;
            }
            if (f0 && f1 && f1->t > f0->t) {
                const double dt = f1->t - f0->t;
                auto delta = [&](const char* k) { return f1->counts.at(k) - f0->counts.at(k); };
                std::snprintf(buf, sizeof buf,
                              "; frames: %.0f in %.1f s (%.2f a second: input %.0f, animation %.0f, data %.0f, clock "
                              "%.0f; %.0f wake-ups)",
                              delta("frames"), dt, delta("frames") / dt, delta("input"), delta("animation"), delta("data"),
                              delta("clock"), delta("wakeups"));
                m.detail += buf;
                const auto partial = f1->counts.find("partial");
                if (partial != f1->counts.end() && partial->second > 0 && delta("frames") > 0) {
                    std::snprintf(buf, sizeof buf, "; partial redraw on: a frame drew %.1f %% of the window on average",
                                  delta("pixels") / delta("frames") * 100.0);
                    m.detail += buf;
                } else if (partial != f1->counts.end()) {
                    m.detail += "; partial redraw off: every frame drew the whole window";
                }
            } else {
                m.detail += "; frames: no GENMON_FRAME_STATS lines (is this genmon older than issue 14?)";
            }
        }
        g.stop();  // genmon's end closes its stderr: the reader's thread ends, then is joined
    }
    g.closeOut();
    std::filesystem::remove_all(configDir);
    return m;
}

// Issue 16.5: one value per round of the same genmon process, the median reported.
void reportRounds(Reporter& report, const Measured& m, const char* id, const char* name, Target target,
                  const std::string& detail) {
    for (size_t r = 0; r < m.roundPercents.size(); ++r) {
        report.beginRound(static_cast<int>(r), m.referenceMs[r]);
        report.add(id, name, m.roundPercents[r], "%", target, detail);
    }
    report.finishRounds();
}

}  // namespace

int main(int argc, char** argv) {
    Options opt = parseOptions(argc, argv);
    Reporter report(opt);
    std::string genmon, sim, xvfb = "/usr/bin/Xvfb";
    double warmup = opt.quick ? 5 : 30, seconds = opt.quick ? 10 : 60;
    bool partial = true;
    for (size_t i = 0; i < opt.rest.size(); ++i) {
        const std::string& a = opt.rest[i];
        if (a == "--no-partial") partial = false;
        if (i + 1 >= opt.rest.size()) break;
        if (a == "--genmon") genmon = opt.rest[++i];
        else if (a == "--sim") sim = opt.rest[++i];
        else if (a == "--xvfb") xvfb = opt.rest[++i];
        else if (a == "--warmup") warmup = std::atof(opt.rest[++i].c_str());
        else if (a == "--seconds") seconds = std::atof(opt.rest[++i].c_str());
    }
    const bool want10 = opt.wants("10"), want7w = opt.wants("7w");
    if (!want10 && !want7w) return 0;
    const char* name10 = "busy demo CPU, real window (Xvfb + llvmpipe, GLX), whole process";
    const char* name7w = "idle CPU, connected to sim \"idle\", real window (Xvfb + llvmpipe)";
    auto unavailable = [&](const std::string& why) {
        if (want10) report.unavailable("10", name10, "%", why);
        if (want7w) report.unavailable("7w", name7w, "%", why);
        return 0;
    };
    if (genmon.empty() || access(genmon.c_str(), X_OK) != 0) return unavailable("genmon is not built");
    if (access(xvfb.c_str(), X_OK) != 0) return unavailable(xvfb + " is missing (scripts/bootstrap installs xvfb)");
    signal(SIGPIPE, SIG_IGN);
    Xvfb x;
    if (!x.start(xvfb)) return unavailable("Xvfb did not start");

    if (want10) {
        const Measured m = measureWindow(genmon, {"--demo"}, x.display, warmup, seconds, partial, opt.rounds);
        if (!m.error.empty())
            report.unavailable("10", name10, "%", m.error);
        else
            reportRounds(report, m, "10", name10, Target::atMost(10),
                         "`genmon --demo` (busy; its genmon-sim runs in the same process and counts): " + m.detail);
    }
    if (want7w) {
        Child s;
        std::string url;
        if (sim.empty() || access(sim.c_str(), X_OK) != 0 || !spawn(s, {sim, "--scenario", "idle", "--port", "0"}, {}, 1) ||
            (url = readLine(s.out, 10000)).rfind("http://", 0) != 0) {
            report.unavailable("7w", name7w, "%", "genmon-sim (idle) did not start");
        } else {
            const Measured m = measureWindow(genmon, {"--backend", url}, x.display, warmup, seconds, partial, opt.rounds);
            if (!m.error.empty())
                report.unavailable("7w", name7w, "%", m.error);
            else
                reportRounds(report, m, "7w", name7w, Target::atMost(1),
                             "`genmon --backend " + url + "`, genmon-sim in its own process (not counted): " + m.detail);
        }
        s.stop();
    }
    x.child.stop();
    return 0;
}
