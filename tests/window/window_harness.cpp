#include "window_harness.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stb_image.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <simdjson.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "sim/sim_client.hpp"
#include "test_support.hpp"
#include "x_events.hpp"

extern char** environ;

namespace genmon::wintest {
namespace {

int remainingMs(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 1'000'000));
}

// A short pause between two polls of a condition (never an assertion by itself).
void pollPause() { std::this_thread::sleep_for(20ms); }

std::string readText(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string tail(const std::string& s, size_t n) { return s.size() <= n ? s : "..." + s.substr(s.size() - n); }

}  // namespace

// ---- processes ------------------------------------------------------------------------------

std::unique_ptr<Child> Child::spawn(const ChildSpec& spec, std::string* error) {
    // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
    std::map<std::string, std::string> env;
    for (char** e = environ; *e; ++e) {
        const std::string kv = *e;
        const size_t eq = kv.find('=');
        if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& k : spec.unsetEnv) env.erase(k);
    for (const auto& [k, v] : spec.env) env[k] = v;
    std::vector<std::string> envStrings;
    for (const auto& [k, v] : env) envStrings.push_back(k + "=" + v);
    std::vector<char*> envp, argv;
    for (auto& s : envStrings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> args = spec.argv;
    for (auto& s : args) argv.push_back(s.data());
    argv.push_back(nullptr);
    const std::string log = spec.logPath.empty() ? std::string("/dev/null") : spec.logPath.string();

    int out[2] = {-1, -1};
    if (spec.pipeStdout && ::pipe2(out, O_CLOEXEC) != 0) {
        if (error) *error = std::string("pipe: ") + std::strerror(errno);
        return nullptr;
    }
    int failPipe[2];  // exec failure reported back (closed on a successful exec)
    if (::pipe2(failPipe, O_CLOEXEC) != 0) {
        if (error) *error = std::string("pipe: ") + std::strerror(errno);
        return nullptr;
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        if (error) *error = std::string("fork: ") + std::strerror(errno);
        return nullptr;
    }
    if (pid == 0) {
        // If the test dies (a ctest timeout kills it), its children go too.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        for (int sig : {SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGCHLD}) ::sigaction(sig, &dfl, nullptr);
        sigset_t none;
        ::sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        const int in = ::open("/dev/null", O_RDONLY);
        const int logFd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (in >= 0) ::dup2(in, 0);
        if (spec.pipeStdout)
            ::dup2(out[1], 1);
        else if (logFd >= 0)
            ::dup2(logFd, 1);
        if (logFd >= 0) ::dup2(logFd, 2);
        ::execvpe(argv[0], argv.data(), envp.data());
        const int err = errno;
        (void)!::write(failPipe[1], &err, sizeof err);
        ::_exit(127);
    }
    ::close(failPipe[1]);
    if (out[1] >= 0) ::close(out[1]);
    int execErr = 0;
    ssize_t got;
    do got = ::read(failPipe[0], &execErr, sizeof execErr);
    while (got < 0 && errno == EINTR);
    ::close(failPipe[0]);
    if (got == sizeof execErr) {
        ::waitpid(pid, nullptr, 0);
        if (out[0] >= 0) ::close(out[0]);
        if (error) *error = "cannot run " + spec.argv.front() + ": " + std::strerror(execErr);
        return nullptr;
    }
    auto child = std::unique_ptr<Child>(new Child());
    child->pid_ = pid;
    child->stdoutFd_ = out[0];
    return child;
}

Child::~Child() { stop(); }

bool Child::running() { return !waitExit(0ms).has_value(); }

bool Child::signal(int sig) { return !status_ && ::kill(pid_, sig) == 0; }

std::optional<int> Child::waitExit(Clock::duration limit) {
    const auto deadline = Clock::now() + limit;
    while (!status_) {
        int st = 0;
        const pid_t r = ::waitpid(pid_, &st, WNOHANG);
        if (r == pid_) {
            status_ = st;
            break;
        }
        if (r < 0 && errno != EINTR) {
            status_ = -1;  // not our child any more: nothing left to wait for
            break;
        }
        if (Clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(5ms);
    }
    return status_;
}

void Child::stop() {
    if (pid_ > 0 && !status_) {
        ::kill(pid_, SIGTERM);
        if (!waitExit(3s)) {
            ::kill(pid_, SIGKILL);
            int st = 0;
            while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
            }
            status_ = st;
        }
    }
    if (stdoutFd_ >= 0) ::close(stdoutFd_);
    stdoutFd_ = -1;
}

std::optional<std::string> Child::readLine(Clock::duration limit) {
    const auto deadline = Clock::now() + limit;
    while (true) {
        if (const size_t nl = buffered_.find('\n'); nl != std::string::npos) {
            std::string line = buffered_.substr(0, nl);
            buffered_.erase(0, nl + 1);
            return line;
        }
        if (stdoutFd_ < 0) return std::nullopt;
        pollfd p{stdoutFd_, POLLIN, 0};
        const int ms = remainingMs(deadline);
        if (ms == 0) return std::nullopt;
        if (::poll(&p, 1, ms) <= 0) continue;
        char chunk[4096];
        const ssize_t n = ::read(stdoutFd_, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return std::nullopt;  // EOF: the program ended without a whole line
        buffered_.append(chunk, static_cast<size_t>(n));
    }
}

std::string Child::readAll(Clock::duration limit) {
    const auto deadline = Clock::now() + limit;
    while (stdoutFd_ >= 0) {
        pollfd p{stdoutFd_, POLLIN, 0};
        const int ms = remainingMs(deadline);
        if (ms == 0) break;
        if (::poll(&p, 1, ms) <= 0) continue;
        char chunk[4096];
        const ssize_t n = ::read(stdoutFd_, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        buffered_.append(chunk, static_cast<size_t>(n));
    }
    return std::exchange(buffered_, {});
}

RunResult runProgram(const std::vector<std::string>& argv, const std::vector<std::pair<std::string, std::string>>& env,
                     Clock::duration limit, const std::filesystem::path& logPath) {
    std::string error;
    auto child = Child::spawn({argv, env, {}, logPath, true}, &error);
    if (!child) return {-1, error};
    const auto deadline = Clock::now() + limit;
    RunResult r;
    r.out = child->readAll(limit);
    const auto st = child->waitExit(std::max<Clock::duration>(deadline - Clock::now(), 0s));
    if (!st) {
        child->stop();
        return {-1, r.out};
    }
    r.exitCode = WIFEXITED(*st) ? WEXITSTATUS(*st) : 128 + (WIFSIGNALED(*st) ? WTERMSIG(*st) : 0);
    return r;
}

bool waitUntil(const std::function<bool()>& ok, Clock::duration limit) {
    const auto deadline = Clock::now() + limit;
    while (!ok()) {
        if (Clock::now() >= deadline) return false;
        pollPause();
    }
    return true;
}

std::string describeStatus(int status) {
    if (status == -1) return "unknown (not our child)";
    if (WIFEXITED(status)) return "exited " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" + ::strsignal(WTERMSIG(status)) + ")";
    return "wait status " + std::to_string(status);
}

// ---- pictures -------------------------------------------------------------------------------

double differingShare(const Picture& a, const Picture& b, Rect r, int threshold) {
    if (a.width != b.width || a.height != b.height) return 1.0;
    r.x0 = std::clamp(r.x0, 0, a.width);
    r.x1 = std::clamp(r.x1, r.x0, a.width);
    r.y0 = std::clamp(r.y0, 0, a.height);
    r.y1 = std::clamp(r.y1, r.y0, a.height);
    size_t total = 0, differing = 0;
    for (int y = r.y0; y < r.y1; ++y)
        for (int x = r.x0; x < r.x1; ++x) {
            const size_t i = (static_cast<size_t>(y) * static_cast<size_t>(a.width) + static_cast<size_t>(x)) * 4;
            bool differs = false;
            for (int c = 0; c < 3; ++c) differs = differs || std::abs(int(a.rgba[i + c]) - int(b.rgba[i + c])) > threshold;
            differing += differs;
            ++total;
        }
    return total ? static_cast<double>(differing) / static_cast<double>(total) : 0.0;
}

// ---- the probe file ---------------------------------------------------------------------------

std::vector<std::string> UiView::rowsTopDown() const {
    std::vector<std::pair<int, std::string>> rows;
    const std::string prefix = "queue.row:";
    for (const auto& [name, it] : items)
        if (name.rfind(prefix, 0) == 0) rows.emplace_back(it.y0, name.substr(prefix.size()));
    std::sort(rows.begin(), rows.end());
    std::vector<std::string> ids;
    for (auto& r : rows) ids.push_back(std::move(r.second));
    return ids;
}

namespace {
// Reads a value when present and of the right type; leaves `out` alone otherwise.
template <class T, class Result>
void readIf(Result&& result, T& out) {
    T value{};
    if (std::forward<Result>(result).get(value) == simdjson::SUCCESS) out = value;
}
}  // namespace

std::optional<UiView> parseUiView(const std::string& json, std::string* error) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (auto e = parser.parse(json).get(doc); e) {
        if (error) *error = simdjson::error_message(e);
        return std::nullopt;
    }
    UiView v;
    v.raw = json;
    auto str = [&](const char* k, std::string& out) {
        std::string_view s;
        if (doc[k].get_string().get(s) == simdjson::SUCCESS) out = s;
    };
    str("title", v.title);
    str("focus", v.focus);
    str("cursorJob", v.cursorJob);
    str("detailJob", v.detailJob);
    str("filter", v.filter);
    str("appliedFilter", v.appliedFilter);
    str("confirmText", v.confirmText);
    readIf(doc["queueRows"].get_uint64(), v.queueRows);
    readIf(doc["activeJobs"].get_uint64(), v.activeJobs);
    readIf(doc["connected"].get_bool(), v.connected);
    readIf(doc["textInput"].get_bool(), v.textInput);
    simdjson::dom::array keys;
    if (doc["keysDown"].get_array().get(keys) == simdjson::SUCCESS)
        for (auto e : keys) {
            int64_t k = 0;
            if (e.get_int64().get(k) == simdjson::SUCCESS) v.keysDown.insert(static_cast<int>(k));
        }
    simdjson::dom::array mouse;
    if (doc["mouse"].get_array().get(mouse) == simdjson::SUCCESS) {
        int64_t mx = 0, my = 0;
        if (mouse.at(0).get_int64().get(mx) == simdjson::SUCCESS && mouse.at(1).get_int64().get(my) == simdjson::SUCCESS)
            v.mouse = std::pair<int, int>(static_cast<int>(mx), static_cast<int>(my));
    }
    simdjson::dom::array arr;
    if (doc["selectedJobs"].get_array().get(arr) == simdjson::SUCCESS)
        for (auto e : arr) {
            std::string_view s;
            if (e.get_string().get(s) == simdjson::SUCCESS) v.selectedJobs.emplace(s);
        }
    if (doc["toasts"].get_array().get(arr) == simdjson::SUCCESS)
        for (auto e : arr) {
            std::string_view s;
            if (e.get_string().get(s) == simdjson::SUCCESS) v.toasts.emplace_back(s);
        }
    simdjson::dom::object obj;
    if (doc["open"].get_object().get(obj) == simdjson::SUCCESS)
        for (auto [k, val] : obj) {
            bool b = false;
            std::string_view s;
            if (val.get_bool().get(b) == simdjson::SUCCESS)
                v.open[std::string(k)] = b;
            else if (k == "confirm" && val.get_string().get(s) == simdjson::SUCCESS)
                v.confirm = s;
        }
    if (doc["items"].get_object().get(obj) == simdjson::SUCCESS)
        for (auto [k, val] : obj) {
            ProbeItem it;
            int64_t n[4] = {0, 0, 0, 0};
            simdjson::dom::array mn, mx;
            if (val["min"].get_array().get(mn) == simdjson::SUCCESS && val["max"].get_array().get(mx) == simdjson::SUCCESS) {
                readIf(mn.at(0).get_int64(), n[0]);
                readIf(mn.at(1).get_int64(), n[1]);
                readIf(mx.at(0).get_int64(), n[2]);
                readIf(mx.at(1).get_int64(), n[3]);
            }
            it.x0 = static_cast<int>(n[0]);
            it.y0 = static_cast<int>(n[1]);
            it.x1 = static_cast<int>(n[2]);
            it.y1 = static_cast<int>(n[3]);
            std::string_view s;
            if (val["text"].get_string().get(s) == simdjson::SUCCESS) it.text = s;
            v.items[std::string(k)] = std::move(it);
        }
    return v;
}

// ---- the backend ----------------------------------------------------------------------------

std::unique_ptr<SimProcess> SimProcess::start(const std::filesystem::path& dir, std::string* error) {
    auto sim = std::unique_ptr<SimProcess>(new SimProcess());
    ChildSpec spec;
    spec.argv = {GENMON_SIM_EXE, "--port",    "0", "--scenario", "idle", "--workers", "1", "--job-duration-ms",
                 "3600000"};  // an hour: the first job keeps running, the others stay queued
    spec.logPath = dir / "genmon-sim.log";
    spec.pipeStdout = true;
    sim->child_ = Child::spawn(spec, error);
    if (!sim->child_) return nullptr;
    const auto line = sim->child_->readLine(kStartDeadline);
    const std::string http = "http://127.0.0.1:";
    if (!line || line->rfind(http, 0) != 0) {
        if (error) *error = "genmon-sim did not print its URL (got '" + line.value_or("") + "')";
        return nullptr;
    }
    sim->baseUrl_ = *line;
    const size_t slash = line->find('/', http.size());
    sim->port_ = static_cast<uint16_t>(std::stoi(line->substr(http.size(), slash - http.size())));
    sim->prefix_ = slash == std::string::npos ? std::string() : line->substr(slash);
    return sim;
}

std::vector<SimJob> SimProcess::activeJobs() {
    const auto reply = simtest::httpOnce(port_, "GET", prefix_ + "/generation/jobs/active?limit=200");
    std::vector<SimJob> jobs;
    simdjson::dom::parser parser;
    simdjson::dom::array arr;
    if (reply.status != 200 || parser.parse(reply.body).get_array().get(arr) != simdjson::SUCCESS) return jobs;
    for (auto e : arr) {
        SimJob j;
        std::string_view s;
        if (e["id"].get_string().get(s) == simdjson::SUCCESS) j.id = s;
        if (e["prompt"].get_string().get(s) == simdjson::SUCCESS) j.prompt = s;
        if (e["status"].get_string().get(s) == simdjson::SUCCESS) j.status = s;
        jobs.push_back(std::move(j));
    }
    return jobs;
}

std::string SimProcess::queueJob(const std::string& prompt) {
    std::string body = "{\"prompt\":\"" + prompt + "\"}";  // the test's prompts need no escaping
    const auto reply = simtest::httpOnce(port_, "POST", prefix_ + "/generation/queue-generation", body,
                                         {{"Content-Type", "application/json"}});
    REQUIRE_MESSAGE(reply.status == 200, "queue-generation answered " << reply.status << ": " << reply.body << reply.error);
    const auto deadline = Clock::now() + kActionDeadline;
    while (Clock::now() < deadline) {
        for (const auto& j : activeJobs())
            if (j.prompt == prompt) return j.id;
        pollPause();
    }
    FAIL("genmon-sim never listed the job '" << prompt << "'");
    return {};
}

std::string SimProcess::jobStatus(const std::string& id) {
    const auto reply = simtest::httpOnce(port_, "GET", prefix_ + "/generation/jobs/" + id);
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (reply.status != 200 || parser.parse(reply.body).get(doc) != simdjson::SUCCESS) return {};
    // The raw outcome when there is one: a cancelled job reads status "failed" with result
    // {"status": "cancelled"} (spec §2.5, §4.1).
    std::string_view s;
    if (doc["delivery"]["result"]["status"].get_string().get(s) == simdjson::SUCCESS) return std::string(s);
    if (doc["delivery"]["status"].get_string().get(s) == simdjson::SUCCESS) return std::string(s);
    return {};
}

// ---- the session ------------------------------------------------------------------------------

const std::vector<std::string>& sessionPrompts() {
    static const std::vector<std::string> prompts = {
        "a lighthouse at dusk, oil painting", "a red fox in fresh snow",      "an old harbour with fishing boats",
        "two lighthouse keepers playing chess", "a bowl of ripe cherries",     "a mountain cabin under the stars",
        "a tram in the rain, watercolour",      "a paper crane on a desk",
    };
    return prompts;
}

const std::vector<std::string>& secondBackendPrompts() {
    static const std::vector<std::string> prompts = {
        "backend two: a harbour at noon", "backend two: a cat on a windowsill", "backend two: a field of tulips",
        "backend two: a kite over the dunes",
    };
    return prompts;
}

Session::Session(const std::string& name, SessionOptions options) {
    dir_ = test::outputDir() / "window" / name;
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "config");
    std::filesystem::create_directories(dir_ / "state");
    std::filesystem::create_directories(dir_ / "home");

    // 1. An X server of our own; -displayfd picks a free display number and tells us which.
    std::string error;
    ChildSpec x;
    // Key repeat only after 10 s (X's default: 660 ms): on a loaded machine a press can stay down
    // longer than a person's before genmon draws the frame that sees it, and must not type twice.
    x.argv = {"Xvfb", "-displayfd", "1", "-screen", "0", "1600x1000x24", "-nolisten", "tcp", "-noreset", "-ardelay", "10000"};
    x.logPath = dir_ / "xvfb.log";
    x.pipeStdout = true;
    xvfb_ = Child::spawn(x, &error);
    REQUIRE_MESSAGE(xvfb_ != nullptr, error);
    const auto number = xvfb_->readLine(kStartDeadline);
    REQUIRE_MESSAGE((number && !number->empty()), "Xvfb did not report its display: " << readText(dir_ / "xvfb.log"));
    display_ = ":" + *number;

    // 2. The backend, with the session's jobs.
    sim_ = SimProcess::start(dir_, &error);
    REQUIRE_MESSAGE(sim_ != nullptr, error);
    for (const auto& prompt : sessionPrompts()) jobIds_[prompt] = sim_->queueJob(prompt);
    if (options.secondBackend) {
        std::filesystem::create_directories(dir_ / "two");
        sim2_ = SimProcess::start(dir_ / "two", &error);
        REQUIRE_MESSAGE(sim2_ != nullptr, error);
        for (const auto& prompt : secondBackendPrompts()) jobIds_[prompt] = sim2_->queueJob(prompt);
    }

    // 3. genmon in the window, with a private config and state folder and the probe file.
    ChildSpec g;
    if (options.secondBackend)
        g.argv = {GENMON_EXE, "--backend", "one=" + sim_->baseUrl(), "--backend", "two=" + sim2_->baseUrl()};
    else
        g.argv = {GENMON_EXE, "--backend", sim_->baseUrl()};
    g.argv.insert(g.argv.end(), options.genmonArgs.begin(), options.genmonArgs.end());
    g.env = {{"DISPLAY", display_},
             {"XDG_CONFIG_HOME", (dir_ / "config").string()},
             {"XDG_STATE_HOME", (dir_ / "state").string()},
             {"HOME", (dir_ / "home").string()},
             {"LIBGL_ALWAYS_SOFTWARE", "1"},
             {"GALLIUM_DRIVER", "llvmpipe"},
             {"GENMON_UI_PROBE", (dir_ / "probe.json").string()}};
    g.unsetEnv = {"WAYLAND_DISPLAY", "GENMON_API_KEY"};
    g.logPath = dir_ / "genmon.log";
    genmon_ = Child::spawn(g, &error);
    REQUIRE_MESSAGE(genmon_ != nullptr, error);

    // 4. Its window, focused, with the pointer resting on the empty part of the menu bar.
    const auto found = runProgram({"xdotool", "search", "--sync", "--onlyvisible", "--name", "^genmon"},
                                  {{"DISPLAY", display_}}, kStartDeadline, dir_ / "xdotool.log");
    std::istringstream ids(found.out);
    ids >> window_;
    REQUIRE_MESSAGE(!window_.empty(), "genmon's window never appeared on " << display_ << "; genmon's log:\n" << genmonLog());
    xdotool({"windowfocus", "--sync", window_});
    moveMouse(600, 8);

    // 5. Ready when genmon shows every job of the backend, the first one running: from then on
    // the rows keep their order (the running job first, then the queue), so a row the test
    // picks stays where it is.
    const size_t jobs = sessionPrompts().size();
    // A fleet's title counts every backend (issue 17.2).
    const size_t all = jobs + (sim2_ ? secondBackendPrompts().size() : 0);
    const size_t running = sim2_ ? 2 : 1;
    const std::string title = std::to_string(running) + " running, " + std::to_string(all - running) + " queued";
    waitUi(
        [&](const UiView& v) {
            return v.connected && v.activeJobs == jobs && v.rowsTopDown().size() == jobs &&
                   v.title.find(title) != std::string::npos;
        },
        "genmon shows the backend's " + std::to_string(jobs) + " jobs, " + title, kStartDeadline);
}

