// Every invalid field of a handover call is named by its path; the OSO code
// lists refuse what is outside them and never make up a label.

#include "services/handover/handover_validation.h"

#include <gtest/gtest.h>

#include <set>

#include "services/common/ids/ids.h"
#include "services/handover/testing_util.h"

namespace olif::handover {
namespace {

namespace cfg = olifantenpad::config::v1;

std::set<std::string> Fields(const absl::Status& s) {
  google::rpc::BadRequest bad;
  std::set<std::string> out;
  if (GetBadRequest(s, &bad)) {
    for (const auto& v : bad.field_violations()) out.insert(v.field());
  }
  return out;
}

class HandoverValidationTest : public testing::Test {
 protected:
  absl::Status Check(const v1::HandoverForm& form) {
    v1::CreateDraftRequest call;
    call.set_request_id(NewUuid());
    *call.mutable_form() = form;
    return ValidateCreateDraft(call, {*directory_->Get(), lists_});
  }
  std::unique_ptr<directory::DirectoryHolder> directory_ = olif::testing_util::DevDirectory();
  CodeLists lists_ = testing_util::ShippedCodeLists();
};

TEST_F(HandoverValidationTest, TheExampleFormsAreValid) {
  EXPECT_TRUE(Check(examples::VeChild(NewUuid())).ok()) << Check(examples::VeChild(NewUuid()));
  EXPECT_TRUE(Check(examples::PlainChild(NewUuid())).ok());
}

TEST_F(HandoverValidationTest, EveryInvalidFieldIsNamedByItsPath) {
  v1::HandoverForm f = examples::VeChild("not-a-uuid");
  f.mutable_child()->set_bsn("123456789");  // fails the 11-check
  f.mutable_child()->set_birth_date("18-04-2023");
  f.mutable_guardians(1)->set_relation(v1::GUARDIAN_RELATION_UNSPECIFIED);
  f.mutable_guardians(0)->set_email("geen-adres");
  f.mutable_sender()->set_lrk_number("999999999");
  f.mutable_sender()->set_author_id("prof-anna-de-vries");  // works for youth care
  f.mutable_receiver()->set_brin("12ab");
  f.mutable_receiver()->set_expected_start_date("2027-02-30");
  f.mutable_attendance()->set_group_id("grp-onbekend");
  f.mutable_attendance()->set_half_days_per_week(11);
  f.mutable_ve()->set_programme_code("16");
  f.mutable_ve()->set_history_code("x");
  f.mutable_ve()->set_months(25);
  f.mutable_development(1)->set_observed_at("");
  f.mutable_development(2)->set_instrument_other("");
  f.mutable_development(0)->set_area_other("iets");
  f.mutable_professionals(0)->set_role("");
  f.set_particulars(std::string(4001, 'a'));
  EXPECT_EQ(
      Fields(Check(f)),
      (std::set<std::string>{
          "form.child.child_ref", "form.child.bsn", "form.child.birth_date",
          "form.guardians[1].relation", "form.guardians[0].email", "form.sender.lrk_number",
          "form.sender.author_id", "form.receiver.brin", "form.receiver.expected_start_date",
          "form.attendance.group_id", "form.attendance.half_days_per_week",
          "form.ve.programme_code", "form.ve.history_code", "form.ve.months",
          "form.development[1].observed_at", "form.development[2].instrument_other",
          "form.development[0].area_other", "form.professionals[0].role", "form.particulars"}));
}

TEST_F(HandoverValidationTest, UnknownSchoolsLocationsAndMissingPartsAreRefused) {
  v1::HandoverForm f = examples::VeChild(NewUuid());
  f.mutable_receiver()->set_brin("99ZZ");
  f.mutable_sender()->set_location_id("loc-onbekend");
  f.clear_guardians();
  f.clear_development();
  f.mutable_ve()->clear_programme_code();
  EXPECT_EQ(Fields(Check(f)), (std::set<std::string>{
                                  "form.receiver.brin", "form.sender.location_id", "form.guardians",
                                  "form.development", "form.ve.programme_code"}));
}

TEST(CodeListsTest, AValidCodeWithoutARecordedLabelKeepsItsCodeAndSaysSo) {
  const CodeLists lists = testing_util::ShippedCodeLists();
  EXPECT_FALSE(lists.Check(kProgrammeList, "15").has_value());
  EXPECT_TRUE(lists.Check(kProgrammeList, "0").has_value());
  EXPECT_TRUE(lists.Check(kProgrammeList, "16").has_value());
  const Coding c = lists.Resolve(kProgrammeList, "3");
  EXPECT_EQ(c.code, "3");
  EXPECT_EQ(c.label, "");
  EXPECT_EQ(c.system, "urn:olifantenpad:oso:voorschools:codelijst-9");
  EXPECT_NE(lists.SourceOf(kProgrammeList).find("codelijst 9"), std::string::npos);
}

TEST(CodeListsTest, ARecordedLabelIsShownAndABadFileIsRefusedWithTheReason) {
  cfg::CodeLists file;
  for (int n = kReferrerList; n <= kProgrammeList; ++n) {
    cfg::CodeList& l = *file.add_lists();
    l.set_number(n);
    l.set_name("lijst");
    l.set_source("test");
    l.set_system("urn:test");
  }
  file.mutable_lists(3)->set_min_code(1);
  file.mutable_lists(3)->set_max_code(15);
  cfg::Code& code = *file.mutable_lists(3)->add_codes();
  code.set_code("2");
  code.set_label("Programma twee");
  absl::StatusOr<CodeLists> lists = CodeLists::Create(file);
  ASSERT_TRUE(lists.ok()) << lists.status();
  EXPECT_EQ(lists->Resolve(kProgrammeList, "2").label, "Programma twee");

  cfg::CodeLists no_label = file;
  no_label.mutable_lists(3)->mutable_codes(0)->clear_label();
  EXPECT_NE(CodeLists::Create(no_label).status().message().find("has no label"), std::string::npos);
  cfg::CodeLists out_of_range = file;
  out_of_range.mutable_lists(3)->mutable_codes(0)->set_code("20");
  EXPECT_NE(CodeLists::Create(out_of_range).status().message().find("outside 1-15"),
            std::string::npos);
  cfg::CodeLists missing = file;
  missing.mutable_lists()->RemoveLast();
  EXPECT_NE(CodeLists::Create(missing).status().message().find("code list 9 is missing"),
            std::string::npos);
}

}  // namespace
}  // namespace olif::handover
