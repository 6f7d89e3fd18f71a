// The main() of every adapter process: the binary's name picks the built-in
// adapter (youthcare_fhir, ...), whose config file is given with --config.

#include <filesystem>

#include "adapters/builtin.h"

int main(int argc, char** argv) {
  olif::adapters::AdapterRegistry registry;
  if (absl::Status s = olif::adapters::RegisterBuiltinAdapters(registry); !s.ok()) {
    std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return 1;
  }
  const std::string name = std::filesystem::path(argv[0]).filename().string();
  return olif::adapters::RunAdapter(registry, name, argc, argv);
}
