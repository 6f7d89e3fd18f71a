#include "services/common/bus/frames.h"

#include <gtest/gtest.h>

namespace olif::bus {
namespace {

TEST(FramesTest, RoundTrip) {
  v1::ConsumerFrame fetch;
  fetch.mutable_fetch()->set_consumer("youthcare-fhir");
  fetch.mutable_fetch()->set_after_seq(41);
  auto parts = Encode(fetch);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], kProtocol);
  auto decoded = DecodeConsumerFrame(parts);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->fetch().after_seq(), 41);

  v1::ProducerFrame batch;
  batch.mutable_batch()->set_scanned_to_seq(50);
  EXPECT_EQ(DecodeProducerFrame(Encode(batch))->batch().scanned_to_seq(), 50);
}

TEST(FramesTest, MalformedMessagesAreRefusedWithAReason) {
  EXPECT_EQ(DecodeConsumerFrame({}).status().message(),
            "consumer frame: expected 2 message parts, got 0");
  EXPECT_EQ(DecodeConsumerFrame({kProtocol, "", "extra"}).status().message(),
            "consumer frame: expected 2 message parts, got 3");
  EXPECT_EQ(DecodeConsumerFrame({"olif.bus.v9", ""}).status().message(),
            "consumer frame: unsupported protocol 'olif.bus.v9', expected olif.bus.v1");
  EXPECT_EQ(DecodeConsumerFrame({kProtocol, std::string("\xff\xff\xff", 3)}).status().message(),
            "consumer frame: frame does not parse");
  EXPECT_EQ(DecodeProducerFrame({kProtocol, ""}).status().message(),
            "producer frame: frame has no content");
}

TEST(FramesTest, ErrorFrameCarriesCodeAndRequest) {
  v1::ProducerFrame f = ErrorFrame(v1::BUS_ERROR_CODE_INVALID_FETCH, "bad", 7);
  EXPECT_EQ(f.error().code(), v1::BUS_ERROR_CODE_INVALID_FETCH);
  EXPECT_EQ(f.error().request_no(), 7u);
}

}  // namespace
}  // namespace olif::bus
