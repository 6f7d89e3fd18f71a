#pragma once

// Times of day as people write them in schedules ("07:30"), for opening hours
// and weekly availability.

#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"

namespace olif {

// Minutes since midnight of "HH:MM" (00:00 to 24:00); nothing when `text` is
// not such a time.
inline std::optional<int> MinutesOfDay(absl::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  int h = 0;
  int m = 0;
  for (char c : {text[0], text[1], text[3], text[4]}) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  if (!absl::SimpleAtoi(text.substr(0, 2), &h) || !absl::SimpleAtoi(text.substr(3, 2), &m)) {
    return std::nullopt;
  }
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

}  // namespace olif
