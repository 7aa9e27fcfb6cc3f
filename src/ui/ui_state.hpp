#pragma once
// Everything the UI remembers between frames that is not backend data: open panels, selection,
// filter, modals, toasts, the generate form. Owned by the UI thread; screenshot fixtures set it.
#include <cstdint>
#include <deque>
#include <set>
#include <string>
#include <vector>

#include "model/generation_request.hpp"
#include "orchestrator/event_queue.hpp"
#include "orchestrator/snapshot.hpp"
#include "ui/frame_times.hpp"
#include "ui/theme.hpp"

namespace genmon::ui {

// One line of the session's notification history (issue 14.5): identical notifications that
// arrive while their toast is up are one entry with a count.
struct Notification {
    uint64_t id = 0;
    orchestrator::NotificationKind kind = orchestrator::NotificationKind::Info;
    std::string message;
    std::string detail;
    int count = 1;
    int64_t firstMicros = 0;  // the first arrival
    int64_t lastMicros = 0;   // the latest one
};

// The Notifications panel's source: the session's history, newest last, bounded (the oldest go
// first and are counted). version moves whenever an entry is added or changed.
struct NotificationLog {
    static constexpr size_t kCapacity = 1000;
    std::deque<Notification> entries;
    uint64_t nextId = 1;
    uint64_t dropped = 0;
    uint64_t version = 0;

    Notification* find(uint64_t id) {
        if (entries.empty() || id < entries.front().id || id > entries.back().id) return nullptr;
        return &entries[static_cast<size_t>(id - entries.front().id)];  // ids are consecutive
    }
};

// A notification on screen: at most three, newest first; successes fade, errors and warnings
// stay until dismissed (they stay in the history either way).
struct Toast {
    uint64_t id = 0;              // its history entry (NotificationLog)
    orchestrator::NotificationKind kind = orchestrator::NotificationKind::Info;
    std::string message;
    std::string detail;
    int count = 1;                // identical notifications while it is up: one toast, "×N"
    int64_t createdMicros = 0;    // the latest arrival: a success fades counting from there
    bool sticky = false;          // errors stay until dismissed; successes fade
};

enum class Panel { Queue, Results, System, Detail, Generate };

enum class ResultsMode { Grid, List };

// A destructive action waiting for "Yes" (every one asks first).
struct Confirmation {
    enum class Kind { None, CancelJobs, ClearQueue, DeleteResult, RetryFailed } kind = Kind::None;
    std::vector<std::string> ids;  // backend ids of jobs, or result ids
    // Issue 17.2, all-backends mode: ids[i]'s backend in the fleet (empty: the focused one).
    std::vector<int> backends;
    std::string what;              // the sentence the dialog asks
};

struct GenerateForm {
    std::string prompt;
    std::string negativePrompt;
    model::GenerationRequest defaults;  // steps, sampler, cfg, size, seed, batch: backend defaults
    model::GenerationMode mode = model::GenerationMode::Deferred;
    std::string error;                  // "Please enter a prompt", shown under the field
};

struct UiState {
    // Panels (View menu) and layout.
    bool showQueue = true, showResults = true, showSystem = true, showDetail = true, showGenerate = false;
    bool showHelp = false, showAbout = false, showSettings = false, showConnect = false, showInspector = false;
    uint64_t inspectorSelected = 0;  // the Inspector's selected exchange (its seq; 0: none)
    bool applyDefaultLayout = true;  // next frame places every panel at its default spot
    ThemeKind theme = ThemeKind::Dark;
    Panel focus = Panel::Queue;      // where j/k/Enter/Delete act

    // Queue view.
    std::string filter;
    bool focusFilter = false;        // "/" asks the filter box for keyboard focus
    orchestrator::QueueViewSpec requestedView;  // what we last sent to the worker
    std::set<std::string> selectedJobs;         // uiIds (all backends: scopedKey(backend, uiId))
    std::string cursorJob;                      // keyboard cursor (uiId)
    std::string anchorJob;                      // shift-click range anchor (uiId)
    std::string detailJob;                      // shown in the detail pane (uiId)
    bool scrollToCursor = false;
    float queueScrollFraction = -1;             // fixtures: scroll there on the first frame

    // Settings view: poll intervals in ms (decision 3 defaults), as last applied.
    int pollQueueDownMs = 2000, pollQueueUpMs = 10000, pollStatusMs = 10000;
    std::string settingsPath;  // shown so a person knows where settings live

    // Results view.
    ResultsMode resultsMode = ResultsMode::Grid;
    std::string selectedResult;
    int historyLimit = 10;

    GenerateForm generate;
    Confirmation confirm;
    std::vector<Toast> toasts;          // on screen, oldest first
    NotificationLog notifications;      // everything, for the Notifications panel
    int toastsOffScreen = 0;            // pushed off by newer ones since the panel was last opened

    // Notifications panel (issue 14.5): the history, filtered by text and kind.
    bool showNotifications = false;
    std::string notificationsFilter;
    bool notificationsShowKind[4] = {true, true, true, true};  // by NotificationKind: info, success, warning, error

    // Frame pacing (issue 14.1): frames caused only by data, at most this many a second.
    int dataFramesPerSecond = 10;

    // Issue 17.2: watching a fleet, the queue, results, timeline and metrics show every backend
    // (with a Backend column) instead of the focused one. 0 or the Fleet panel's "All" row.
    bool allBackends = false;

    // Backend menu.
    std::string connectUrl;
    std::vector<std::string> urlHistory;
    std::string apiKeyHint;  // "from GENMON_API_KEY" etc.; never the key itself

    // Timeline view (issue 10): a lane per job over a time window. The window choice (1, 5, 10,
    // 30 or 60 minutes) is saved; zoom changes the span; Live keeps the right edge at "now",
    // otherwise it stays at timelineEndMicros (panned).
    bool showTimeline = false;
    int timelineWindowMinutes = 10;
    double timelineSpanSeconds = 600;
    bool timelineLive = true;
    int64_t timelineEndMicros = 0;

    // Metrics view (issue 10): open or not, the window it shows (1, 5 or 10 minutes), and the
    // UI's own frame times (measured on this thread, never sent to the worker).
    bool showMetrics = false;
    int metricsWindowMinutes = 5;
    FrameTimeRing frameTimes;
};

}  // namespace genmon::ui
