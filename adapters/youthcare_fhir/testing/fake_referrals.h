#pragma once

// An in-memory stand-in for the referrals service, for the adapter's tests:
// requests by id with versions and the transitions the adapter calls, each
// checked as the service would (state and version), and a switch to make it
// unreachable.

#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "adapters/youthcare_fhir/referrals_client.h"
#include "services/common/sync/mutex.h"

namespace olif::youthcare_fhir::testing {

namespace rv1 = olifantenpad::referrals::v1;

class FakeReferrals final : public Referrals {
 public:
  void Add(const std::string& id, rv1::RequestStatus status,
           const rv1::ChildIdentity* identity = nullptr) {
    olif::MutexLock lock(&mu);
    rv1::DirectLineRequest& r = requests[id];
    r.set_id(id);
    r.set_status(status);
    r.set_version(1);
    if (identity != nullptr) identities[id] = *identity;
  }
  rv1::DirectLineRequest Request(const std::string& id) {
    olif::MutexLock lock(&mu);
    return requests[id];
  }

  absl::StatusOr<rv1::ChildIdentity> ChildIdentity(const std::string& id) override {
    olif::MutexLock lock(&mu);
    if (down) return absl::UnavailableError("referrals is down");
    auto it = identities.find(id);
    if (it == identities.end()) return absl::NotFoundError("no identity for " + id);
    if (requests[id].restricted()) return absl::FailedPreconditionError(id + " is restricted");
    return it->second;
  }
  absl::StatusOr<rv1::DirectLineRequest> Get(const std::string& id) override {
    olif::MutexLock lock(&mu);
    if (down) return absl::UnavailableError("referrals is down");
    auto it = requests.find(id);
    if (it == requests.end()) return absl::NotFoundError("request " + id + " not found");
    return it->second;
  }
  absl::Status Accept(const std::string& id, int64_t version) override {
    return Move(id, version, {rv1::REQUEST_STATUS_SUBMITTED}, rv1::REQUEST_STATUS_ACCEPTED);
  }
  absl::Status Decline(const std::string& id, int64_t version, const std::string& reason) override {
    absl::Status s =
        Move(id, version, {rv1::REQUEST_STATUS_SUBMITTED}, rv1::REQUEST_STATUS_DECLINED);
    olif::MutexLock lock(&mu);
    if (s.ok()) requests[id].set_decline_reason(reason);
    return s;
  }
  absl::Status Resolve(const std::string& id, int64_t version) override {
    return Move(id, version, {rv1::REQUEST_STATUS_ACCEPTED, rv1::REQUEST_STATUS_IN_PROGRESS},
                rv1::REQUEST_STATUS_RESOLVED);
  }
  absl::Status RecordCycle(const std::string& id, int64_t version,
                           const rv1::Cycle& cycle) override {
    absl::Status s =
        Move(id, version, {rv1::REQUEST_STATUS_ACCEPTED, rv1::REQUEST_STATUS_IN_PROGRESS},
             rv1::REQUEST_STATUS_IN_PROGRESS);
    olif::MutexLock lock(&mu);
    if (s.ok()) {
      rv1::Cycle* c = requests[id].add_cycles();
      *c = cycle;
      c->set_number(requests[id].cycles_size());
    }
    return s;
  }
  absl::Status AddMessage(const std::string& id, int64_t version,
                          const std::string& text) override {
    const rv1::RequestStatus status = Request(id).status();
    absl::Status s = Move(id, version, {status}, status);
    olif::MutexLock lock(&mu);
    if (s.ok()) {
      rv1::Message* m = requests[id].add_messages();
      m->set_author(rv1::AUTHOR_EXPERT);
      m->set_text(text);
    }
    return s;
  }

  olif::Mutex mu;
  bool down ABSL_GUARDED_BY(mu) = false;
  std::map<std::string, rv1::DirectLineRequest> requests ABSL_GUARDED_BY(mu);
  std::map<std::string, rv1::ChildIdentity> identities ABSL_GUARDED_BY(mu);

 private:
  absl::Status Move(const std::string& id, int64_t version,
                    std::initializer_list<rv1::RequestStatus> from, rv1::RequestStatus to) {
    olif::MutexLock lock(&mu);
    if (down) return absl::UnavailableError("referrals is down");
    auto it = requests.find(id);
    if (it == requests.end()) return absl::NotFoundError("request " + id + " not found");
    rv1::DirectLineRequest& r = it->second;
    if (r.version() != version) {
      return absl::AbortedError(absl::StrCat("request ", id, " is at version ", r.version()));
    }
    if (r.restricted()) return absl::FailedPreconditionError("request " + id + " is restricted");
    if (std::find(from.begin(), from.end(), r.status()) == from.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat("request ", id, " is ", rv1::RequestStatus_Name(r.status())));
    }
    r.set_status(to);
    r.set_version(version + 1);
    return absl::OkStatus();
  }
};

}  // namespace olif::youthcare_fhir::testing
