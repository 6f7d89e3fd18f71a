// The fake FHIR server as a process (tests, the demo): the FHIR API of
// fake_fhir_server.h on `fhir_listen_address`, beside the usual health,
// admin and metrics endpoints so the launcher can supervise it.

#include "absl/strings/str_cat.h"
#include "adapters/youthcare_fhir/testing/fake_fhir_server.h"
#include "olifantenpad/config/v1/fake_fhir.pb.h"
#include "services/common/config/config_loader.h"
#include "services/common/logging/logging.h"
#include "services/common/process/process.h"
#include "services/common/strings/host_port.h"

namespace cfg = olifantenpad::config::v1;

namespace {

absl::Status Validate(const google::protobuf::Message& m) {
  const auto& c = static_cast<const cfg::FakeFhirConfig&>(m);
  absl::StatusOr<olif::HostPort> address = olif::ParseHostPort(c.fhir_listen_address());
  if (!address.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("fhir_listen_address: ", address.status().message()));
  }
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  cfg::FakeFhirConfig config;
  if (auto exit_code = olif::PrepareProcess(argc, argv, "fake_fhir", &config, Validate)) {
    return *exit_code;
  }
  olif::Process process("fake_fhir", config.runtime());
  absl::StatusOr<olif::HostPort> address = olif::ParseHostPort(config.fhir_listen_address());
  if (!address.ok()) return olif::ExitWith("cannot start", address.status());
  olif::fakes::FakeFhirServer server;
  absl::StatusOr<int> bound = server.Start(address->host, address->port);
  if (!bound.ok()) return olif::ExitWith("cannot start the FHIR API", bound.status());
  if (absl::Status s = process.Start(); !s.ok()) return olif::ExitWith("cannot start", s);
  olif::log::Info("serving", {{"fhir", server.base_url()}});
  process.RunUntilSignal();
  server.Stop();
  return 0;
}
