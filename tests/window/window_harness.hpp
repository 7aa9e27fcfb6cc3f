#pragma once
// The real-window harness (issue 14.8): the real genmon binary in a real X server, driven with
// real X input events, as a person would. Each Session starts its own Xvfb (a free display
// number through -displayfd, so parallel ctest runs never collide), the real genmon-sim on a
// free loopback port, and `genmon --backend URL` with a private config and state folder.
// What a test observes: genmon-sim's own state over HTTP, the picture (`import -window root`
// to a PNG, compared in regions) and genmon's UI probe file (GENMON_UI_PROBE, written by the
// window after a frame that changed it: focus, cursor, selection, dialogs, item rectangles).
// Every process is killed and reaped by a destructor, also when a check has failed. Nothing
// sleeps to assert: waits poll for a condition until a generous deadline.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace genmon::wintest {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Generous on purpose: a loaded 2-core machine or a sanitizer build is slow, and a passing run
// never waits this long (every wait ends as soon as its condition holds).
inline constexpr Clock::duration kStartDeadline = 90s;
inline constexpr Clock::duration kActionDeadline = 30s;

// ---- processes ------------------------------------------------------------------------------

struct ChildSpec {
    std::vector<std::string> argv;                           // argv[0] is looked up in PATH
    std::vector<std::pair<std::string, std::string>> env;    // set in the child (over the test's own)
    std::vector<std::string> unsetEnv;
    std::filesystem::path logPath;                           // stdout and stderr (append); empty: /dev/null
    bool pipeStdout = false;                                 // stdout readable with readLine()/readAll()
};

class Child {
public:
    // Nullptr with the reason when the program cannot be started.
    static std::unique_ptr<Child> spawn(const ChildSpec& spec, std::string* error);
    ~Child();  // stop()
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const { return pid_; }
    bool running();
    bool signal(int sig);
    // The wait status once the child has exited within `limit`; nullopt while it still runs.
    std::optional<int> waitExit(Clock::duration limit);
    // SIGTERM, SIGKILL after 3 s; reaped either way. Idempotent.
    void stop();
    std::optional<std::string> readLine(Clock::duration limit);  // pipeStdout only
    std::string readAll(Clock::duration limit);                  // until EOF or the limit

private:
    Child() = default;
    pid_t pid_ = -1;
    int stdoutFd_ = -1;
    std::string buffered_;
    std::optional<int> status_;
};

// Runs a short program to the end (xdotool, import): its exit code and stdout, or code -1 when
// it had to be killed at the limit.
struct RunResult {
    int exitCode = -1;
    std::string out;
};
RunResult runProgram(const std::vector<std::string>& argv, const std::vector<std::pair<std::string, std::string>>& env,
                     Clock::duration limit, const std::filesystem::path& logPath = {});

// Describes a wait status for messages: "exited 0", "killed by signal 2 (Interrupt)".
std::string describeStatus(int status);

// Polls `ok` until it holds or `limit` passes; whether it held.
bool waitUntil(const std::function<bool()>& ok, Clock::duration limit);

// ---- pictures -------------------------------------------------------------------------------

struct Picture {
    int width = 0, height = 0;
    std::vector<uint8_t> rgba;
};
struct Rect {
    int x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // [x0, x1) x [y0, y1)
};
// Share of pixels in r (0..1) where any channel differs by more than `threshold`.
double differingShare(const Picture& a, const Picture& b, Rect r, int threshold = 24);

// ---- genmon's UI probe file -----------------------------------------------------------------

struct ProbeItem {
    int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    std::string text;
    int cx() const { return (x0 + x1) / 2; }
    int cy() const { return (y0 + y1) / 2; }
};

struct UiView {
    std::string title, focus, cursorJob, detailJob, filter, appliedFilter, confirm, confirmText;
    std::set<std::string> selectedJobs;
    std::map<std::string, bool> open;  // help, about, settings, connect, inspector, generate, metrics, timeline, detail
    uint64_t queueRows = 0, activeJobs = 0;
    bool connected = false;
    std::optional<std::pair<int, int>> mouse;  // where ImGui saw the pointer in the last frame
    bool textInput = false;                    // a text field has the keyboard
    std::set<int> keysDown;                    // GLFW key codes held in the last frame
    std::vector<std::string> toasts;
    std::map<std::string, ProbeItem> items;
    std::string raw;  // the file as read, for failure messages

