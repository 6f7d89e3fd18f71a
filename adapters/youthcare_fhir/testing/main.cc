// The fake FHIR server as a process (tests, the demo): the FHIR API of
// fake_fhir_server.h on `fhir_listen_address`, beside the usual health,
// admin and metrics endpoints so the launcher can supervise it.

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "adapters/youthcare_fhir/testing/fake_fhir_server.h"
#include "olifantenpad/config/v1/fake_fhir.pb.h"
#include "services/common/config/config_loader.h"
#include "services/common/logging/logging.h"
#include "services/common/process/process.h"

namespace cfg = olifantenpad::config::v1;

namespace {

absl::Status SplitAddress(const std::string& address, std::string* host, int* port) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), port) ||
      *port < 0 || *port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("fhir_listen_address: '", address, "' is not host:port"));
  }
  *host = address.substr(0, colon);
  return absl::OkStatus();
}

absl::Status Validate(const google::protobuf::Message& m) {
  const auto& c = static_cast<const cfg::FakeFhirConfig&>(m);
  std::string host;
  int port = 0;
  return SplitAddress(c.fhir_listen_address(), &host, &port);
}

}  // namespace

int main(int argc, char** argv) {
  cfg::FakeFhirConfig config;
  if (auto exit_code = olif::PrepareProcess(argc, argv, "fake_fhir", &config, Validate)) {
    return *exit_code;
  }
  olif::Process process("fake_fhir", config.runtime());
  std::string host;
  int port = 0;
  if (absl::Status s = SplitAddress(config.fhir_listen_address(), &host, &port); !s.ok()) {
    return olif::ExitWith("cannot start", s);
  }
  olif::fakes::FakeFhirServer server;
  absl::StatusOr<int> bound = server.Start(host, port);
  if (!bound.ok()) return olif::ExitWith("cannot start the FHIR API", bound.status());
  if (absl::Status s = process.Start(); !s.ok()) return olif::ExitWith("cannot start", s);
  olif::log::Info("serving", {{"fhir", server.base_url()}});
  process.RunUntilSignal();
  server.Stop();
  return 0;
}
