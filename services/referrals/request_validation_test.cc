#include "services/referrals/request_validation.h"

#include <gtest/gtest.h>

#include "services/common/status/status.h"
#include "services/referrals/testing_util.h"

namespace olif::referrals {
namespace {

using testing_util::ValidAnonymous;
using testing_util::ValidGroup;

TEST(RequestValidationTest, ValidRequestsPass) {
  EXPECT_TRUE(ValidateCreate(ValidAnonymous()).ok());
  EXPECT_TRUE(ValidateCreate(ValidGroup()).ok());
}

TEST(RequestValidationTest, ChildKindNeedsAChildRefAndAValidIdentity) {
  v1::CreateRequestRequest call = testing_util::ValidChild();
  EXPECT_TRUE(ValidateCreate(call).ok()) << ValidateCreate(call);
  call.mutable_request()->mutable_child()->set_child_ref("kind-7");
  call.mutable_child_identity()->set_bsn("123456789");
  call.mutable_child_identity()->set_birth_date("14-05-2023");
  call.mutable_child_identity()->clear_family_name();
  absl::Status s = ValidateCreate(call);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("request.child.child_ref: must be a UUID"), absl::string_view::npos);
  EXPECT_NE(s.message().find("child_identity.family_name: is required"), absl::string_view::npos);
  EXPECT_NE(s.message().find("child_identity.birth_date: must be a date as YYYY-MM-DD"),
            absl::string_view::npos);
  EXPECT_NE(s.message().find("child_identity.bsn: "), absl::string_view::npos) << s;
  call.clear_child_identity();
  EXPECT_NE(
      ValidateCreate(call).message().find("child_identity: is required for REQUEST_KIND_CHILD"),
      absl::string_view::npos);
  v1::CreateRequestRequest anonymous = ValidAnonymous();
  *anonymous.mutable_child_identity() = testing_util::ValidChild().child_identity();
  EXPECT_EQ(ValidateCreate(anonymous).message(), "child_identity: is only for REQUEST_KIND_CHILD");
}

TEST(RequestValidationTest, EveryViolationIsReportedAtOnce) {
  v1::CreateRequestRequest call = ValidAnonymous();
  call.set_request_id("");
  call.mutable_request()->set_question("");
  call.mutable_request()->clear_question_domains();
  absl::Status s = ValidateCreate(call);
  google::rpc::BadRequest br;
  ASSERT_TRUE(GetBadRequest(s, &br));
  ASSERT_EQ(br.field_violations_size(), 3);
  EXPECT_EQ(br.field_violations(0).field(), "request_id");
  EXPECT_EQ(br.field_violations(1).field(), "request.question_domains");
  EXPECT_EQ(br.field_violations(2).field(), "request.question");
}

TEST(RequestValidationTest, QuestionLengthCountsCharactersNotBytes) {
  v1::CreateRequestRequest call = ValidAnonymous();
  call.mutable_request()->set_question("ééééééééé");  // 9 characters, 18 bytes
  EXPECT_EQ(ValidateCreate(call).message(),
            "request.question: must be 10 to 4000 characters, not 9");
  call.mutable_request()->set_question(std::string(4000, 'a'));
  EXPECT_TRUE(ValidateCreate(call).ok());
  call.mutable_request()->set_question("   too short    ");
  EXPECT_FALSE(ValidateCreate(call).ok());
}

}  // namespace
}  // namespace olif::referrals
