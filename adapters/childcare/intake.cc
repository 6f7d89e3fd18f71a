#include "adapters/childcare/intake.h"

#include <google/protobuf/util/json_util.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "adapters/runtime/folder.h"
#include "nlohmann/json.hpp"
#include "services/common/ids/ids.h"
#include "services/common/logging/logging.h"
#include "services/common/status/status.h"

namespace olif::childcare {
namespace {

namespace fs = std::filesystem;
namespace cv1 = olifantenpad::consent::v1;
namespace hv1 = olifantenpad::handover::v1;
namespace rv1 = olifantenpad::referrals::v1;
namespace cfg = olifantenpad::config::v1;

// The namespace of the request ids derived from the chains' records.
constexpr char kRecordNamespace[] = "5b0c2a8e-7d3f-4e61-9a2b-0c4d6e8f1a37";
// The actor the adapter calls the services as, and why.
constexpr char kActor[] = "childcare-adapter";

// Rows mapped and called at once: their calls go out together, their
// pseudonyms are issued in one transaction.
constexpr size_t kBatch = 64;
// Calls of one batch in flight at once.
constexpr size_t kParallel = 8;

// Whether the service refused the record for good (a problem of the row), as
// opposed to not being able to take it now (the file waits).
bool RefusedForGood(const absl::Status& s) {
  return absl::IsInvalidArgument(s) || absl::IsFailedPrecondition(s) || absl::IsAlreadyExists(s) ||
         absl::IsNotFound(s) || absl::IsOutOfRange(s) || absl::IsPermissionDenied(s);
}

// Our field named by a service's field path (the longest matching prefix).
std::string FieldOfPath(const std::string& path) {
  static const auto* table = new std::vector<std::pair<std::string, std::string>>{
      {"consent.child_birth_date", "birth_date"},
      {"consent.holders_of_authority", "holders_of_authority"},
      {"consent.grantors[0].name", "grantor1_name"},
      {"consent.grantors[0].relation", "grantor1_relation"},
      {"consent.grantors[0].has_authority", "grantor1_authority"},
      {"consent.grantors[0].authority_verified_how", "grantor1_verified_how"},
      {"consent.grantors[0].signed_at", "grantor1_signed_at"},
      {"consent.grantors[0].method", "grantor1_method"},
      {"consent.grantors[1].name", "grantor2_name"},
      {"consent.grantors[1].relation", "grantor2_relation"},
      {"consent.grantors[1].has_authority", "grantor2_authority"},
      {"consent.grantors[1].authority_verified_how", "grantor2_verified_how"},
      {"consent.grantors[1].signed_at", "grantor2_signed_at"},
      {"consent.grantors[1].method", "grantor2_method"},
      {"consent.child_assent", "child_assent_signed_at"},
      {"consent.purposes", "purposes"},
      {"consent.recipient_organisation_ids", "recipients"},
      {"consent.data_categories", "categories"},
      {"consent.valid_from", "valid_from"},
      {"consent.valid_until", "valid_until"},
      {"consent.evidence_ref", "evidence_ref"},
      {"consent.recorded_by", "recorded_by"},
      {"request.requester.professional_id", "staff"},
      {"request.requester.location_id", "location"},
      {"request.group", "group"},
      {"request.question_domains", "domains"},
      {"request.question", "question"},
      {"request.observations", "observations"},
      {"request.priority", "priority"},
      {"child_identity.given_name", "given_name"},
      {"child_identity.family_name", "family_name"},
      {"child_identity.birth_date", "birth_date"},
      {"child_identity.bsn", "bsn"},
  };
  for (const auto& [prefix, field] : *table) {
    if (absl::StartsWith(path, prefix)) return field;
  }
  return "";
}

// The service's refusal as problems of the record: each field violation under
// the column it came from, or the message as a whole.
void AddRefusal(const absl::Status& refusal, const Fields& fields, Problems& problems) {
  google::rpc::BadRequest bad;
  if (GetBadRequest(refusal, &bad) && bad.field_violations_size() > 0) {
    for (const auto& v : bad.field_violations()) {
      const std::string field = FieldOfPath(v.field());
      if (field.empty()) {
        problems.push_back({"", absl::StrCat(v.field(), ": ", v.description())});
      } else {
        problems.push_back({fields.Where(field), v.description()});
      }
    }
    return;
  }
  problems.push_back({"", std::string(refusal.message())});
}

// A field of the report, quoted when it must be (RFC 4180).
std::string CsvField(const std::string& v, char separator) {
  if (v.find_first_of(std::string("\"\r\n") + separator) == std::string::npos) return v;
  return absl::StrCat("\"", absl::StrReplaceAll(v, {{"\"", "\"\""}}), "\"");
}

struct Reported {
  int64_t row;
  Problem problem;
};

// The file's quarantine report, or none (and an earlier one of the same file
// removed) when every row was taken.
absl::StatusOr<std::string> WriteReport(const std::string& quarantine, const std::string& file_name,
                                        const std::vector<Reported>& reported, char separator) {
  const std::string path = absl::StrCat(quarantine, "/", file_name, ".report.csv");
  if (reported.empty()) {
    std::error_code ec;
    fs::remove(path, ec);
    return std::string();
  }
  const std::string sep(1, separator);
  std::string out = "\xEF\xBB\xBF";  // a byte-order mark: spreadsheets then read UTF-8
  absl::StrAppend(&out, "row", sep, "column", sep, "reason\r\n");
  for (const Reported& r : reported) {
    absl::StrAppend(&out, r.row, sep, CsvField(r.problem.column, separator), sep,
                    CsvField(r.problem.reason, separator), "\r\n");
  }
  if (absl::Status s = adapters::WriteFileAtomically(path, out); !s.ok()) return s;
  return path;
}

// A file name safe to put into a folder: no folder part, no hidden name.
bool SafeFileName(const std::string& name) {
  return !name.empty() && name.size() <= 200 && name.front() != '.' &&
         name.find('/') == std::string::npos && name.find('\\') == std::string::npos &&
         !absl::EndsWith(name, ".tmp") && !absl::EndsWith(name, ".part");
}

}  // namespace

std::string RecordRequestId(const std::string& chain, const std::string& kind,
                            const std::string& key) {
  return NameBasedUuid(kRecordNamespace, absl::StrCat(chain, "/", kind, "/", key));
}

struct ChainIntake::Row {
  int64_t number;
  std::vector<std::string> fields;
};

ChainIntake::ChainIntake(std::shared_ptr<const Chain> chain,
                         std::function<std::shared_ptr<const directory::Directory>()> directory,
                         ChildcareStore& store, Hub& hub, const Clock& clock,
                         metrics::Registry& metrics, std::string inbox, std::string quarantine,
                         std::function<void()> wake)
    : chain_(std::move(chain)),
      directory_(std::move(directory)),
      store_(store),
      hub_(hub),
      clock_(clock),
      metrics_(metrics),
      inbox_(std::move(inbox)),
      quarantine_(std::move(quarantine)),
      wake_(std::move(wake)) {}

metrics::Counter& ChainIntake::Rows(const ExportFormat& format, const char* result) {
  return metrics_.GetCounter(
      "olif_childcare_rows_total",
      "Rows of the chains' exports by chain, export and what became of them",
      {{"chain", chain_->id()}, {"export", ExportName(format.kind)}, {"result", result}});
}

absl::Status ChainIntake::Handle(const adapters::InboundMessage& m) {
  const std::string name = !m.file_name.empty() ? m.file_name : m.name;
  const bool json = absl::StrContains(m.content_type, "json") || absl::EndsWith(name, ".json");
  if (!m.path.empty()) {  // a file of the folder, read where it lies
    if (json) {
      std::ifstream in(m.path, std::ios::binary);
      std::ostringstream body;
      body << in.rdbuf();
      if (!in.good() && !in.eof()) return absl::InternalError(absl::StrCat("cannot read ", m.path));
      return TakeJson(body.str(), name);
    }
    absl::StatusOr<FileOutcome> outcome = TakeCsv(m.path, name);
    return outcome.status();
  }
  if (json) return TakeJson(m.body, name);
  return PutIntoInbox(m);
}

absl::Status ChainIntake::PutIntoInbox(const adapters::InboundMessage& m) {
  if (!SafeFileName(m.file_name)) {
    return absl::InvalidArgumentError(
        "a CSV export is posted with its file name: Content-Disposition: attachment; "
        "filename=\"<name>.csv\" (no folder part, not hidden)");
  }
  if (chain_->ExportOfFile(m.file_name) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", m.file_name, "\" matches none of the chain's exports"));
  }
  // Written as a .part file the scanner leaves alone, then renamed in: the
  // scanner never sees half a file.
  const std::string target = absl::StrCat(inbox_, "/", m.file_name);
  if (absl::Status s = adapters::WriteFileAtomically(target, m.body); !s.ok()) {
    return absl::UnavailableError(s.message());
  }
  log::Info("posted export put into the inbox",
            {{"chain", chain_->id()}, {"file", m.file_name}, {"peer", m.peer}});
  if (wake_) wake_();
  return absl::OkStatus();
}

