#pragma once
// Runs the real genmon and genmon-sim programs for the shutdown tests (issue 14.2): fork + execve
// with stdout and stderr in files, signals from outside, the exit status and how long it took.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

extern char** environ;

namespace genmon::proctest {

using namespace std::chrono_literals;

inline std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline bool waitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 15s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return pred();
}

struct Exit {
    bool exited = false;   // it ended by itself (not killed by the test's limit)
    int code = -1;         // exit status when it exited
    int signal = 0;        // the signal that ended it, if one did
    double seconds = 0;    // from the signal the test sent (or the start) to the end
};

// One child process. Output goes to <name>-<pid>.out / .err in the test output folder.
class Process {
public:
    Process(std::vector<std::string> argv, const std::string& name, std::vector<std::string> extraEnv = {}) {
        const auto dir = test::outputDir();
        outPath_ = (dir / (name + "-" + std::to_string(::getpid()) + ".out")).string();
        errPath_ = (dir / (name + "-" + std::to_string(::getpid()) + ".err")).string();
        // Everything the child needs is made before fork: the test process has threads (the sim),
        // so the child may only call async-signal-safe functions before execve.
        std::vector<char*> args;
        for (auto& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        std::vector<std::string> envStrings;
        for (char** e = environ; *e; ++e) {
            const std::string entry = *e;
            bool overridden = false;
            for (const auto& x : extraEnv) overridden = overridden || entry.rfind(x.substr(0, x.find('=') + 1), 0) == 0;
            if (!overridden) envStrings.push_back(entry);
        }
        for (const auto& x : extraEnv) envStrings.push_back(x);
        std::vector<char*> env;
        for (auto& e : envStrings) env.push_back(e.data());
        env.push_back(nullptr);
        const int out = ::open(outPath_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        const int err = ::open(errPath_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        REQUIRE(out >= 0);
        REQUIRE(err >= 0);
        REQUIRE(in >= 0);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::dup2(in, 0);
            ::dup2(out, 1);
            ::dup2(err, 2);
            ::execve(args[0], args.data(), env.data());
            ::_exit(127);
        }
        ::close(out);
        ::close(err);
        ::close(in);
        started_ = std::chrono::steady_clock::now();
    }
    ~Process() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    pid_t pid() const { return pid_; }
    std::string out() const { return slurp(outPath_); }
    std::string err() const { return slurp(errPath_); }

    // Sends a signal and notes when, for the time Exit::seconds reports.
    void signal(int signo) {
        REQUIRE(pid_ > 0);
        signalledAt_ = std::chrono::steady_clock::now();
        REQUIRE(::kill(pid_, signo) == 0);
    }

    // Waits for the end; after `limit` the child is killed and Exit::exited is false.
    Exit wait(std::chrono::milliseconds limit = 10s) {
        Exit e;
        REQUIRE(pid_ > 0);
        const auto from = signalledAt_ ? *signalledAt_ : started_;
        const auto deadline = std::chrono::steady_clock::now() + limit;
        int status = 0;
        for (;;) {
            const pid_t r = ::waitpid(pid_, &status, WNOHANG);
            if (r == pid_) break;
            if (std::chrono::steady_clock::now() >= deadline) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, &status, 0);
                pid_ = -1;
                e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - from).count();
                return e;
            }
            std::this_thread::sleep_for(2ms);
        }
        pid_ = -1;
        e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - from).count();
        if (WIFEXITED(status)) {
            e.exited = true;
            e.code = WEXITSTATUS(status);
        } else if (WIFSIGNALED(status)) {
            e.signal = WTERMSIG(status);
        }
        return e;
    }

private:
    pid_t pid_ = -1;
    std::string outPath_, errPath_;
    std::chrono::steady_clock::time_point started_;
    std::optional<std::chrono::steady_clock::time_point> signalledAt_;
};

}  // namespace genmon::proctest
