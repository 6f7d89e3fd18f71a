#pragma once

// A fake FHIR R4 server, the stand-in for a youth-care provider's server in
// tests and the demo. It keeps resources in memory and supports what the
// youth-care adapter uses:
//
//   POST /                  a transaction Bundle: POST with ifNoneExist
//                           (conditional create), PUT Type/id and PUT
//                           Type?identifier=system|value (conditional update),
//                           PATCH Type?identifier=... (FHIRPath Patch: replace
//                           and add of top-level elements);
//                           urn:uuid: references between entries resolved
//   GET  /Type?identifier=system|value
//   GET  /Type?_lastUpdated=ge|gt<instant>&_sort=_lastUpdated&_count=N
//                           a search with more matches than N answers the
//                           first N and a `next` link to the rest, kept as
//                           they were at the search (as HAPI's paging does):
//                           /Type?_getpages=ID&_getpagesoffset=K&_count=N
//   GET  /Type/id,  PUT /Type/id,  POST /Type
//   GET  /metadata          a minimal CapabilityStatement
//
// and, for tests, a control API under /_fake:
//
//   POST /_fake/fail   {"status": 500|429|400, "count": N, "match": "text",
//                       "delay_ms": M}  the next N requests (-1: all) whose
//                       body contains `match` (empty: any) are answered with
//                       `status` after waiting `delay_ms` (a timeout when it
//                       is longer than the client waits)
//   POST /_fake/down   {"seconds": S}  stops listening for S seconds
//   POST /_fake/reset  forgets every failure rule
//   GET  /_fake/stats  transactions, resources created, duplicates recognised
//   GET  /_fake/arrivals?type=T  each resource of type T, its identifiers and
//                      when it was created (microseconds, for latency figures)
//
// Every change gets its own lastUpdated instant, except that all a
// transaction writes share one (as on real servers).
//
// Thread-safe.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "services/common/sync/mutex.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace olif::fakes {

class FakeFhirServer {
 public:
  FakeFhirServer();
  ~FakeFhirServer();

  // Listens on `host`:`port` (0: a free port); returns the port.
  absl::StatusOr<int> Start(const std::string& host, int port);
  void Stop();
  int port() const { return port_; }
  std::string base_url() const;

  // The control API, also callable in process.
  struct FailRule {
    int status = 500;
    int count = 1;  // -1: until reset
    std::string match;
    int delay_ms = 0;
  };
  void AddFailure(FailRule rule);
  void ResetFailures();
  // Stops listening now and listens again after `d`.
  void GoDown(absl::Duration d);

  // Resources of `type` (copies), in the order they were created.
  std::vector<nlohmann::json> Resources(const std::string& type) const;
  // Applies a change as the provider would (e.g. a Task's status); the
  // resource must exist. Returns the stored version.
  absl::StatusOr<nlohmann::json> Update(const std::string& type, const std::string& id,
                                        nlohmann::json resource);
  nlohmann::json Stats() const;
  // Every resource of `type` with its business identifiers and when it was
  // created: [{"id", "identifiers": ["system|value"], "created_us"}].
  nlohmann::json Arrivals(const std::string& type) const;

 private:
  struct Stored {
    nlohmann::json resource;
    int64_t order = 0;
    int64_t updated_ms = 0;  // increasing over the server; one per transaction
    int64_t created_us = 0;  // when it was created (wall clock), for GET /_fake/arrivals
  };
  void Route(httplib::Server& server);
  void Handle(const httplib::Request& req, httplib::Response& res);
  bool Injected(const httplib::Request& req, httplib::Response& res);
  void Serve(std::unique_ptr<httplib::Server> server) ABSL_EXCLUSIVE_LOCKS_REQUIRED(server_mu_);
  // A transaction Bundle, all or nothing: every entry is checked (targets
  // found, references resolved, patches applied) before any is stored.
  nlohmann::json Transaction(const nlohmann::json& bundle, int* status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // What one transaction entry writes: type, id, the final resource.
  struct Prepared {
    std::string method;
    std::string type;
    std::string id;
    nlohmann::json resource;
  };
  // An entry's type and id (empty: to be created); an OperationOutcome when
  // it cannot be applied.
  std::optional<nlohmann::json> Target(const nlohmann::json& entry, std::string* type,
                                       std::string* id, int* status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  nlohmann::json Commit(std::vector<Prepared> prepared) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  nlohmann::json Put(const std::string& type, const std::string& id, nlohmann::json resource,
                     bool* created) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  nlohmann::json Create(const std::string& type, nlohmann::json resource)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::vector<Stored*> Match(const std::string& type, const std::string& query)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A searchset page; *status 410 for a page no longer kept.
  nlohmann::json Searchset(const std::string& type, const std::string& query, int* status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Stamp(Stored& s, int64_t version) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Keeps by_identifier_ in step with a resource's change.
  void Index(const std::string& type, const nlohmann::json& before, const nlohmann::json& after)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable olif::Mutex mu_;
  std::map<std::string, std::map<std::string, Stored>> store_
      ABSL_GUARDED_BY(mu_);  // type → id → resource
  // type → "system|value" → ids, for the identifier searches.
  std::map<std::string, std::map<std::string, std::set<std::string>>> by_identifier_
      ABSL_GUARDED_BY(mu_);
  std::vector<FailRule> failures_ ABSL_GUARDED_BY(mu_);
  int64_t next_order_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t last_ms_ ABSL_GUARDED_BY(mu_) = 0;
  bool in_transaction_ ABSL_GUARDED_BY(mu_) = false;  // while applied, all it writes gets last_ms_
  // Search results kept for their next pages: id → entries, oldest first.
  std::map<int64_t, std::vector<nlohmann::json>> pages_ ABSL_GUARDED_BY(mu_);
  int64_t next_page_ ABSL_GUARDED_BY(mu_) = 1;
  int64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  int64_t transactions_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t created_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t duplicates_ ABSL_GUARDED_BY(mu_) = 0;

  olif::Mutex server_mu_;
  std::string host_;
  int port_ = 0;
  std::unique_ptr<httplib::Server> server_ ABSL_GUARDED_BY(server_mu_);
  std::thread listener_;
  std::thread reviver_;
  bool stopping_ ABSL_GUARDED_BY(server_mu_) = false;
  bool down_ ABSL_GUARDED_BY(server_mu_) = false;
};

}  // namespace olif::fakes