absl::StatusOr<FileOutcome> ChainIntake::TakeCsv(const std::string& path,
                                                 const std::string& file_name) {
  const ExportFormat* format = chain_->ExportOfFile(file_name);
  if (format == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", file_name, "\" matches none of the chain's exports (", chain_->id(), ")"));
  }
  const std::shared_ptr<const directory::Directory> directory = directory_();
  FileOutcome outcome;
  std::vector<Reported> reported;
  std::optional<std::map<std::string, size_t>> columns;
  size_t header_size = 0;
  std::vector<Row> batch;
  absl::Status stopped;  // a service that cannot be reached

  auto flush = [&]() -> absl::Status {
    if (batch.empty()) return absl::OkStatus();
    std::vector<Problems> problems(batch.size());
    absl::Status s = TakeBatch(*format, file_name, batch, *columns, *directory, problems);
    if (!s.ok()) return s;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (problems[i].empty()) {
        ++outcome.accepted;
        continue;
      }
      ++outcome.quarantined;
      for (Problem& p : problems[i]) reported.push_back({batch[i].number, std::move(p)});
    }
    batch.clear();
    return absl::OkStatus();
  };

  const absl::Status read =
      ReadCsvFile(path, chain_->csv(), [&](const CsvRecord& record) -> absl::Status {
        if (record.number == 1) {
          Problems header_problems;
          columns = CsvRowFields::Columns(*format, record.fields, header_problems);
          if (!columns) {
            std::string why;
            for (const Problem& p : header_problems) {
              absl::StrAppend(&why, why.empty() ? "" : ", ", p.reason);
            }
            return absl::InvalidArgumentError(
                absl::StrCat("row 1 (the header) lacks the column(s) ", why));
          }
          header_size = record.fields.size();
          return absl::OkStatus();
        }
        ++outcome.rows;
        if (record.fields.size() != header_size) {
          ++outcome.quarantined;
          reported.push_back({record.number,
                              {"", absl::StrCat("has ", record.fields.size(),
                                                " fields where the header has ", header_size)}});
          return absl::OkStatus();
        }
        batch.push_back({record.number, record.fields});
        if (batch.size() < kBatch) return absl::OkStatus();
        if (absl::Status s = flush(); !s.ok()) {
          stopped = s;
          return s;
        }
        return absl::OkStatus();
      });
  if (!stopped.ok()) return stopped;  // nothing reported: the file comes again
  if (read.ok() || absl::IsInvalidArgument(read)) {
    if (absl::Status s = flush(); !s.ok()) return s;
  }
  for (auto& [result, n] :
       {std::pair{"accepted", outcome.accepted}, std::pair{"quarantined", outcome.quarantined}}) {
    if (n > 0) Rows(*format, result).Inc(static_cast<double>(n));
  }
  absl::StatusOr<std::string> report =
      WriteReport(quarantine_, file_name, reported, chain_->csv().separator);
  if (!report.ok()) return report.status();
  outcome.report = *report;
  log::Info(read.ok() ? "export taken" : "export taken up to a problem that stops it",
            {{"chain", chain_->id()},
             {"export", ExportName(format->kind)},
             {"file", file_name},
             {"rows", absl::StrCat(outcome.rows)},
             {"accepted", absl::StrCat(outcome.accepted)},
             {"quarantined", absl::StrCat(outcome.quarantined)},
             {"report", outcome.report}});
  if (!read.ok()) return read;
  return outcome;
}

}  // namespace olif::childcare

