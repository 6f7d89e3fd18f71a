#include "adapters/childcare/mapping.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "services/common/clock/timestamp.h"
#include "services/common/ids/ids.h"

namespace olif::childcare {
namespace {

namespace consent = olifantenpad::consent::v1;
namespace referrals = olifantenpad::referrals::v1;

std::string Lower(const std::string& s) {
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(s));
}

// Reads a record's fields one by one, gathering every problem.
class Reader {
 public:
  Reader(const Chain& chain, const Fields& fields, Problems& problems)
      : chain_(chain), fields_(fields), problems_(problems) {}

  void Problem(const std::string& field, std::string reason) {
    problems_.push_back({fields_.Where(field), std::move(reason)});
  }
  bool Failed() const { return failed_ < problems_.size(); }

  // The value; a problem when it is required and empty.
  std::string Text(const std::string& field, bool required, size_t max_chars = 0) {
    std::string v = fields_.Value(field);
    if (required && v.empty()) Problem(field, "is empty");
    if (max_chars > 0 && v.size() > max_chars) {
      Problem(field, absl::StrCat("is longer than ", max_chars, " characters"));
    }
    return v;
  }
  std::optional<std::string> Code(const std::string& field, CodeKind kind, bool required) {
    const std::string v = fields_.Value(field);
    if (v.empty()) {
      if (required) Problem(field, "is empty");
      return std::nullopt;
    }
    std::optional<std::string> ours = chain_.Code(kind, v);
    if (!ours) Problem(field, absl::StrCat("\"", v, "\" is not a known code here"));
    return ours;
  }
  std::vector<std::string> Codes(const std::string& field, CodeKind kind) {
    std::vector<std::string> out;
    const std::vector<std::string> values = fields_.List(field);
    if (values.empty()) Problem(field, "is empty");
    for (const std::string& v : values) {
      std::optional<std::string> ours = chain_.Code(kind, v);
      if (!ours) {
        Problem(field, absl::StrCat("\"", v, "\" is not a known code here"));
      } else if (std::find(out.begin(), out.end(), *ours) == out.end()) {
        out.push_back(*ours);
      }
    }
    return out;
  }
  std::optional<bool> YesNo(const std::string& field, bool required) {
    std::optional<std::string> v = Code(field, CodeKind::kYesNo, required);
    if (!v) return std::nullopt;
    return *v == "yes";
  }
  std::string Date(const std::string& field, bool required) {
    const std::string v = fields_.Value(field);
    if (v.empty()) {
      if (required) Problem(field, "is empty");
      return "";
    }
    absl::StatusOr<std::string> day = chain_.Date(v);
    if (!day.ok()) {
      Problem(field, std::string(day.status().message()));
      return "";
    }
    return *day;
  }
  std::optional<absl::Time> DateTime(const std::string& field, bool required) {
    const std::string v = fields_.Value(field);
    if (v.empty()) {
      if (required) Problem(field, "is empty");
      return std::nullopt;
    }
    absl::StatusOr<absl::Time> t = chain_.DateTime(v);
    if (!t.ok()) {
      Problem(field, std::string(t.status().message()));
      return std::nullopt;
    }
    return *t;
  }
  std::string LocationId(const std::string& field) {
    const std::string v = Text(field, true);
    if (v.empty()) return "";
    std::optional<std::string> id = chain_.Location(v);
    if (!id) Problem(field, absl::StrCat("\"", v, "\" is not a location of this chain"));
    return id.value_or("");
  }
  std::string StaffId(const std::string& field) {
    const std::string v = Text(field, true);
    if (v.empty()) return "";
    std::optional<std::string> id = chain_.Staff(v);
    if (!id) Problem(field, absl::StrCat("\"", v, "\" is not a known member of staff"));
    return id.value_or("");
  }
  std::string ChildNumber(const std::string& field, bool required) {
    const std::string v = Text(field, required);
    if (!v.empty() && (v.size() > 64 || std::any_of(v.begin(), v.end(), [](char c) {
                         return absl::ascii_iscntrl(static_cast<unsigned char>(c));
                       }))) {
      Problem(field, "is not a child number (at most 64 printable characters)");
    }
    return v;
  }
  std::string Group(const std::string& field, const std::string& location_id,
                    const directory::Directory& directory, bool required) {
    const std::string v = Text(field, required);
    if (v.empty() || location_id.empty()) return "";
    const std::string id = chain_.Group(v);
    if (directory.FindGroup(location_id, id) == nullptr) {
      Problem(field, absl::StrCat("\"", v, "\" is not a group of ", location_id));
      return "";
    }
    return id;
  }

