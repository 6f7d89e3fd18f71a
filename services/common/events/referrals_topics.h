#pragma once

// The bus topics of the referrals service's events, for the service and for
// everyone who consumes them (adapters, tools).

namespace olif::referrals {

inline constexpr char kTopicRequestSubmitted[] = "referrals.request.submitted";
inline constexpr char kTopicRequestUpdated[] = "referrals.request.updated";
inline constexpr char kTopicRequestOverdue[] = "referrals.request.overdue";
inline constexpr char kTopicRequestRestricted[] = "referrals.request.restricted";
inline constexpr char kTopicRequestLapsed[] = "referrals.request.lapsed";

}  // namespace olif::referrals
