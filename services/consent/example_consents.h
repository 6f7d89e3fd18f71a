#pragma once

// Made-up consents for tests, the FHIR examples and the docs: a toddler
// (3 years old in November 2026) whose parents hold joint authority, in the
// dev region of config/dev/directory.yaml.

#include <google/protobuf/util/time_util.h>

#include "absl/time/time.h"
#include "olifantenpad/consent/v1/consent.pb.h"

namespace olif::consent::examples {

namespace v1 = olifantenpad::consent::v1;

inline constexpr char kChildRef[] = "5d1e8a43-2b6f-4c7d-9e10-a2b3c4d5e6f7";
inline constexpr char kKompas[] = "org-jz-het-kompas";

inline google::protobuf::Timestamp At(int y, int m, int d) {
  return google::protobuf::util::TimeUtil::SecondsToTimestamp(
      absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone())));
}

inline v1::Grantor Parent(const std::string& name) {
  v1::Grantor g;
  g.set_name(name);
  g.set_relation(v1::RELATION_PARENT);
  g.set_has_authority(true);
  g.set_authority_verified_how("uittreksel gezagsregister");
  *g.mutable_signed_at() = At(2026, 11, 20);
  g.set_method(v1::SIGNING_METHOD_DIGITAL);
  return g;
}

// Direct line and group discussion with Het Kompas for a school year, signed
// by both parents with joint authority.
inline v1::Consent ToddlerDirectLine() {
  v1::Consent c;
  c.mutable_child()->set_child_ref(kChildRef);
  c.set_child_birth_date("2023-05-14");
  c.set_holders_of_authority(2);
  *c.add_grantors() = Parent("Eva Janssen");
  *c.add_grantors() = Parent("Thomas Janssen");
  c.add_purposes(v1::PURPOSE_DIRECT_LINE);
  c.add_purposes(v1::PURPOSE_GROUP_DISCUSSION);
  c.add_recipient_organisation_ids(kKompas);
  c.add_data_categories(v1::DATA_CATEGORY_IDENTITY);
  c.add_data_categories(v1::DATA_CATEGORY_OBSERVATIONS);
  *c.mutable_valid_from() = At(2026, 11, 20);
  *c.mutable_valid_until() = At(2027, 8, 1);
  c.set_evidence_ref("DOC-2026-11-000123");
  c.set_recorded_by("prof-sanne-bakker");
  return c;
}

}  // namespace olif::consent::examples
