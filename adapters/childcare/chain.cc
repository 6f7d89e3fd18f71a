#include "adapters/childcare/chain.h"

#include <fnmatch.h>

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/ids/ids.h"

namespace olif::childcare {
namespace {

namespace cfg = olifantenpad::config::v1;

std::string Key(const std::string& s) {
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(s));
}

absl::Status Invalid(const std::string& field, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

// A lower-cased copy of `map`, refusing two keys that differ only in case.
absl::StatusOr<std::map<std::string, std::string>> Lowered(
    const google::protobuf::Map<std::string, std::string>& map, const std::string& field) {
  std::map<std::string, std::string> out;
  for (const auto& [code, value] : map) {
    if (Key(code).empty()) return Invalid(field, "an empty code is mapped");
    if (!out.emplace(Key(code), value).second) {
      return Invalid(field, absl::StrCat("the code \"", code, "\" is mapped twice (case aside)"));
    }
  }
  return out;
}

absl::StatusOr<CsvOptions> CsvFromConfig(const cfg::CsvFormat& c, const std::string& field) {
  CsvOptions o;
  if (c.separator() == "\\t" || c.separator() == "\t" || c.separator() == "tab") {
    o.separator = '\t';
  } else if (c.separator().size() == 1 && (c.separator() == ";" || c.separator() == ",")) {
    o.separator = c.separator()[0];
  } else if (!c.separator().empty()) {
    return Invalid(field + ".separator",
                   absl::StrCat("\"", c.separator(), "\" is not one of \";\", \",\" or tab"));
  }
  const std::string enc = Key(c.encoding());
  if (enc.empty() || enc == "auto") {
    o.encoding = Encoding::kAuto;
  } else if (enc == "utf-8" || enc == "utf8") {
    o.encoding = Encoding::kUtf8;
  } else if (enc == "windows-1252" || enc == "cp1252") {
    o.encoding = Encoding::kWindows1252;
  } else {
    return Invalid(field + ".encoding",
                   absl::StrCat("\"", c.encoding(), "\" is not auto, utf-8 or windows-1252"));
  }
  return o;
}

// Whether `format` reads a date: a known day written in it reads back.
bool ReadsADate(const std::string& format) {
  const absl::Time probe = absl::FromCivil(absl::CivilDay(2026, 11, 23), absl::UTCTimeZone());
  const std::string written = absl::FormatTime(format, probe, absl::UTCTimeZone());
  absl::Time back;
  std::string error;
  return absl::ParseTime(format, written, absl::UTCTimeZone(), &back, &error) &&
         absl::ToCivilDay(back, absl::UTCTimeZone()) == absl::CivilDay(2026, 11, 23);
}

}  // namespace

const char* ExportName(ExportKind kind) {
  switch (kind) {
    case ExportKind::kRoster:
      return "roster";
    case ExportKind::kConsents:
      return "consents";
    case ExportKind::kQuestions:
      return "questions";
  }
  return "unknown";
}

const std::vector<std::string>& OurCodes(CodeKind kind) {
  static const auto* codes = new std::map<CodeKind, std::vector<std::string>>{
      {CodeKind::kRelation, {"parent", "guardian", "foster_parent"}},
      {CodeKind::kPurpose, {"direct_line", "group_discussion", "school_handover", "warm_handover"}},
      {CodeKind::kCategory, {"identity", "observations", "development", "contact_details"}},
      {CodeKind::kSigningMethod, {"paper", "digital"}},
      {CodeKind::kYesNo, {"yes", "no"}},
      {CodeKind::kQuestionKind, {"anonymous", "group", "child"}},
      {CodeKind::kQuestionDomain,
       {"development", "behaviour", "language", "social_emotional", "motor", "parents",
        "group_dynamics", "other"}},
      {CodeKind::kPriority, {"normal", "high"}},
  };
  return codes->at(kind);
}

const std::vector<FieldSpec>& ExportFields(ExportKind kind) {
  static const auto* roster = new std::vector<FieldSpec>{
      {"child_number", true}, {"birth_date", true}, {"location", true}, {"group", false}};
  static const auto* consents = new std::vector<FieldSpec>{
      {"child_number", true},
      {"purposes", true},
      {"recipients", true},
      {"categories", true},
      {"valid_from", true},
      {"valid_until", true},
      {"evidence_ref", true},
      {"recorded_by", true},
      {"grantor1_name", true},
      {"grantor1_relation", true},
      {"grantor1_authority", true},
      {"grantor1_signed_at", true},
      {"grantor1_method", true},
      {"birth_date", false},
      {"holders_of_authority", false},
      {"grantor1_verified_how", false},
      {"grantor2_name", false},
      {"grantor2_relation", false},
      {"grantor2_authority", false},
      {"grantor2_signed_at", false},
      {"grantor2_method", false},
      {"grantor2_verified_how", false},
      {"child_assent_signed_at", false},
  };
  static const auto* questions = new std::vector<FieldSpec>{
      {"question_id", true},   {"kind", true},          {"staff", true},
      {"location", true},      {"domains", true},       {"question", true},
      {"group", false},        {"child_number", false}, {"given_name", false},
      {"family_name", false},  {"birth_date", false},   {"bsn", false},
      {"observations", false}, {"priority", false},
  };
  switch (kind) {
    case ExportKind::kRoster:
      return *roster;
    case ExportKind::kConsents:
      return *consents;
    case ExportKind::kQuestions:
      break;
  }
  return *questions;
}

absl::StatusOr<std::shared_ptr<const Chain>> Chain::Build(const cfg::ChildcareChain& config,
                                                          const directory::Directory& directory,
                                                          const absl::TimeZone& zone,
                                                          const std::string& field) {
  std::shared_ptr<Chain> c(new Chain());
  c->config_ = config;
  c->id_ = config.id();
  c->zone_ = zone;
  if (c->id_.size() < 3 || c->id_.size() > 32 || !IsDirectoryId(c->id_)) {
    return Invalid(field + ".id",
                   absl::StrCat("\"", c->id_, "\" is not 3-32 characters of [a-z0-9-]"));
  }
  const cfg::Organisation* org = directory.FindOrganisation(config.organisation_id());
  if (org == nullptr || org->kind() != cfg::ORGANISATION_KIND_CHILDCARE) {
    return Invalid(field + ".organisation_id",
                   absl::StrCat("\"", config.organisation_id(),
                                "\" is not a childcare organisation in the directory"));
  }
  c->organisation_id_ = config.organisation_id();

  absl::StatusOr<CsvOptions> csv = CsvFromConfig(config.csv(), field + ".csv");
  if (!csv.ok()) return csv.status();
  c->csv_ = *csv;
  if (!config.csv().list_separator().empty()) c->list_separator_ = config.csv().list_separator();
  if (c->list_separator_ == std::string(1, c->csv_.separator)) {
    return Invalid(field + ".csv.list_separator", "must differ from the field separator");
  }
  c->date_formats_.assign(config.csv().date_formats().begin(), config.csv().date_formats().end());
  if (c->date_formats_.empty()) c->date_formats_ = {"%Y-%m-%d"};
  c->date_time_formats_.assign(config.csv().date_time_formats().begin(),
                               config.csv().date_time_formats().end());
  if (c->date_time_formats_.empty()) c->date_time_formats_ = {"%Y-%m-%dT%H:%M:%S%Ez"};
  for (size_t i = 0; i < c->date_formats_.size(); ++i) {
    if (!ReadsADate(c->date_formats_[i])) {
      return Invalid(absl::StrCat(field, ".csv.date_formats[", i, "]"),
                     absl::StrCat("\"", c->date_formats_[i], "\" does not read back a date"));
    }
  }

  auto locations = Lowered(config.locations(), field + ".locations");
  if (!locations.ok()) return locations.status();
  for (const auto& [code, id] : *locations) {
    const cfg::Location* loc = directory.FindLocation(id);
    if (loc == nullptr || loc->organisation_id() != c->organisation_id_) {
      return Invalid(field + ".locations",
                     absl::StrCat("\"", code, "\" maps to \"", id, "\", not a location of ",
                                  c->organisation_id_, " in the directory"));
    }
    c->own_locations_.push_back(id);
  }
  c->locations_ = std::move(*locations);
  auto staff = Lowered(config.staff(), field + ".staff");
  if (!staff.ok()) return staff.status();
  for (const auto& [code, id] : *staff) {
    const cfg::Professional* p = directory.FindProfessional(id);
    if (p == nullptr || p->organisation_id() != c->organisation_id_) {
      return Invalid(field + ".staff",
                     absl::StrCat("\"", code, "\" maps to \"", id, "\", not a professional of ",
                                  c->organisation_id_, " in the directory"));
    }
  }
  c->staff_ = std::move(*staff);
  auto groups = Lowered(config.groups(), field + ".groups");
  if (!groups.ok()) return groups.status();
  c->groups_ = std::move(*groups);

  const cfg::ChildcareCodes& codes = config.codes();
  const std::vector<std::pair<
      CodeKind, std::pair<const google::protobuf::Map<std::string, std::string>*, const char*>>>
      code_maps = {
          {CodeKind::kRelation, {&codes.relations(), "relations"}},
          {CodeKind::kPurpose, {&codes.purposes(), "purposes"}},
          {CodeKind::kCategory, {&codes.categories(), "categories"}},
          {CodeKind::kSigningMethod, {&codes.signing_methods(), "signing_methods"}},
          {CodeKind::kYesNo, {&codes.yes_no(), "yes_no"}},
          {CodeKind::kQuestionKind, {&codes.question_kinds(), "question_kinds"}},
          {CodeKind::kQuestionDomain, {&codes.question_domains(), "question_domains"}},
          {CodeKind::kPriority, {&codes.priorities(), "priorities"}},
      };
  for (const auto& [kind, source] : code_maps) {
    const std::string f = absl::StrCat(field, ".codes.", source.second);
    auto lowered = Lowered(*source.first, f);
    if (!lowered.ok()) return lowered.status();
    const std::vector<std::string>& ours = OurCodes(kind);
    for (const auto& [code, value] : *lowered) {
      if (std::find(ours.begin(), ours.end(), value) == ours.end()) {
        return Invalid(f, absl::StrCat("\"", code, "\" maps to \"", value, "\", not one of ",
                                       absl::StrJoin(ours, ", ")));
      }
    }
    c->codes_[kind] = std::move(*lowered);
  }
  auto recipients = Lowered(codes.recipients(), field + ".codes.recipients");
  if (!recipients.ok()) return recipients.status();
  for (const auto& [name, id] : *recipients) {
    if (directory.FindOrganisation(id) == nullptr) {
      return Invalid(field + ".codes.recipients",
                     absl::StrCat("\"", name, "\" maps to \"", id,
                                  "\", not an organisation in the directory"));
    }
  }
  c->recipients_ = std::move(*recipients);

  const std::vector<std::tuple<ExportKind, const cfg::CsvExport*, bool>> exports = {
      {ExportKind::kRoster, &config.roster(), config.has_roster()},
      {ExportKind::kConsents, &config.consents(), config.has_consents()},
      {ExportKind::kQuestions, &config.questions(), config.has_questions()},
  };
  for (const auto& [kind, e, present] : exports) {
    if (!present) continue;
    const std::string f = absl::StrCat(field, ".", ExportName(kind));
    ExportFormat format{kind, e->file_pattern(), {}, e->key_field()};
    const std::vector<FieldSpec>& fields = ExportFields(kind);
    std::set<std::string> headers;
    for (const auto& [ours, header] : e->columns()) {
      const std::string& name = ours;  // (a lambda may not capture a structured binding)
      const bool known = std::any_of(fields.begin(), fields.end(),
                                     [&name](const FieldSpec& s) { return name == s.name; });
      if (!known)
        return Invalid(f + ".columns",
                       absl::StrCat("\"", ours, "\" is not a field of this export"));
      if (!headers.insert(Key(header)).second) {
        return Invalid(f + ".columns", absl::StrCat("the column \"", header, "\" is mapped twice"));
      }
      format.columns[ours] = header;
    }
    for (const FieldSpec& s : fields) {
      if (s.required && !format.columns.count(s.name)) {
        return Invalid(f + ".columns",
                       absl::StrCat("the required field ", s.name, " has no column"));
      }
    }
    if (!format.key_field.empty() && !format.columns.count(format.key_field)) {
      return Invalid(f + ".key_field",
                     absl::StrCat("\"", format.key_field, "\" is not a mapped field"));
    }
    c->exports_.push_back(std::move(format));
  }
  if (c->exports_.empty() && !config.has_webhook()) {
    return Invalid(field, "has neither an export nor a webhook: nothing would come in");
  }
  return std::shared_ptr<const Chain>(std::move(c));
}

const ExportFormat* Chain::ExportOfFile(const std::string& file_name) const {
  for (const ExportFormat& e : exports_) {
    if (fnmatch(e.file_pattern.c_str(), file_name.c_str(), FNM_CASEFOLD) == 0) return &e;
  }
  return nullptr;
}

const ExportFormat* Chain::Export(ExportKind kind) const {
  for (const ExportFormat& e : exports_) {
    if (e.kind == kind) return &e;
  }
  return nullptr;
}

std::optional<std::string> Chain::Location(const std::string& code) const {
  auto it = locations_.find(Key(code));
  if (it == locations_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Chain::Staff(const std::string& code) const {
  auto it = staff_.find(Key(code));
  if (it == staff_.end()) return std::nullopt;
  return it->second;
}

std::string Chain::Group(const std::string& code) const {
  auto it = groups_.find(Key(code));
  return it == groups_.end() ? std::string(absl::StripAsciiWhitespace(code)) : it->second;
}

bool Chain::HasLocation(const std::string& location_id) const {
  return std::find(own_locations_.begin(), own_locations_.end(), location_id) !=
         own_locations_.end();
}

std::optional<std::string> Chain::Code(CodeKind kind, const std::string& value) const {
  const std::string key = Key(value);
  auto mapped = codes_.find(kind);
  if (mapped != codes_.end() && !mapped->second.empty()) {
    auto it = mapped->second.find(key);
    if (it != mapped->second.end()) return it->second;
    return std::nullopt;
  }
  const std::vector<std::string>& ours = OurCodes(kind);
  if (std::find(ours.begin(), ours.end(), key) != ours.end()) return key;
  return std::nullopt;
}

std::optional<std::string> Chain::Recipient(const std::string& value) const {
  auto it = recipients_.find(Key(value));
  if (it != recipients_.end()) return it->second;
  for (const auto& [name, id] : recipients_) {
    if (id == absl::StripAsciiWhitespace(value)) return id;
  }
  return std::nullopt;
}

absl::StatusOr<std::string> Chain::Date(const std::string& value) const {
  const std::string v(absl::StripAsciiWhitespace(value));
  std::optional<absl::CivilDay> found;
  std::string first_format;
  for (const std::string& format : date_formats_) {
    absl::Time t;
    std::string error;
    if (!absl::ParseTime(format, v, absl::UTCTimeZone(), &t, &error)) continue;
    const absl::CivilDay day = absl::ToCivilDay(t, absl::UTCTimeZone());
    if (found && *found != day) {
      return absl::InvalidArgumentError(absl::StrCat(
          "\"", v, "\" is ambiguous: ", first_format, " reads ", absl::FormatCivilTime(*found),
          ", ", format, " reads ", absl::FormatCivilTime(day)));
    }
    if (!found) first_format = format;
    found = day;
  }
  if (!found) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", v, "\" is not a date in ", absl::StrJoin(date_formats_, " or ")));
  }
  return absl::FormatCivilTime(*found);
}

absl::StatusOr<absl::Time> Chain::DateTime(const std::string& value) const {
  const std::string v(absl::StripAsciiWhitespace(value));
  for (const std::string& format : date_time_formats_) {
    absl::Time t;
    std::string error;
    if (absl::ParseTime(format, v, zone_, &t, &error)) return t;
  }
  absl::StatusOr<std::string> day = Date(v);
  if (day.ok()) {
    absl::CivilDay d;
    if (absl::ParseCivilTime(*day, &d)) return absl::FromCivil(d, zone_);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("\"", v, "\" is not a date-time in ", absl::StrJoin(date_time_formats_, " or "),
                   ", nor a date in ", absl::StrJoin(date_formats_, " or ")));
}

}  // namespace olif::childcare
