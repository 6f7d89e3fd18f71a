#include "services/common/records/records.h"

#include <gtest/gtest.h>

#include "olifantenpad/common/v1/refs.pb.h"

namespace olif::records {
namespace {

TEST(RecordsTest, DeterministicBytesAreEqualForEqualContent) {
  olifantenpad::common::v1::GroupRef a;
  a.set_location_id("loc-boomgaard-noord");
  a.set_group_id("grp-egeltjes");
  olifantenpad::common::v1::GroupRef b = a;
  EXPECT_EQ(DeterministicBytes(a), DeterministicBytes(b));
  b.set_group_id("grp-vlinders");
  EXPECT_NE(DeterministicBytes(a), DeterministicBytes(b));
}

TEST(RecordsTest, PageTokenRoundTripsAndIsBoundToItsFilters) {
  const PageCursor cursor{.create_time_us = 1763892000123456,
                          .id = "0b5e9c4a-7d2f-4e81-9a36-2c4d6e8f0a1b"};
  const std::string token = EncodePageToken({"loc-a", "2"}, cursor);
  absl::StatusOr<PageCursor> back = DecodePageToken(token, {"loc-a", "2"}, "keep x the same");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->create_time_us, cursor.create_time_us);
  EXPECT_EQ(back->id, cursor.id);

  EXPECT_EQ(DecodePageToken(token, {"loc-b", "2"}, "keep x the same").status().message(),
            "was issued for other filters; keep x the same while paging");
  EXPECT_EQ(DecodePageToken(token, {"loc-a"}, "keep x the same").status().message(),
            "is not a token this service issued");
  EXPECT_EQ(DecodePageToken("%%%", {"loc-a", "2"}, "").status().message(),
            "is not a token this service issued");
  EXPECT_EQ(
      DecodePageToken(EncodePageToken({"a"}, {.create_time_us = 1, .id = "not-a-uuid"}), {"a"}, "")
          .status()
          .message(),
      "is not a token this service issued");
}

}  // namespace
}  // namespace olif::records
