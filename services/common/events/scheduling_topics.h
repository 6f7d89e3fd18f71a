#pragma once

// The bus topics of the scheduling service's events
// (proto/olifantenpad/scheduling/v1/events.proto), and of the handover
// service's warm-handover request that scheduling follows.

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

namespace olif::handover {

inline constexpr char kTopicWarmHandoverRequested[] = "handover.warm_handover.requested";

}  // namespace olif::handover
