#include "adapters/youthcare_fhir/inbound.h"

#include <set>

#include <algorithm>
#include <functional>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace olif::youthcare_fhir {
namespace {

namespace rv1 = olifantenpad::referrals::v1;

constexpr char kTablesSql[] =
    "CREATE TABLE IF NOT EXISTS poll_cursor ("
    " source TEXT PRIMARY KEY,"
    " last_updated TEXT NOT NULL) STRICT;"
    // Versions already handled (the cursor is inclusive: ge), with their
    // type and lastUpdated so that pruning keeps those at the cursor.
    "CREATE TABLE IF NOT EXISTS inbound_seen ("
    " resource TEXT PRIMARY KEY,"
    " at_us INTEGER NOT NULL,"
    " source TEXT NOT NULL,"
    " last_updated TEXT NOT NULL) STRICT;"
    "CREATE INDEX IF NOT EXISTS inbound_seen_at ON inbound_seen (at_us);";

constexpr const char* kTypes[] = {"Task", "Communication"};

// The service could not be asked: the poll ends and the next one resumes.
bool Transient(const absl::Status& s) {
  return absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s) || absl::IsResourceExhausted(s) ||
         absl::IsInternal(s) || absl::IsUnknown(s) || absl::IsCancelled(s);
}

bool IsOpen(rv1::RequestStatus s) {
  return s == rv1::REQUEST_STATUS_SUBMITTED || s == rv1::REQUEST_STATUS_ACCEPTED ||
         s == rv1::REQUEST_STATUS_IN_PROGRESS;
}

bool HasExpertMessage(const rv1::DirectLineRequest& r, const std::string& text) {
  return std::any_of(r.messages().begin(), r.messages().end(), [&text](const rv1::Message& m) {
    return m.author() == rv1::AUTHOR_EXPERT && m.text() == text;
  });
}

std::string LastUpdated(const nlohmann::json& resource) {
  if (!resource.is_object() || !resource.contains("meta") || !resource["meta"].is_object()) {
    return "";
  }
  const nlohmann::json& at = resource["meta"].value("lastUpdated", nlohmann::json());
  return at.is_string() ? at.get<std::string>() : "";
}

}  // namespace

absl::Status TaskPoller::CreateTables(sqlite::Database& db) {
  if (absl::Status s = db.Exec(kTablesSql); !s.ok()) return s;
  // A database from before the versions handled were pruned lacks their type
  // and lastUpdated: added empty, such rows are pruned by age alone.
  absl::StatusOr<sqlite::Statement*> columns =
      db.Prepare("SELECT COUNT(*) FROM pragma_table_info('inbound_seen') WHERE name = 'source'");
  if (!columns.ok()) return columns.status();
  int64_t found = 0;
  absl::StatusOr<bool> row =
      (*columns)->ReadOne([&found](const sqlite::Statement& r) { found = r.ColumnInt64(0); });
  if (!row.ok()) return row.status();
  if (found > 0) return absl::OkStatus();
  return db.Exec(
      "ALTER TABLE inbound_seen ADD COLUMN source TEXT NOT NULL DEFAULT '';"
      "ALTER TABLE inbound_seen ADD COLUMN last_updated TEXT NOT NULL DEFAULT '';");
}

absl::StatusOr<std::unique_ptr<TaskPoller>> TaskPoller::Open(
    const std::string& path, adapters::HttpClientOptions http, sqlite::Writer& writer,
    Referrals& referrals, const Clock& clock, metrics::Registry& metrics) {
  absl::StatusOr<std::unique_ptr<sqlite::Database>> reader = sqlite::Database::Open(path, {});
  if (!reader.ok()) return reader.status();
  return std::unique_ptr<TaskPoller>(
      new TaskPoller(std::move(*reader), std::move(http), writer, referrals, clock, metrics));
}

TaskPoller::TaskPoller(std::unique_ptr<sqlite::Database> reader, adapters::HttpClientOptions http,
                       sqlite::Writer& writer, Referrals& referrals, const Clock& clock,
                       metrics::Registry& metrics)
    : reader_(std::move(reader)),
      http_(std::move(http)),
      writer_(writer),
      referrals_(referrals),
      clock_(clock),
      metrics_(metrics) {}

absl::StatusOr<std::string> TaskPoller::Cursor(const std::string& type) {
  olif::MutexLock lock(&mu_);
  absl::StatusOr<sqlite::Statement*> stmt =
      reader_->Prepare("SELECT last_updated FROM poll_cursor WHERE source = ?1");
  if (!stmt.ok()) return stmt.status();
  std::string cursor;
  absl::StatusOr<bool> row = (*stmt)->Bind(1, type).ReadOne(
      [&cursor](const sqlite::Statement& r) { cursor = r.ColumnText(0); });
  if (!row.ok()) return row.status();
  return cursor;
}

