// The handover form's state machine as a table: every state a form can be in
// against every call that changes it, each row on a fresh store.

#include <gtest/gtest.h>

#include "services/handover/testing_util.h"

namespace olif::handover {
namespace {

using testing_util::HandoverTest;

enum class State {
  kDraft,
  kReview,         // before the parents, not yet read
  kSeen,           // read by the parents; their consent recorded
  kSeenNoConsent,  // read by the parents; no consent
  kAwaiting,
  kSent,
  kAcknowledged,
  kAmended,
  kWithdrawn,
  kLapsed,
};

enum class Op { kUpdate, kSubmit, kParentView, kFinalise, kAcknowledge, kAmend, kWithdraw };

constexpr v1::HandoverStatus kRefused = v1::HANDOVER_STATUS_UNSPECIFIED;

struct LifecycleRow {
  State from;
  Op op;
  v1::HandoverStatus to;  // kRefused: FAILED_PRECONDITION, nothing changed
};

const char* Name(State s) {
  static const char* const names[] = {"draft",     "review", "seen",         "seen_no_consent",
                                      "awaiting",  "sent",   "acknowledged", "amended",
                                      "withdrawn", "lapsed"};
  return names[static_cast<int>(s)];
}
const char* Name(Op o) {
  static const char* const names[] = {"update",      "submit", "parent_view", "finalise",
                                      "acknowledge", "amend",  "withdraw"};
  return names[static_cast<int>(o)];
}

void PrintTo(const LifecycleRow& r, std::ostream* os) {
  *os << Name(r.from) << " -> " << Name(r.op) << " -> "
      << (r.to == kRefused ? "refused" : v1::HandoverStatus_Name(r.to));
}

class LifecycleTest : public HandoverTest, public testing::WithParamInterface<LifecycleRow> {
 protected:
  // A fresh form in state `s`.
  v1::HandoverForm Reach(State s) {
    const std::string child = NewUuid();
    const v1::HandoverForm content = examples::VeChild(child);
    if (s != State::kSeenNoConsent && s != State::kAwaiting && s != State::kLapsed) Consent(child);
    absl::StatusOr<v1::HandoverForm> f = Create(content);
    if (s == State::kDraft) return *f;
    f = Submit(*f);
    if (s == State::kReview) return *f;
    f = ParentView(*f);
    if (s == State::kSeen || s == State::kSeenNoConsent) return *f;
    f = Finalise(*f);
    EXPECT_TRUE(f.ok()) << f.status();
    if (s == State::kAwaiting) return *f;
    if (s == State::kLapsed) {
      clock_.Advance(absl::Hours(24 * 31));
      EXPECT_TRUE(service_->RunDueJobs().ok());
      return *store_->Get(f->id());
    }
    if (s == State::kSent) return *f;
    if (s == State::kWithdrawn) return *Withdraw(*f);
    if (s == State::kAmended) return *Amend(*f, Changed(*f));
    return *Acknowledge(*f);  // kAcknowledged
  }

  static v1::HandoverForm Changed(const v1::HandoverForm& f) {
    v1::HandoverForm content = f;
    content.set_particulars(f.particulars() + " Draagt een bril.");
    return content;
  }

