#pragma once

// The receipt page, for a school without a system connection. Its contact
// gets a one-time link (ReceiptPageConnector); behind it:
//
//   GET  /ontvangst/<token>            the form, section by section (the
//                                      Composition of its FHIR document), a
//                                      PDF download and the confirmation
//   GET  /ontvangst/<token>/pdf        the form as a PDF (an attachment)
//   POST /ontvangst/<token>/bevestig   confirms receipt (field "naam": who
//                                      received it) → AcknowledgeReceipt;
//                                      the link is spent
//
// A link that is unknown, expired, spent (receipt confirmed), replaced by a
// newer revision's, or whose form was withdrawn serves nothing: a page says
// which, with the right status (404, 410). Every read of the form goes
// through the handover service, which checks the consent again and audits
// it (actor "school-adapter", reason naming the school). Plain HTML in
// Dutch, no script, readable without a mouse and at 200%; answers carry
// Cache-Control: no-store, Referrer-Policy: no-referrer (the token must not
// leak) and a Content-Security-Policy that allows nothing from elsewhere. A
// confirmation from another site (its Origin or Sec-Fetch-Site) is refused.
//
// Counted: olif_school_receipt_page_total{result}. Thread-safe; Start()
// serves on threads of its own.

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "adapters/school/handover_client.h"
#include "adapters/school/school_store.h"
#include "services/common/clock/clock.h"
#include "services/common/directory/directory.h"
#include "services/common/metrics/metrics.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace olif::school {

struct ReceiptPageOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  // The origin links point to (scheme://host:port), for the check of a
  // confirmation's Origin; empty: the Origin's host must be the Host asked for.
  std::string public_origin;
};

class ReceiptPage {
 public:
  // All references must outlive the page.
  ReceiptPage(ReceiptPageOptions options, SchoolStore& store, HandoverClient& handover,
              const directory::DirectoryHolder& directory, const Clock& clock,
              metrics::Registry& metrics);
  ~ReceiptPage();

  // Listens; returns the port. UNAVAILABLE when the address cannot be bound.
  absl::StatusOr<int> Start();
  void Stop();

 private:
  // The link behind `token` when it may serve; otherwise the answer has been given.
  std::optional<ReceiptLink> Usable(const std::string& token, httplib::Response& res);
  void Show(const httplib::Request& req, httplib::Response& res);
  void Download(const httplib::Request& req, httplib::Response& res);
  void Confirm(const httplib::Request& req, httplib::Response& res);
  void Count(const char* result);

  ReceiptPageOptions options_;
  SchoolStore& store_;
  HandoverClient& handover_;
  const directory::DirectoryHolder& directory_;
  const Clock& clock_;
  metrics::Registry& metrics_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

// The page of the form in `bundle_json` (its Composition's sections), with
// the download link and the confirmation form for `token`. Exposed for tests.
std::string RenderFormPage(const std::string& bundle_json, const std::string& token,
                           const std::string& school_name);

}  // namespace olif::school
