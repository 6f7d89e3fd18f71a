#pragma once

// The referrals service's consumer of consent events. Each event is applied
// to the service's consent projection and acted on in the same transaction
// of the referrals database: a grant releases the child's waiting requests,
// a withdrawal restricts the open requests that relied on it. A request can
// therefore never be released on a consent already withdrawn, nor miss a
// consent that arrived while it was being created (both go through the one
// Writer).

#include "services/common/bus/consumer.h"
#include "services/common/consent/projection.h"
#include "services/referrals/referrals_service.h"

namespace olif::referrals {

class ConsentGate final : public bus::EventHandler {
 public:
  ConsentGate(consent::ConsentProjection& projection, ReferralsServiceImpl& service)
      : projection_(projection), service_(service) {}

  absl::Status Apply(sqlite::Database& db,
                     const olifantenpad::common::v1::EventEnvelope& event) override;

 private:
  consent::ConsentProjection& projection_;
  ReferralsServiceImpl& service_;
};

}  // namespace olif::referrals
