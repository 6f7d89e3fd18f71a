#pragma once

// A handover form as people read it: its sections in order, each a title and
// labelled values, in Dutch. The PDF and the FHIR document's narrative are
// both drawn from this one list, so every section appears in both.

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "olifantenpad/handover/v1/handover.pb.h"
#include "services/common/directory/directory.h"
#include "services/handover/code_lists.h"

namespace olif::handover {

namespace v1 = olifantenpad::handover::v1;

struct Row {
  std::string label;
  std::string value;  // may hold several paragraphs
};

struct Section {
  std::string key;    // stable id: "child", "development-2", ...
  std::string title;  // Dutch
  std::vector<Row> rows;
};

struct SectionContext {
  const directory::Directory& directory;
  const CodeLists& code_lists;
  absl::TimeZone zone;
};

// Every section of `form`, in the order the form is read.
std::vector<Section> SectionsOf(const v1::HandoverForm& form, const SectionContext& context);

// The child's full name as the form gives it.
std::string ChildName(const v1::Child& child);
// Dutch names of the form's codes.
std::string AreaName(const v1::DevelopmentObservation& d);
std::string InstrumentName(const v1::DevelopmentObservation& d);
std::string StatusName(v1::HandoverStatus status);
// A code of an OSO list as shown: "3 — <label>" or "3 (omschrijving niet
// vastgelegd in OSO-codelijst 9)".
std::string CodeShown(const Coding& coding);

}  // namespace olif::handover
