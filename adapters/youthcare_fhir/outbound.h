#pragma once

// The youth-care FHIR adapter's way out.
//
// RequestRouter, VisitRouter and ConsentRouter are bus event handlers: inside the bus
// consumer's transaction they queue, for the destination kDestination, each
// event that concerns this adapter's provider (requests submitted to, restricted
// at or withdrawn from an expert who works there, or reassigned to or from
// one; consents naming it), as the
// canonical event in JSON — what an
// operator reads and may edit in a dead letter. ConsentRouter also keeps the
// adapter's own consent projection.
//
// FhirOutgoing is the destination's Translator: it turns a queued event into
// its transaction Bundle at the moment of sending (a TranslatingHttpConnector
// posts it to the FHIR base, the event id as idempotency key). A named
// child's request is translated only when the adapter's own consent
// projection permits it for this provider and the referrals service releases
// the child's identity; otherwise it is held (FAILED_PRECONDITION saying why,
// retried) and never sent without its Patient.

#include <string>
#include <vector>

#include "adapters/runtime/adapter.h"
#include "adapters/youthcare_fhir/fhir_translator.h"
#include "adapters/youthcare_fhir/referrals_client.h"
#include "services/common/bus/consumer.h"
#include "services/common/clock/clock.h"
#include "services/common/consent/projection.h"
#include "services/common/metrics/metrics.h"

namespace olif::youthcare_fhir {

inline constexpr char kDestination[] = "fhir";

// What every router of this adapter has: its provider, the clock, and the
// counts olif_adapter_events_total{result} of what it received, queued and
// found not to concern the provider.
class ProviderRouter : public bus::EventHandler {
 protected:
  ProviderRouter(std::string organisation_id, const Clock& clock, metrics::Registry& metrics);

  std::string organisation_id_;
  const Clock& clock_;
  metrics::Counter& received_;
  metrics::Counter& queued_;
  metrics::Counter& not_ours_;
};

class RequestRouter final : public ProviderRouter {
 public:
  RequestRouter(std::string organisation_id, const Clock& clock, metrics::Registry& metrics)
      : ProviderRouter(std::move(organisation_id), clock, metrics) {}
  static std::vector<std::string> Topics();
  absl::Status Apply(sqlite::Database& db,
                     const olifantenpad::common::v1::EventEnvelope& event) override;
};

// Scheduling's visit events whose expert works at this provider, queued under
// the visit's id (so a visit's changes go in order).
class VisitRouter final : public ProviderRouter {
 public:
  VisitRouter(std::string organisation_id, const Clock& clock, metrics::Registry& metrics)
      : ProviderRouter(std::move(organisation_id), clock, metrics) {}
  static std::vector<std::string> Topics();
  absl::Status Apply(sqlite::Database& db,
                     const olifantenpad::common::v1::EventEnvelope& event) override;
};

class ConsentRouter final : public bus::EventHandler {
 public:
  ConsentRouter(std::string organisation_id, consent::ConsentProjection& projection,
                const Clock& clock, metrics::Registry& metrics);
  absl::Status Apply(sqlite::Database& db,
                     const olifantenpad::common::v1::EventEnvelope& event) override;

 private:
  absl::Status ResumeHeld(sqlite::Database& db,
                          const olifantenpad::consent::v1::ConsentGranted& event);

  std::string organisation_id_;
  consent::ConsentProjection& projection_;
  const Clock& clock_;
  metrics::Counter& received_;
  metrics::Counter& queued_;
  metrics::Counter& not_ours_;
};

class FhirOutgoing final : public adapters::Translator {
 public:
  // All references must outlive the translator.
  FhirOutgoing(std::string organisation_id, consent::ConsentProjection& projection,
               Referrals& referrals, const Clock& clock);
  // The bundle a queued message becomes (FAILED_PRECONDITION: held, with why;
  // INVALID_ARGUMENT: the message cannot be read).
  absl::StatusOr<std::string> ToExternal(const adapters::Delivery& delivery) override;

 private:
  // A reassignment to an expert of this organisation.
  absl::StatusOr<FhirJson> Reassigned(const olifantenpad::referrals::v1::RequestUpdated& e);

  std::string organisation_id_;
  consent::ConsentProjection& projection_;
  Referrals& referrals_;
  const Clock& clock_;
};

}  // namespace olif::youthcare_fhir
