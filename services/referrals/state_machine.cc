#include "services/referrals/state_machine.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace olif::referrals {
namespace {

using S = v1::RequestStatus;

struct Rule {
  Action action;
  std::vector<S> from;
  S to;  // UNSPECIFIED: the status stays
};

const std::vector<Rule>& Rules() {
  static const auto* rules = new std::vector<Rule>{
      {Action::kAccept, {v1::REQUEST_STATUS_SUBMITTED}, v1::REQUEST_STATUS_ACCEPTED},
      {Action::kDecline, {v1::REQUEST_STATUS_SUBMITTED}, v1::REQUEST_STATUS_DECLINED},
      {Action::kRecordCycle,
       {v1::REQUEST_STATUS_ACCEPTED, v1::REQUEST_STATUS_IN_PROGRESS},
       v1::REQUEST_STATUS_IN_PROGRESS},
      {Action::kAddMessage,
       {v1::REQUEST_STATUS_SUBMITTED, v1::REQUEST_STATUS_ACCEPTED, v1::REQUEST_STATUS_IN_PROGRESS},
       v1::REQUEST_STATUS_UNSPECIFIED},
      {Action::kResolve,
       {v1::REQUEST_STATUS_ACCEPTED, v1::REQUEST_STATUS_IN_PROGRESS},
       v1::REQUEST_STATUS_RESOLVED},
      {Action::kEscalate,
       {v1::REQUEST_STATUS_ACCEPTED, v1::REQUEST_STATUS_IN_PROGRESS},
       v1::REQUEST_STATUS_ESCALATED},
      {Action::kWithdraw,
       {v1::REQUEST_STATUS_AWAITING_CONSENT, v1::REQUEST_STATUS_SUBMITTED,
        v1::REQUEST_STATUS_ACCEPTED, v1::REQUEST_STATUS_IN_PROGRESS},
       v1::REQUEST_STATUS_WITHDRAWN},
      {Action::kReassign,
       {v1::REQUEST_STATUS_AWAITING_CONSENT, v1::REQUEST_STATUS_SUBMITTED,
        v1::REQUEST_STATUS_ACCEPTED, v1::REQUEST_STATUS_IN_PROGRESS},
       v1::REQUEST_STATUS_UNSPECIFIED},
  };
  return *rules;
}

}  // namespace

const std::vector<Action>& AllActions() {
  static const auto* all = new std::vector<Action>{
      Action::kAccept,  Action::kDecline,  Action::kRecordCycle, Action::kAddMessage,
      Action::kResolve, Action::kEscalate, Action::kWithdraw,    Action::kReassign};
  return *all;
}

std::string ActionName(Action action) {
  switch (action) {
    case Action::kAccept:
      return "AcceptRequest";
    case Action::kDecline:
      return "DeclineRequest";
    case Action::kRecordCycle:
      return "RecordCycle";
    case Action::kAddMessage:
      return "AddMessage";
    case Action::kResolve:
      return "ResolveRequest";
    case Action::kEscalate:
      return "EscalateRequest";
    case Action::kWithdraw:
      return "WithdrawRequest";
    case Action::kReassign:
      return "ReassignRequest";
  }
  return "?";
}

bool IsFinal(v1::RequestStatus status) {
  return status == v1::REQUEST_STATUS_RESOLVED || status == v1::REQUEST_STATUS_ESCALATED ||
         status == v1::REQUEST_STATUS_WITHDRAWN || status == v1::REQUEST_STATUS_DECLINED ||
         status == v1::REQUEST_STATUS_LAPSED;
}

absl::StatusOr<v1::RequestStatus> NextStatus(const v1::DirectLineRequest& request, Action action) {
  const Rule& rule = *std::find_if(Rules().begin(), Rules().end(),
                                   [action](const Rule& r) { return r.action == action; });
  const S from = request.status();
  if (std::find(rule.from.begin(), rule.from.end(), from) == rule.from.end()) {
    std::vector<std::string> needed;
    for (S s : rule.from) needed.push_back(v1::RequestStatus_Name(s));
    return absl::FailedPreconditionError(
        absl::StrCat("request ", request.id(), " is ", v1::RequestStatus_Name(from), "; ",
                     ActionName(action), " needs ", absl::StrJoin(needed, " or ")));
  }
  if (request.restricted() && action != Action::kWithdraw && action != Action::kResolve &&
      action != Action::kEscalate) {
    return absl::FailedPreconditionError(absl::StrCat(
        "request ", request.id(), " is restricted: the consent it relied on was withdrawn; ",
        ActionName(action), " would process it further"));
  }
  return rule.to == v1::REQUEST_STATUS_UNSPECIFIED ? from : rule.to;
}

}  // namespace olif::referrals
