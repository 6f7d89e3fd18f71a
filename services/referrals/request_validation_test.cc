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

namespace olif::referrals {
namespace {

v1::AddMessageRequest Message(const std::string& text) {
  v1::AddMessageRequest call;
  call.set_id("0b8f3c52-6a1e-4d0e-9a57-3c2d1e0f4a6b");
  call.set_version(2);
  call.mutable_message()->set_author(v1::AUTHOR_EXPERT);
  call.mutable_message()->set_text(text);
  return call;
}

TEST(RequestValidationTest, AMessageIsLimitedInCharactersNotBytes) {
  // 4,000 characters of two bytes each (8,000 bytes) are within the limit.
  std::string accented;
  for (int i = 0; i < kMaxMessageChars; ++i) accented += "\xC3\xA9";  // é
  EXPECT_TRUE(ValidateAddMessage(Message(accented)).ok());
  // 4,001 plain characters are not, though far below 16,000 bytes.
  absl::Status s = ValidateAddMessage(Message(std::string(kMaxMessageChars + 1, 'a')));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "message.text: must be 1 to 4000 characters, not 4001");
  EXPECT_EQ(ValidateAddMessage(Message("")).message(),
            "message.text: must be 1 to 4000 characters, not 0");
}

TEST(RequestValidationTest, AGroupQuestionNeedsTheGroupAtThatLocationInTheDirectory) {
  auto dir = testing_util::DevDirectory()->Get();
  EXPECT_TRUE(ValidateInDirectory(ValidGroup(), *dir).ok());
  v1::CreateRequestRequest elsewhere = ValidGroup();
  // A group of another location of the same chain.
  elsewhere.mutable_request()->mutable_group()->set_group_id("grp-kikkers");
  absl::Status s = ValidateInDirectory(elsewhere, *dir);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "request.group.group_id: 'grp-kikkers' is not a group of location "
            "loc-boomgaard-noord in the directory");
  v1::CreateRequestRequest unknown = ValidAnonymous("loc-nergens");
  EXPECT_EQ(ValidateInDirectory(unknown, *dir).message(),
            "request.requester.location_id: 'loc-nergens' is not a location in the directory");
}

}  // namespace
}  // namespace olif::referrals
