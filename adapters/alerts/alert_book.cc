#include "adapters/alerts/alert_book.h"

#include <google/protobuf/util/time_util.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/str_cat.h"
#include "adapters/runtime/delivery_queue.h"
#include "services/common/ids/ids.h"

namespace olif::alerts {
namespace {

namespace admin = olifantenpad::admin::v1;
using google::protobuf::util::TimeUtil;

constexpr char kTablesSql[] =
    "CREATE TABLE IF NOT EXISTS alerts ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " rule TEXT NOT NULL,"
    " kind TEXT NOT NULL,"
    " subject TEXT NOT NULL,"
    " process TEXT NOT NULL,"
    " state TEXT NOT NULL CHECK (state IN ('pending', 'firing', 'resolved')),"
    " summary TEXT NOT NULL,"
    " advice TEXT NOT NULL,"
    " since_us INTEGER NOT NULL,"
    " fired_at_us INTEGER,"
    " resolved_at_us INTEGER) STRICT;"
    // One open alert per rule and subject.
    "CREATE UNIQUE INDEX IF NOT EXISTS alerts_open ON alerts (rule, subject)"
    " WHERE state != 'resolved';"
    "CREATE INDEX IF NOT EXISTS alerts_resolved ON alerts (resolved_at_us)"
    " WHERE state = 'resolved';";

struct OpenAlert {
  int64_t id = 0;
  std::string kind;
  std::string process;
  std::string state;
  std::string summary;
  std::string advice;
  absl::Time since;
  absl::Time fired_at;
};

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime(absl::RFC3339_sec, t, absl::UTCTimeZone());
}

// Writes a transition within one Step's transaction.
class Transitions {
 public:
  Transitions(sqlite::Database& db, absl::Time now, bool notify, const std::string& hub)
      : db_(db), now_(now), notify_(notify), hub_(hub) {}

  absl::Status Open(const Rule& rule, const Condition& c) {
    auto insert = db_.Prepare(
        "INSERT INTO alerts (rule, kind, subject, process, state, summary, advice, since_us)"
        " VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6, ?7)");
    if (!insert.ok()) return insert.status();
    absl::Status s = (*insert)
                         ->Bind(1, rule.name)
                         .Bind(2, KindName(rule.kind))
                         .Bind(3, c.subject)
                         .Bind(4, c.process)
                         .Bind(5, c.summary)
                         .Bind(6, rule.advice)
                         .Bind(7, absl::ToUnixMicros(now_))
                         .Run();
    if (!s.ok()) return s;
    if (rule.hold > absl::ZeroDuration()) return absl::OkStatus();
    return Fire(rule.name, c.subject,
                {db_.LastInsertRowId(), KindName(rule.kind), c.process, "pending", c.summary,
                 rule.advice, now_, absl::InfinitePast()});
  }

  absl::Status Fire(const std::string& rule, const std::string& subject, OpenAlert a) {
    auto update = db_.Prepare("UPDATE alerts SET state = 'firing', fired_at_us = ?2 WHERE id = ?1");
    if (!update.ok()) return update.status();
    if (absl::Status s = (*update)->Bind(1, a.id).Bind(2, absl::ToUnixMicros(now_)).Run();
        !s.ok()) {
      return s;
    }
    ++result.fired;
    a.fired_at = now_;
    return Notify(rule, subject, a, "firing");
  }

  absl::Status Summary(int64_t id, const std::string& summary) {
    auto update = db_.Prepare("UPDATE alerts SET summary = ?2 WHERE id = ?1 AND summary != ?2");
    if (!update.ok()) return update.status();
    return (*update)->Bind(1, id).Bind(2, summary).Run();
  }

