#include "services/console/masking.h"

#include <nlohmann/json.hpp>

#include <set>

#include "absl/strings/str_cat.h"

namespace olif::console {
namespace {

// Keys whose values are shown as they are. Everything else is masked.
const std::set<std::string, std::less<>>& ShownKeys() {
  // clang-format off
  static const auto* keys = new std::set<std::string, std::less<>>{
      // FHIR: a resource's type and id, statuses, codes, references, times.
      "resourceType", "id", "status", "intent", "priority", "system", "code", "use", "url",
      "reference", "type", "kind", "event", "event_id", "topic", "version", "versionId",
      "lastUpdated", "profile", "method", "outcome", "state", "businessStatus", "fullUrl",
      "mode", "total", "relation", "authoredOn", "lastModified", "created", "sent_at", "at",
      // The hub's own events: pseudonymous references, codes and times.
      "request_id", "handover_id", "visit_id", "form_id", "question_id", "location_id",
      "group_id", "organisation_id", "school_id", "child_ref", "professional_id", "consent_id",
      "submitted_at", "first_response_due", "question_domains", "purposes",
      "recipient_organisation_ids", "valid_from", "valid_until", "data_categories", "cycle_id",
      "message_id"};
  // clang-format on
  return *keys;
}

// Masks the values under `node` whose key is not shown; `shown` says whether
// the key `node` hangs under is.
void Mask(nlohmann::json& node, bool shown, int& masked) {
  if (node.is_object()) {
    for (auto& [key, value] : node.items()) Mask(value, ShownKeys().count(key) > 0, masked);
  } else if (node.is_array()) {
    for (auto& value : node) Mask(value, shown, masked);
  } else if (!shown && !node.is_null()) {
    node = kMasked;
    ++masked;
  }
}

}  // namespace

Masked MaskPayload(const std::string& payload) {
  nlohmann::json doc = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    if (payload.empty()) return {.text = "", .masked = 0, .json = false};
    return {.text = absl::StrCat(kMasked, " (", payload.size(), " bytes, not JSON)"),
            .masked = 1,
            .json = false};
  }
  Masked out;
  Mask(doc, /*shown=*/false, out.masked);
  out.text = doc.dump(2, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
  return out;
}

}  // namespace olif::console
