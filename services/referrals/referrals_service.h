#pragma once

// The referrals gRPC service (olifantenpad.referrals.v1.ReferralsService):
// validation, idempotency and paging. Storage is the ReferralsStore's, time
// is the Clock's; the service knows nothing of config files or processes.
//
// Thread-safe; `store` and `clock` must outlive the service.

#include <string>

#include "olifantenpad/referrals/v1/referrals.grpc.pb.h"
#include "services/common/clock/clock.h"
#include "services/referrals/referrals_store.h"

namespace olif::referrals {

inline constexpr char kTopicRequestSubmitted[] = "referrals.request.submitted";

struct Settings {
  int default_page_size = 50;
  int max_page_size = 500;
};

class ReferralsServiceImpl final : public v1::ReferralsService::CallbackService {
 public:
  ReferralsServiceImpl(ReferralsStore& store, const Clock& clock, Settings settings);

  grpc::ServerUnaryReactor* CreateRequest(grpc::CallbackServerContext* context,
                                          const v1::CreateRequestRequest* request,
                                          v1::CreateRequestResponse* response) override;
  grpc::ServerUnaryReactor* GetRequest(grpc::CallbackServerContext* context,
                                       const v1::GetRequestRequest* request,
                                       v1::GetRequestResponse* response) override;
  grpc::ServerUnaryReactor* ListRequests(grpc::CallbackServerContext* context,
                                         const v1::ListRequestsRequest* request,
                                         v1::ListRequestsResponse* response) override;

  // The logic behind the RPCs, callable without gRPC. Create never blocks:
  // `done` runs when the request is durably stored (or refused).
  using CreateDone = std::function<void(absl::StatusOr<v1::DirectLineRequest>)>;
  void Create(const v1::CreateRequestRequest& call, const std::string& trace_id, CreateDone done);
  absl::StatusOr<v1::DirectLineRequest> Get(const v1::GetRequestRequest& call);
  absl::Status List(const v1::ListRequestsRequest& call, v1::ListRequestsResponse* response);

 private:
  ReferralsStore& store_;
  const Clock& clock_;
  Settings settings_;
};

// Page tokens are opaque to callers; they carry the filters they were issued
// for, so a token used with other filters is refused.
std::string EncodePageToken(const v1::ListRequestsRequest& filters, const ListCursor& cursor);
absl::StatusOr<ListCursor> DecodePageToken(const v1::ListRequestsRequest& filters);

}  // namespace olif::referrals
