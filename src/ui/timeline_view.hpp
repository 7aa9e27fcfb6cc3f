#pragma once
// Issue 10, item 2: the timeline. A Gantt-style lane per job over the last N minutes: the wait
// in the queue (created -> started) and the run (started -> finished, or now), coloured by how it
// ended; failures stand out in red with a marker. Zoom (ctrl+wheel, + and -), pan (drag,
// shift+wheel) and a Live toggle that keeps "now" at the right edge.
//
// Lanes, top to bottom: jobs that left the queue (the snapshot's JobHistory, in the order they
// left), finished jobs still listed, running jobs, then queued jobs oldest first. Only the
// history is scanned per frame (bounded, about 2,000 entries); the queue's lanes are indexed
// straight into sortedActiveJobs, and an ImGuiListClipper draws only the visible ones, so a
// 10,000-job queue costs what the visible lanes cost.
//
// Issue 17.2, all-backends mode: every backend's lanes, one backend after the other (each as
// above), the backend's name in front of each lane's label and in its tooltip.
#include <cstdint>
#include <vector>

#include "orchestrator/job_history.hpp"
#include "ui/frame_context.hpp"
#include "ui/view.hpp"

namespace genmon::ui {

class TimelineView final : public View {
public:
    const char* title() const override { return "Timeline"; }
    bool& open(UiState& st) const override { return st.showTimeline; }
    void placeOnAppearing(float em) const override;
    void draw(FrameContext& ctx) override;

    // The ticks of a time axis: the step (seconds) that keeps labels at least minLabelSeconds
    // apart. Public for tests.
    static double tickStepSeconds(double minLabelSeconds);

    enum class LaneKind : uint8_t { Completed, Failed, Cancelled, Vanished, Running, Queued };
    struct Lane {
        model::JobPtr job;
        int64_t queuedAt = 0;
        int64_t startedAt = 0;  // 0: it never ran
        int64_t endAt = 0;      // finished, or now for an active job
        LaneKind kind = LaneKind::Queued;
        model::Text error;
        bool cancelIgnored = false;  // spec §9.7: cancelled here, run by the backend anyway
        int backend = -1;            // all-backends mode: whose job (-1: the one watched)
    };

private:
    // One backend's lanes: its snapshot, its history entries in the window, its first lane.
    struct Source {
        const orchestrator::Snapshot* snap = nullptr;
        int backend = -1;
        std::vector<uint32_t> history;  // indices into its history that overlap the window
        size_t first = 0;
        size_t count() const { return history.size() + snap->sortedActiveJobs.size(); }
    };
    Lane laneAt(size_t index, int64_t now) const;
    static Lane laneIn(const Source& source, size_t index, int64_t now);
    size_t laneCount() const;
    void drawToolbar(FrameContext& ctx, size_t lanes);
    void drawTooltip(FrameContext& ctx, const Lane& lane);

    std::vector<Source> sources_;  // one, or every backend's in all-backends mode; rebuilt each frame
    // While Live, the lanes scroll to keep the running jobs in view (recent history above, the
    // queue below), until a person scrolls them; turning Live on again resumes it.
    bool followNow_ = true;
    float scrollWeSet_ = -1;
    bool dragging_ = false;
    float dragTravel_ = 0;
};

}  // namespace genmon::ui