Session::~Session() {
    // Reverse order of start; each stop() also reaps. genmon first, so it never sees its X
    // server or backend vanish.
    if (genmon_) genmon_->stop();
    sim_.reset();
    sim2_.reset();
    if (xvfb_) xvfb_->stop();
}

std::string Session::genmonLog() const { return tail(readText(dir_ / "genmon.log"), 4000); }

UiView Session::ui() {
    std::string error;
    auto v = parseUiView(readText(dir_ / "probe.json"), &error);
    REQUIRE_MESSAGE(v, "the probe file cannot be read: " << error);
    return *v;
}

UiView Session::waitUi(const std::function<bool(const UiView&)>& ok, const std::string& what, Clock::duration limit) {
    const auto deadline = Clock::now() + limit;
    std::string last = "(no probe file yet)";
    while (true) {
        const std::string text = readText(dir_ / "probe.json");
        if (!text.empty()) {
            last = text;
            if (auto v = parseUiView(text, nullptr); v && ok(*v)) return *v;
        }
        if (genmon_ && !genmon_->running())
            FAIL("genmon ended (" << describeStatus(*genmon_->waitExit(0s)) << ") while waiting until " << what
                                  << "; its log:\n" << genmonLog());
        if (Clock::now() >= deadline) break;
        pollPause();
    }
    FAIL("waited " << std::chrono::duration_cast<std::chrono::seconds>(limit).count() << " s until " << what
                   << "; the probe said:\n" << tail(last, 6000) << "\ngenmon's log:\n" << genmonLog());
    return {};
}

