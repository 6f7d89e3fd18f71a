#pragma once

// One childcare chain as the adapter reads its files: the configuration
// (proto ChildcareChain) checked against the directory once, at start, and
// turned into the lookups every row uses — which export a file is, the
// chain's codes for locations, staff, groups and coded values mapped to ours,
// and its date formats. Everything a row can get wrong is then a precise
// problem of that row, never of the configuration.
//
// Immutable after Build(); thread-safe.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "adapters/childcare/csv_reader.h"
#include "olifantenpad/config/v1/childcare.pb.h"
#include "services/common/directory/directory.h"

namespace olif::childcare {

// The exports a chain drops, and the JSON documents it posts.
enum class ExportKind { kRoster, kConsents, kQuestions };
const char* ExportName(ExportKind kind);  // "roster", "consents", "questions"

// The coded values a chain maps to ours.
enum class CodeKind {
  kRelation,
  kPurpose,
  kCategory,
  kSigningMethod,
  kYesNo,
  kQuestionKind,
  kQuestionDomain,
  kPriority,
};

// Our words for one code kind, e.g. {"parent", "guardian", "foster_parent"}.
const std::vector<std::string>& OurCodes(CodeKind kind);

// An export as configured: its file pattern and where each of our fields is.
struct ExportFormat {
  ExportKind kind;
  std::string file_pattern;
  std::map<std::string, std::string> columns;  // our field → the chain's header
  std::string key_field;                       // empty: file name + row number
};

// The fields of each export: required ones first in the list, then optional.
struct FieldSpec {
  const char* name;
  bool required;
};
const std::vector<FieldSpec>& ExportFields(ExportKind kind);

class Chain {
 public:
  // Checks `config` (named `field` in errors, e.g. "childcare.chains[0]")
  // against `directory`: the organisation is a childcare organisation, every
  // mapped location is one of its locations, every staff member one of its
  // professionals, every mapped code one of ours, every column one of the
  // export's fields (and every required field mapped), the date formats
  // read a date. INVALID_ARGUMENT naming the key otherwise.
  static absl::StatusOr<std::shared_ptr<const Chain>> Build(
      const olifantenpad::config::v1::ChildcareChain& config, const directory::Directory& directory,
      const absl::TimeZone& zone, const std::string& field);

  const std::string& id() const { return id_; }
  const std::string& organisation_id() const { return organisation_id_; }
  const olifantenpad::config::v1::ChildcareChain& config() const { return config_; }
  const CsvOptions& csv() const { return csv_; }
  const std::string& list_separator() const { return list_separator_; }

  // The export a file of this name is, if any.
  const ExportFormat* ExportOfFile(const std::string& file_name) const;
  const ExportFormat* Export(ExportKind kind) const;

  // The directory id of the chain's location code; nullopt when unknown.
  std::optional<std::string> Location(const std::string& code) const;
  // The directory id of the chain's staff code; nullopt when unknown.
  std::optional<std::string> Staff(const std::string& code) const;
  // The group id of the chain's group code (the code itself when unmapped).
  std::string Group(const std::string& code) const;
  // Whether `location_id` is one of the chain's locations.
  bool HasLocation(const std::string& location_id) const;
  // Our word for the chain's `value` of `kind` (compared without case and
  // surrounding spaces); nullopt when it maps to none.
  std::optional<std::string> Code(CodeKind kind, const std::string& value) const;
  // The directory organisation id of the chain's recipient name (or of the
  // id itself); nullopt when unknown.
  std::optional<std::string> Recipient(const std::string& value) const;

  // A date as YYYY-MM-DD. INVALID_ARGUMENT saying which formats were tried,
  // or that two formats read it as different days (e.g. 03/04/2026).
  absl::StatusOr<std::string> Date(const std::string& value) const;
  // A date-time (or a date: its first moment) in the chain's time zone.
  absl::StatusOr<absl::Time> DateTime(const std::string& value) const;

 private:
  Chain() = default;

  olifantenpad::config::v1::ChildcareChain config_;
  std::string id_;
  std::string organisation_id_;
  CsvOptions csv_;
  std::string list_separator_ = ",";
  std::vector<std::string> date_formats_;
  std::vector<std::string> date_time_formats_;
  absl::TimeZone zone_;
  std::vector<ExportFormat> exports_;
  std::map<std::string, std::string> locations_;  // lower-case code → id
  std::map<std::string, std::string> staff_;
  std::map<std::string, std::string> groups_;
  std::map<CodeKind, std::map<std::string, std::string>> codes_;
  std::map<std::string, std::string> recipients_;
  std::vector<std::string> own_locations_;
};

}  // namespace olif::childcare
