#pragma once

// How a handover reaches a school — one connector per configured school,
// delivering its destination "school:<BRIN>-<vestiging>" (actions from
// routing.h):
//
// - FhirSchoolConnector, for a school whose system has a FHIR endpoint:
//   "send" reads the form's FHIR document Bundle (the PDF inside, in a
//   DocumentReference) from the handover service at that moment and POSTs it
//   to <base>/Bundle (Idempotency-Key: the event id); "withdraw" deletes it
//   there (DELETE <base>/Bundle?identifier=urn:olifantenpad:handover|<id>; a
//   404 means there is nothing left to delete).
// - ReceiptPageConnector, for a school without a system connection: "send"
//   issues a one-time link to the receipt page (a 256-bit token, kept only
//   as its hash, expiring; a newer revision's link replaces the older) and
//   mails it to the school's contact; "withdraw" mails that the form was
//   withdrawn and must be deleted where it was saved (the page serves
//   nothing more).
//
// When the handover service will not give the document (the form was
// withdrawn or its consent ended since), a "send" is passed: nothing goes
// out, and the history says why. Mails are RFC 5322 files in the mail
// outbox (a pickup folder), named by the event id, written atomically.

#include <string>

#include "adapters/runtime/deliverer.h"
#include "adapters/runtime/http_client.h"
#include "adapters/school/handover_client.h"
#include "adapters/school/school_store.h"
#include "olifantenpad/config/v1/school.pb.h"
#include "services/common/clock/clock.h"
#include "services/common/directory/directory.h"

namespace olif::school {

class FhirSchoolConnector final : public adapters::Connector {
 public:
  // `http.url` is the school system's FHIR base. `handover` must outlive it.
  FhirSchoolConnector(adapters::HttpClientOptions http, HandoverClient& handover,
                      std::string school_key)
      : http_(std::move(http)), handover_(handover), school_key_(std::move(school_key)) {}
  adapters::SendResult Send(const adapters::Delivery& delivery) override;

 private:
  adapters::HttpClientOptions http_;
  HandoverClient& handover_;
  std::string school_key_;
};

struct ReceiptPageSettings {
  std::string public_url;  // links are <public_url>/ontvangst/<token>
  absl::Duration link_lifetime = absl::Hours(24 * 14);
  std::string mail_outbox;
  std::string mail_from_name;
  std::string mail_from_address;
  absl::TimeZone zone;
};

class ReceiptPageConnector final : public adapters::Connector {
 public:
  // All references must outlive the connector.
  ReceiptPageConnector(olifantenpad::config::v1::SchoolEndpoint school,
                       const ReceiptPageSettings& settings, sqlite::Writer& writer,
                       const directory::DirectoryHolder& directory, const Clock& clock)
      : school_(std::move(school)),
        settings_(settings),
        writer_(writer),
        directory_(directory),
        clock_(clock) {}
  adapters::SendResult Send(const adapters::Delivery& delivery) override;

 private:
  adapters::SendResult Mail(const adapters::Delivery& delivery, const std::string& subject,
                            const std::string& text);

  const olifantenpad::config::v1::SchoolEndpoint school_;
  const ReceiptPageSettings& settings_;
  sqlite::Writer& writer_;
  const directory::DirectoryHolder& directory_;
  const Clock& clock_;
};

}  // namespace olif::school
