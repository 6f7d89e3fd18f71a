#include "adapters/school/receipts.h"

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace olif::school {

absl::Status ReceiptWebhook::Handle(const adapters::InboundMessage& m) {
  const nlohmann::json j = nlohmann::json::parse(m.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return absl::InvalidArgumentError("not a JSON object");
  const auto text = [&j](const char* key) {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
  };
  const std::string id = text("handover_id");
  const std::string received_by = text("received_by");
  const nlohmann::json school = j.value("school", nlohmann::json::object());
  const std::string brin = school.is_object() ? school.value("brin", std::string()) : "";
  const std::string vestiging = school.is_object() ? school.value("vestiging", std::string()) : "";
  const int revision =
      j.contains("revision") && j["revision"].is_number_integer() ? j["revision"].get<int>() : 0;
  std::string missing;
  for (const auto& [field, value] :
       {std::pair{"handover_id", id}, std::pair{"received_by", received_by},
        std::pair{"school.brin", brin}, std::pair{"school.vestiging", vestiging}}) {
    if (value.empty()) absl::StrAppend(&missing, missing.empty() ? "" : ", ", field);
  }
  if (revision < 1) absl::StrAppend(&missing, missing.empty() ? "" : ", ", "revision");
  if (!missing.empty()) return absl::InvalidArgumentError(absl::StrCat("missing: ", missing));
  auto configured = schools_.find(absl::StrCat(brin, "-", vestiging));
  if (configured == schools_.end() || configured->second.fhir_base_url().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("school ", brin, "-", vestiging,
                     " has no system connection here: it confirms on the receipt page"));
  }
  absl::Status s = handover_.Acknowledge(id, revision, brin, vestiging, received_by);
  if (s.ok()) return s;
  if (absl::IsFailedPrecondition(s) || absl::IsInvalidArgument(s) || absl::IsNotFound(s)) {
    return absl::InvalidArgumentError(s.message());
  }
  return absl::UnavailableError(absl::StrCat("the handover service: ", s.message()));
}

}  // namespace olif::school
