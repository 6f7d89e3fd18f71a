#include "adapters/runtime/delivery_queue.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "services/common/config/config_loader.h"

namespace olif::adapters {
namespace {

constexpr char kTablesSql[] =
    "CREATE TABLE IF NOT EXISTS deliveries ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " event_id TEXT NOT NULL,"
    " destination TEXT NOT NULL,"
    " key TEXT NOT NULL,"
    " topic TEXT NOT NULL,"
    " payload BLOB NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " next_attempt_us INTEGER NOT NULL,"
    " state INTEGER NOT NULL,"  // DeliveryState
    " last_error TEXT NOT NULL DEFAULT '',"
    " created_us INTEGER NOT NULL,"
    " updated_us INTEGER NOT NULL,"
    " UNIQUE (event_id, destination)) STRICT;"
    "CREATE INDEX IF NOT EXISTS deliveries_open ON deliveries (destination, key, state, id);"
    // What is due, in id order, and the counts per state, from the index
    // alone, without reading what was delivered.
    "DROP INDEX IF EXISTS deliveries_due;"
    "CREATE INDEX IF NOT EXISTS deliveries_by_state"
    " ON deliveries (destination, state, id, key, next_attempt_us);"
    // Operator actions on dead letters: who, what, when and why.
    "CREATE TABLE IF NOT EXISTS delivery_actions ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " delivery_id INTEGER NOT NULL REFERENCES deliveries (id),"
    " action TEXT NOT NULL,"
    " who TEXT NOT NULL,"
    " why TEXT NOT NULL,"
    " at_us INTEGER NOT NULL) STRICT;";

constexpr char kColumns[] =
    "id, event_id, destination, key, topic, payload, attempts, next_attempt_us, state, last_error";

Delivery FromRow(const sqlite::Statement& r) {
  Delivery d;
  d.id = r.ColumnInt64(0);
  d.event_id = r.ColumnText(1);
  d.destination = r.ColumnText(2);
  d.key = r.ColumnText(3);
  d.topic = r.ColumnText(4);
  d.payload = r.ColumnBlob(5);
  d.attempts = static_cast<int>(r.ColumnInt64(6));
  d.next_attempt = absl::FromUnixMicros(r.ColumnInt64(7));
  d.state = static_cast<DeliveryState>(r.ColumnInt64(8));
  d.last_error = r.ColumnText(9);
  return d;
}

absl::StatusOr<std::vector<Delivery>> Read(sqlite::Statement& stmt) {
  std::vector<Delivery> out;
  absl::Status s = stmt.ForEachRow([&](const sqlite::Statement& row) -> absl::Status {
    out.push_back(FromRow(row));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<Delivery> Load(sqlite::Database& db, int64_t id) {
  absl::StatusOr<sqlite::Statement*> stmt =
      db.Prepare(absl::StrCat("SELECT ", kColumns, " FROM deliveries WHERE id = ?1"));
  if (!stmt.ok()) return stmt.status();
  absl::StatusOr<std::vector<Delivery>> rows = Read((*stmt)->Bind(1, id));
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return absl::NotFoundError(absl::StrCat("delivery ", id, " not found"));
  return rows->front();
}

absl::Status Update(sqlite::Database& db, const Delivery& d, absl::Time now) {
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
      "UPDATE deliveries SET payload = ?2, attempts = ?3, next_attempt_us = ?4, state = ?5,"
      " last_error = ?6, updated_us = ?7 WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)
      ->Bind(1, d.id)
      .BindBlob(2, d.payload)
      .Bind(3, static_cast<int64_t>(d.attempts))
      .Bind(4, absl::ToUnixMicros(d.next_attempt))
      .Bind(5, static_cast<int64_t>(d.state))
      .Bind(6, d.last_error)
      .Bind(7, absl::ToUnixMicros(now))
      .Run();
}

}  // namespace

absl::Duration Backoff(const RetryPolicy& policy, int attempt, double random01) {
  const int doublings = std::clamp(attempt - 1, 0, 40);
  absl::Duration wait = policy.initial_backoff * std::ldexp(1.0, doublings);
  wait = std::min(wait, policy.max_backoff);
  return wait * (1.0 - policy.jitter + 2.0 * policy.jitter * random01);
}

absl::Status DeliveryQueue::CreateTables(sqlite::Database& db) { return db.Exec(kTablesSql); }

absl::StatusOr<std::unique_ptr<DeliveryQueue>> DeliveryQueue::Open(const std::string& path,
                                                                   sqlite::Writer& writer,
                                                                   RetryPolicy policy) {
  absl::StatusOr<std::unique_ptr<sqlite::Database>> reader = sqlite::Database::Open(path, {});
  if (!reader.ok()) return reader.status();
  return std::unique_ptr<DeliveryQueue>(new DeliveryQueue(std::move(*reader), writer, policy));
}

absl::Status DeliveryQueue::Enqueue(sqlite::Database& db, const std::string& destination,
                                    const std::string& key, const std::string& event_id,
                                    const std::string& topic, const std::string& payload,
                                    absl::Time now) {
  absl::StatusOr<sqlite::Statement*> stmt = db.Prepare(
      "INSERT OR IGNORE INTO deliveries (event_id, destination, key, topic, payload,"
      " next_attempt_us, state, created_us, updated_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6, "
      "?6)");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)
      ->Bind(1, event_id)
      .Bind(2, destination)
      .Bind(3, key)
      .Bind(4, topic)
      .BindBlob(5, payload)
      .Bind(6, absl::ToUnixMicros(now))
      .Bind(7, static_cast<int64_t>(DeliveryState::kPending))
      .Run();
}

absl::StatusOr<std::vector<Delivery>> DeliveryQueue::Due(
    const std::string& destination, absl::Time now, int limit,
    const std::function<bool(const std::string& key)>& skip) {
  olif::MutexLock lock(&mu_);
  // A key's head is its oldest message still pending or dead; only a pending
  // head whose time has come is due. Dead letters are few: their keys first.
  absl::StatusOr<sqlite::Statement*> dead = reader_->Prepare(
      // By state first: grouping by key would otherwise walk every message
      // of the destination, delivered ones too, through deliveries_open.
      "SELECT key, MIN(id) FROM deliveries INDEXED BY deliveries_by_state"
      " WHERE destination = ?1 AND state = ?2 GROUP BY key");
  if (!dead.ok()) return dead.status();
  absl::flat_hash_map<std::string, int64_t> dead_from;
  absl::Status s = (*dead)
                       ->Bind(1, destination)
                       .Bind(2, static_cast<int64_t>(DeliveryState::kDead))
                       .ForEachRow([&](const sqlite::Statement& r) {
                         dead_from[r.ColumnText(0)] = r.ColumnInt64(1);
                         return absl::OkStatus();
                       });
  if (!s.ok()) return s;
  absl::StatusOr<sqlite::Statement*> pending = reader_->Prepare(
      "SELECT id, key, next_attempt_us FROM deliveries WHERE destination = ?1 AND state = ?2"
      " ORDER BY id");
  if (!pending.ok()) return pending.status();
  absl::flat_hash_set<std::string> seen;
  std::vector<int64_t> chosen;
  const int64_t now_us = absl::ToUnixMicros(now);
  (*pending)->Bind(1, destination).Bind(2, static_cast<int64_t>(DeliveryState::kPending));
  while (static_cast<int>(chosen.size()) < limit) {
    absl::StatusOr<bool> row = (*pending)->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const int64_t id = (*pending)->ColumnInt64(0);
    std::string key = (*pending)->ColumnText(1);
    auto held = dead_from.find(key);
    if (held != dead_from.end() && held->second < id) continue;  // behind a dead letter
    if (!seen.insert(key).second) continue;                      // not its key's head
    if ((*pending)->ColumnInt64(2) <= now_us && !(skip && skip(key))) chosen.push_back(id);
  }
  (*pending)->Reset();
  std::vector<Delivery> out;
  out.reserve(chosen.size());
  for (int64_t id : chosen) {
    absl::StatusOr<Delivery> d = Load(*reader_, id);
    if (!d.ok()) return d.status();
    out.push_back(std::move(*d));
  }
  return out;
}

absl::Status DeliveryQueue::Delivered(int64_t id, absl::Time now, const Also& also) {
  return writer_.Run([&](sqlite::Database& db) -> absl::Status {
    absl::StatusOr<Delivery> d = Load(db, id);
    if (!d.ok()) return d.status();
    d->attempts += 1;
    d->state = DeliveryState::kDelivered;
    d->last_error.clear();
    if (absl::Status s = Update(db, *d, now); !s.ok()) return s;
    return also ? also(db, *d) : absl::OkStatus();
  });
}

absl::StatusOr<Delivery> DeliveryQueue::Failed(int64_t id, const std::string& error, bool retryable,
                                               absl::Time now, const Also& also) {
  double r;
  {
    olif::MutexLock lock(&mu_);
    r = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
  }
  Delivery after;
  absl::Status s = writer_.Run([&](sqlite::Database& db) -> absl::Status {
    absl::StatusOr<Delivery> d = Load(db, id);
    if (!d.ok()) return d.status();
    d->attempts += 1;
    d->last_error = error;
    if (!retryable || d->attempts >= policy_.max_attempts) {
      d->state = DeliveryState::kDead;
    } else {
      d->next_attempt = now + Backoff(policy_, d->attempts, r);
    }
    after = *d;
    if (absl::Status u = Update(db, *d, now); !u.ok()) return u;
    return also ? also(db, *d) : absl::OkStatus();
  });
  if (!s.ok()) return s;
  return after;
}

absl::StatusOr<bool> DeliveryQueue::HasKey(sqlite::Database& db, const std::string& destination,
                                           const std::string& key) {
  absl::StatusOr<sqlite::Statement*> stmt =
      db.Prepare("SELECT 1 FROM deliveries WHERE destination = ?1 AND key = ?2 LIMIT 1");
  if (!stmt.ok()) return stmt.status();
  return (*stmt)->Bind(1, destination).Bind(2, key).ReadOne([](const sqlite::Statement&) {});
}

absl::StatusOr<int64_t> DeliveryQueue::RetryMatching(sqlite::Database& db,
                                                     const std::string& destination,
                                                     const DeadLetterMatch& match,
                                                     const std::string& who, const std::string& why,
                                                     absl::Time now) {
  // An edited payload need not be JSON: CASE keeps json_extract off it.
  static constexpr char kMatching[] =
      " FROM deliveries WHERE destination = ?1 AND state = ?2 AND topic = ?3"
      " AND substr(last_error, 1, length(?4)) = ?4"
      " AND CASE WHEN json_valid(CAST(payload AS TEXT))"
      " THEN json_extract(CAST(payload AS TEXT), ?5) END = ?6";
  auto bind = [&](sqlite::Statement& stmt) -> sqlite::Statement& {
    return stmt.Bind(1, destination)
        .Bind(2, static_cast<int64_t>(DeliveryState::kDead))
        .Bind(3, match.topic)
        .Bind(4, match.error_prefix)
        .Bind(5, match.json_path)
        .Bind(6, match.value);
  };
  absl::StatusOr<sqlite::Statement*> record =
      db.Prepare(absl::StrCat("INSERT INTO delivery_actions (delivery_id, action, who, why, at_us)"
                              " SELECT id, 'retried', ?7, ?8, ?9",
                              kMatching));
  if (!record.ok()) return record.status();
  const int64_t at = absl::ToUnixMicros(now);
  if (absl::Status s = bind(**record).Bind(7, who).Bind(8, why).Bind(9, at).Run(); !s.ok()) {
    return s;
  }
  absl::StatusOr<sqlite::Statement*> retry = db.Prepare(absl::StrCat(
      "UPDATE deliveries SET state = ?7, attempts = 0, next_attempt_us = ?8, updated_us = ?8"
      " WHERE id IN (SELECT id",
      kMatching, ")"));
  if (!retry.ok()) return retry.status();
  if (absl::Status s =
          bind(**retry).Bind(7, static_cast<int64_t>(DeliveryState::kPending)).Bind(8, at).Run();
      !s.ok()) {
    return s;
  }
  return static_cast<int64_t>(db.Changes());
}

absl::Status DeliveryQueue::Act(int64_t id, const char* action, const std::string& who,
                                const std::string& why, absl::Time now,
                                const std::optional<std::string>& payload, DeliveryState to) {
  if (who.empty() || why.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(action, " of a dead letter needs who and why; both are recorded"));
  }
  return writer_.Run([&](sqlite::Database& db) -> absl::Status {
    absl::StatusOr<Delivery> d = Load(db, id);
    if (!d.ok()) return d.status();
    if (d->state != DeliveryState::kDead) {
      return absl::FailedPreconditionError(absl::StrCat(
          "delivery ", id, " is not a dead letter; only dead letters can be ", action));
    }
    d->state = to;
    if (to == DeliveryState::kPending) {
      d->attempts = 0;
      d->next_attempt = now;
    }
    if (payload.has_value()) d->payload = *payload;
    if (absl::Status s = Update(db, *d, now); !s.ok()) return s;
    absl::StatusOr<sqlite::Statement*> record = db.Prepare(
        "INSERT INTO delivery_actions (delivery_id, action, who, why, at_us)"
        " VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!record.ok()) return record.status();
    return (*record)
        ->Bind(1, id)
        .Bind(2, action)
        .Bind(3, who)
        .Bind(4, why)
        .Bind(5, absl::ToUnixMicros(now))
        .Run();
  });
}

absl::Status DeliveryQueue::Retry(int64_t id, const std::string& who, const std::string& why,
                                  absl::Time now) {
  return Act(id, "retried", who, why, now, std::nullopt, DeliveryState::kPending);
}

absl::Status DeliveryQueue::Skip(int64_t id, const std::string& who, const std::string& why,
                                 absl::Time now) {
  return Act(id, "skipped", who, why, now, std::nullopt, DeliveryState::kSkipped);
}

absl::Status DeliveryQueue::EditAndResend(int64_t id, const std::string& payload,
                                          const std::string& who, const std::string& why,
                                          absl::Time now) {
  return Act(id, "edited and resent", who, why, now, payload, DeliveryState::kPending);
}

absl::StatusOr<Delivery> DeliveryQueue::Get(int64_t id) {
  olif::MutexLock lock(&mu_);
  return Load(*reader_, id);
}

absl::StatusOr<std::vector<DeliveryAction>> DeliveryQueue::Actions(int64_t id) {
  olif::MutexLock lock(&mu_);
  absl::StatusOr<sqlite::Statement*> stmt = reader_->Prepare(
      "SELECT action, who, why, at_us FROM delivery_actions WHERE delivery_id = ?1 ORDER BY seq");
  if (!stmt.ok()) return stmt.status();
  std::vector<DeliveryAction> out;
  absl::Status s = (*stmt)->Bind(1, id).ForEachRow([&](const sqlite::Statement& r) {
    out.push_back({.action = r.ColumnText(0),
                   .who = r.ColumnText(1),
                   .why = r.ColumnText(2),
                   .at = absl::FromUnixMicros(r.ColumnInt64(3))});
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<Delivery>> DeliveryQueue::DeadLetters(const std::string& destination,
                                                                 int limit) {
  olif::MutexLock lock(&mu_);
  absl::StatusOr<sqlite::Statement*> stmt = reader_->Prepare(
      absl::StrCat("SELECT ", kColumns,
                   " FROM deliveries WHERE destination = ?1 AND state = ?2 ORDER BY id"
                   " LIMIT ?3"));
  if (!stmt.ok()) return stmt.status();
  return Read((*stmt)
                  ->Bind(1, destination)
                  .Bind(2, static_cast<int64_t>(DeliveryState::kDead))
                  .Bind(3, static_cast<int64_t>(limit)));
}

absl::StatusOr<int64_t> DeliveryQueue::PruneFinished(absl::Time before) {
  return writer_.Change(
      "DELETE FROM deliveries WHERE state IN (?1, ?2) AND updated_us < ?3"
      " AND id NOT IN (SELECT delivery_id FROM delivery_actions)",
      [&](sqlite::Statement& stmt) {
        stmt.Bind(1, static_cast<int64_t>(DeliveryState::kDelivered))
            .Bind(2, static_cast<int64_t>(DeliveryState::kSkipped))
            .Bind(3, absl::ToUnixMicros(before));
      });
}

absl::StatusOr<int64_t> DeliveryQueue::Count(const std::string& destination, DeliveryState state) {
  olif::MutexLock lock(&mu_);
  absl::StatusOr<sqlite::Statement*> stmt =
      reader_->Prepare("SELECT COUNT(*) FROM deliveries WHERE destination = ?1 AND state = ?2");
  if (!stmt.ok()) return stmt.status();
  int64_t n = 0;
  absl::StatusOr<bool> row =
      (*stmt)
          ->Bind(1, destination)
          .Bind(2, static_cast<int64_t>(state))
          .ReadOne([&](const sqlite::Statement& r) { n = r.ColumnInt64(0); });
  if (!row.ok()) return row.status();
  return n;
}

absl::StatusOr<RetryPolicy> RetryPolicyFromConfig(
    const olifantenpad::config::v1::DeliveryRetryConfig& r, const std::string& field) {
  if (r.max_attempts() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".max_attempts: must not be negative"));
  }
  RetryPolicy policy;
  if (r.max_attempts() > 0) policy.max_attempts = r.max_attempts();
  if (r.has_initial_backoff()) policy.initial_backoff = config::ToDuration(r.initial_backoff());
  if (r.has_max_backoff()) policy.max_backoff = config::ToDuration(r.max_backoff());
  return policy;
}

}  // namespace olif::adapters
