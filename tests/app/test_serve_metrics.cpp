// Issue 17.4 and 17.5 with the real parts: the genmon program with --serve-metrics against
// genmon-sim over loopback, Debian's promtool reading its /metrics and the alert rules, and a real
// Prometheus server scraping it and answering genmon_jobs through its query API.
#include <simdjson.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>

#include "exporter/metrics_server.hpp"
#include "http_fetch.hpp"
#include "process_util.hpp"
#include "sim/sim_server.hpp"

#if defined(GENMON_EXE)

using namespace genmon;
using namespace genmon::proctest;
using genmon::test::httpFetch;

namespace {

constexpr const char* kPromtool = "/usr/bin/promtool";
constexpr const char* kPrometheus = "/usr/bin/prometheus";

std::string outPath(const std::string& name) {
    return (test::outputDir() / (name + "-" + std::to_string(::getpid()))).string();
}

std::vector<std::string> testEnv() {
    return {"XDG_CONFIG_HOME=" + (test::outputDir() / "serve-metrics-config").string()};
}

// The port genmon printed: "genmon: metrics on http://127.0.0.1:PORT/metrics" (0 if it did not).
uint16_t metricsPort(const Process& p) {
    static const std::regex line(R"(genmon: metrics on http://127\.0\.0\.1:(\d+)/metrics)");
    uint16_t port = 0;
    waitFor([&] {
        std::smatch m;
        const std::string err = p.err();
        if (std::regex_search(err, m, line)) port = static_cast<uint16_t>(std::stoi(m[1]));
        return port != 0;
    });
    return port;
}

// A value of genmon's exposition, by the sample's name and labels as written; NaN when absent.
double sampleValue(const std::string& body, const std::string& series) {
    const size_t at = body.find("\n" + series + " ");
    if (at == std::string::npos) return std::nan("");
    return std::stod(body.substr(at + series.size() + 2));
}

struct ToolRun {
    int status = -1;
    std::string output;
};
// Runs a command line (the tools' paths are fixed, the arguments are the test's own files).
ToolRun runTool(const std::string& command, const std::string& name) {
    const std::string out = outPath(name) + ".txt";
    const int raw = std::system((command + " > '" + out + "' 2>&1").c_str());
    return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(out)};
}

bool haveTool(const char* path) {
    if (std::filesystem::exists(path)) return true;
    MESSAGE("skipped: " << path << " is missing (Debian's prometheus package; scripts/bootstrap installs it)");
    return false;
}

uint16_t freeLoopbackPort() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
}

std::unique_ptr<sim::SimServer> startSim(sim::SimOptions o) {
    auto started = sim::SimServer::start(std::move(o));
    REQUIRE_MESSAGE(started.ok(), (started.ok() ? std::string() : started.error().message));
    return std::move(started).value();
}

// genmon_jobs by status from Prometheus's query answer, when every series is this backend's and
// came from the genmon job; nullopt otherwise (not scraped yet, another answer).
std::optional<std::map<std::string, double>> jobsByStatus(const std::string& answer, const std::string& backend) {
    std::map<std::string, double> out;
    try {
        simdjson::ondemand::parser parser;
        simdjson::padded_string json(answer);
        auto doc = parser.iterate(json);
        for (auto item : doc["data"]["result"].get_array()) {
            auto metric = item["metric"];
            const std::string_view name = metric["backend"].get_string();
            const std::string_view status = metric["status"].get_string();
            const std::string_view job = metric["job"].get_string();
            if (name != backend || job != "genmon") return std::nullopt;
            auto value = item["value"].get_array();  // [time, "value"]
            auto it = value.begin();
            ++it;
            const std::string_view text = (*it).get_string();
            out[std::string(status)] = std::stod(std::string(text));
        }
    } catch (const simdjson::simdjson_error&) {
        return std::nullopt;
    }
    return out;
}

}  // namespace

