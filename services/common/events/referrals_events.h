#pragma once

// Events of the referrals service built from its records, for the service and
// for adapters that must tell a recipient the whole request again.

#include "olifantenpad/referrals/v1/events.pb.h"
#include "olifantenpad/referrals/v1/referrals.pb.h"

namespace olif::referrals {

// What a recipient is told of a request that reaches its expert at
// `submitted_at`.
inline olifantenpad::referrals::v1::RequestSubmitted SubmittedEvent(
    const olifantenpad::referrals::v1::DirectLineRequest& r,
    const google::protobuf::Timestamp& submitted_at) {
  olifantenpad::referrals::v1::RequestSubmitted event;
  event.set_request_id(r.id());
  event.set_kind(r.kind());
  *event.mutable_requester() = r.requester();
  if (r.has_group()) *event.mutable_group() = r.group();
  *event.mutable_question_domains() = r.question_domains();
  event.set_question(r.question());
  event.set_observations(r.observations());
  event.set_priority(r.priority());
  *event.mutable_submitted_at() = submitted_at;
  if (r.has_child()) *event.mutable_child() = r.child();
  *event.mutable_expert() = r.expert();
  event.set_consent_id(r.consent_id());
  *event.mutable_first_response_due() = r.first_response_due();
  return event;
}

}  // namespace olif::referrals
