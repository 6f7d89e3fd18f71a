#pragma once

// The youth-care FHIR adapter's translator: canonical events of referrals and
// consent ↔ FHIR R4 resources of the provider's server.
//
// Out (each a transaction Bundle, so a message is applied whole or not at all):
// - RequestSubmitted → ServiceRequest + Task (the notified-pull pattern:
//   Task.focus is the ServiceRequest, Task.owner the expert) + the subject:
//   a Patient (named child; only with the identity, which the caller gives
//   only under consent), a Group (group question) or, for an anonymous
//   consultation, the childcare location by identifier. Every resource is
//   created conditionally on its business identifier (ifNoneExist), so a
//   redelivery creates nothing twice.
// - RequestRestricted → ServiceRequest revoked and Task cancelled (conditional
//   updates that also drop the question's text: the provider must stop).
// - ConsentGranted / Withdrawn / Expired → the Consent, conditionally updated.
// In:
// - a Task of the provider's server → the change it stands for (TaskChange).

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "olifantenpad/consent/v1/events.pb.h"
#include "olifantenpad/referrals/v1/events.pb.h"
#include "services/common/fhir/identifiers.h"

namespace olif::youthcare_fhir {

using FhirJson = nlohmann::ordered_json;

// The bundle for a submitted request. A CHILD request needs `identity`
// (INVALID_ARGUMENT without it: a named child is never sent bare).
absl::StatusOr<FhirJson> SubmittedBundle(
    const olifantenpad::referrals::v1::RequestSubmitted& event,
    const olifantenpad::referrals::v1::ChildIdentity* identity);
FhirJson RestrictedBundle(const olifantenpad::referrals::v1::RequestRestricted& event);
FhirJson ConsentBundle(const olifantenpad::consent::v1::ConsentGranted& event);
FhirJson ConsentBundle(const olifantenpad::consent::v1::ConsentWithdrawn& event);
FhirJson ConsentBundle(const olifantenpad::consent::v1::ConsentExpired& event);

// What a provider's Task says about a request.
struct TaskChange {
  std::string task_id;
  std::string version;       // meta.versionId
  std::string last_updated;  // meta.lastUpdated, as the server wrote it
  std::string request_id;    // from the identifier in kRequestSystem
  std::string status;        // Task.status
  std::string reason;        // statusReason.text, for a rejection
  std::string note;          // the last note's text, if any
};

// Reads a Task resource; INVALID_ARGUMENT naming what is missing or wrong
// (not a Task, no id, no request identifier, no status).
absl::StatusOr<TaskChange> ParseTask(const nlohmann::json& task);

}  // namespace olif::youthcare_fhir
