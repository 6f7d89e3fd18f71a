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

TEST(RequestValidationTest, ChildKindIsNotAcceptedYet) {
  v1::CreateRequestRequest call = ValidAnonymous();
  call.mutable_request()->set_kind(v1::REQUEST_KIND_CHILD);
  EXPECT_EQ(ValidateCreate(call).code(), absl::StatusCode::kUnimplemented);
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