  // The condition no longer holds: a firing alert resolves, a pending one goes.
  absl::Status End(const std::string& rule, const std::string& subject, OpenAlert a,
                   const std::string& summary) {
    if (a.state == "pending") {
      auto drop = db_.Prepare("DELETE FROM alerts WHERE id = ?1");
      if (!drop.ok()) return drop.status();
      return (*drop)->Bind(1, a.id).Run();
    }
    auto update = db_.Prepare(
        "UPDATE alerts SET state = 'resolved', resolved_at_us = ?2, summary = ?3 WHERE id = ?1");
    if (!update.ok()) return update.status();
    if (absl::Status s =
            (*update)->Bind(1, a.id).Bind(2, absl::ToUnixMicros(now_)).Bind(3, summary).Run();
        !s.ok()) {
      return s;
    }
    ++result.resolved;
    a.summary = summary;
    return Notify(rule, subject, a, "resolved");
  }

  StepResult result;

 private:
  absl::Status Notify(const std::string& rule, const std::string& subject, const OpenAlert& a,
                      const std::string& state) {
    if (!notify_) return absl::OkStatus();
    nlohmann::json body = {{"hub", hub_},
                           {"alert", rule},
                           {"kind", a.kind},
                           {"state", state},
                           {"subject", subject},
                           {"process", a.process},
                           {"summary", a.summary},
                           {"advice", a.advice},
                           {"since", Rfc3339(a.since)},
                           {"fired_at", Rfc3339(a.fired_at)}};
    if (state == "resolved") {
      body["resolved_at"] = Rfc3339(now_);
      body["lasted_seconds"] = absl::ToInt64Seconds(now_ - a.since);
    }
    return adapters::DeliveryQueue::Enqueue(db_, kWebhookDestination,
                                            absl::StrCat(rule, "/", subject), NewUuid(),
                                            absl::StrCat("alert.", state), body.dump(), now_);
  }

