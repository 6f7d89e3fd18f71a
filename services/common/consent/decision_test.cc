#include "services/common/consent/decision.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

namespace olif::consent {
namespace {

const absl::Time kFrom =
    absl::FromCivil(absl::CivilSecond(2026, 9, 1, 0, 0, 0), absl::UTCTimeZone());
const absl::Time kUntil =
    absl::FromCivil(absl::CivilSecond(2027, 9, 1, 0, 0, 0), absl::UTCTimeZone());
const absl::Time kMid = kFrom + absl::Hours(24 * 30);

ConsentTerms DirectLine(TermsState state = TermsState::kActive) {
  return {.consent_id = "c-1",
          .purposes = {v1::PURPOSE_DIRECT_LINE, v1::PURPOSE_GROUP_DISCUSSION},
          .recipients = {"org-jz-het-kompas"},
          .valid_from = kFrom,
          .valid_until = kUntil,
          .state = state,
          .state_changed_at = kMid};
}

struct Row {
  const char* name;
  std::vector<ConsentTerms> consents;
  v1::Purpose purpose;
  std::string recipient;
  absl::Time at;
  bool permitted;
  std::string reason;  // when denied
};

TEST(DecisionTest, RuleTable) {
  const std::vector<Row> table = {
      {"active, covered",
       {DirectLine()},
       v1::PURPOSE_DIRECT_LINE,
       "org-jz-het-kompas",
       kMid,
       true,
       ""},
      {"second purpose",
       {DirectLine()},
       v1::PURPOSE_GROUP_DISCUSSION,
       "org-jz-het-kompas",
       kMid,
       true,
       ""},
      {"no consent at all",
       {},
       v1::PURPOSE_DIRECT_LINE,
       "org-jz-het-kompas",
       kMid,
       false,
       "no consent is recorded for this child"},
      {"wrong purpose",
       {DirectLine()},
       v1::PURPOSE_SCHOOL_HANDOVER,
       "org-jz-het-kompas",
       kMid,
       false,
       "no consent covers purpose school_handover"},
      {"wrong recipient",
       {DirectLine()},
       v1::PURPOSE_DIRECT_LINE,
       "org-jz-wijkteam-oost",
       kMid,
       false,
       "no consent for purpose direct_line names recipient org-jz-wijkteam-oost"},
      {"withdrawn",
       {DirectLine(TermsState::kWithdrawn)},
       v1::PURPOSE_DIRECT_LINE,
       "org-jz-het-kompas",
       kMid,
       false,
       "consent c-1 was withdrawn at 2026-10-01T00:00:00Z"},
      {"withdrawn, asked about a moment before the withdrawal",
       {DirectLine(TermsState::kWithdrawn)},
       v1::PURPOSE_DIRECT_LINE,
       "org-jz-het-kompas",
       kFrom + absl::Hours(1),
       false,
       "consent c-1 was withdrawn at 2026-10-01T00:00:00Z"},
      {"expired",
       {DirectLine(TermsState::kExpired)},
       v1::PURPOSE_DIRECT_LINE,
       "org-jz-het-kompas",
       kMid,
       false,
       "consent c-1 expired at 2027-09-01T00:00:00Z"},
      {"exactly at valid_from",
       {DirectLine()},
       v1::PURPOSE_DIRECT_LINE,
       "org-jz-het-kompas",
       kFrom,
       true,
       ""},
      {"just before valid_from",
       {DirectLine()},
       v1::PURPOSE_DIRECT_LINE,
       "org-jz-het-kompas",
       kFrom - absl::Microseconds(1),
       false,
       "consent c-1 is valid from 2026-09-01T00:00:00Z"},
      {"just before valid_until",
       {DirectLine()},
       v1::PURPOSE_DIRECT_LINE,
       "org-jz-het-kompas",
       kUntil - absl::Microseconds(1),
       true,
       ""},
      {"exactly at valid_until, before the expiry job ran",
       {DirectLine()},
       v1::PURPOSE_DIRECT_LINE,
       "org-jz-het-kompas",
       kUntil,
       false,
       "consent c-1 expired at 2027-09-01T00:00:00Z"},
  };
  for (const Row& row : table) {
    SCOPED_TRACE(row.name);
    v1::Decision d = Decide(row.consents, row.purpose, row.recipient, row.at);
    EXPECT_EQ(d.permitted(), row.permitted);
    if (row.permitted) {
      EXPECT_EQ(d.consent_id(), "c-1");
      EXPECT_EQ(d.reason(), "");
    } else {
      EXPECT_EQ(d.consent_id(), "");
      EXPECT_EQ(d.reason(), row.reason);
    }
  }
}

TEST(DecisionTest, AnActiveConsentPermitsBesideAWithdrawnOne) {
  ConsentTerms renewed = DirectLine();
  renewed.consent_id = "c-2";
  v1::Decision d = Decide({DirectLine(TermsState::kWithdrawn), renewed}, v1::PURPOSE_DIRECT_LINE,
                          "org-jz-het-kompas", kMid);
  EXPECT_TRUE(d.permitted());
  EXPECT_EQ(d.consent_id(), "c-2");
}

TEST(DecisionTest, PurposeCodes) {
  EXPECT_EQ(PurposeCode(v1::PURPOSE_DIRECT_LINE), "direct_line");
  EXPECT_EQ(PurposeCode(v1::PURPOSE_WARM_HANDOVER), "warm_handover");
}

}  // namespace
}  // namespace olif::consent
