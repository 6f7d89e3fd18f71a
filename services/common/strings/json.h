#pragma once

#include <string>
#include "absl/strings/string_view.h"

namespace olif {

// `s` as a JSON string literal, quotes included; control characters and
// invalid UTF-8 bytes are escaped (\u00XX) so the output is always valid JSON.
std::string JsonQuote(absl::string_view s);

}  // namespace olif
