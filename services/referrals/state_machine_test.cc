#include "services/referrals/state_machine.h"

#include <gtest/gtest.h>

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace olif::referrals {
namespace {

// Every (state, action) pair: the status it leads to, or refused
// (UNSPECIFIED here) with FAILED_PRECONDITION stating the current state.
TEST(StateMachineTest, EveryStateAndAction) {
  using A = Action;
  constexpr auto kNo = v1::REQUEST_STATUS_UNSPECIFIED;
  const auto awaiting = v1::REQUEST_STATUS_AWAITING_CONSENT;
  const auto submitted = v1::REQUEST_STATUS_SUBMITTED;
  const auto accepted = v1::REQUEST_STATUS_ACCEPTED;
  const auto in_progress = v1::REQUEST_STATUS_IN_PROGRESS;
  const auto withdrawn = v1::REQUEST_STATUS_WITHDRAWN;
  //                                       accept    decline   cycle        message      resolve
  //                                       escalate   withdraw   reassign
  const std::map<v1::RequestStatus, std::vector<v1::RequestStatus>> table = {
      {awaiting, {kNo, kNo, kNo, kNo, kNo, kNo, withdrawn, awaiting}},
      {submitted,
       {accepted, v1::REQUEST_STATUS_DECLINED, kNo, submitted, kNo, kNo, withdrawn, submitted}},
      {accepted,
       {kNo, kNo, in_progress, accepted, v1::REQUEST_STATUS_RESOLVED, v1::REQUEST_STATUS_ESCALATED,
        withdrawn, accepted}},
      {in_progress,
       {kNo, kNo, in_progress, in_progress, v1::REQUEST_STATUS_RESOLVED,
        v1::REQUEST_STATUS_ESCALATED, withdrawn, in_progress}},
      {v1::REQUEST_STATUS_RESOLVED, {kNo, kNo, kNo, kNo, kNo, kNo, kNo, kNo}},
      {v1::REQUEST_STATUS_ESCALATED, {kNo, kNo, kNo, kNo, kNo, kNo, kNo, kNo}},
      {v1::REQUEST_STATUS_WITHDRAWN, {kNo, kNo, kNo, kNo, kNo, kNo, kNo, kNo}},
      {v1::REQUEST_STATUS_DECLINED, {kNo, kNo, kNo, kNo, kNo, kNo, kNo, kNo}},
      {v1::REQUEST_STATUS_LAPSED, {kNo, kNo, kNo, kNo, kNo, kNo, kNo, kNo}},
  };
  ASSERT_EQ(AllActions().size(), 8u);
  ASSERT_EQ(AllActions()[0], A::kAccept);
  ASSERT_EQ(AllActions()[7], A::kReassign);
  // Every status but UNSPECIFIED is in the table.
  for (int s = 1; v1::RequestStatus_IsValid(s); ++s) {
    EXPECT_TRUE(table.contains(static_cast<v1::RequestStatus>(s))) << v1::RequestStatus_Name(s);
  }
  for (const auto& [from, row] : table) {
    for (size_t i = 0; i < AllActions().size(); ++i) {
      const Action action = AllActions()[i];
      SCOPED_TRACE(absl::StrCat(v1::RequestStatus_Name(from), " + ", ActionName(action)));
      v1::DirectLineRequest r;
      r.set_id("r-1");
      r.set_status(from);
      absl::StatusOr<v1::RequestStatus> next = NextStatus(r, action);
      if (row[i] == kNo) {
        ASSERT_EQ(next.status().code(), absl::StatusCode::kFailedPrecondition);
        EXPECT_TRUE(absl::StartsWith(next.status().message(),
                                     absl::StrCat("request r-1 is ", v1::RequestStatus_Name(from),
                                                  "; ", ActionName(action), " needs ")))
            << next.status().message();
      } else {
        ASSERT_TRUE(next.ok()) << next.status();
        EXPECT_EQ(*next, row[i]);
      }
    }
    EXPECT_EQ(IsFinal(from), row[6] == kNo) << "exactly the final states refuse a withdrawal";
  }
}

TEST(StateMachineTest, ARefusalNamesWhatTheActionNeeds) {
  v1::DirectLineRequest r;
  r.set_id("r-2");
  r.set_status(v1::REQUEST_STATUS_SUBMITTED);
  EXPECT_EQ(NextStatus(r, Action::kRecordCycle).status().message(),
            "request r-2 is REQUEST_STATUS_SUBMITTED; RecordCycle needs REQUEST_STATUS_ACCEPTED or "
            "REQUEST_STATUS_IN_PROGRESS");
}

TEST(StateMachineTest, ARestrictedRequestIsNotProcessedFurther) {
  v1::DirectLineRequest r;
  r.set_id("r-3");
  r.set_status(v1::REQUEST_STATUS_IN_PROGRESS);
  r.set_restricted(true);
  EXPECT_EQ(NextStatus(r, Action::kRecordCycle).status().message(),
            "request r-3 is restricted: the consent it relied on was withdrawn; RecordCycle would "
            "process it further");
  EXPECT_EQ(NextStatus(r, Action::kAddMessage).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(*NextStatus(r, Action::kResolve), v1::REQUEST_STATUS_RESOLVED);
  EXPECT_EQ(*NextStatus(r, Action::kWithdraw), v1::REQUEST_STATUS_WITHDRAWN);
}

}  // namespace
}  // namespace olif::referrals