namespace olif::childcare {
namespace {

// The key a row is known by: its key field, else the file and the row.
std::string RowKey(const ExportFormat& format, const Fields& fields, const std::string& file_name,
                   int64_t row) {
  std::string key_field = format.key_field;
  if (key_field.empty() && format.kind == ExportKind::kQuestions) key_field = "question_id";
  if (!key_field.empty()) {
    const std::string v = fields.Value(key_field);
    if (!v.empty()) return absl::StrCat("key:", v);
  }
  return absl::StrCat("file:", file_name, "#", row);
}

void Access(const std::string& chain, const std::string& what, cv1::AccessContext* access) {
  access->set_actor_id(kActor);
  access->set_reason(absl::StrCat(what, " from chain ", chain));
}

}  // namespace

void ChainIntake::CallAll(size_t n, const std::function<absl::Status(size_t)>& call,
                          std::vector<absl::Status>& results) {
  results.assign(n, absl::OkStatus());
  std::vector<std::thread> threads;
  const size_t width = std::min(n, kParallel);
  for (size_t t = 0; t < width; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = t; i < n; i += width) results[i] = Unshared(call(i));
    });
  }
  for (std::thread& th : threads) th.join();
}

absl::Status ChainIntake::TakeBatch(const ExportFormat& format, const std::string& file_name,
                                    const std::vector<Row>& rows,
                                    const std::map<std::string, size_t>& columns,
                                    const directory::Directory& directory,
                                    std::vector<Problems>& problems) {
  const std::string& chain = chain_->id();
  auto fields_of = [&](size_t i) {
    return CsvRowFields(format, columns, rows[i].fields, chain_->list_separator());
  };
  const absl::Time now = clock_.Now();
  if (format.kind == ExportKind::kRoster) {
    std::vector<RosterEntry> entries;
    for (size_t i = 0; i < rows.size(); ++i) {
      std::optional<RosterEntry> e = MapRosterRow(*chain_, fields_of(i), directory, problems[i]);
      if (e) entries.push_back(std::move(*e));
    }
    return store_.PutRoster(chain, entries, now);
  }

  // Mapped, with the children's pseudonyms issued in one transaction.
  std::vector<std::optional<ConsentRow>> consents(rows.size());
  std::vector<std::optional<QuestionRow>> questions(rows.size());
  std::vector<std::string> numbers;
  for (size_t i = 0; i < rows.size(); ++i) {
    const CsvRowFields fields = fields_of(i);
    const std::string request_id = RecordRequestId(
        chain, ExportName(format.kind), RowKey(format, fields, file_name, rows[i].number));
    if (format.kind == ExportKind::kConsents) {
      consents[i] = MapConsentRow(*chain_, fields, problems[i]);
      if (!consents[i]) continue;
      consents[i]->call.set_request_id(request_id);
      Access(chain, absl::StrCat("consent form in ", file_name),
             consents[i]->call.mutable_access());
      numbers.push_back(consents[i]->child_number);
    } else {
      questions[i] = MapQuestion(*chain_, fields, directory, problems[i]);
      if (!questions[i]) continue;
      questions[i]->call.set_request_id(request_id);
      if (!questions[i]->child_number.empty()) numbers.push_back(questions[i]->child_number);
    }
  }
  absl::StatusOr<std::map<std::string, Child>> children = store_.Children(chain, numbers);
  if (!children.ok()) return children.status();
  for (size_t i = 0; i < rows.size(); ++i) {
    if (consents[i]) {
      const Child& child = children->at(consents[i]->child_number);
      cv1::Consent& c = *consents[i]->call.mutable_consent();
      c.mutable_child()->set_child_ref(child.child_ref);
      if (!consents[i]->birth_date_given) {
        if (child.birth_date.empty()) {
          const CsvRowFields fields = fields_of(i);
          problems[i].push_back(
              {fields.Where("birth_date").empty() ? "birth_date" : fields.Where("birth_date"),
               "is not given, and the child is not in the roster"});
          consents[i].reset();
          continue;
        }
        c.set_child_birth_date(child.birth_date);
      }
    }
    if (questions[i] && !questions[i]->child_number.empty()) {
      questions[i]->call.mutable_request()->mutable_child()->set_child_ref(
          children->at(questions[i]->child_number).child_ref);
    }
  }

  std::vector<std::string> made(rows.size());
  std::vector<absl::Status> results;
  CallAll(
      rows.size(),
      [&](size_t i) -> absl::Status {
        absl::StatusOr<std::string> id;
        if (consents[i]) {
          id = hub_.RecordConsent(consents[i]->call);
        } else if (questions[i]) {
          id = hub_.CreateRequest(questions[i]->call);
        } else {
          return absl::OkStatus();  // mapped with problems: not sent
        }
        if (id.ok()) made[i] = *id;
        return id.status();
      },
      results);
  for (size_t i = 0; i < rows.size(); ++i) {
    if (results[i].ok()) continue;
    if (!RefusedForGood(results[i])) return results[i];
    AddRefusal(results[i], fields_of(i), problems[i]);
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    if (questions[i] && !made[i].empty()) {
      if (absl::Status s = store_.RememberRequest(made[i], {chain, questions[i]->question_id}, now);
          !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ChainIntake::TakeJson(const std::string& body, const std::string& name) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": not a JSON object"));
  }
  const std::shared_ptr<const directory::Directory> directory = directory_();
  const std::string kind = doc.value("document", std::string());
  Problems problems;
  absl::Status taken;
  if (kind == "direct_line_question") {
    taken = TakeQuestionDocument(JsonFields(doc), *directory, problems);
  } else if (kind == "handover_form") {
    taken = TakeHandover(doc, *directory, problems);
  } else {
    problems.push_back(
        {"document", absl::StrCat("\"", kind, "\" is not direct_line_question or handover_form")});
  }
  if (!taken.ok()) return taken;
  if (problems.empty()) return absl::OkStatus();
  std::string why;
  for (const Problem& p : problems) {
    absl::StrAppend(&why, why.empty() ? "" : "; ", p.column.empty() ? "" : p.column + ": ",
                    p.reason);
  }
  return absl::InvalidArgumentError(absl::StrCat(name, ": ", why));
}

