#include "adapters/builtin.h"

#include "adapters/youthcare_fhir/youthcare_adapter.h"

namespace olif::adapters {

absl::Status RegisterBuiltinAdapters(AdapterRegistry& registry) {
  // A new adapter adds its factory here (and its directory to CMakeLists.txt).
  return registry.Register(youthcare_fhir::NewYouthcareFhirFactory());
}

}  // namespace olif::adapters
