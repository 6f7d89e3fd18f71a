#pragma once

// Which transitions a direct-line request allows in which state, and where
// each leads. Pure functions; the service applies them inside the store's
// write transaction, so a check and its change can never be separated.
//
//   AWAITING_CONSENT --(consent known)--> SUBMITTED       --(no consent in time)--> LAPSED
//   SUBMITTED   --accept--> ACCEPTED      --decline--> DECLINED
//   ACCEPTED / IN_PROGRESS --record cycle--> IN_PROGRESS
//   ACCEPTED / IN_PROGRESS --resolve--> RESOLVED   --escalate--> ESCALATED
//   any open state --withdraw--> WITHDRAWN;  --reassign--> the same state
//   SUBMITTED / ACCEPTED / IN_PROGRESS --add message--> the same state
//
// RESOLVED, ESCALATED, WITHDRAWN, DECLINED and LAPSED are final. A restricted
// request (its consent was withdrawn) takes nothing more than withdraw,
// resolve or escalate: nothing new is processed under it.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "olifantenpad/referrals/v1/referrals.pb.h"

namespace olif::referrals {

namespace v1 = olifantenpad::referrals::v1;

enum class Action {
  kAccept,
  kDecline,
  kRecordCycle,
  kAddMessage,
  kResolve,
  kEscalate,
  kWithdraw,
  kReassign
};

// Every action, for tables.
const std::vector<Action>& AllActions();
// "AcceptRequest", as the RPC is named.
std::string ActionName(Action action);

// The status `request` moves to under `action`, or FAILED_PRECONDITION
// stating the current status and the statuses the action needs.
absl::StatusOr<v1::RequestStatus> NextStatus(const v1::DirectLineRequest& request, Action action);

// Whether the status is final.
bool IsFinal(v1::RequestStatus status);

}  // namespace olif::referrals
