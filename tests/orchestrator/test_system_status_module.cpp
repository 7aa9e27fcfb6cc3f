// SystemStatusModule: spec §6.1-6.3 and the systemStatusModule.spec / SystemStatusCard intents.
#include <doctest/doctest.h>

#include "fake_transport.hpp"
#include "orchestrator/system_status_module.hpp"

using namespace genmon;
using namespace genmon::orchestrator;

namespace {
constexpr int64_t kNow = 1'790'000'000'000'000;
}

TEST_CASE("spec 6.1: the default status is unknown, Unknown GPU, zero memory, not ready, available, never updated") {
    SystemStatusModule m;
    CHECK(m.status()->status == "unknown");
    CHECK(m.status()->gpu_status == "Unknown");
    CHECK(m.status()->gpu_available == false);
    CHECK(m.status()->queue_length == 0);
    CHECK(m.status()->memory_used == 0);
    CHECK(m.status()->memory_total == 0);
    CHECK(*m.status() == model::DEFAULT_SYSTEM_STATUS);
    CHECK_FALSE(m.ready());
    CHECK(m.apiAvailable());
    CHECK_FALSE(m.lastUpdated().has_value());
    CHECK(m.metrics() == nullptr);
}

TEST_CASE("spec 7.3 systemStatusModule: applying a payload merges queue_length 3 and sets ready and apiAvailable") {
    SystemStatusModule m;
    m.markUnavailable(kNow);
    REQUIRE_FALSE(m.apiAvailable());
    model::SystemStatusPatch p;
    p.queue_length = 3;
    m.apply(p, kNow + 1);
    CHECK(m.status()->queue_length == 3);
    CHECK(m.status()->status == "unknown");  // absent keys keep their values
    CHECK(m.ready());
    CHECK(m.apiAvailable());
    CHECK(m.lastUpdated()->micros == kNow + 1);
}

TEST_CASE("spec 6.2: apply is a shallow merge that keeps unknown keys and drops metrics, message, updated_at and type") {
    SystemStatusModule m;
    model::SystemStatusPatch first;
    first.status = "healthy";
    first.gpu_status = "GPU available";
    first.memory_total = 8192;
    first.extra["custom_key"] = "\"kept\"";
    m.apply(first, kNow);
    model::SystemStatusPatch second;
    second.status = "degraded";
    second.message = "ignored message";
    second.type = "system_status";
    second.updated_at = "2026-11-26T07:06:38+00:00";
    model::SystemMetrics metrics;
    metrics.cpu_percent = 12.5;
    second.metrics = metrics;
    m.apply(second, kNow + 5);
    const auto& s = *m.status();
    CHECK(s.status == "degraded");
    CHECK(s.gpu_status == "GPU available");  // kept from the first payload
    CHECK(s.memory_total == 8192);
    CHECK(s.extra.at("custom_key") == "\"kept\"");
    CHECK(s.extra.count("message") == 0);
    CHECK(s.extra.count("type") == 0);
    CHECK(s.extra.count("updated_at") == 0);
    CHECK(s.extra.count("metrics") == 0);
    // genmon keeps the metrics beside the status for the System view.
    REQUIRE(m.metrics() != nullptr);
    CHECK(m.metrics()->cpu_percent == 12.5);
    // lastUpdated comes from updated_at when present.
    CHECK(*m.lastUpdated() == model::Timestamp::parse("2026-11-26T07:06:38+00:00"));
}

TEST_CASE("spec 6.2: lastUpdated = updated_at, else last_updated, else now") {
    SystemStatusModule m;
    model::SystemStatusPatch p;
    p.last_updated = std::optional<std::string>("2026-01-02T03:04:05");
    m.apply(p, kNow);
    CHECK(*m.lastUpdated() == model::Timestamp::parse("2026-01-02T03:04:05"));
    model::SystemStatusPatch none;
    none.status = "healthy";
    m.apply(none, kNow + 9);
    CHECK(m.lastUpdated()->micros == kNow + 9);
    model::SystemStatusPatch garbage;
    garbage.updated_at = "not a date";
    m.apply(garbage, kNow + 10);
    CHECK(m.lastUpdated()->micros == kNow + 10);
}

TEST_CASE("spec 6.2: markHydrated sets ready and available, markUnavailable sets ready and not available") {
    SystemStatusModule m;
    m.markHydrated(kNow);
    CHECK(m.ready());
    CHECK(m.apiAvailable());
    CHECK(m.lastUpdated()->micros == kNow);
    CHECK(m.status()->status == "unknown");
    m.markUnavailable(kNow + 1);
    CHECK(m.ready());
    CHECK_FALSE(m.apiAvailable());
    CHECK(m.lastUpdated()->micros == kNow + 1);
}

TEST_CASE("spec 6.3: markError resets, then status error with GPU Unknown, hydrated and still available") {
    SystemStatusModule m;
    model::SystemStatusPatch p;
    p.status = "healthy";
    p.gpu_status = "GPU available";
    p.queue_length = 7;
    m.apply(p, kNow);
    m.markError(kNow + 1);
    CHECK(m.status()->status == "error");
    CHECK(m.status()->gpu_status == "Unknown");
    CHECK(m.status()->queue_length == 0);  // reset first
    CHECK(m.ready());
    CHECK(m.apiAvailable());
}

TEST_CASE("spec 6.3: replace (the poll path) resets before applying, apply (the transport path) merges") {
    SystemStatusModule m;
    model::SystemStatusPatch a;
    a.status = "healthy";
    a.queue_length = 4;
    a.backend = std::optional<std::string>("sdnext");
    m.apply(a, kNow);
    model::SystemStatusPatch b;
    b.status = "degraded";
    m.apply(b, kNow);
    CHECK(m.status()->queue_length == 4);
    CHECK(m.status()->backend == "sdnext");
    m.replace(b, kNow);
    CHECK(m.status()->status == "degraded");
    CHECK(m.status()->queue_length == 0);
    CHECK_FALSE(m.status()->backend.has_value());
}

TEST_CASE("spec 7.3 systemStatusModule: reset restores the defaults and flags") {
    SystemStatusModule m;
    model::SystemStatusPatch p;
    p.status = "healthy";
    m.apply(p, kNow);
    m.markUnavailable(kNow);
    m.reset();
    CHECK(*m.status() == model::DEFAULT_SYSTEM_STATUS);
    CHECK_FALSE(m.ready());
    CHECK(m.apiAvailable());
    CHECK_FALSE(m.lastUpdated());
}

TEST_CASE("spec 7.3 store: each status change makes a new status object and leaves the old one unchanged") {
    SystemStatusModule m;
    const auto before = m.status();
    model::SystemStatusPatch p;
    p.status = "healthy";
    m.apply(p, kNow);
    CHECK(m.status() != before);
    CHECK(before->status == "unknown");
    CHECK(m.status()->status == "healthy");
}

TEST_CASE("spec 7.3 SystemStatusCard intent: 4096/8192 MiB reads 4.0GB / 8.0GB (50%), defaults read N/A, 0 jobs, Unknown") {
    CHECK(model::memoryLabel(4096, 8192) == "4.0GB / 8.0GB (50%)");
    CHECK(model::memoryPercent(4096, 8192) == 50);
    const auto& d = model::DEFAULT_SYSTEM_STATUS;
    CHECK(model::memoryLabel(d.memory_used, d.memory_total) == "N/A");
    CHECK(d.queue_length == 0);
    CHECK(d.gpu_status == "Unknown");
    CHECK(model::overallHealth(d) == model::Health::Unknown);
}
