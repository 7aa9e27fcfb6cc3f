// Issue 17.4: assets/grafana/genmon-dashboard.json is a dashboard for the metrics genmon really
// serves: valid JSON, the panels the issue asks for, and every genmon_* name in its queries (and
// in the alert rules) is one the exposition has.
#include <doctest/doctest.h>
#include <simdjson.h>

#include <regex>
#include <set>

#include "exporter/prometheus_text.hpp"
#include "test_support.hpp"

using namespace genmon;

namespace {

// Every family name genmon can serve (frame times included), from the formatter itself.
std::set<std::string> servedFamilies() {
    exporter::FrameHistogram frames;
    const std::string text =
        exporter::formatPrometheus({{"a", std::make_shared<orchestrator::Snapshot>()}}, &frames, 0);
    std::set<std::string> names;
    const std::regex type(R"(# TYPE (\S+) )");
    for (std::sregex_iterator it(text.begin(), text.end(), type), end; it != end; ++it) names.insert((*it)[1]);
    return names;
}

// The family a series name belongs to (histograms serve _bucket, _sum and _count).
std::string familyOf(std::string name, const std::set<std::string>& families) {
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        const std::string s = suffix;
        if (!families.count(name) && name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0)
            return name.substr(0, name.size() - s.size());
    }
    return name;
}

std::vector<std::string> metricNames(const std::string& expr) {
    std::vector<std::string> out;
    const std::regex name(R"(genmon_[a-z_]+)");
    for (std::sregex_iterator it(expr.begin(), expr.end(), name), end; it != end; ++it) out.push_back(it->str());
    return out;
}

}  // namespace

TEST_CASE("issue 17.4 dashboard: the Grafana dashboard parses and queries only metrics genmon serves") {
    const auto families = servedFamilies();
    REQUIRE(families.count("genmon_jobs"));
    simdjson::padded_string json(test::readFile(std::string(GENMON_SOURCE_DIR) + "/assets/grafana/genmon-dashboard.json"));
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
    CHECK(std::string_view(doc["uid"]) == "genmon-fleet");

    std::set<std::string> titles, used;
    for (simdjson::dom::element panel : doc["panels"].get_array()) {
        titles.insert(std::string{std::string_view(panel["title"])});
        for (simdjson::dom::element target : panel["targets"].get_array()) {
            const std::string expr{std::string_view(target["expr"])};
            for (const auto& n : metricNames(expr)) {
                const std::string family = familyOf(n, families);
                CHECK_MESSAGE(families.count(family), "the dashboard queries " << n << ", which genmon does not serve");
                used.insert(family);
            }
        }
    }
    for (const char* wanted : {"Backend up", "Data age", "Queue depth by backend", "Throughput (jobs per minute)",
                               "Failures (jobs per minute)", "Run time p50 / p95", "GPU memory"})
        CHECK_MESSAGE(titles.count(wanted), wanted);
    for (const char* wanted : {"genmon_backend_up", "genmon_jobs", "genmon_jobs_finished_total", "genmon_job_run_seconds",
                               "genmon_data_age_seconds", "genmon_gpu_memory_used_bytes", "genmon_gpu_memory_total_bytes"})
        CHECK_MESSAGE(used.count(wanted), wanted);
}

TEST_CASE("issue 17.4 dashboard: the alert rules use only metrics genmon serves") {
    const auto families = servedFamilies();
    const std::string rules = test::readFile(std::string(GENMON_SOURCE_DIR) + "/assets/prometheus/genmon-alerts.yml");
    const auto names = metricNames(rules);
    CHECK(names.size() >= 2);
    for (const auto& n : names) CHECK_MESSAGE(families.count(familyOf(n, families)), n);
}
