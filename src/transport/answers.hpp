#pragma once
// The backend's answers as the orchestrator wants them: request paths and body decoding shared
// by RealTransport (answers from the network) and ReplayTransport (answers from a recording),
// so a replay reads a body exactly as the live session did.
#include <cstddef>
#include <cstdint>
#include <string>

#include "model/error.hpp"
#include "model/image.hpp"
#include "orchestrator/transport.hpp"
#include "protocol/decode.hpp"
#include "protocol/image_codec.hpp"

namespace genmon::transport {

// Paths relative to the base URL (no leading slash), as RealTransport asks for them.
std::string systemStatusPath();
std::string activeJobsPath(int limit);
std::string resultsPath(int limit, int offset);
std::string downloadPath(const std::string& resultId);

// 200 with an empty or non-JSON body: FetchedStatus{nullopt} and a warning (spec §1.2).
model::Outcome<orchestrator::FetchedStatus> decodeStatusAnswer(protocol::Decoder& decoder, const std::string& body);
model::Outcome<orchestrator::FetchedJobs> decodeJobsAnswer(protocol::Decoder& decoder, const std::string& body,
                                                           int64_t nowMicros);
model::Outcome<orchestrator::FetchedResults> decodeResultsAnswer(protocol::Decoder& decoder, const std::string& body,
                                                                 int64_t nowMicros);
// Hands a decoded socket message to the sink as one Update, moved out of the message
// (connected, subscription_confirmed and unknown types carry nothing for it): the live socket
// and the replay deliver the same way.
void deliverPush(orchestrator::UpdateSink& sink, protocol::WsMessage& message);

// Image bytes (or base64 text) to a thumbnail, with the limits on bytes and dimensions.
model::Outcome<model::ImagePtr> thumbnailFromBytes(const uint8_t* data, size_t size, const protocol::ImageLimits& limits,
                                                   int maxSide);
model::Outcome<model::ImagePtr> thumbnailFromBase64(const std::string& text, const protocol::ImageLimits& limits,
                                                    int maxSide);

}  // namespace genmon::transport
