#pragma once

// A chain's record — a CSV row or a JSON document — mapped to the call it
// becomes: a roster entry the adapter keeps, a RecordConsent on consent, a
// CreateRequest on referrals. Pure functions of the chain's configuration,
// the directory and the record: every problem of a record is found at once
// and named by the chain's own column (or JSON key), so the quarantine
// report says exactly what to fix.
//
// The child's pseudonym (child_ref) is not made here: the caller resolves
// the chain's child number to it (adapters/childcare/childcare_store.h).

#include <optional>
#include <string>
#include <vector>

#include "adapters/childcare/chain.h"
#include "nlohmann/json_fwd.hpp"
#include "olifantenpad/consent/v1/consent.pb.h"
#include "olifantenpad/referrals/v1/referrals.pb.h"
#include "services/common/directory/directory.h"

namespace olif::childcare {

// One problem of a record: the column (or JSON key) and what is wrong.
struct Problem {
  std::string column;
  std::string reason;
};
using Problems = std::vector<Problem>;

// Where a record's fields come from.
class Fields {
 public:
  virtual ~Fields() = default;
  // Our field's value, without surrounding spaces; empty when absent.
  virtual std::string Value(const std::string& field) const = 0;
  // A list field's values (empty ones dropped).
  virtual std::vector<std::string> List(const std::string& field) const = 0;
  // How the chain names the field: its column header, or its JSON key.
  virtual std::string Where(const std::string& field) const = 0;
};

// A CSV row of an export: fields found by the header row's names.
class CsvRowFields final : public Fields {
 public:
  // The header's position of each mapped field; a problem per required
  // field's column the header lacks, saying "<column>" (<field>) (then the
  // file cannot be read: every row would fail). An optional field's column
  // may be missing: its values are empty.
  static std::optional<std::map<std::string, size_t>> Columns(
      const ExportFormat& format, const std::vector<std::string>& header, Problems& problems);
  CsvRowFields(const ExportFormat& format, const std::map<std::string, size_t>& columns,
               const std::vector<std::string>& row, std::string list_separator)
      : format_(format), columns_(columns), row_(row), list_separator_(std::move(list_separator)) {}
  std::string Value(const std::string& field) const override;
  std::vector<std::string> List(const std::string& field) const override;
  std::string Where(const std::string& field) const override;

 private:
  const ExportFormat& format_;
  const std::map<std::string, size_t>& columns_;
  const std::vector<std::string>& row_;
  std::string list_separator_;
};

// A JSON document's fields: our field names are its keys; lists are arrays.
class JsonFields final : public Fields {
 public:
  explicit JsonFields(const nlohmann::json& object) : object_(object) {}
  std::string Value(const std::string& field) const override;
  std::vector<std::string> List(const std::string& field) const override;
  std::string Where(const std::string& field) const override { return field; }

 private:
  const nlohmann::json& object_;
};

// A child in the chain's roster, as the adapter keeps it.
struct RosterEntry {
  std::string child_number;
  std::string birth_date;  // YYYY-MM-DD
  std::string location_id;
  std::string group_id;  // may be empty
};
std::optional<RosterEntry> MapRosterRow(const Chain& chain, const Fields& fields,
                                        const directory::Directory& directory, Problems& problems);

// A signed consent form. `call.consent.child.child_ref` is left for the
// caller; so is the birth date when the row has none (`birth_date_given`).
struct ConsentRow {
  std::string child_number;
  bool birth_date_given = false;
  olifantenpad::consent::v1::RecordConsentRequest call;
};
std::optional<ConsentRow> MapConsentRow(const Chain& chain, const Fields& fields,
                                        Problems& problems);

// A direct-line question. For the child kind `call.request.child.child_ref`
// is left for the caller.
struct QuestionRow {
  std::string question_id;
  std::string child_number;  // the child kind only
  olifantenpad::referrals::v1::CreateRequestRequest call;
};
std::optional<QuestionRow> MapQuestion(const Chain& chain, const Fields& fields,
                                       const directory::Directory& directory, Problems& problems);

}  // namespace olif::childcare
