#pragma once

// A handover form as a FHIR R4 document: a Bundle of type "document" with an
// identifier (the form and its revision) and a timestamp; the Composition
// first, a section per part of the form and per development area (narrative
// from form_sections.h, so it says what the PDF says); the Patient; the
// Organizations (the childcare location by LRK number with its organisation,
// the school by BRIN + vestiging); a RelatedPerson per guardian; an
// Observation per coded VE field (OSO voorschools lists); and a
// DocumentReference carrying the rendered PDF, referenced from the
// Composition's last section, so a school that reads FHIR and a school that
// prints get the same form from one message.

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "olifantenpad/handover/v1/handover.pb.h"
#include "services/common/directory/directory.h"
#include "services/handover/code_lists.h"
#include "services/handover/form_sections.h"

namespace olif::handover {

// The Bundle as JSON. `pdf` is attached; `now` stamps the Bundle when the
// form has no send time yet.
std::string DocumentJson(const v1::HandoverForm& form, const std::vector<Section>& sections,
                         const std::string& pdf, const SectionContext& context, absl::Time now);

}  // namespace olif::handover