TEST_CASE("issue 17.5: promtool check metrics passes on the real genmon's /metrics against genmon-sim") {
    if (!haveTool(kPromtool)) return;
    // Short jobs, some failing: counters and histograms have values by the time of the check.
    sim::SimOptions o;
    o.scenario = "busy";
    o.jobDurationMs = 400;
    o.pickupDelayMs = 100;
    o.progressIntervalMs = 100;
    o.failRate = 0.3;
    o.imageSize = 32;
    auto sim = startSim(o);
    Process genmon({GENMON_EXE, "--serve-metrics", "0", "--backend", sim->baseUrl(), "--name", "sim-1"}, "serve-promtool",
                   testEnv());
    const uint16_t port = metricsPort(genmon);
    REQUIRE_MESSAGE(port != 0, genmon.err());

    test::Fetched scraped;
    const bool counted = waitFor(
        [&] {
            scraped = httpFetch(port, "/metrics");
            return scraped.ok &&
                   sampleValue(scraped.body, R"(genmon_jobs_finished_total{backend="sim-1",outcome="completed"})") > 0 &&
                   sampleValue(scraped.body, R"(genmon_job_run_seconds_count{backend="sim-1"})") > 0 &&
                   sampleValue(scraped.body, R"(genmon_socket_messages_total{backend="sim-1"})") > 0 &&
                   sampleValue(scraped.body, R"(genmon_parses_total{backend="sim-1"})") > 0;
        },
        std::chrono::seconds(25));
    REQUIRE_MESSAGE(counted, scraped.body << genmon.err());
    CHECK(scraped.headers.at("content-type") == "text/plain; version=0.0.4; charset=utf-8");
    CHECK(sampleValue(scraped.body, R"(genmon_backend_up{backend="sim-1"})") == 1);
    CHECK(sampleValue(scraped.body, R"(genmon_gpu_memory_total_bytes{backend="sim-1"})") > 0);

    const std::string file = outPath("serve-promtool") + ".prom";
    std::ofstream(file, std::ios::binary) << scraped.body;
    const ToolRun check = runTool(std::string(kPromtool) + " check metrics < '" + file + "'", "serve-promtool-check");
    CHECK_MESSAGE(check.status == 0, check.output);
    CHECK_MESSAGE(check.output.empty(), check.output);  // no lint complaint either

    genmon.signal(SIGTERM);
    const Exit e = genmon.wait();
    CHECK(e.exited);
    CHECK(e.code == 0);
    CHECK(e.seconds < 3.0);
}

#if defined(GENMON_SIM_EXE)
TEST_CASE("issue 17.1: genmon --serve-metrics with three --backend labels each, and killing one leaves the others up") {
    if (!haveTool(kPromtool)) return;
    sim::SimOptions o;
    o.scenario = "idle";
    o.manualClock = true;
    auto a = startSim(o);
    a->queueJob("on a");
    auto c = startSim(o);
    for (int k = 0; k < 3; ++k) c->queueJob("on c " + std::to_string(k));
    // b is a genmon-sim process of its own, so it can be killed.
    Process b({GENMON_SIM_EXE, "--port", "0", "--scenario", "idle"}, "serve-fleet-sim");
    REQUIRE(waitFor([&] { return b.out().find('\n') != std::string::npos; }));
    const std::string bUrl = b.out().substr(b.out().find("http://"), b.out().find_first_of(" \n", b.out().find("http://")) -
                                                                         b.out().find("http://"));
    Process genmon({GENMON_EXE, "--serve-metrics", "0", "--backend", "a=" + a->baseUrl(), "--backend", "b=" + bUrl,
                    "--backend", "c=" + c->baseUrl()},
                   "serve-fleet", testEnv());
    const uint16_t port = metricsPort(genmon);
    REQUIRE_MESSAGE(port != 0, genmon.err());
    test::Fetched scraped;
    auto value = [&](const std::string& series) { return sampleValue(scraped.body, series); };
    REQUIRE_MESSAGE(waitFor([&] {
        scraped = httpFetch(port, "/metrics");
        return scraped.ok && value(R"(genmon_jobs{backend="a",status="queued"})") == 1 &&
               value(R"(genmon_backend_up{backend="b"})") == 1 && value(R"(genmon_jobs{backend="c",status="queued"})") == 3;
    }), scraped.body << genmon.err());
    const std::string file = outPath("serve-fleet") + ".prom";
    std::ofstream(file, std::ios::binary) << scraped.body;
    const ToolRun check = runTool(std::string(kPromtool) + " check metrics < '" + file + "'", "serve-fleet-check");
    CHECK_MESSAGE(check.status == 0, check.output);

    b.signal(SIGKILL);  // b goes away: b is down, a and c keep their data and stay up
    (void)b.wait();
    REQUIRE_MESSAGE(waitFor([&] {
        scraped = httpFetch(port, "/metrics");
        return scraped.ok && value(R"(genmon_backend_up{backend="b"})") == 0;
    }), scraped.body << genmon.err());
    CHECK(value(R"(genmon_backend_up{backend="a"})") == 1);
    CHECK(value(R"(genmon_backend_up{backend="c"})") == 1);
    CHECK(value(R"(genmon_jobs{backend="a",status="queued"})") == 1);
    CHECK(value(R"(genmon_jobs{backend="c",status="queued"})") == 3);
    genmon.signal(SIGTERM);
    const Exit e = genmon.wait();
    CHECK(e.exited);
    CHECK(e.code == 0);
}
#endif  // GENMON_SIM_EXE

