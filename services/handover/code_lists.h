#pragma once

// The OSO data set's voorschools code lists the VE fields of a handover form
// are coded with, loaded from a configuration file that says where each list
// came from (config/oso_voorschools.yaml). A code outside a list's known
// range is refused; a valid code whose official label is not recorded keeps
// its code and says so — no label is ever made up. Immutable once built;
// safe to share between threads.

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "olifantenpad/config/v1/handover.pb.h"

namespace olif::handover {

// The OSO list numbers of the voorschools block.
inline constexpr int kReferrerList = 6;
inline constexpr int kHistoryList = 7;
inline constexpr int kParticipationList = 8;
inline constexpr int kProgrammeList = 9;

// A code as a document shows it.
struct Coding {
  std::string system;     // the list's URI
  std::string code;       // as given
  std::string label;      // the official label; empty when not recorded
  std::string list_name;  // e.g. "VVE-programma"
  int list = 0;
};

class CodeLists {
 public:
  // Checks the lists: 6, 7, 8 and 9 each present once, with a name, source
  // and system; codes numeric, unique, labelled and inside the list's range.
  // The error names the list and the problem.
  static absl::StatusOr<CodeLists> Create(const olifantenpad::config::v1::CodeLists& lists);
  // Reads the file at `path`, then Create().
  static absl::StatusOr<CodeLists> Load(const std::string& path);

  // Why `code` is not valid in list `list`; nullopt when it is.
  std::optional<std::string> Check(int list, const std::string& code) const;
  // `code` of list `list` (which must be valid) as a document shows it.
  Coding Resolve(int list, const std::string& code) const;
  // The list's source, as the file says.
  const std::string& SourceOf(int list) const;

 private:
  std::map<int, olifantenpad::config::v1::CodeList> lists_;
};

}  // namespace olif::handover
