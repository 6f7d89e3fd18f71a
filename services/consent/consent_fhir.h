#pragma once

// A consent as a FHIR R4 Consent resource (JSON), for the youth-care adapter
// to send: scope patient-privacy, category LOINC 59284-0, the Dutch Youth
// Act as policy, and one permit provision with the period, the purposes, the
// data categories and each recipient as an actor. Grantors' names stay out:
// the resource tells who may receive, not who signed; the signed form is
// referenced by its document id (sourceReference).

#include <string>

#include "absl/status/statusor.h"
#include "olifantenpad/consent/v1/consent.pb.h"
#include "services/common/directory/directory.h"
#include "services/common/fhir/identifiers.h"

namespace olif::consent {

using fhir::kChildRefSystem;
using fhir::kConsentIdSystem;
using fhir::kDataCategorySystem;
using fhir::kDocumentSystem;
using fhir::kOrganisationSystem;
using fhir::kPurposeSystem;

// The FHIR Consent for `consent`; recipients are named with their directory
// display names when `directory` knows them. `patient_reference` is the
// reference to the child's Patient (e.g. "Patient/123" or a bundle's
// "urn:uuid:..."); empty: a logical reference by the child ref.
absl::StatusOr<std::string> ToFhirConsent(const olifantenpad::consent::v1::Consent& consent,
                                          const directory::Directory* directory,
                                          const std::string& patient_reference = "");

}  // namespace olif::consent
