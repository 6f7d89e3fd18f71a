#pragma once

#include "services/common/events/handover_topics.h"  // IWYU pragma: export

// The bus topics of the scheduling service's events
// (proto/olifantenpad/scheduling/v1/events.proto); the handover service's,
// which scheduling follows, are in handover_topics.h.

namespace olif::scheduling {

inline constexpr char kTopicVisitPlanned[] = "scheduling.visit.planned";
inline constexpr char kTopicVisitRescheduled[] = "scheduling.visit.rescheduled";
inline constexpr char kTopicVisitCancelled[] = "scheduling.visit.cancelled";
inline constexpr char kTopicVisitHeld[] = "scheduling.visit.held";
inline constexpr char kTopicVisitNoShow[] = "scheduling.visit.no_show";
inline constexpr char kTopicMeetingProposed[] = "scheduling.meeting.proposed";
inline constexpr char kTopicMinimumAtRisk[] = "scheduling.compliance.at_risk";
inline constexpr char kTopicMinimumRestored[] = "scheduling.compliance.restored";

}  // namespace olif::scheduling