absl::StatusOr<bool> TaskPoller::Seen(const std::string& resource) {
  olif::MutexLock lock(&mu_);
  absl::StatusOr<sqlite::Statement*> stmt =
      reader_->Prepare("SELECT 1 FROM inbound_seen WHERE resource = ?1");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)->Bind(1, resource).ReadOne([](const sqlite::Statement&) {});
}

absl::Status TaskPoller::Remember(const std::vector<Handled>& handled) {
  if (handled.empty()) return absl::OkStatus();
  const int64_t now = absl::ToUnixMicros(clock_.Now());
  return writer_.Run([&](sqlite::Database& db) -> absl::Status {
    absl::StatusOr<sqlite::Statement*> seen = db.Prepare(
        "INSERT OR IGNORE INTO inbound_seen (resource, at_us, source, last_updated)"
        " VALUES (?1, ?2, ?3, ?4)");
    if (!seen.ok()) return seen.status();
    // Only forward: the server's instants are ISO 8601 in one zone, so they
    // order as text.
    absl::StatusOr<sqlite::Statement*> cursor = db.Prepare(
        "INSERT INTO poll_cursor (source, last_updated) VALUES (?1, ?2)"
        " ON CONFLICT (source) DO UPDATE SET last_updated = excluded.last_updated"
        " WHERE excluded.last_updated > poll_cursor.last_updated");
    if (!cursor.ok()) return cursor.status();
    for (const Handled& h : handled) {
      if (absl::Status s = (*seen)
                               ->Bind(1, h.resource)
                               .Bind(2, now)
                               .Bind(3, h.type)
                               .Bind(4, h.last_updated)
                               .Run();
          !s.ok()) {
        return s;
      }
      if (h.advance_cursor && !h.last_updated.empty()) {
        if (absl::Status s = (*cursor)->Bind(1, h.type).Bind(2, h.last_updated).Run(); !s.ok()) {
          return s;
        }
      }
      if (absl::Status s = adapters::MessageHistory::RecordIn(db, h.entry); !s.ok()) return s;
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<int64_t> TaskPoller::Prune(absl::Time before) {
  // A version without a lastUpdated is never found by the cursor's search.
  return writer_.Change(
      "DELETE FROM inbound_seen WHERE at_us < ?1 AND (last_updated = '' OR last_updated <"
      " (SELECT c.last_updated FROM poll_cursor c WHERE c.source = inbound_seen.source))",
      [&](sqlite::Statement& stmt) { stmt.Bind(1, absl::ToUnixMicros(before)); });
}

absl::StatusOr<TaskPoller::Outcome> TaskPoller::Handle(const TaskChange& c) {
  const bool accepts =
      c.status == "accepted" || c.status == "in-progress" || c.status == "completed";
  if (!accepts && c.status != "rejected" && c.note.empty()) {
    return Outcome{"ignored", absl::StrCat("Task ", c.status, ": nothing to do")};
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    absl::StatusOr<rv1::DirectLineRequest> request = referrals_.Get(c.request_id);
    if (!request.ok()) {
      if (Transient(request.status())) return request.status();
      return Outcome{"rejected", absl::StrCat("request ", c.request_id,
                                              " cannot be read: ", request.status().message())};
    }
    const rv1::RequestStatus status = request->status();
    int64_t version = request->version();
    std::vector<std::string> done;
    absl::Status s;
    auto step = [&](const char* what, const std::function<absl::Status()>& call) {
      if (!s.ok()) return;
      s = call();
      if (s.ok()) {
        ++version;
        done.push_back(what);
      }
    };
    const bool submitted = status == rv1::REQUEST_STATUS_SUBMITTED;
    if (accepts && submitted) {
      step("accepted", [&] { return referrals_.Accept(c.request_id, version); });
    }
    if (accepts && IsOpen(status)) {
      for (const rv1::Cycle& cycle : c.cycles) {
        if (cycle.number() <= request->cycles_size()) continue;  // recorded before
        step("cycle recorded",
             [&] { return referrals_.RecordCycle(c.request_id, version, cycle); });
      }
    }
    // A note from the expert becomes a message while the request is open,
    // before a resolve or decline that it may explain.
    if (!c.note.empty() && IsOpen(status) && !HasExpertMessage(*request, c.note)) {
      step("message added", [&] { return referrals_.AddMessage(c.request_id, version, c.note); });
    }
    if (c.status == "rejected" && submitted) {
      step("declined", [&] {
        return referrals_.Decline(c.request_id, version,
                                  c.reason.empty() ? "declined at the provider" : c.reason);
      });
    }
    if (c.status == "completed" && IsOpen(status)) {
      step("resolved", [&] { return referrals_.Resolve(c.request_id, version); });
    }
    if (absl::IsAborted(s)) continue;  // changed meanwhile: read again
    if (!s.ok()) {
      if (Transient(s)) return s;
      return Outcome{"rejected", absl::StrCat("the referrals service refused: ", s.message())};
    }
    if (done.empty()) {
      return Outcome{"ignored", absl::StrCat("Task ", c.status, " with the request ",
                                             rv1::RequestStatus_Name(status), ": nothing to do")};
    }
    std::string detail;
    for (const std::string& d : done) absl::StrAppend(&detail, detail.empty() ? "" : ", ", d);
    return Outcome{"applied", detail};
  }
  return absl::AbortedError(
      absl::StrCat("request ", c.request_id, " kept changing while the Task was applied"));
}

absl::StatusOr<TaskPoller::Outcome> TaskPoller::Handle(const MessageChange& m) {
  if (m.status != "completed") {
    return Outcome{"ignored", absl::StrCat("Communication ", m.status, ": not sent yet")};
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    absl::StatusOr<rv1::DirectLineRequest> request = referrals_.Get(m.request_id);
    if (!request.ok()) {
      if (Transient(request.status())) return request.status();
      return Outcome{"rejected", absl::StrCat("request ", m.request_id,
                                              " cannot be read: ", request.status().message())};
    }
    if (HasExpertMessage(*request, m.text)) {
      return Outcome{"ignored", "the request has this message already"};
    }
    const absl::Status s = referrals_.AddMessage(m.request_id, request->version(), m.text);
    if (absl::IsAborted(s)) continue;
    if (s.ok()) return Outcome{"applied", "message added"};
    if (Transient(s)) return s;
    return Outcome{"rejected", absl::StrCat("the referrals service refused: ", s.message())};
  }
  return absl::AbortedError(
      absl::StrCat("request ", m.request_id, " kept changing while the message was added"));
}

absl::StatusOr<int> TaskPoller::PollOnce() {
  int count = 0;
  for (const char* type : kTypes) {
    absl::StatusOr<int> n = Poll(type);
    if (!n.ok()) return n.status();
    count += *n;
  }
  return count;
}

absl::StatusOr<nlohmann::json> TaskPoller::Fetch(const std::string& url) {
  adapters::HttpResponse r = adapters::Exchange(http_, {.method = "GET", .url = url});
  if (r.status != 200) {
    return absl::UnavailableError(r.status == 0
                                      ? absl::StrCat("cannot poll ", url, ": ", r.transport_error)
                                      : absl::StrCat("polling ", url, " answered HTTP ", r.status,
                                                     ": ", r.body.substr(0, 500)));
  }
  nlohmann::json bundle = nlohmann::json::parse(r.body, nullptr, false);
  if (bundle.is_discarded() || !bundle.is_object() ||
      bundle.value("resourceType", "") != "Bundle") {
    return absl::UnavailableError(
        absl::StrCat("polling ", url, " did not return a FHIR Bundle: ", r.body.substr(0, 200)));
  }
  return bundle;
}

absl::StatusOr<int> TaskPoller::Poll(const std::string& type) {
  absl::StatusOr<std::string> cursor = Cursor(type);
  if (!cursor.ok()) return cursor.status();
  std::string url = absl::StrCat(http_.url, "/", type, "?_sort=_lastUpdated&_count=100");
  if (!cursor->empty()) absl::StrAppend(&url, "&_lastUpdated=ge", *cursor);
  int count = 0;
  for (int page = 0; page < kMaxPages; ++page) {
    const absl::Time started = clock_.Now();
    absl::StatusOr<nlohmann::json> bundle = Fetch(url);
    if (!bundle.ok()) return bundle.status();
    {
      olif::MutexLock lock(&handling_mu_);
      absl::StatusOr<int> n =
          HandleAll(bundle->value("entry", nlohmann::json::array()), started, true);
      if (!n.ok()) return n.status();
      count += *n;
    }
    std::string next;
    for (const nlohmann::json& link : bundle->value("link", nlohmann::json::array())) {
      if (link.is_object() && link.value("relation", "") == "next") next = link.value("url", "");
    }
    if (next.empty()) break;
    // The next page is asked with the same credentials: only of the same server.
    if (!absl::StartsWith(next, absl::StrCat(http_.url, "/")) &&
        !absl::StartsWith(next, absl::StrCat(http_.url, "?"))) {
      return absl::UnavailableError(absl::StrCat("the next page of ", type, " changes (", next,
                                                 ") is not under the FHIR base ", http_.url,
                                                 "; not followed"));
    }
    url = std::move(next);
  }
  return count;
}

absl::StatusOr<int> TaskPoller::HandleNotification(const std::string& body) {
  const absl::Time started = clock_.Now();
  int count = 0;
  if (!body.empty()) {
    const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
      return absl::InvalidArgumentError("the notification is not FHIR JSON");
    }
    nlohmann::json entries = nlohmann::json::array();
    if (doc.value("resourceType", "") == "Bundle") {
      // Only the Tasks it carries; other entries (e.g. the subscription's
      // status) say nothing to act on.
      for (const auto& e : doc.value("entry", nlohmann::json::array())) {
        if (e.is_object() && e.contains("resource") && e["resource"].is_object()) {
          const std::string type = e["resource"].value("resourceType", "");
          if (type == "Task" || type == "Communication") entries.push_back(e);
        }
      }
    } else if (doc.value("resourceType", "") == "Task" ||
               doc.value("resourceType", "") == "Communication") {
      entries.push_back(nlohmann::json{{"resource", doc}});
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "the notification is a ", doc.value("resourceType", "resource without a type"),
          ", not a Bundle, a Task or a Communication"));
    }
    olif::MutexLock lock(&handling_mu_);
    // What came by notification does not move the cursor: Tasks changed
    // before it may not have been polled yet.
    absl::StatusOr<int> n = HandleAll(entries, started, false);
    if (!n.ok()) return n.status();
    count = *n;
  }
  // A notification says something changed: poll for the rest now.
  absl::StatusOr<int> polled = PollOnce();
  if (!polled.ok()) return polled.status();
  return count + *polled;
}

absl::StatusOr<int> TaskPoller::HandleAll(const nlohmann::json& entries, absl::Time started,
                                          bool advance_cursor) {
  auto outcome_counter = [this](const char* outcome) -> metrics::Counter& {
    return metrics_.GetCounter("olif_youthcare_inbound_total",
                               "Provider Task and Communication versions handled, by outcome",
                               {{"outcome", outcome}});
  };
  auto& handled = outcome_counter("applied");
  auto& ignored = outcome_counter("ignored");
  auto& rejected = outcome_counter("rejected");
  int count = 0;
  std::vector<Handled> handled_now;
  std::set<std::string> in_this_batch;
  for (const nlohmann::json& entry : entries) {
    const nlohmann::json resource =
        entry.is_object() ? entry.value("resource", nlohmann::json()) : nlohmann::json();
    const std::string type =
        resource.is_object() ? resource.value("resourceType", "") : std::string();
    adapters::HistoryEntry h{.at = started,
                             .direction = "in",
                             .destination = type.empty() ? "unknown" : type,
                             .topic = type,
                             .sent = resource.dump()};
    std::optional<TaskChange> task;
    std::optional<MessageChange> message;
    absl::Status parsed;
    std::string seen_key;
    // Kept with the version for pruning; a malformed resource's moves no cursor.
    const std::string last_updated = LastUpdated(resource);
    if (type == "Communication") {
      absl::StatusOr<MessageChange> m = ParseCommunication(resource);
      parsed = m.status();
      if (m.ok()) {
        message = std::move(*m);
        seen_key = absl::StrCat("Communication/", message->id, "/_history/", message->version);
        h.key = message->request_id;
      }
    } else {
      absl::StatusOr<TaskChange> t = ParseTask(resource);
      parsed = t.status();
      if (t.ok()) {
        task = std::move(*t);
        seen_key = absl::StrCat("Task/", task->task_id, "/_history/", task->version);
        h.key = task->request_id;
      }
    }
    if (!parsed.ok()) {
      // Remember the bad resource by its content so it is reported once.
      seen_key = absl::StrCat("bad:", std::hash<std::string>{}(h.sent));
      h.outcome = "rejected";
      h.detail = std::string(parsed.message());
    }
    h.event_id = seen_key;
    if (!in_this_batch.insert(seen_key).second) continue;  // twice in one page
    absl::StatusOr<bool> seen = Seen(seen_key);
    if (!seen.ok()) return seen.status();
    if (*seen) continue;
    if (parsed.ok()) {
      absl::StatusOr<Outcome> outcome = task ? Handle(*task) : Handle(*message);
      if (!outcome.ok()) {
        // What was handled before stays handled; the next poll tries this again.
        if (absl::Status s = Remember(handled_now); !s.ok()) return s;
        return outcome.status();
      }
      h.outcome = outcome->outcome;
      h.detail = outcome->detail;
    }
    h.took = clock_.Now() - started;
    (h.outcome == "applied" ? handled : h.outcome == "ignored" ? ignored : rejected).Inc();
    handled_now.push_back({.resource = seen_key,
                           .type = type,
                           .last_updated = last_updated,
                           .advance_cursor = advance_cursor && parsed.ok(),
                           .entry = std::move(h)});
    ++count;
  }
  if (absl::Status s = Remember(handled_now); !s.ok()) return s;
  return count;
}

}  // namespace olif::youthcare_fhir