void Session::xdotool(std::vector<std::string> args) {
    args.insert(args.begin(), "xdotool");
    const auto r = runProgram(args, {{"DISPLAY", display_}}, kActionDeadline, dir_ / "xdotool.log");
    std::string line;
    for (const auto& a : args) line += a + " ";
    REQUIRE_MESSAGE(r.exitCode == 0, line << "failed (" << r.exitCode << "): " << readText(dir_ / "xdotool.log"));
}

namespace {
// GLFW's key code for the X key a keysym is typed with (letters: their ASCII capitals).
int glfwKeyOf(const std::string& keysym) {
    if (keysym.size() == 1 && keysym[0] >= 'a' && keysym[0] <= 'z') return keysym[0] - 'a' + 'A';
    if (keysym.size() == 1 && keysym[0] >= '0' && keysym[0] <= '9') return keysym[0];  // GLFW_KEY_0..9 are ASCII
    if (keysym == "Return") return 257;
    if (keysym == "Escape") return 256;
    if (keysym == "slash" || keysym == "question") return '/';  // ? is shift + the / key
    FAIL("the harness does not know GLFW's code for " << keysym);
    return 0;
}
}  // namespace

void Session::key(const std::string& keysym) {
    const int code = glfwKeyOf(keysym);
    // A stale "down" from an earlier press must not count as this one.
    waitUi([&](const UiView& v) { return v.keysDown.count(code) == 0; }, keysym + " is up before it is pressed");
    xdotool({"keydown", keysym});
    waitUi([&](const UiView& v) { return v.keysDown.count(code) == 1; }, "genmon saw " + keysym + " down");
    xdotool({"keyup", keysym});
    waitUi([&](const UiView& v) { return v.keysDown.count(code) == 0; }, "genmon saw " + keysym + " up");
}

