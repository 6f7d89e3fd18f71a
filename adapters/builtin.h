#pragma once

// The adapters built into Olifantenpad, registered explicitly in one place.

#include "adapters/runtime/adapter.h"

namespace olif::adapters {

// Registers every built-in adapter's factory in `registry`.
absl::Status RegisterBuiltinAdapters(AdapterRegistry& registry);

}  // namespace olif::adapters
