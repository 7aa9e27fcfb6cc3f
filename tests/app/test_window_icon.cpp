// Issue 15.6: the real genmon window carries the application icon. genmon runs on a private Xvfb
// (a free display picked by Xvfb itself) and the test reads the window's _NET_WM_ICON and
// WM_CLASS back from the X server, as a window manager or a task bar would.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "app/assets.hpp"
#include "platform/png.hpp"
#include "process_util.hpp"
#include "test_support.hpp"

// Last: Xlib defines macros (Status, Bool, None) that genmon's headers must not see.
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>

using namespace genmon;
namespace fs = std::filesystem;

namespace {

// Xvfb on a display it picks itself (-displayfd), ended with the test (and with the test process).
class Xvfb {
public:
    Xvfb() {
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        std::vector<std::string> argv{"/usr/bin/Xvfb", "-displayfd", std::to_string(fds[1]), "-screen", "0", "800x600x24",
                                      "-nolisten", "tcp"};
        std::vector<char*> args;
        for (auto& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGTERM);
            ::close(fds[0]);
            const int devnull = ::open("/dev/null", O_RDWR);
            ::dup2(devnull, 0);
            ::dup2(devnull, 1);
            ::dup2(devnull, 2);
            ::execv(args[0], args.data());
            ::_exit(127);
        }
        ::close(fds[1]);
        std::string number;
        pollfd p{fds[0], POLLIN, 0};
        char c = 0;
        while (::poll(&p, 1, 15000) > 0 && ::read(fds[0], &c, 1) == 1 && c != '\n') number += c;
        ::close(fds[0]);
        REQUIRE_MESSAGE(!number.empty(), "Xvfb did not start: run scripts/bootstrap (xvfb)");
        display = ":" + number;
    }
    ~Xvfb() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    Xvfb(const Xvfb&) = delete;
    Xvfb& operator=(const Xvfb&) = delete;
    std::string display;

private:
    pid_t pid_ = -1;
};

Window findByClass(Display* d, Window w, const char* cls) {
    XClassHint hint{};
    if (XGetClassHint(d, w, &hint)) {
        const bool match = hint.res_class && std::string(hint.res_class) == cls;
        if (hint.res_name) XFree(hint.res_name);
        if (hint.res_class) XFree(hint.res_class);
        if (match) return w;
    }
    Window root = 0, parent = 0, *children = nullptr;
    unsigned int n = 0;
    Window found = 0;
    if (XQueryTree(d, w, &root, &parent, &children, &n)) {
        for (unsigned int i = 0; i < n && !found; ++i) found = findByClass(d, children[i], cls);
        if (children) XFree(children);
    }
    return found;
}

// The icons of _NET_WM_ICON by size: ARGB pixels, one per CARDINAL (a long in Xlib).
std::map<int, std::vector<unsigned long>> readIcons(Display* d, Window w) {
    std::map<int, std::vector<unsigned long>> icons;
    Atom type = 0;
    int format = 0;
    unsigned long count = 0, after = 0;
    unsigned char* data = nullptr;
    const Atom netWmIcon = XInternAtom(d, "_NET_WM_ICON", False);
    if (XGetWindowProperty(d, w, netWmIcon, 0, 1 << 20, False, XA_CARDINAL, &type, &format, &count, &after, &data) != Success ||
        !data)
        return icons;
    const auto* values = reinterpret_cast<const unsigned long*>(data);
    for (unsigned long i = 0; i + 2 <= count;) {
        const unsigned long width = values[i], height = values[i + 1];
        i += 2;
        if (width == 0 || width != height || i + width * height > count) break;
        icons[static_cast<int>(width)].assign(values + i, values + i + width * height);
        i += width * height;
    }
    XFree(data);
    return icons;
}

}  // namespace

#if defined(GENMON_EXE)
TEST_CASE("issue 15.6: the genmon window carries the icon at every size and the WM class genmon.desktop names") {
    Xvfb x;
    const fs::path config = test::outputDir() / "window_icon" / "config";
    fs::remove_all(config);
    fs::create_directories(config);
    proctest::Process genmon({GENMON_EXE, "--backend", "http://127.0.0.1:9/api/v1"}, "window-icon",
                             {"DISPLAY=" + x.display, "XDG_CONFIG_HOME=" + config.string(), "LIBGL_ALWAYS_SOFTWARE=1"});
    Display* d = XOpenDisplay(x.display.c_str());
    REQUIRE(d != nullptr);
    std::map<int, std::vector<unsigned long>> icons;
    const bool shown = proctest::waitFor(
        [&] {
            const Window w = findByClass(d, DefaultRootWindow(d), "genmon");
            if (w) icons = readIcons(d, w);
            return icons.size() == std::size(app::kIconSizes);
        },
        std::chrono::seconds(30));
    XCloseDisplay(d);
    CHECK_MESSAGE(shown, "no genmon window with " << std::size(app::kIconSizes) << " icons; genmon said: " << genmon.err());
    for (int size : app::kIconSizes) {
        CAPTURE(size);
        REQUIRE(icons.count(size) == 1);
        const auto png = platform::readPng((fs::path(GENMON_SOURCE_DIR) / "assets/icons" / ("genmon-" + std::to_string(size) + ".png")).string());
        REQUIRE(png.ok());
        const auto& argb = icons[size];
        size_t differ = 0;
        for (size_t i = 0; i < argb.size(); ++i) {
            const uint8_t* p = &png->rgba[i * 4];
            const unsigned long expected = (static_cast<unsigned long>(p[3]) << 24) | (static_cast<unsigned long>(p[0]) << 16) |
                                           (static_cast<unsigned long>(p[1]) << 8) | p[2];
            differ += (argb[i] & 0xFFFFFFFFul) != expected;
        }
        CHECK(differ == 0);
    }
    genmon.signal(SIGTERM);
    const auto end = genmon.wait(std::chrono::seconds(10));
    CHECK(end.exited);
    CHECK(end.code == 0);
}
#endif
