#pragma once

// The youth-care FHIR adapter's way in (TaskPoller; TaskNotifications for the
// webhook): polls the provider's server for Tasks
// and Communications changed since a durable cursor per resource type
// (GET Task?_lastUpdated=ge…&_sort=_lastUpdated) and turns each change into
// calls on the referrals service, in this order:
//
//   Task.status accepted / in-progress / completed → AcceptRequest (when still submitted)
//   Task.output cycles not yet recorded (fhir::kCycleSystem) → RecordCycle, in number order
//   a new last Task.note                           → AddMessage from the expert
//   Task.status rejected                           → DeclineRequest with statusReason
//   Task.status completed                          → ResolveRequest
//   a completed Communication basedOn the request  → AddMessage from the expert
//   requested, received, ready, cancelled, …       → nothing to do
//
// A poll follows the searchset's `next` links (up to kMaxPages pages), so
// more changes than fit on one page at one identical instant (a provider's
// transaction gives all it writes one lastUpdated) are all taken; a link
// that leaves the FHIR base is not followed.
//
// Each resource version is handled once (remembered with the cursor, in one
// transaction with its history line): a malformed or unknown resource is
// rejected into the history with the reason; a request the service refuses
// to move (e.g. restricted) is rejected with the service's reason; when the
// service cannot be reached the poll stops there and the next one resumes.

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "adapters/runtime/history.h"
#include "adapters/runtime/http_client.h"
#include "adapters/runtime/inbound.h"
#include "adapters/youthcare_fhir/fhir_translator.h"
#include "adapters/youthcare_fhir/referrals_client.h"
#include "services/common/clock/clock.h"
#include "services/common/metrics/metrics.h"
#include "services/common/sqlite/writer.h"
#include "services/common/sync/mutex.h"

namespace olif::youthcare_fhir {

class TaskPoller {
 public:
  static absl::Status CreateTables(sqlite::Database& db);
  // `http.url` is the FHIR base. All references must outlive the poller.
  static absl::StatusOr<std::unique_ptr<TaskPoller>> Open(const std::string& path,
                                                          adapters::HttpClientOptions http,
                                                          sqlite::Writer& writer,
                                                          Referrals& referrals, const Clock& clock,
                                                          metrics::Registry& metrics);

  // One poll: fetches the changed Tasks and handles each; returns how many
  // were handled, or why the poll stopped (the next one resumes).
  absl::StatusOr<int> PollOnce();
  // A subscription notification (the webhook): handles the Tasks and
  // Communications it carries (a Bundle of them or one resource), then polls
  // for the rest; an empty body just polls. INVALID_ARGUMENT when the body is
  // not a FHIR Bundle, Task or Communication.
  absl::StatusOr<int> HandleNotification(const std::string& body);
  // The cursor of a resource type ("Task", "Communication"): the lastUpdated
  // of the newest one handled; empty at first.
  absl::StatusOr<std::string> Cursor(const std::string& type = "Task");
  // Forgets the handled versions remembered before `before` that the cursor
  // has passed (those at the cursor's instant are still searched with ge and
  // stay); returns how many. Run with the history's retention.
  absl::StatusOr<int64_t> Prune(absl::Time before);

  // Pages one poll follows at most per resource type; the next poll goes on.
  static constexpr int kMaxPages = 50;

 private:
  struct Outcome {
    std::string outcome;  // applied, ignored, rejected
    std::string detail;
  };
  TaskPoller(std::unique_ptr<sqlite::Database> reader, adapters::HttpClientOptions http,
             sqlite::Writer& writer, Referrals& referrals, const Clock& clock,
             metrics::Registry& metrics);
  // UNAVAILABLE/DEADLINE_EXCEEDED/ABORTED (after a re-read) end the poll.
  absl::StatusOr<Outcome> Handle(const TaskChange& change);
  absl::StatusOr<Outcome> Handle(const MessageChange& change);
  // Polls one resource type.
  absl::StatusOr<int> Poll(const std::string& type);
  // One poll or notification at a time: each reads what was handled and
  // remembers what it handles.
  absl::StatusOr<int> HandleAll(const nlohmann::json& entries, absl::Time started,
                                bool advance_cursor) ABSL_EXCLUSIVE_LOCKS_REQUIRED(handling_mu_);
  // One searchset page; UNAVAILABLE when the server cannot give it.
  absl::StatusOr<nlohmann::json> Fetch(const std::string& url);
  absl::StatusOr<bool> Seen(const std::string& resource);
  // A version handled: remembered with its history line; `last_updated`
  // moves the cursor of `type` forward when `advance_cursor`.
  struct Handled {
    std::string resource;
    std::string type;
    std::string last_updated;
    bool advance_cursor = false;
    adapters::HistoryEntry entry;
  };
  // Remembers a page's versions in one transaction (one commit for the page,
  // not one per version; a crash before it makes them handled again, which
  // referrals' version checks make harmless).
  absl::Status Remember(const std::vector<Handled>& handled);

  olif::Mutex handling_mu_;
  olif::Mutex mu_;
  std::unique_ptr<sqlite::Database> reader_ ABSL_GUARDED_BY(mu_);
  adapters::HttpClientOptions http_;
  sqlite::Writer& writer_;
  Referrals& referrals_;
  const Clock& clock_;
  metrics::Registry& metrics_;
};

// The webhook's handler: a FHIR subscription notification about Tasks or
// Communications.
class TaskNotifications final : public adapters::InboundHandler {
 public:
  explicit TaskNotifications(TaskPoller& poller) : poller_(poller) {}
  absl::Status Handle(const adapters::InboundMessage& message) override {
    return poller_.HandleNotification(message.body).status();
  }

 private:
  TaskPoller& poller_;
};

}  // namespace olif::youthcare_fhir