absl::Status ChainIntake::TakeQuestionDocument(const Fields& fields,
                                               const directory::Directory& directory,
                                               Problems& problems) {
  const std::string& chain = chain_->id();
  std::optional<QuestionRow> q = MapQuestion(*chain_, fields, directory, problems);
  if (!q) return absl::OkStatus();
  q->call.set_request_id(
      RecordRequestId(chain, ExportName(ExportKind::kQuestions), "key:" + q->question_id));
  if (!q->child_number.empty()) {
    absl::StatusOr<std::map<std::string, Child>> child = store_.Children(chain, {q->child_number});
    if (!child.ok()) return child.status();
    q->call.mutable_request()->mutable_child()->set_child_ref(child->at(q->child_number).child_ref);
  }
  absl::StatusOr<std::string> id = hub_.CreateRequest(q->call);
  if (!id.ok()) {
    if (!RefusedForGood(id.status())) return id.status();
    AddRefusal(id.status(), fields, problems);
    return absl::OkStatus();
  }
  return store_.RememberRequest(*id, {chain, q->question_id}, clock_.Now());
}

absl::Status ChainIntake::TakeHandover(const nlohmann::json& doc,
                                       const directory::Directory& directory, Problems& problems) {
  const std::string& chain = chain_->id();
  const JsonFields fields(doc);
  const std::string form_id = fields.Value("form_id");
  if (form_id.empty() || form_id.size() > 64)
    problems.push_back({"form_id", "is empty or longer than 64 characters"});
  const std::string child_number = fields.Value("child_number");
  if (child_number.empty()) problems.push_back({"child_number", "is empty"});
  const std::string location_code = fields.Value("location");
  const std::optional<std::string> location = chain_->Location(location_code);
  const cfg::Location* loc = location ? directory.FindLocation(*location) : nullptr;
  if (loc == nullptr) {
    problems.push_back(
        {"location", absl::StrCat("\"", location_code, "\" is not a location of this chain")});
  }
  const std::optional<std::string> author = chain_->Staff(fields.Value("author"));
  if (!author) {
    problems.push_back({"author", absl::StrCat("\"", fields.Value("author"),
                                               "\" is not a known member of staff")});
  }
  hv1::HandoverForm form;
  google::protobuf::util::JsonParseOptions strict;
  if (!doc.contains("form") || !doc["form"].is_object()) {
    problems.push_back({"form", "is missing (an object)"});
  } else if (auto s =
                 google::protobuf::util::JsonStringToMessage(doc["form"].dump(), &form, strict);
             !s.ok()) {
    problems.push_back({"form", std::string(s.message())});
  }
  std::optional<hv1::ParentView> view;
  if (doc.contains("parent_view") && !doc["parent_view"].is_null()) {
    view.emplace();
    if (auto s =
            google::protobuf::util::JsonStringToMessage(doc["parent_view"].dump(), &*view, strict);
        !s.ok()) {
      problems.push_back({"parent_view", std::string(s.message())});
    }
  }
  const bool finalise = doc.value("finalise", false);
  if (finalise && !view)
    problems.push_back({"finalise", "needs the parents' view: they must have read the form"});
  if (!problems.empty()) return absl::OkStatus();

  absl::StatusOr<std::map<std::string, Child>> child = store_.Children(chain, {child_number});
  if (!child.ok()) return child.status();
  form.mutable_child()->set_child_ref(child->at(child_number).child_ref);
  form.mutable_sender()->set_location_id(*location);
  form.mutable_sender()->set_lrk_number(loc->lrk_number());
  form.mutable_sender()->set_author_id(*author);
  if (form.has_attendance() && !form.attendance().group_id().empty()) {
    form.mutable_attendance()->set_group_id(chain_->Group(form.attendance().group_id()));
  }

  // Each step from where the form stands: a document taken again, or after
  // a crash halfway, goes on where it was.
  auto refused = [&](const absl::Status& s, const char* step) {
    if (!RefusedForGood(s)) return s;
    problems.push_back({"", absl::StrCat(step, ": ", s.message())});
    return absl::OkStatus();
  };
  hv1::CreateDraftRequest create;
  create.set_request_id(RecordRequestId(chain, "handover", "key:" + form_id));
  *create.mutable_form() = form;
  absl::StatusOr<hv1::HandoverForm> now = hub_.CreateDraft(create);
  if (!now.ok()) {
    if (!RefusedForGood(now.status())) return now.status();
    AddRefusal(now.status(), fields, problems);
    return absl::OkStatus();
  }
  if (absl::Status s = store_.RememberHandover(now->id(), {chain, form_id}, clock_.Now());
      !s.ok()) {
    return s;
  }
  if (now->status() == hv1::HANDOVER_STATUS_DRAFT && (view || finalise)) {
    hv1::SubmitForParentReviewRequest submit;
    submit.set_handover_id(now->id());
    submit.set_version(now->version());
    submit.set_by(*author);
    now = hub_.SubmitForParentReview(submit);
    if (!now.ok()) return refused(now.status(), "putting the form before the parents");
  }
  if (view && now->status() == hv1::HANDOVER_STATUS_PARENT_REVIEW &&
      !now->parent_view().has_seen_at()) {
    hv1::RecordParentViewRequest record;
    record.set_handover_id(now->id());
    record.set_version(now->version());
    *record.mutable_view() = *view;
    record.set_by(*author);
    now = hub_.RecordParentView(record);
    if (!now.ok()) return refused(now.status(), "recording the parents' view");
  }
  if (finalise && now->status() == hv1::HANDOVER_STATUS_PARENT_REVIEW) {
    hv1::FinaliseRequest fin;
    fin.set_handover_id(now->id());
    fin.set_version(now->version());
    fin.set_by(*author);
    now = hub_.Finalise(fin);
    if (!now.ok()) return refused(now.status(), "finalising the form");
  }
  return absl::OkStatus();
}

}  // namespace olif::childcare