  sqlite::Database& db_;
  const absl::Time now_;
  const bool notify_;
  const std::string& hub_;
};

absl::Time FromMicros(const sqlite::Statement& r, int column) {
  return r.ColumnIsNull(column) ? absl::InfinitePast()
                                : absl::FromUnixMicros(r.ColumnInt64(column));
}

// The open alerts, by rule and subject.
absl::StatusOr<std::map<std::string, std::map<std::string, OpenAlert>>> OpenAlerts(
    sqlite::Database& db) {
  auto select = db.Prepare(
      "SELECT id, rule, subject, kind, process, state, summary, advice, since_us, fired_at_us"
      " FROM alerts WHERE state != 'resolved'");
  if (!select.ok()) return select.status();
  std::map<std::string, std::map<std::string, OpenAlert>> out;
  absl::Status s = (*select)->ForEachRow([&out](const sqlite::Statement& r) {
    out[r.ColumnText(1)][r.ColumnText(2)] = {r.ColumnInt64(0), r.ColumnText(3), r.ColumnText(4),
                                             r.ColumnText(5),  r.ColumnText(6), r.ColumnText(7),
                                             FromMicros(r, 8), FromMicros(r, 9)};
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

google::protobuf::Timestamp Stamp(int64_t us) { return TimeUtil::MicrosecondsToTimestamp(us); }

}  // namespace

absl::Status AlertBook::CreateTables(sqlite::Database& db) { return db.Exec(kTablesSql); }

absl::StatusOr<std::unique_ptr<AlertBook>> AlertBook::Open(const std::string& path,
                                                           sqlite::Writer& writer, bool notify,
                                                           std::string hub) {
  absl::StatusOr<std::unique_ptr<sqlite::Database>> reader = sqlite::Database::Open(path, {});
  if (!reader.ok()) return reader.status();
  return std::unique_ptr<AlertBook>(
      new AlertBook(std::move(*reader), writer, notify, std::move(hub)));
}

absl::StatusOr<StepResult> AlertBook::Step(const std::vector<Rule>& rules,
                                           const Observation& observation, absl::Time now) {
  StepResult result;
  absl::Status status = writer_.Run([&](sqlite::Database& db) -> absl::Status {
    absl::StatusOr<std::map<std::string, std::map<std::string, OpenAlert>>> open = OpenAlerts(db);
    if (!open.ok()) return open.status();
    Transitions t(db, now, notify_, hub_);
    for (const Rule& rule : rules) {
      std::map<std::string, OpenAlert> of_rule;
      if (auto it = open->find(rule.name); it != open->end()) {
        of_rule = std::move(it->second);
        open->erase(it);
      }
      std::set<std::string> seen;
      for (const Condition& c : Evaluate(rule, observation)) {
        if (!seen.insert(c.subject).second) continue;
        auto it = of_rule.find(c.subject);
        absl::Status s;
        if (!c.holds) {
          if (it != of_rule.end()) s = t.End(rule.name, c.subject, it->second, c.summary);
        } else if (it == of_rule.end()) {
          s = t.Open(rule, c);
        } else if (it->second.state == "pending" && now - it->second.since >= rule.hold) {
          it->second.summary = c.summary;
          if (s = t.Summary(it->second.id, c.summary); s.ok()) {
            s = t.Fire(rule.name, c.subject, it->second);
          }
        } else {
          s = t.Summary(it->second.id, c.summary);
        }
        if (!s.ok()) return s;
      }
      // What the rule no longer mentions ended, where its process answered.
      for (const auto& [subject, a] : of_rule) {
        if (seen.count(subject) > 0 || !Known(observation, a.process)) continue;
        if (absl::Status s = t.End(rule.name, subject, a, absl::StrCat(a.summary, " (no longer)"));
            !s.ok()) {
          return s;
        }
      }
    }
    // Rules taken out of the configuration end their alerts.
    for (const auto& [rule, alerts] : *open) {
      for (const auto& [subject, a] : alerts) {
        if (absl::Status s = t.End(rule, subject, a, "the rule was taken out of the configuration");
            !s.ok()) {
          return s;
        }
      }
    }
    result = t.result;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<admin::ListAlertsResponse> AlertBook::List(const admin::ListAlertsRequest& request) {
  if (request.limit() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit: must not be negative, got ", request.limit()));
  }
  olif::MutexLock lock(&mu_);
  auto select = reader_->Prepare(
      "SELECT rule, kind, subject, state, summary, advice, since_us, fired_at_us, resolved_at_us"
      " FROM alerts WHERE state != 'resolved'"
      " ORDER BY state = 'pending', since_us DESC, id DESC");
  if (!select.ok()) return select.status();
  admin::ListAlertsResponse out;
  const auto row = [&out](const sqlite::Statement& r) {
    admin::Alert* a = out.add_alerts();
    a->set_rule(r.ColumnText(0));
    a->set_kind(r.ColumnText(1));
    a->set_subject(r.ColumnText(2));
    a->set_state(r.ColumnText(3));
    a->set_summary(r.ColumnText(4));
    a->set_advice(r.ColumnText(5));
    *a->mutable_since() = Stamp(r.ColumnInt64(6));
    if (!r.ColumnIsNull(7)) *a->mutable_fired_at() = Stamp(r.ColumnInt64(7));
    if (!r.ColumnIsNull(8)) *a->mutable_resolved_at() = Stamp(r.ColumnInt64(8));
    return absl::OkStatus();
  };
  if (absl::Status s = (*select)->ForEachRow(row); !s.ok()) return s;
  if (!request.include_resolved()) return out;
  auto resolved = reader_->Prepare(
      "SELECT rule, kind, subject, state, summary, advice, since_us, fired_at_us, resolved_at_us"
      " FROM alerts INDEXED BY alerts_resolved WHERE state = 'resolved'"
      " ORDER BY resolved_at_us DESC LIMIT ?1");
  if (!resolved.ok()) return resolved.status();
  (*resolved)->Bind(1, int64_t{request.limit() == 0 ? 50 : std::min(request.limit(), 1000)});
  if (absl::Status s = (*resolved)->ForEachRow(row); !s.ok()) return s;
  return out;
}

absl::StatusOr<int64_t> AlertBook::Prune(absl::Time before) {
  return writer_.Change("DELETE FROM alerts WHERE state = 'resolved' AND resolved_at_us < ?1",
                        [&](sqlite::Statement& stmt) { stmt.Bind(1, absl::ToUnixMicros(before)); });
}

}  // namespace olif::alerts