    bool isOpen(const std::string& what) const {
        auto it = open.find(what);
        return it != open.end() && it->second;
    }
    const ProbeItem* item(const std::string& name) const {
        auto it = items.find(name);
        return it == items.end() ? nullptr : &it->second;
    }
    // Job ids of the queue rows drawn this frame, top to bottom ("queue.row:<uiId>").
    std::vector<std::string> rowsTopDown() const;
};

std::optional<UiView> parseUiView(const std::string& json, std::string* error);

// ---- the backend ----------------------------------------------------------------------------

struct SimJob {
    std::string id, prompt, status;  // status in the API's words (queued, processing, ...)
};

class SimProcess {
public:
    // genmon-sim on a free loopback port, idle scenario with one worker and jobs that take an
    // hour: the first job queued runs, the others stay queued for the whole test.
    static std::unique_ptr<SimProcess> start(const std::filesystem::path& dir, std::string* error);
    const std::string& baseUrl() const { return baseUrl_; }
    uint16_t port() const { return port_; }
    // Queues a job (POST /generation/queue-generation); its id once the backend lists it.
    std::string queueJob(const std::string& prompt);
    std::vector<SimJob> activeJobs();
    // GET /generation/jobs/{id}: the job's status as the backend reports it ("" if unreadable).
    std::string jobStatus(const std::string& id);

private:
    std::unique_ptr<Child> child_;
    std::string baseUrl_, prefix_;
    uint16_t port_ = 0;
};

// ---- one session: Xvfb + genmon-sim + genmon ------------------------------------------------

// The prompts a session queues, in order; two mention a lighthouse (the filter test).
const std::vector<std::string>& sessionPrompts();

// Issue 17.2: the prompts the second backend of a fleet session queues.
const std::vector<std::string>& secondBackendPrompts();

struct SessionOptions {
    std::vector<std::string> genmonArgs;  // after --backend URL, e.g. --record FILE
    // A fleet: a second genmon-sim with secondBackendPrompts(), genmon started with
    // --backend one=URL --backend two=URL2 (focused on "one" until a digit key says otherwise).
    bool secondBackend = false;
};

class Session {
public:
    // `name` names the session's folder under the test output (logs, screenshots, config).
    explicit Session(const std::string& name, SessionOptions options = {});
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    const std::filesystem::path& dir() const { return dir_; }
    std::filesystem::path configDir() const { return dir_ / "config" / "genmon"; }
    SimProcess& sim() { return *sim_; }
    SimProcess& sim2() { return *sim2_; }  // secondBackend sessions only
    Child& genmon() { return *genmon_; }
    const std::string& display() const { return display_; }
    const std::string& window() const { return window_; }
    // The queued jobs by prompt (sessionPrompts()).
    const std::map<std::string, std::string>& jobIdsByPrompt() const { return jobIds_; }

    // The probe file now (REQUIREs it to be readable).
    UiView ui();
    // Polls the probe file until `ok` holds; fails the test with `what`, the last probe and
    // genmon's log when the deadline passes.
    UiView waitUi(const std::function<bool(const UiView&)>& ok, const std::string& what,
                  Clock::duration limit = kActionDeadline);

    // Real X input, to the focused genmon window.
    // A press as a person makes it: the key goes down and stays down until genmon has drawn a
    // frame that saw it (however slow the machine), then comes up, and the call returns once a
    // frame has seen it up. keysym is X's name (j, Return, Escape, slash, question, c).
    void key(const std::string& keysym);
    void hold(const std::string& keysym, int holdMs);       // xdotool keydown, sleep holdMs, keyup
    void tapZeroMs(const std::string& keysym);              // XTest down + up in one XFlush
    void type(const std::string& text);                     // xdotool type
    void click(int x, int y);                               // window coordinates
    // Moves the pointer onto a probe item, waits for a frame drawn after the move (the item may
    // still have been moving: a popup settles in its second frame), then clicks it.
    void clickItem(const std::string& itemName);
    // Moves the pointer and waits until genmon has drawn a frame that saw it there.
    void moveMouse(int x, int y);
    // WM_DELETE_WINDOW, as a window manager's close button sends it.
    void closeWindow();

    // The whole screen (import -window root), also saved as <dir>/<name>.png.
    Picture screenshot(const std::string& name);
    // The end of genmon's log, for failure messages.
    std::string genmonLog() const;

private:
    void xdotool(std::vector<std::string> args);

    std::filesystem::path dir_;
    std::unique_ptr<Child> xvfb_;
    std::string display_;
    std::unique_ptr<SimProcess> sim_, sim2_;
    std::unique_ptr<Child> genmon_;
    std::string window_;
    std::map<std::string, std::string> jobIds_;
    int screenshots_ = 0;
};

}  // namespace genmon::wintest
