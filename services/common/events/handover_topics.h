#pragma once

// The bus topics of the handover service's events
// (proto/olifantenpad/handover/v1/events.proto).

namespace olif::handover {

inline constexpr char kTopicHandoverChanged[] = "handover.changed";
inline constexpr char kTopicHandoverFinalised[] = "handover.finalised";
inline constexpr char kTopicHandoverReadyForSchool[] = "handover.ready_for_school";
inline constexpr char kTopicHandoverAcknowledged[] = "handover.acknowledged";
inline constexpr char kTopicHandoverAmended[] = "handover.amended";
inline constexpr char kTopicHandoverWithdrawn[] = "handover.withdrawn";
inline constexpr char kTopicWarmHandoverRequested[] = "handover.warm_handover.requested";

}  // namespace olif::handover
