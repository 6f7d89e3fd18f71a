#pragma once

// The part of a handover form its sender writes (everything but the
// output-only fields), and what differs between two versions of it — the
// field paths an amendment shows the school.

#include <string>
#include <vector>

#include "olifantenpad/handover/v1/handover.pb.h"

namespace olif::handover {

namespace v1 = olifantenpad::handover::v1;

// `form` without its output-only fields.
v1::HandoverForm ContentOf(const v1::HandoverForm& form);
// The fingerprint of ContentOf(form), for idempotency and change checks.
std::string ContentFingerprintOf(const v1::HandoverForm& form);
// Replaces the sender-written fields of `stored` by those of `content`;
// output-only fields stay.
void ApplyContent(const v1::HandoverForm& content, v1::HandoverForm& stored);
// The paths of the fields that differ between the contents of `before` and
// `after` (e.g. "development[0].strengths", "guardians[1]"), sorted.
std::vector<std::string> ChangedPaths(const v1::HandoverForm& before,
                                      const v1::HandoverForm& after);

}  // namespace olif::handover