void Session::hold(const std::string& keysym, int holdMs) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.3f", holdMs / 1000.0);
    xdotool({"keydown", keysym, "sleep", seconds, "keyup", keysym});
}

void Session::tapZeroMs(const std::string& keysym) {
    const std::string error = tapKeyZeroMs(display_, keysym);
    REQUIRE_MESSAGE(error.empty(), error);
}

void Session::type(const std::string& text) { xdotool({"type", "--delay", "40", text}); }

void Session::moveMouse(int x, int y) {
    xdotool({"mousemove", "--window", window_, "--sync", std::to_string(x), std::to_string(y)});
    const std::pair<int, int> at(x, y);
    waitUi([&](const UiView& v) { return v.mouse == at; },
           "genmon drew a frame with the pointer at " + std::to_string(x) + "," + std::to_string(y));
}

void Session::click(int x, int y) {
    moveMouse(x, y);
    xdotool({"click", "1"});
}

void Session::clickItem(const std::string& itemName) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        const UiView before = waitUi([&](const UiView& v) { return v.item(itemName) != nullptr; },
                                     "the probe shows " + itemName);
        const ProbeItem target = *before.item(itemName);
        moveMouse(target.cx(), target.cy());
        const UiView after = ui();
        const ProbeItem* now = after.item(itemName);
        if (now && now->x0 <= target.cx() && target.cx() < now->x1 && now->y0 <= target.cy() && target.cy() < now->y1) {
            xdotool({"click", "1"});
            return;
        }
        // It moved while the pointer travelled: aim again.
    }
    FAIL("the item " << itemName << " kept moving; the probe said:\n" << ui().raw);
}

void Session::closeWindow() {
    const std::string error = sendWmDelete(display_, std::stoul(window_));
    REQUIRE_MESSAGE(error.empty(), error);
}

Picture Session::screenshot(const std::string& name) {
    // The probe is written once a frame is on screen: after a frame that saw the pointer move,
    // the picture shows everything the probe said before the move.
    moveMouse(600 + (++screenshots_ % 2), 8);  // 601, 600, 601, ...: never where it rests (600)
    const auto path = dir_ / (name + ".png");
    const auto r = runProgram({"import", "-display", display_, "-window", "root", path.string()}, {}, kActionDeadline,
                              dir_ / "import.log");
    REQUIRE_MESSAGE(r.exitCode == 0, "import failed: " << readText(dir_ / "import.log"));
    int w = 0, h = 0, channels = 0;
    stbi_uc* px = stbi_load(path.c_str(), &w, &h, &channels, 4);
    REQUIRE_MESSAGE(px, "cannot decode " << path.string());
    Picture p;
    p.width = w;
    p.height = h;
    p.rgba.assign(px, px + static_cast<size_t>(w) * static_cast<size_t>(h) * 4);
    stbi_image_free(px);
    return p;
}

}  // namespace genmon::wintest
