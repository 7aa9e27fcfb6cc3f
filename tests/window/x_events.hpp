#pragma once
// The two X requests xdotool 3.20160805 cannot make, kept apart so Xlib's macros (None, True,
// Status, ...) never meet the other headers: a 0 ms key tap and a window manager's close.
#include <string>

namespace genmon::wintest {

// XTest key down and key up in one XFlush: both reach the client between two of its frames.
// An empty string, or the reason it could not be sent.
std::string tapKeyZeroMs(const std::string& display, const std::string& keysym);

// A WM_PROTOCOLS / WM_DELETE_WINDOW client message to the window (what a close button sends).
std::string sendWmDelete(const std::string& display, unsigned long window);

}  // namespace genmon::wintest
