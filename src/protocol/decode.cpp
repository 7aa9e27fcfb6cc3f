// The Decoder's lifetime. Each payload's decoder is in its own file (see decoders.hpp for the
// map); all of them are written on the reader core in json_read.hpp.
#include "protocol/decoders.hpp"

namespace genmon::protocol {

Decoder::Decoder(DecodeLimits limits) : impl_(std::make_unique<Impl>(limits)) {}
Decoder::~Decoder() = default;

DecodeTally Decoder::tally() const noexcept { return impl_->tally; }

}  // namespace genmon::protocol