 private:
  const Chain& chain_;
  const Fields& fields_;
  Problems& problems_;
  const size_t failed_ = problems_.size();
};

consent::Relation RelationOf(const std::string& ours) {
  if (ours == "guardian") return consent::RELATION_GUARDIAN;
  if (ours == "foster_parent") return consent::RELATION_FOSTER_PARENT;
  return consent::RELATION_PARENT;
}

consent::Purpose PurposeOf(const std::string& ours) {
  if (ours == "group_discussion") return consent::PURPOSE_GROUP_DISCUSSION;
  if (ours == "school_handover") return consent::PURPOSE_SCHOOL_HANDOVER;
  if (ours == "warm_handover") return consent::PURPOSE_WARM_HANDOVER;
  return consent::PURPOSE_DIRECT_LINE;
}

consent::DataCategory CategoryOf(const std::string& ours) {
  if (ours == "observations") return consent::DATA_CATEGORY_OBSERVATIONS;
  if (ours == "development") return consent::DATA_CATEGORY_DEVELOPMENT;
  if (ours == "contact_details") return consent::DATA_CATEGORY_CONTACT_DETAILS;
  return consent::DATA_CATEGORY_IDENTITY;
}

referrals::QuestionDomain DomainOf(const std::string& ours) {
  static const auto* domains = new std::map<std::string, referrals::QuestionDomain>{
      {"development", referrals::QUESTION_DOMAIN_DEVELOPMENT},
      {"behaviour", referrals::QUESTION_DOMAIN_BEHAVIOUR},
      {"language", referrals::QUESTION_DOMAIN_LANGUAGE},
      {"social_emotional", referrals::QUESTION_DOMAIN_SOCIAL_EMOTIONAL},
      {"motor", referrals::QUESTION_DOMAIN_MOTOR},
      {"parents", referrals::QUESTION_DOMAIN_PARENTS},
      {"group_dynamics", referrals::QUESTION_DOMAIN_GROUP_DYNAMICS},
      {"other", referrals::QUESTION_DOMAIN_OTHER},
  };
  return domains->at(ours);
}

// Grantor n (1 or 2) of a consent row; nothing when n = 2 and its name is empty.
void AddGrantor(Reader& r, const Fields& fields, int n, consent::Consent& c) {
  const std::string p = absl::StrCat("grantor", n, "_");
  if (n == 2 && fields.Value(p + "name").empty()) {
    for (const char* f : {"relation", "authority", "signed_at", "method"}) {
      if (!fields.Value(p + f).empty()) r.Problem(p + f, "is given without a name of grantor 2");
    }
    return;
  }
  consent::Grantor* g = c.add_grantors();
  g->set_name(r.Text(p + "name", true, 200));
  if (auto rel = r.Code(p + "relation", CodeKind::kRelation, true))
    g->set_relation(RelationOf(*rel));
  if (auto auth = r.YesNo(p + "authority", true)) g->set_has_authority(*auth);
  g->set_authority_verified_how(r.Text(p + "verified_how", false, 200));
  if (auto at = r.DateTime(p + "signed_at", true)) *g->mutable_signed_at() = ToTimestamp(*at);
  if (auto m = r.Code(p + "method", CodeKind::kSigningMethod, true)) {
    g->set_method(*m == "digital" ? consent::SIGNING_METHOD_DIGITAL
                                  : consent::SIGNING_METHOD_PAPER);
  }
}

}  // namespace

