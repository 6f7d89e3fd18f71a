#include "services/consent/consent_rules.h"

#include <gtest/gtest.h>

#include <google/protobuf/util/time_util.h>

namespace olif::consent {
namespace {

using google::protobuf::util::TimeUtil;

const absl::Time kAt =
    absl::FromCivil(absl::CivilSecond(2026, 11, 23, 10, 0, 0), absl::UTCTimeZone());

v1::Grantor Parent(const std::string& name, bool authority = true) {
  v1::Grantor g;
  g.set_name(name);
  g.set_relation(v1::RELATION_PARENT);
  g.set_has_authority(authority);
  if (authority) g.set_authority_verified_how("uittreksel gezagsregister");
  *g.mutable_signed_at() = TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(kAt));
  g.set_method(v1::SIGNING_METHOD_DIGITAL);
  return g;
}

// A child born `age` years before kAt (one day earlier, so the birthday has passed).
std::string BornYearsAgo(int age) {
  const absl::CivilDay d = absl::ToCivilDay(kAt, absl::UTCTimeZone()) - 1;
  return absl::FormatCivilTime(absl::CivilDay(d.year() - age, d.month(), d.day()));
}

struct Row {
  int age;
  int holders;
  int parents_signed;
  bool child_assents;
  absl::StatusCode expected;
  const char* message;  // for FAILED_PRECONDITION
};

TEST(ConsentRulesTest, WhoMustSignByAgeAndAuthority) {
  const std::vector<Row> table = {
      {3, 1, 1, false, absl::StatusCode::kOk, ""},
      {3, 2, 2, false, absl::StatusCode::kOk, ""},
      {3, 2, 1, false, absl::StatusCode::kFailedPrecondition,
       "consent for a child of 3 needs the signature of both parents with joint authority (1 of 2 "
       "signed)"},
      {3, 1, 0, false, absl::StatusCode::kFailedPrecondition,
       "consent for a child of 3 needs the signature of the parent with authority"},
      {11, 2, 2, false, absl::StatusCode::kOk, ""},
      {11, 1, 1, true, absl::StatusCode::kOk, ""},  // an assent under 12 does no harm
      {12, 1, 1, false, absl::StatusCode::kFailedPrecondition,
       "consent for a child of 12 needs the signature of the child (age 12)"},
      {12, 1, 1, true, absl::StatusCode::kOk, ""},
      {15, 2, 1, true, absl::StatusCode::kFailedPrecondition,
       "consent for a child of 15 needs the signature of both parents with joint authority (1 of 2 "
       "signed)"},
      {15, 2, 0, false, absl::StatusCode::kFailedPrecondition,
       "consent for a child of 15 needs the signature of both parents with joint authority (0 of 2 "
       "signed) and of the child (age 15)"},
      {15, 2, 2, true, absl::StatusCode::kOk, ""},
      {16, 0, 0, true, absl::StatusCode::kOk, ""},
      {16, 2, 2, false, absl::StatusCode::kFailedPrecondition,
       "consent for a child of 16 needs the signature of the child (age 16)"},
  };
  for (const Row& row : table) {
    SCOPED_TRACE(absl::StrCat("age ", row.age, ", holders ", row.holders, ", parents ",
                              row.parents_signed, ", child ", row.child_assents));
    v1::Consent d;
    d.set_child_birth_date(BornYearsAgo(row.age));
    d.set_holders_of_authority(row.holders);
    for (int i = 0; i < row.parents_signed; ++i)
      *d.add_grantors() = Parent(absl::StrCat("Ouder ", i + 1));
    if (row.child_assents) {
      *d.mutable_child_assent()->mutable_signed_at() =
          TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(kAt));
      d.mutable_child_assent()->set_method(v1::SIGNING_METHOD_PAPER);
    }
    absl::Status s = CheckSignatures(d, kAt);
    EXPECT_EQ(s.code(), row.expected) << s;
    if (row.expected == absl::StatusCode::kFailedPrecondition) {
      EXPECT_EQ(s.message(), row.message);
    }
  }
}

TEST(ConsentRulesTest, AParentWithoutAuthorityDoesNotCount) {
  v1::Consent d;
  d.set_child_birth_date(BornYearsAgo(4));
  d.set_holders_of_authority(1);
  *d.add_grantors() = Parent("Stiefouder", /*authority=*/false);
  EXPECT_EQ(CheckSignatures(d, kAt).code(), absl::StatusCode::kFailedPrecondition);
  *d.add_grantors() = Parent("Moeder");
  EXPECT_TRUE(CheckSignatures(d, kAt).ok());
}

TEST(ConsentRulesTest, TheSameParentTwiceIsRefused) {
  v1::Consent d;
  d.set_child_birth_date(BornYearsAgo(4));
  d.set_holders_of_authority(2);
  *d.add_grantors() = Parent("Moeder");
  *d.add_grantors() = Parent("Moeder");
  EXPECT_EQ(CheckSignatures(d, kAt).message(), "grantors[1].name: signs twice");
}

TEST(ConsentRulesTest, MalformedDraftsNameTheField) {
  v1::Consent d;
  d.set_child_birth_date("23-11-2022");
  EXPECT_EQ(CheckSignatures(d, kAt).message(), "child_birth_date: must be a date as YYYY-MM-DD");
  d.set_child_birth_date("2031-01-01");
  EXPECT_EQ(CheckSignatures(d, kAt).message(), "child_birth_date: lies in the future");
  d.set_child_birth_date(BornYearsAgo(4));
  d.set_holders_of_authority(3);
  v1::Grantor g = Parent("Vader");
  g.clear_method();
  g.clear_authority_verified_how();
  *d.add_grantors() = g;
  absl::Status s = CheckSignatures(d, kAt);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      s.message(),
      "grantors[0].method: is required; grantors[0].authority_verified_how: is required for a "
      "grantor with authority; holders_of_authority: must be 1 (single) or 2 (joint authority)");
}

TEST(ConsentRulesTest, AgeTurnsOnTheBirthday) {
  EXPECT_EQ(*AgeOn("2014-11-23", kAt), 12);
  EXPECT_EQ(*AgeOn("2014-11-24", kAt), 11);
  EXPECT_EQ(*AgeOn("2012-02-29", kAt), 14);
}

TEST(ConsentRulesTest, ThresholdsAreConfigurable) {
  v1::Consent d;
  d.set_child_birth_date(BornYearsAgo(14));
  d.set_holders_of_authority(1);
  *d.add_grantors() = Parent("Moeder");
  EXPECT_EQ(CheckSignatures(d, kAt).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(
      CheckSignatures(d, kAt, {.child_assents_from_age = 15, .child_alone_from_age = 18}).ok());
}

}  // namespace
}  // namespace olif::consent
