#pragma once
// genmon UI fixtures: a versioned JSON file that holds a snapshot (in the upstream payload
// shapes), UI state and a fixed "now". Rendering one needs no network and no wall clock.
// The format is documented in docs/fixtures.md.
#include <cstdint>
#include <string>

#include "model/error.hpp"
#include "orchestrator/exchange_log.hpp"
#include "orchestrator/snapshot.hpp"
#include "ui/ui_state.hpp"

namespace genmon::app {

inline constexpr int kFixtureVersion = 1;

struct Fixture {
    orchestrator::SnapshotPtr snapshot;
    ui::UiState ui;
    int64_t nowMicros = 0;
    int width = 1280, height = 800;
    std::vector<orchestrator::Event> events;  // become toasts on the first frame
    int64_t initRetryAtMicros = 0;            // the next initialize attempt (0: none pending)
    std::shared_ptr<orchestrator::ExchangeLog> exchanges;  // the Inspector's rows ("exchanges")
};

// Parses a fixture. Errors name the field: "fixture jobs[3]: ...", "fixture: missing \"now\"".
model::Outcome<Fixture> parseFixture(const std::string& json);
model::Outcome<Fixture> loadFixture(const std::string& path);

}  // namespace genmon::app

#include "app/gui.hpp"

namespace genmon::app {

// Frames from a fixture: its snapshot, its fixed "now", and its toasts on the first frame.
FrameSource fixtureSource(const Fixture& fixture);

}  // namespace genmon::app