std::optional<std::map<std::string, size_t>> CsvRowFields::Columns(
    const ExportFormat& format, const std::vector<std::string>& header, Problems& problems) {
  std::map<std::string, size_t> at;
  const size_t before = problems.size();
  for (const auto& entry : format.columns) {
    const std::string& field = entry.first;
    const std::string& column = entry.second;
    auto it = std::find_if(header.begin(), header.end(),
                           [&](const std::string& h) { return Lower(h) == Lower(column); });
    if (it == header.end()) {
      const std::vector<FieldSpec>& specs = ExportFields(format.kind);
      const bool required = std::any_of(specs.begin(), specs.end(), [&](const FieldSpec& f) {
        return f.required && f.name == field;
      });
      // An optional field's column may be left out of a file: its values are empty.
      if (required) problems.push_back({column, absl::StrCat("\"", column, "\" (", field, ")")});
    } else {
      at[field] = static_cast<size_t>(it - header.begin());
    }
  }
  if (problems.size() > before) return std::nullopt;
  return at;
}

std::string CsvRowFields::Value(const std::string& field) const {
  auto it = columns_.find(field);
  if (it == columns_.end() || it->second >= row_.size()) return "";
  return std::string(absl::StripAsciiWhitespace(row_[it->second]));
}

std::vector<std::string> CsvRowFields::List(const std::string& field) const {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(Value(field), list_separator_)) {
    part = absl::StripAsciiWhitespace(part);
    if (!part.empty()) out.emplace_back(part);
  }
  return out;
}

std::string CsvRowFields::Where(const std::string& field) const {
  auto it = format_.columns.find(field);
  return it == format_.columns.end() ? field : it->second;
}

std::string JsonFields::Value(const std::string& field) const {
  auto it = object_.find(field);
  if (it == object_.end() || it->is_null()) return "";
  if (it->is_string()) return std::string(absl::StripAsciiWhitespace(it->get<std::string>()));
  if (it->is_number_integer()) return absl::StrCat(it->get<int64_t>());
  return it->dump();  // a wrong type is reported by the field's own check
}

std::vector<std::string> JsonFields::List(const std::string& field) const {
  std::vector<std::string> out;
  auto it = object_.find(field);
  if (it == object_.end() || !it->is_array()) return out;
  for (const nlohmann::json& v : *it) {
    if (v.is_string() && !absl::StripAsciiWhitespace(v.get<std::string>()).empty()) {
      out.emplace_back(absl::StripAsciiWhitespace(v.get<std::string>()));
    }
  }
  return out;
}

std::optional<RosterEntry> MapRosterRow(const Chain& chain, const Fields& fields,
                                        const directory::Directory& directory, Problems& problems) {
  Reader r(chain, fields, problems);
  RosterEntry e;
  e.child_number = r.ChildNumber("child_number", true);
  e.birth_date = r.Date("birth_date", true);
  e.location_id = r.LocationId("location");
  e.group_id = r.Group("group", e.location_id, directory, false);
  if (r.Failed()) return std::nullopt;
  return e;
}

std::optional<ConsentRow> MapConsentRow(const Chain& chain, const Fields& fields,
                                        Problems& problems) {
  Reader r(chain, fields, problems);
  ConsentRow row;
  row.child_number = r.ChildNumber("child_number", true);
  consent::Consent& c = *row.call.mutable_consent();
  const std::string birth = r.Date("birth_date", false);
  row.birth_date_given = !birth.empty();
  c.set_child_birth_date(birth);
  const std::string holders = r.Text("holders_of_authority", false);
  int n = 0;
  if (!holders.empty()) {
    if (!absl::SimpleAtoi(holders, &n) || n < 1 || n > 2) {
      r.Problem("holders_of_authority", absl::StrCat("\"", holders, "\" is not 1 or 2"));
    }
    c.set_holders_of_authority(n);
  }
  AddGrantor(r, fields, 1, c);
  AddGrantor(r, fields, 2, c);
  if (holders.empty()) {  // one signature per holder of authority who signed
    c.set_holders_of_authority(static_cast<int>(
        std::count_if(c.grantors().begin(), c.grantors().end(),
                      [](const consent::Grantor& g) { return g.has_authority(); })));
  }
  if (auto at = r.DateTime("child_assent_signed_at", false)) {
    *c.mutable_child_assent()->mutable_signed_at() = ToTimestamp(*at);
    c.mutable_child_assent()->set_method(consent::SIGNING_METHOD_PAPER);
  }
  for (const std::string& p : r.Codes("purposes", CodeKind::kPurpose)) c.add_purposes(PurposeOf(p));
  for (const std::string& d : r.Codes("categories", CodeKind::kCategory)) {
    c.add_data_categories(CategoryOf(d));
  }
  const std::vector<std::string> recipients = fields.List("recipients");
  if (recipients.empty()) r.Problem("recipients", "is empty");
  for (const std::string& name : recipients) {
    std::optional<std::string> id = chain.Recipient(name);
    if (!id) {
      r.Problem("recipients", absl::StrCat("\"", name, "\" is not a known recipient"));
    } else {
      c.add_recipient_organisation_ids(*id);
    }
  }
  std::optional<absl::Time> from = r.DateTime("valid_from", true);
  std::optional<absl::Time> until = r.DateTime("valid_until", true);
  if (from) *c.mutable_valid_from() = ToTimestamp(*from);
  if (until) *c.mutable_valid_until() = ToTimestamp(*until);
  if (from && until && *until <= *from) r.Problem("valid_until", "is not after valid_from");
  c.set_evidence_ref(r.Text("evidence_ref", true, 200));
  c.set_recorded_by(r.StaffId("recorded_by"));
  if (r.Failed()) return std::nullopt;
  return row;
}

