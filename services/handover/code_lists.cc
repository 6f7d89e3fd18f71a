#include "services/handover/code_lists.h"

#include <set>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/config/config_loader.h"

namespace olif::handover {
namespace {

namespace cfg = olifantenpad::config::v1;

// A code as OSO writes them: one to four digits.
std::optional<int> NumericCode(const std::string& code) {
  int n = 0;
  if (code.empty() || code.size() > 4 || !absl::c_all_of(code, absl::ascii_isdigit) ||
      !absl::SimpleAtoi(code, &n)) {
    return std::nullopt;
  }
  return n;
}

bool InRange(const cfg::CodeList& l, int n) {
  return (l.min_code() == 0 && l.max_code() == 0) || (n >= l.min_code() && n <= l.max_code());
}

std::string RangeOf(const cfg::CodeList& l) {
  return absl::StrCat(l.min_code(), "-", l.max_code());
}

}  // namespace

absl::StatusOr<CodeLists> CodeLists::Create(const cfg::CodeLists& lists) {
  CodeLists out;
  for (const cfg::CodeList& l : lists.lists()) {
    const std::string where = absl::StrCat("code list ", l.number());
    if (l.number() < kReferrerList || l.number() > kProgrammeList) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": not an OSO voorschools list (6, 7, 8 or 9)"));
    }
    if (l.name().empty() || l.source().empty() || l.system().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": name, source and system are required"));
    }
    if (l.min_code() > l.max_code()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": min_code is above max_code"));
    }
    std::set<std::string> seen;
    for (const cfg::Code& c : l.codes()) {
      const std::optional<int> n = NumericCode(c.code());
      if (!n.has_value()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": code \"", c.code(), "\" is not one to four digits"));
      }
      if (!InRange(l, *n)) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": code ", c.code(), " is outside ", RangeOf(l)));
      }
      if (c.label().empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": code ", c.code(), " has no label (leave out a code whose label is unknown)"));
      }
      if (!seen.insert(c.code()).second) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": code ", c.code(), " twice"));
      }
    }
    if (!out.lists_.emplace(l.number(), l).second) {
      return absl::InvalidArgumentError(absl::StrCat(where, " is given twice"));
    }
  }
  for (int n = kReferrerList; n <= kProgrammeList; ++n) {
    if (!out.lists_.contains(n)) {
      return absl::InvalidArgumentError(absl::StrCat("code list ", n, " is missing"));
    }
  }
  return out;
}

absl::StatusOr<CodeLists> CodeLists::Load(const std::string& path) {
  cfg::CodeLists lists;
  if (absl::Status s = config::LoadFile(path, &lists); !s.ok()) return s;
  absl::StatusOr<CodeLists> created = Create(lists);
  if (!created.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", created.status().message()));
  }
  return created;
}

std::optional<std::string> CodeLists::Check(int list, const std::string& code) const {
  const cfg::CodeList& l = lists_.at(list);
  const std::optional<int> n = NumericCode(code);
  if (!n.has_value()) {
    return absl::StrCat("must be a code of OSO list ", list, " (", l.name(),
                        "): one to four digits, not \"", code, "\"");
  }
  if (!InRange(l, *n)) {
    return absl::StrCat("must be a code of OSO list ", list, " (", l.name(), "): ", RangeOf(l),
                        ", not ", code);
  }
  return std::nullopt;
}

Coding CodeLists::Resolve(int list, const std::string& code) const {
  const cfg::CodeList& l = lists_.at(list);
  Coding c{l.system(), code, "", l.name(), list};
  for (const cfg::Code& known : l.codes()) {
    if (known.code() == code) c.label = known.label();
  }
  return c;
}

const std::string& CodeLists::SourceOf(int list) const { return lists_.at(list).source(); }

}  // namespace olif::handover
