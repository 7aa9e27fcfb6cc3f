// The list of views (issue 15.4): the View menu shows them in this order.
#include "ui/detail_view.hpp"
#include "ui/generate_view.hpp"
#include "ui/inspector_view.hpp"
#include "ui/metrics_view.hpp"
#include "ui/notifications_view.hpp"
#include "ui/queue_view.hpp"
#include "ui/results_view.hpp"
#include "ui/settings_view.hpp"
#include "ui/system_view.hpp"
#include "ui/timeline_view.hpp"
#include "ui/view.hpp"

namespace genmon::ui {

std::vector<std::unique_ptr<View>> makeViews() {
    std::vector<std::unique_ptr<View>> views;
    views.push_back(std::make_unique<QueueView>());
    views.push_back(std::make_unique<DetailView>());
    views.push_back(std::make_unique<ResultsView>());
    views.push_back(std::make_unique<SystemView>());
    views.push_back(std::make_unique<GenerateView>());
    views.push_back(std::make_unique<InspectorView>());
    views.push_back(std::make_unique<MetricsView>());
    views.push_back(std::make_unique<TimelineView>());
    views.push_back(std::make_unique<NotificationsView>());
    views.push_back(std::make_unique<SettingsView>());
    return views;
}

}  // namespace genmon::ui
