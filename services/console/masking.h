#pragma once

// A message as the console shows it before anyone has a reason to see a
// child's data: every value is masked but those of keys known to carry no
// personal data (a resource's type and id, statuses, codes and their systems,
// references — which are pseudonymous — and times of the message itself).
// Names, birth dates, identifiers (a BSN), addresses, free text and anything
// unknown are masked, so a new field is masked until it is listed here. A
// payload that is not JSON is masked whole. The structure stays visible: an
// operator sees which fields a message has and where a value is missing.

#include <string>

namespace olif::console {

inline constexpr char kMasked[] = "•••";

struct Masked {
  std::string text;  // the payload with its values masked (JSON pretty-printed)
  int masked = 0;    // how many values were masked
  bool json = true;  // false: not JSON, masked whole
};

Masked MaskPayload(const std::string& payload);

}  // namespace olif::console
