#pragma once

// Identifier systems of the hub's own ids in FHIR resources, shared by every
// service and adapter that writes or reads FHIR.

namespace olif::fhir {

inline constexpr char kRequestSystem[] = "urn:olifantenpad:request";
inline constexpr char kConsentIdSystem[] = "urn:olifantenpad:consent";
inline constexpr char kChildRefSystem[] = "urn:olifantenpad:child-ref";
inline constexpr char kOrganisationSystem[] = "urn:olifantenpad:organisation";
inline constexpr char kProfessionalSystem[] = "urn:olifantenpad:professional";
inline constexpr char kLocationSystem[] = "urn:olifantenpad:location";
inline constexpr char kGroupSystem[] = "urn:olifantenpad:group";
inline constexpr char kVisitSystem[] = "urn:olifantenpad:visit";
inline constexpr char kDocumentSystem[] = "urn:olifantenpad:document";
inline constexpr char kPurposeSystem[] = "urn:olifantenpad:consent-purpose";
inline constexpr char kDataCategorySystem[] = "urn:olifantenpad:data-category";
// Parts of a plan-try-evaluate cycle in a provider's Task.output: codes
// "<n>/plan", "<n>/actions", "<n>/evaluation" (valueString), "<n>/period"
// (valuePeriod) and "<n>/outcome" (valueCode resolved | continue | escalate).
inline constexpr char kCycleSystem[] = "urn:olifantenpad:cycle";
inline constexpr char kHandoverSystem[] = "urn:olifantenpad:handover";
// A childcare location's number in the national childcare register (LRK) and
// a school's BRIN + vestiging ("12AB00"): neither has a published FHIR naming
// system, so the hub names its own.
inline constexpr char kLrkSystem[] = "urn:olifantenpad:lrk";
inline constexpr char kBrinVestigingSystem[] = "urn:olifantenpad:brin-vestiging";
// The Dutch citizen service number (BSN).
inline constexpr char kBsnSystem[] = "http://fhir.nl/fhir/NamingSystem/bsn";
// The Youth Act (Jeugdwet), the policy consents are given under.
inline constexpr char kYouthActPolicy[] = "https://wetten.overheid.nl/BWBR0039296";

}  // namespace olif::fhir
