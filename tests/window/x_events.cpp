#include "x_events.hpp"

#include <X11/Xlib.h>
#include <X11/extensions/XTest.h>

namespace genmon::wintest {

std::string tapKeyZeroMs(const std::string& display, const std::string& keysym) {
    Display* d = XOpenDisplay(display.c_str());
    if (!d) return "cannot open display " + display;
    int event = 0, error = 0, major = 0, minor = 0;
    if (!XTestQueryExtension(d, &event, &error, &major, &minor)) {
        XCloseDisplay(d);
        return display + " has no XTEST extension";
    }
    const KeySym sym = XStringToKeysym(keysym.c_str());
    const KeyCode code = sym == NoSymbol ? 0 : XKeysymToKeycode(d, sym);
    if (code == 0) {
        XCloseDisplay(d);
        return "no key code for " + keysym;
    }
    XTestFakeKeyEvent(d, code, True, CurrentTime);
    XTestFakeKeyEvent(d, code, False, CurrentTime);
    XFlush(d);
    XSync(d, False);
    XCloseDisplay(d);
    return {};
}

std::string sendWmDelete(const std::string& display, unsigned long window) {
    Display* d = XOpenDisplay(display.c_str());
    if (!d) return "cannot open display " + display;
    XEvent e{};
    e.xclient.type = ClientMessage;
    e.xclient.window = window;
    e.xclient.message_type = XInternAtom(d, "WM_PROTOCOLS", False);
    e.xclient.format = 32;
    e.xclient.data.l[0] = static_cast<long>(XInternAtom(d, "WM_DELETE_WINDOW", False));
    e.xclient.data.l[1] = CurrentTime;
    const Status sent = XSendEvent(d, window, False, NoEventMask, &e);
    XSync(d, False);
    XCloseDisplay(d);
    return sent ? std::string() : "XSendEvent(WM_DELETE_WINDOW) failed";
}

}  // namespace genmon::wintest
