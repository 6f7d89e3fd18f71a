#pragma once

// A fake school system, the stand-in for a primary school's administration
// system with a FHIR endpoint, in tests and the demo:
//
//   POST   /fhir/Bundle                       a handover's document Bundle
//          (type document, Composition first, its PDF in a DocumentReference):
//          kept by its identifier; anything else is refused with 400
//   DELETE /fhir/Bundle?identifier=system|value   deletes it (404 if none)
//   GET    /_fake/received                    what it holds, as JSON:
//          [{"identifier", "handover_id", "revision", "title", "pdf_bytes",
//            "received_at", "deleted"}]
//   POST   /_fake/acknowledge {"handover_id"}  posts the school's receipt
//          for what it holds of that handover to the adapter's webhook
//
// With `acknowledge_after` set it posts the receipt of each document by
// itself that long after it arrived (the demo's school that reads its mail).
//
// Thread-safe.

#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "services/common/sync/mutex.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace olif::fakes {

struct FakeSchoolOptions {
  std::string brin = "34CD";
  std::string vestiging = "00";
  // Where receipts go (the school adapter's webhook) and its token.
  std::string receipt_url;
  std::string receipt_token;
  // Acknowledge each document by itself this long after it arrived; 0: never.
  absl::Duration acknowledge_after = absl::ZeroDuration();
};

class FakeSchool {
 public:
  explicit FakeSchool(FakeSchoolOptions options);
  ~FakeSchool();
  absl::StatusOr<int> Start(const std::string& host, int port);
  void Stop();
  std::string base_url() const;  // http://host:port/fhir

  // Posts the receipt of what it holds of `handover_id`; the webhook's answer.
  absl::Status Acknowledge(const std::string& handover_id);
  nlohmann::json Received();

 private:
  struct Document {
    std::string handover_id;
    int revision = 0;
    std::string title;
    size_t pdf_bytes = 0;
    absl::Time received_at;
    bool deleted = false;
    bool acknowledged = false;
  };
  void AcknowledgeLoop();

  FakeSchoolOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::thread acknowledger_;
  std::string host_;
  int port_ = 0;
  olif::Mutex mu_;
  std::map<std::string, Document> documents_ ABSL_GUARDED_BY(mu_);  // by identifier value
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace olif::fakes