TEST_CASE("issue 17.5: a real Prometheus scrapes genmon --serve-metrics and its query API returns the sim's queue counts") {
    if (!haveTool(kPrometheus)) return;
    // A sim whose clock moves only when told: 2 jobs running and 3 waiting, until the test ends.
    sim::SimOptions o;
    o.scenario = "idle";
    o.manualClock = true;
    o.workers = 2;
    o.imageSize = 32;
    auto sim = startSim(o);
    for (int i = 0; i < 5; ++i) sim->queueJob("job " + std::to_string(i));
    sim->advance(2000);
    int pending = 0, running = 0;
    for (const auto& j : sim->jobs()) {
        pending += j.rawStatus == "pending";
        running += j.rawStatus == "running";
    }
    REQUIRE(pending == 3);
    REQUIRE(running == 2);

    // A name that needs escaping all the way: the text format, Prometheus, its JSON.
    const std::string name = "lab \"gpu\\1\"";
    Process genmon({GENMON_EXE, "--serve-metrics", "0", "--backend", sim->baseUrl(), "--name", name}, "serve-prometheus",
                   testEnv());
    const uint16_t port = metricsPort(genmon);
    REQUIRE_MESSAGE(port != 0, genmon.err());

    const std::string dir = outPath("prometheus");
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir + "/data");
    std::ofstream(dir + "/prometheus.yml") << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                                              "scrape_configs:\n  - job_name: genmon\n    static_configs:\n"
                                              "      - targets: ['127.0.0.1:"
                                           << port << "']\n";
    const uint16_t promPort = freeLoopbackPort();
    Process prometheus({kPrometheus, "--config.file=" + dir + "/prometheus.yml", "--storage.tsdb.path=" + dir + "/data",
                        "--web.listen-address=127.0.0.1:" + std::to_string(promPort), "--log.level=warn"},
                       "serve-prometheus-server");

    // Until Prometheus has scraped genmon after genmon saw the sim's queue.
    std::map<std::string, double> byStatus;
    std::string lastAnswer;
    const bool seen = waitFor(
        [&] {
            const auto r = httpFetch(promPort, "/api/v1/query?query=genmon_jobs", "GET", "127.0.0.1", std::chrono::seconds(2));
            if (!r.ok || r.status != 200) return false;
            lastAnswer = r.body;
            const auto counts = jobsByStatus(r.body, name);
            if (!counts) return false;
            byStatus = *counts;
            return byStatus["queued"] == pending && byStatus["processing"] == running;
        },
        std::chrono::seconds(25));
    CHECK_MESSAGE(seen, lastAnswer << "\n" << prometheus.err() << genmon.err());
    CHECK(byStatus.size() == 2);

    // The same scrape carries the rest: the backend is up in Prometheus's eyes too.
    const auto up = httpFetch(promPort, "/api/v1/query?query=genmon_backend_up", "GET", "127.0.0.1", std::chrono::seconds(2));
    CHECK(up.body.find(R"("value":[)") != std::string::npos);
    CHECK(up.body.find(R"(,"1"]})") != std::string::npos);

    prometheus.signal(SIGTERM);
    prometheus.wait(std::chrono::seconds(10));
    genmon.signal(SIGTERM);
    const Exit e = genmon.wait();
    CHECK(e.code == 0);
    std::filesystem::remove_all(dir);
}

