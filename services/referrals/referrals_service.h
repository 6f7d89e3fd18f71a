#pragma once

// The referrals gRPC service (olifantenpad.referrals.v1.ReferralsService):
// validation, pairing with the directory, the consent gate for named
// children, the state machine (state_machine.h) with optimistic concurrency,
// response times, and statistics. Storage is the ReferralsStore's, time the
// Clock's, the directory the holder's; the service knows nothing of config
// files or processes.
//
// Thread-safe; `store`, `clock` and `directory` must outlive the service.

#include <string>

#include "olifantenpad/referrals/v1/referrals.grpc.pb.h"
#include "services/common/clock/clock.h"
#include "services/common/directory/directory.h"
#include "services/common/events/referrals_topics.h"
#include "services/referrals/referrals_store.h"
#include "services/referrals/state_machine.h"
#include "services/referrals/working_days.h"

namespace olif::referrals {

struct Settings {
  int default_page_size = 50;
  int max_page_size = 500;
  int first_response_working_days = 2;
  int consent_wait_days = 14;
  // Counts below this are reported as "<5" in statistics.
  int suppress_below = 5;
};

class ReferralsServiceImpl final : public v1::ReferralsService::CallbackService {
 public:
  ReferralsServiceImpl(ReferralsStore& store, const Clock& clock,
                       const directory::DirectoryHolder& directory, WorkingDays working_days,
                       Settings settings);

  grpc::ServerUnaryReactor* CreateRequest(grpc::CallbackServerContext* context,
                                          const v1::CreateRequestRequest* request,
                                          v1::CreateRequestResponse* response) override;
  grpc::ServerUnaryReactor* GetRequest(grpc::CallbackServerContext* context,
                                       const v1::GetRequestRequest* request,
                                       v1::GetRequestResponse* response) override;
  grpc::ServerUnaryReactor* GetChildIdentity(grpc::CallbackServerContext* context,
                                             const v1::GetChildIdentityRequest* request,
                                             v1::GetChildIdentityResponse* response) override;
  grpc::ServerUnaryReactor* ListRequests(grpc::CallbackServerContext* context,
                                         const v1::ListRequestsRequest* request,
                                         v1::ListRequestsResponse* response) override;
  grpc::ServerUnaryReactor* AcceptRequest(grpc::CallbackServerContext* context,
                                          const v1::AcceptRequestRequest* request,
                                          v1::AcceptRequestResponse* response) override;
  grpc::ServerUnaryReactor* DeclineRequest(grpc::CallbackServerContext* context,
                                           const v1::DeclineRequestRequest* request,
                                           v1::DeclineRequestResponse* response) override;
  grpc::ServerUnaryReactor* RecordCycle(grpc::CallbackServerContext* context,
                                        const v1::RecordCycleRequest* request,
                                        v1::RecordCycleResponse* response) override;
  grpc::ServerUnaryReactor* AddMessage(grpc::CallbackServerContext* context,
                                       const v1::AddMessageRequest* request,
                                       v1::AddMessageResponse* response) override;
  grpc::ServerUnaryReactor* ResolveRequest(grpc::CallbackServerContext* context,
                                           const v1::ResolveRequestRequest* request,
                                           v1::ResolveRequestResponse* response) override;
  grpc::ServerUnaryReactor* EscalateRequest(grpc::CallbackServerContext* context,
                                            const v1::EscalateRequestRequest* request,
                                            v1::EscalateRequestResponse* response) override;
  grpc::ServerUnaryReactor* WithdrawRequest(grpc::CallbackServerContext* context,
                                            const v1::WithdrawRequestRequest* request,
                                            v1::WithdrawRequestResponse* response) override;
  grpc::ServerUnaryReactor* ReassignRequest(grpc::CallbackServerContext* context,
                                            const v1::ReassignRequestRequest* request,
                                            v1::ReassignRequestResponse* response) override;
  grpc::ServerUnaryReactor* GetStatistics(grpc::CallbackServerContext* context,
                                          const v1::GetStatisticsRequest* request,
                                          v1::GetStatisticsResponse* response) override;

  // The logic behind the RPCs, callable without gRPC. Writes never block:
  // `done` runs when the change is durably stored (or refused).
  using CreateDone = std::function<void(absl::StatusOr<v1::DirectLineRequest>)>;
  using Done = std::function<void(absl::StatusOr<v1::DirectLineRequest>)>;
  void Create(const v1::CreateRequestRequest& call, const std::string& trace_id, CreateDone done);
  absl::StatusOr<v1::DirectLineRequest> Get(const v1::GetRequestRequest& call);
  absl::StatusOr<v1::GetChildIdentityResponse> ChildIdentity(
      const v1::GetChildIdentityRequest& call);
  absl::Status List(const v1::ListRequestsRequest& call, v1::ListRequestsResponse* response);
  void Accept(const v1::AcceptRequestRequest& call, const std::string& trace_id, Done done);
  void Decline(const v1::DeclineRequestRequest& call, const std::string& trace_id, Done done);
  void AddCycle(const v1::RecordCycleRequest& call, const std::string& trace_id, Done done);
  void Message(const v1::AddMessageRequest& call, const std::string& trace_id, Done done);
  void Resolve(const v1::ResolveRequestRequest& call, const std::string& trace_id, Done done);
  void Escalate(const v1::EscalateRequestRequest& call, const std::string& trace_id, Done done);
  void Withdraw(const v1::WithdrawRequestRequest& call, const std::string& trace_id, Done done);
  void Reassign(const v1::ReassignRequestRequest& call, const std::string& trace_id, Done done);
  absl::StatusOr<v1::GetStatisticsResponse> Statistics(const v1::GetStatisticsRequest& call);

  // Inside the consumer's transaction on the store's Writer (ConsentGate):
  // releases the child's requests waiting for consent that is now known, and
  // restricts the open requests that relied on a withdrawn consent.
  absl::Status ReleaseWaiting(sqlite::Database& db, const std::string& child_ref);
  absl::Status RestrictUnder(sqlite::Database& db, const std::string& consent_id);

  // The periodic job: announces overdue first responses once, and lapses
  // named-child requests whose consent did not come within the wait. Blocks
  // until durable; returns how many requests it changed.
  absl::StatusOr<int> RunDueJobs();

 private:
  // Validates `id`, then applies `action` through the store: the state
  // machine's next status, then `change` (which fills in the details and
  // returns the events).
  using Change = std::function<absl::StatusOr<Events>(v1::DirectLineRequest&, absl::Time now)>;
  void Transition(const std::string& id, int64_t version, Action action,
                  const std::string& trace_id, Change change, Done done);
  // Marks `r` submitted now: due time, and the RequestSubmitted event.
  Event Submit(v1::DirectLineRequest& r, absl::Time now) const;

  ReferralsStore& store_;
  const Clock& clock_;
  const directory::DirectoryHolder& directory_;
  WorkingDays working_days_;
  Settings settings_;
};

// Page tokens are opaque to callers; they carry the filters they were issued
// for, so a token used with other filters is refused.
std::string EncodePageToken(const v1::ListRequestsRequest& filters, const ListCursor& cursor);
absl::StatusOr<ListCursor> DecodePageToken(const v1::ListRequestsRequest& filters);

}  // namespace olif::referrals
