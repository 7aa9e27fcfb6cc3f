#include "ui/format.hpp"

#include <cmath>
#include <cstdio>

namespace genmon::ui {

std::string formatDuration(double s) {
    char buf[48];
    if (!std::isfinite(s) || s < 0) s = 0;
    if (s < 10)
        std::snprintf(buf, sizeof buf, "%.1f s", s);
    else if (s < 60)
        std::snprintf(buf, sizeof buf, "%d s", static_cast<int>(s));
    else if (s < 3600)
        std::snprintf(buf, sizeof buf, "%dm %ds", static_cast<int>(s / 60), static_cast<int>(s) % 60);
    else if (s < 86400)
        std::snprintf(buf, sizeof buf, "%dh %dm", static_cast<int>(s / 3600), static_cast<int>(s / 60) % 60);
    else
        std::snprintf(buf, sizeof buf, "%dd %dh", static_cast<int>(s / 86400), static_cast<int>(s / 3600) % 24);
    return buf;
}

std::string formatAge(int64_t at, int64_t now) {
    if (at <= 0) return "never";
    return formatDuration(static_cast<double>(now - at) / 1e6) + " ago";
}

std::string formatLastUpdate(int64_t at, int64_t now) {
    if (at <= 0) return "Never";
    const int64_t s = std::max<int64_t>(0, (now - at) / 1000000);
    char buf[32];
    if (s < 60)
        std::snprintf(buf, sizeof buf, "%llds ago", static_cast<long long>(s));
    else if (s < 3600)
        std::snprintf(buf, sizeof buf, "%lldm ago", static_cast<long long>(s / 60));
    else
        std::snprintf(buf, sizeof buf, "%lldh ago", static_cast<long long>(s / 3600));
    return buf;
}

std::string formatClock(int64_t at) {
    int64_t secs = at / 1000000 % 86400;
    if (secs < 0) secs += 86400;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                  static_cast<int>(secs % 60));
    return buf;
}

std::string shortId(const std::string& id, size_t keep) {
    if (id.size() <= keep * 2 + 1) return id;
    return id.substr(0, keep) + "\xE2\x80\xA6" + id.substr(id.size() - 5);
}

}  // namespace genmon::ui
