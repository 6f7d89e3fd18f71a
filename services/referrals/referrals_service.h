#pragma once

// The referrals service's logic: validation (request_validation.h), pairing
// with the directory, the consent gate for named children, the state machine
// (state_machine.h) with optimistic concurrency, response times and
// statistics. It knows nothing of gRPC (referrals_grpc.h is the shell), of
// SQL (the ReferralsStore's) or of config files (main.cc).
//
// Thread-safe; `store`, `clock` and `directory` must outlive the service.

#include <functional>
#include <string>
#include <vector>

#include "olifantenpad/config/v1/referrals.pb.h"
#include "olifantenpad/referrals/v1/referrals.pb.h"
#include "services/common/clock/clock.h"
#include "services/common/directory/directory.h"
#include "services/common/events/referrals_topics.h"
#include "services/referrals/referrals_store.h"
#include "services/referrals/state_machine.h"
#include "services/referrals/working_days.h"

namespace olif::referrals {

// Each default lives here, once; SettingsFromConfig reads the config over it.
struct Settings {
  int default_page_size = 50;
  int max_page_size = 500;
  int first_response_working_days = 2;
  int consent_wait_days = 14;
  // Working days are counted in this zone, without these YYYY-MM-DD holidays.
  std::string time_zone = "Europe/Amsterdam";
  std::vector<std::string> holidays;
  // Counts below this are reported as "<5" in statistics.
  int suppress_below = 5;
  absl::Duration job_interval = absl::Minutes(1);
};

// The settings in `config`, with the defaults above for what it leaves out.
Settings SettingsFromConfig(const olifantenpad::config::v1::ReferralsSettings& config);

class ReferralsService {
 public:
  ReferralsService(ReferralsStore& store, const Clock& clock,
                   const directory::DirectoryHolder& directory, WorkingDays working_days,
                   Settings settings);

  // Writes never block: `done` runs when the change is durably stored (or
  // refused), on a thread of the store's.
  using Done = std::function<void(absl::StatusOr<v1::DirectLineRequest>)>;
  void Create(const v1::CreateRequestRequest& call, const std::string& trace_id, Done done);
  void Accept(const v1::AcceptRequestRequest& call, const std::string& trace_id, Done done);
  void Decline(const v1::DeclineRequestRequest& call, const std::string& trace_id, Done done);
  void RecordCycle(const v1::RecordCycleRequest& call, const std::string& trace_id, Done done);
  void AddMessage(const v1::AddMessageRequest& call, const std::string& trace_id, Done done);
  void Resolve(const v1::ResolveRequestRequest& call, const std::string& trace_id, Done done);
  void Escalate(const v1::EscalateRequestRequest& call, const std::string& trace_id, Done done);
  void Withdraw(const v1::WithdrawRequestRequest& call, const std::string& trace_id, Done done);
  void Reassign(const v1::ReassignRequestRequest& call, const std::string& trace_id, Done done);

  absl::StatusOr<v1::DirectLineRequest> Get(const v1::GetRequestRequest& call);
  absl::StatusOr<v1::GetChildIdentityResponse> ChildIdentity(
      const v1::GetChildIdentityRequest& call);
  absl::StatusOr<v1::ListRequestsResponse> List(const v1::ListRequestsRequest& call);
  absl::StatusOr<v1::GetStatisticsResponse> Statistics(const v1::GetStatisticsRequest& call);

  // A consent event, inside the consumer's transaction (the consent gate):
  // applied to the service's consent projection; a grant releases the
  // child's requests waiting for it, a withdrawal restricts the open
  // requests that relied on it.
  absl::Status ApplyConsentEvent(ReferralsTransaction& txn,
                                 const olifantenpad::common::v1::EventEnvelope& event);

  // The periodic job: announces overdue first responses once, and lapses
  // named-child requests whose consent did not come within the wait. Blocks
  // until durable; returns how many requests it changed.
  absl::StatusOr<int> RunDueJobs();

 private:
  // Applies `action` to request `id` through the store: the state machine's
  // next status, then `change` (which fills in the details and returns the
  // events).
  using Change = std::function<absl::StatusOr<Events>(v1::DirectLineRequest&, absl::Time now)>;
  void Transition(const std::string& id, int64_t version, Action action,
                  const std::string& trace_id, Change change, Done done);
  // Marks `r` submitted now: due time, and the RequestSubmitted event.
  Event Submit(v1::DirectLineRequest& r, absl::Time now) const;
  // Builds the request to store from a valid call, paired with `expert`.
  NewRequest Prepare(const v1::CreateRequestRequest& call,
                     const olifantenpad::config::v1::Professional& expert,
                     const std::string& trace_id, absl::Time now) const;
  absl::Status ReleaseWaiting(ReferralsTransaction& txn, const std::string& child_ref);
  absl::Status RestrictUnder(ReferralsTransaction& txn, const std::string& consent_id);
  absl::StatusOr<int> AnnounceOverdue(ReferralsTransaction& txn, absl::Time now);
  absl::StatusOr<int> LapseUnconsented(ReferralsTransaction& txn, absl::Time now);

  ReferralsStore& store_;
  const Clock& clock_;
  const directory::DirectoryHolder& directory_;
  const WorkingDays working_days_;
  const Settings settings_;
};

// Page tokens are opaque to callers; they carry the filters they were issued
// for, so a token used with other filters is refused.
std::string EncodePageToken(const v1::ListRequestsRequest& filters, const ListCursor& cursor);
absl::StatusOr<ListCursor> DecodePageToken(const v1::ListRequestsRequest& filters);

}  // namespace olif::referrals
