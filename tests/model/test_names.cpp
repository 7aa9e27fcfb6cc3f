// Issue 15.3: every enum <-> text table lives once, in model/names; each name reads back as the
// value that wrote it, and the names are the ones snapshots, recordings and fixtures already use.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "model/names.hpp"

using namespace genmon::model;

TEST_CASE("issue 15.3: every connection phase has one name that reads back as the same phase") {
    const ConnectionPhase all[] = {ConnectionPhase::Idle,         ConnectionPhase::Connecting,
                                   ConnectionPhase::Connected,    ConnectionPhase::Reconnecting,
                                   ConnectionPhase::Disconnected, ConnectionPhase::Paused};
    const char* expected[] = {"idle", "connecting", "connected", "reconnecting", "disconnected", "paused"};
    for (size_t i = 0; i < std::size(all); ++i) {
        CAPTURE(i);
        CHECK(std::string_view(phaseName(all[i])) == expected[i]);
        CHECK(phaseFromName(phaseName(all[i])) == all[i]);
    }
    CHECK_FALSE(phaseFromName("Connected"));  // names are exact, as written to files
    CHECK_FALSE(phaseFromName(""));
    CHECK_FALSE(phaseFromName("online"));
}

TEST_CASE("issue 15.3: image state and image source names read back, unknown ones do not") {
    for (ImageState s : {ImageState::None, ImageState::Loading, ImageState::Ready, ImageState::Failed})
        CHECK(imageStateFromName(imageStateName(s)) == s);
    CHECK(std::string_view(imageStateName(ImageState::Loading)) == "loading");
    CHECK_FALSE(imageStateFromName("pending"));
    for (ImageSource s : {ImageSource::None, ImageSource::Base64, ImageSource::ServerPath})
        CHECK(imageSourceFromName(imageSourceName(s)) == s);
    CHECK(std::string_view(imageSourceName(ImageSource::ServerPath)) == "server_path");
    CHECK_FALSE(imageSourceFromName("url"));
}

TEST_CASE("spec 3.1-3.2: both progress spellings are one kind, and each kind is written by its envelope name") {
    CHECK(socketMessageKind("progress_update") == SocketMessageKind::Progress);
    CHECK(socketMessageKind("generation_progress") == SocketMessageKind::Progress);
    CHECK(std::string_view(socketMessageName(SocketMessageKind::Progress)) == "progress_update");
    for (SocketMessageKind k :
         {SocketMessageKind::Connected, SocketMessageKind::SubscriptionConfirmed, SocketMessageKind::Started,
          SocketMessageKind::Progress, SocketMessageKind::Complete, SocketMessageKind::GenerationError,
          SocketMessageKind::QueueUpdate, SocketMessageKind::SystemStatus}) {
        CAPTURE(static_cast<int>(k));
        CHECK(socketMessageKind(socketMessageName(k)) == k);
    }
    CHECK(socketMessageKind("Progress_Update") == SocketMessageKind::Unknown);
    CHECK(socketMessageKind("pong") == SocketMessageKind::Unknown);
    CHECK(std::string_view(socketMessageName(SocketMessageKind::Unknown)).empty());
}