TEST_CASE("issue 17.4: --serve-metrics says what is wrong: a bad address exits 2, a port in use 1, another address is announced") {
    const std::string nowhere = "http://127.0.0.1:9/api/v1";  // the discard port: nothing answers
    {
        Process bad({GENMON_EXE, "--serve-metrics", "metrics-host:9464", "--backend", nowhere}, "serve-bad", testEnv());
        const Exit e = bad.wait();
        CHECK(e.code == 2);
        CHECK(bad.err() == "genmon: --serve-metrics 'metrics-host:9464': 'metrics-host' is not an IP address; use "
                           "127.0.0.1 (this machine only), 0.0.0.0 (every address) or one of this machine's addresses\n");
    }
    {
        auto taken = exporter::MetricsServer::start(exporter::ListenAddress{}, [] { return std::string(); });
        REQUIRE(taken.ok());
        const std::string port = std::to_string(taken.value()->port());
        Process busy({GENMON_EXE, "--serve-metrics", port, "--backend", nowhere}, "serve-in-use", testEnv());
        const Exit e = busy.wait();
        CHECK(e.code == 1);
        CHECK(busy.err() == "genmon: cannot listen on 127.0.0.1:" + port +
                                ": Address already in use (is another genmon or exporter using it?)\n");
    }
    {
        Process open({GENMON_EXE, "--serve-metrics", "0.0.0.0:0", "--backend", nowhere}, "serve-open", testEnv());
        const uint16_t port = metricsPort(open);
        REQUIRE_MESSAGE(port != 0, open.err());
        CHECK(open.err().find("genmon: serving metrics on 0.0.0.0:" + std::to_string(port) +
                              ", reachable from other machines\n") != std::string::npos);
        // The backend is down: genmon keeps serving, says so, and the metrics say so too.
        CHECK(waitFor([&] { return open.err().find("genmon: " + nowhere + " is down: ") != std::string::npos; }));
        const auto r = httpFetch(port, "/metrics");
        CHECK(sampleValue(r.body, R"(genmon_backend_up{backend="127.0.0.1:9"})") == 0);
        open.signal(SIGINT);
        const Exit e = open.wait();
        CHECK(e.code == 130);
    }
}

TEST_CASE("issue 17.4: promtool accepts the alert rules and the example configuration, and the alerts fire as documented") {
    if (!haveTool(kPromtool)) return;
    const std::string assets = std::string(GENMON_SOURCE_DIR) + "/assets/prometheus";
    const ToolRun rules = runTool(std::string(kPromtool) + " check rules '" + assets + "/genmon-alerts.yml'", "promtool-rules");
    CHECK_MESSAGE(rules.status == 0, rules.output);
    const ToolRun config = runTool(std::string(kPromtool) + " check config '" + assets + "/prometheus.yml'", "promtool-config");
    CHECK_MESSAGE(config.status == 0, config.output);
    // Backend down for 2 minutes, failures rising: promtool's rule tests (synthetic series).
    const ToolRun fire = runTool(std::string(kPromtool) + " test rules '" + std::string(GENMON_SOURCE_DIR) +
                                     "/tests/app/prometheus/genmon-alerts.test.yml'",
                                 "promtool-test-rules");
    CHECK_MESSAGE(fire.status == 0, fire.output);
}

#endif
