// Figure 9: start-up, the whole-process wall time of one command (spawn to exit), median of
// several runs after one untimed run (page cache warm).
//   bench_startup [--quick] [--out FILE] --id 9 --name "..." -- COMMAND ARGS...
// scripts/bench picks the command: `genmon --demo --screenshot OUT.png` when main.cpp wires
// --demo, else `genmon --screenshot OUT.png --fixture tests/screenshots/fixtures/busy_queue.json`.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include "harness.hpp"

extern char** environ;

using namespace genmon::bench;

namespace {

// Runs the command with stdout and stderr sent to /dev/null; returns its exit status (-1: no start).
int runOnce(const std::vector<std::string>& cmd, std::string& firstError) {
    std::vector<char*> argv;
    for (const auto& a : cmd) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        firstError = "cannot start " + cmd[0] + ": " + std::strerror(rc);
        return -1;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

}  // namespace

int main(int argc, char** argv) {
    Options opt = parseOptions(argc, argv);
    Reporter report(opt);
    std::string id = "9", name = "start-up: whole process wall time";
    std::vector<std::string> cmd;
    for (size_t i = 0; i < opt.rest.size(); ++i) {
        if (opt.rest[i] == "--id" && i + 1 < opt.rest.size())
            id = opt.rest[++i];
        else if (opt.rest[i] == "--name" && i + 1 < opt.rest.size())
            name = opt.rest[++i];
        else if (opt.rest[i] == "--") {
            cmd.assign(opt.rest.begin() + static_cast<std::ptrdiff_t>(i) + 1, opt.rest.end());
            break;
        }
    }
    if (!opt.wants(id)) return 0;
    if (cmd.empty()) {
        std::fprintf(stderr, "usage: bench_startup [--quick] [--out FILE] --id ID --name NAME -- COMMAND ARGS...\n");
        return 2;
    }
    std::string error;
    std::string cmdline;
    for (const auto& a : cmd) cmdline += (cmdline.empty() ? "" : " ") + a;
    if (const int st = runOnce(cmd, error); st != 0) {  // warm-up, and a check that it works
        report.unavailable(id, name, "s", error.empty() ? cmdline + " exited with " + std::to_string(st) : error);
        return 0;
    }
    runRounds(opt, report, [&] {
        Samples s;
        const int runs = opt.reps(10, 5);
        for (int i = 0; i < runs; ++i) {
            const int64_t t0 = nowNs();
            const int st = runOnce(cmd, error);
            s.add(static_cast<double>(nowNs() - t0));
            if (st != 0) {
                report.unavailable(id, name, "s", cmdline + " exited with " + std::to_string(st));
                return;
            }
        }
        report.add(id, name, s.median() / 1e9, "s", Target::atMost(1.5), "`" + cmdline + "`: " + describeNs(s, 1e9, "s"));
    });
    return 0;
}