std::optional<QuestionRow> MapQuestion(const Chain& chain, const Fields& fields,
                                       const directory::Directory& directory, Problems& problems) {
  Reader r(chain, fields, problems);
  QuestionRow q;
  q.question_id = r.Text("question_id", true, 64);
  referrals::DirectLineRequest& req = *q.call.mutable_request();
  const std::optional<std::string> kind = r.Code("kind", CodeKind::kQuestionKind, true);
  req.set_kind(!kind              ? referrals::REQUEST_KIND_UNSPECIFIED
               : *kind == "group" ? referrals::REQUEST_KIND_GROUP
               : *kind == "child" ? referrals::REQUEST_KIND_CHILD
                                  : referrals::REQUEST_KIND_ANONYMOUS);
  referrals::Requester& who = *req.mutable_requester();
  who.set_professional_id(r.StaffId("staff"));
  who.set_organisation_id(chain.organisation_id());
  who.set_location_id(r.LocationId("location"));
  const bool group = kind && *kind == "group";
  const bool child = kind && *kind == "child";
  const std::string group_id = r.Group("group", who.location_id(), directory, group);
  if (group && !group_id.empty()) {
    req.mutable_group()->set_location_id(who.location_id());
    req.mutable_group()->set_group_id(group_id);
  } else if (!group && !fields.Value("group").empty()) {
    r.Problem("group", "is only for a question about a group");
  }
  for (const std::string& d : r.Codes("domains", CodeKind::kQuestionDomain)) {
    req.add_question_domains(DomainOf(d));
  }
  req.set_question(r.Text("question", true, 4000));
  req.set_observations(r.Text("observations", false, 8000));
  const std::optional<std::string> priority = r.Code("priority", CodeKind::kPriority, false);
  req.set_priority(priority && *priority == "high" ? referrals::PRIORITY_HIGH
                                                   : referrals::PRIORITY_NORMAL);
  if (child) {
    q.child_number = r.ChildNumber("child_number", true);
    referrals::ChildIdentity& id = *q.call.mutable_child_identity();
    id.set_given_name(r.Text("given_name", true, 200));
    id.set_family_name(r.Text("family_name", true, 200));
    id.set_birth_date(r.Date("birth_date", true));
    const std::string bsn = r.Text("bsn", false);
    if (!bsn.empty()) {
      if (absl::Status s = ValidateBsn(bsn); !s.ok()) {
        r.Problem("bsn", std::string(s.message()));
      } else {
        id.set_bsn(NormaliseBsn(bsn));
      }
    }
  } else {
    for (const char* f : {"child_number", "given_name", "family_name", "birth_date", "bsn"}) {
      if (!fields.Value(f).empty()) {
        r.Problem(f, "names a child in a question that is not about a named child");
      }
    }
  }
  if (r.Failed()) return std::nullopt;
  return q;
}

}  // namespace olif::childcare
