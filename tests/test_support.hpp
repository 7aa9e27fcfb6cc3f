#pragma once
// Helpers shared by the test executables: fixture loading and output paths.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace genmon::test {

inline std::filesystem::path fixturesDir() { return GENMON_FIXTURES_DIR; }
inline std::filesystem::path outputDir() {
    std::filesystem::path p = GENMON_TEST_OUTPUT_DIR;
    std::filesystem::create_directories(p);
    return p;
}

inline std::string readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The text of a captured upstream fixture (tests/fixtures/upstream/<name>).
inline std::string upstreamFixture(const std::string& name) { return readFile(fixturesDir() / "upstream" / name); }

}  // namespace genmon::test
