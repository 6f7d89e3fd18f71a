#include "services/common/records/records.h"

#include "olifantenpad/consent/v1/consent.pb.h"
#include "olifantenpad/referrals/v1/referrals.pb.h"

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

TEST(RecordsTest, AFingerprintStandsForItsContentOnly) {
  olifantenpad::common::v1::ProfessionalRef a, b;
  a.set_professional_id("prof-sanne-bakker");
  b.set_professional_id("prof-ayla-yilmaz");
  const std::string fa = ContentFingerprint(DeterministicBytes(a));
  EXPECT_EQ(fa.size(), 7u + 32u);
  EXPECT_EQ(fa.substr(0, 7), "sha256:");
  EXPECT_EQ(fa, ContentFingerprint(DeterministicBytes(a)));
  EXPECT_NE(fa, ContentFingerprint(DeterministicBytes(b)));
  // A row stores the fingerprint now ...
  EXPECT_TRUE(SameContent(fa, fa));
  EXPECT_FALSE(SameContent(ContentFingerprint(DeterministicBytes(b)), fa));
  // ... and rows written before hold the whole content, compared as it was.
  EXPECT_TRUE(SameContent(DeterministicBytes(a), fa));
  EXPECT_FALSE(SameContent(DeterministicBytes(b), fa));
  EXPECT_FALSE(SameContent("", fa));
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

namespace olif::records {
namespace {

TEST(RecordsTest, ClearOutputOnlyLeavesWhatTheClientChose) {
  olifantenpad::referrals::v1::DirectLineRequest r;
  r.set_question("De groep is onrustig sinds de verhuizing.");
  r.mutable_child()->set_child_ref("5d1e8a43-2b6f-4c7d-9e10-a2b3c4d5e6f7");
  r.mutable_requester()->set_location_id("loc-boomgaard-noord");
  const olifantenpad::referrals::v1::DirectLineRequest client = r;
  // What the server sets, at field numbers before and after the client's own.
  r.set_id("0b8f3c52-6a1e-4d0e-9a57-3c2d1e0f4a6b");
  r.set_status(olifantenpad::referrals::v1::REQUEST_STATUS_SUBMITTED);
  r.mutable_expert()->set_professional_id("prof-anna-de-vries");
  r.set_version(3);
  r.add_messages()->set_text("Ik kom donderdag langs.");
  r.set_withdraw_reason("opgelost");
  ClearOutputOnly(r);
  EXPECT_EQ(DeterministicBytes(r), DeterministicBytes(client)) << r.DebugString();

  olifantenpad::consent::v1::Consent c;
  c.set_id("3f0c3a5e-1b2d-4c6e-8f90-a1b2c3d4e5f6");
  c.set_status(olifantenpad::consent::v1::CONSENT_STATUS_WITHDRAWN);
  c.add_recipient_organisation_ids("org-jz-het-kompas");
  ClearOutputOnly(c);
  EXPECT_TRUE(c.id().empty());
  EXPECT_EQ(c.status(), olifantenpad::consent::v1::CONSENT_STATUS_UNSPECIFIED);
  ASSERT_EQ(c.recipient_organisation_ids_size(), 1);
}

}  // namespace
}  // namespace olif::records
