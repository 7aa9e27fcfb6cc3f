#pragma once
// Text for durations, ages and sizes, shared by every view. Pure functions, tested.
#include <cstdint>
#include <string>

namespace genmon::ui {

// "0.4 s", "12 s", "1m 5s", "1h 2m", "3d 4h": short, for table cells (legacy JobQueue spec
// shows "1m Ns" and "1h Nm").
std::string formatDuration(double seconds);
// "updated 3.2 s ago" style age of data; "never" when atMicros is 0.
std::string formatAge(int64_t atMicros, int64_t nowMicros);
// "12 s ago" / "Never" like the System card's "Last update" label (spec §6.4).
std::string formatLastUpdate(int64_t atMicros, int64_t nowMicros);
// Wall-clock time of day in UTC, "07:06:38".
std::string formatClock(int64_t atMicros);
// Shortened id for narrow cells: "5e8ee68e…91284".
std::string shortId(const std::string& id, size_t keep = 8);

}  // namespace genmon::ui