  absl::StatusOr<v1::HandoverForm> Do(Op op, const v1::HandoverForm& f) {
    switch (op) {
      case Op::kUpdate:
        return Update(f, Changed(f));
      case Op::kSubmit:
        return Submit(f);
      case Op::kParentView:
        return ParentView(f);
      case Op::kFinalise:
        return Finalise(f);
      case Op::kAcknowledge:
        return Acknowledge(f, std::max(1, f.revision()));
      case Op::kAmend:
        return Amend(f, Changed(f));
      case Op::kWithdraw:
        return Withdraw(f);
    }
    return absl::InternalError("unknown op");
  }
};

TEST_P(LifecycleTest, MovesAsTheTableSays) {
  const LifecycleRow row = GetParam();
  const v1::HandoverForm before = Reach(row.from);
  const size_t events_before = Events().size();
  absl::StatusOr<v1::HandoverForm> after = Do(row.op, before);
  if (row.to == kRefused) {
    ASSERT_EQ(after.status().code(), absl::StatusCode::kFailedPrecondition) << after.status();
    EXPECT_EQ(store_->Get(before.id())->version(), before.version());
    EXPECT_EQ(Events().size(), events_before);
    return;
  }
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->status(), row.to) << v1::HandoverStatus_Name(after->status());
  EXPECT_EQ(store_->Get(before.id())->status(), row.to);
  // Every accepted change is announced; a receipt repeated by the school
  // answers with the form as it is.
  if (row.from == State::kAcknowledged && row.op == Op::kAcknowledge) {
    EXPECT_EQ(Events().size(), events_before);
    EXPECT_EQ(after->version(), before.version());
  } else {
    EXPECT_GT(Events().size(), events_before);
    EXPECT_EQ(after->version(), before.version() + 1);
  }
}

using S = State;
using O = Op;
constexpr v1::HandoverStatus kDraft = v1::HANDOVER_STATUS_DRAFT;
constexpr v1::HandoverStatus kReview = v1::HANDOVER_STATUS_PARENT_REVIEW;
constexpr v1::HandoverStatus kAwaiting = v1::HANDOVER_STATUS_AWAITING_CONSENT;
constexpr v1::HandoverStatus kSent = v1::HANDOVER_STATUS_SENT;
constexpr v1::HandoverStatus kAck = v1::HANDOVER_STATUS_ACKNOWLEDGED;
constexpr v1::HandoverStatus kAmended = v1::HANDOVER_STATUS_AMENDED;
constexpr v1::HandoverStatus kWithdrawn = v1::HANDOVER_STATUS_WITHDRAWN;

INSTANTIATE_TEST_SUITE_P(Table, LifecycleTest,
                         testing::Values(LifecycleRow{S::kDraft, O::kUpdate, kDraft},
                                         LifecycleRow{S::kDraft, O::kSubmit, kReview},
                                         LifecycleRow{S::kDraft, O::kParentView, kRefused},
                                         LifecycleRow{S::kDraft, O::kFinalise, kRefused},
                                         LifecycleRow{S::kDraft, O::kAcknowledge, kRefused},
                                         LifecycleRow{S::kDraft, O::kAmend, kRefused},
                                         LifecycleRow{S::kDraft, O::kWithdraw, kWithdrawn},
                                         LifecycleRow{S::kReview, O::kUpdate, kReview},
                                         LifecycleRow{S::kReview, O::kSubmit, kRefused},
                                         LifecycleRow{S::kReview, O::kParentView, kReview},
                                         LifecycleRow{S::kReview, O::kFinalise, kRefused},
                                         LifecycleRow{S::kReview, O::kAmend, kRefused},
                                         LifecycleRow{S::kReview, O::kWithdraw, kWithdrawn},
                                         LifecycleRow{S::kSeen, O::kUpdate, kReview},
                                         LifecycleRow{S::kSeen, O::kSubmit, kRefused},
                                         LifecycleRow{S::kSeen, O::kFinalise, kSent},
                                         LifecycleRow{S::kSeen, O::kAcknowledge, kRefused},
                                         LifecycleRow{S::kSeenNoConsent, O::kFinalise, kAwaiting},
                                         LifecycleRow{S::kAwaiting, O::kUpdate, kRefused},
                                         LifecycleRow{S::kAwaiting, O::kFinalise, kRefused},
                                         LifecycleRow{S::kAwaiting, O::kAcknowledge, kRefused},
                                         LifecycleRow{S::kAwaiting, O::kAmend, kRefused},
                                         LifecycleRow{S::kAwaiting, O::kWithdraw, kWithdrawn},
                                         LifecycleRow{S::kSent, O::kUpdate, kRefused},
                                         LifecycleRow{S::kSent, O::kFinalise, kRefused},
                                         LifecycleRow{S::kSent, O::kAcknowledge, kAck},
                                         LifecycleRow{S::kSent, O::kAmend, kAmended},
                                         LifecycleRow{S::kSent, O::kWithdraw, kWithdrawn},
                                         LifecycleRow{S::kAcknowledged, O::kUpdate, kRefused},
                                         LifecycleRow{S::kAcknowledged, O::kAcknowledge, kAck},
                                         LifecycleRow{S::kAcknowledged, O::kAmend, kAmended},
                                         LifecycleRow{S::kAcknowledged, O::kWithdraw, kWithdrawn},
                                         LifecycleRow{S::kAmended, O::kAcknowledge, kAck},
                                         LifecycleRow{S::kAmended, O::kAmend, kAmended},
                                         LifecycleRow{S::kAmended, O::kWithdraw, kWithdrawn},
                                         LifecycleRow{S::kWithdrawn, O::kUpdate, kRefused},
                                         LifecycleRow{S::kWithdrawn, O::kAcknowledge, kRefused},
                                         LifecycleRow{S::kWithdrawn, O::kAmend, kRefused},
                                         LifecycleRow{S::kWithdrawn, O::kWithdraw, kRefused},
                                         LifecycleRow{S::kLapsed, O::kFinalise, kRefused},
                                         LifecycleRow{S::kLapsed, O::kWithdraw, kRefused}),
                         [](const testing::TestParamInfo<LifecycleRow>& p) {
                           return std::string(Name(p.param.from)) + "_" + Name(p.param.op);
                         });

}  // namespace
}  // namespace olif::handover
