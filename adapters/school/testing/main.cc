// The fake school system as a process (tests, the demo): the FHIR endpoint
// of fake_school.h on `listen_address`, beside the usual health, admin and
// metrics endpoints so the launcher can supervise it.

#include "absl/strings/str_cat.h"
#include "adapters/school/testing/fake_school.h"
#include "olifantenpad/config/v1/fake_school.pb.h"
#include "services/common/config/config_loader.h"
#include "services/common/logging/logging.h"
#include "services/common/process/process.h"
#include "services/common/strings/host_port.h"

namespace cfg = olifantenpad::config::v1;

namespace {

absl::Status Validate(const google::protobuf::Message& m) {
  const auto& c = static_cast<const cfg::FakeSchoolConfig&>(m);
  absl::StatusOr<olif::HostPort> address = olif::ParseHostPort(c.listen_address());
  if (!address.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("listen_address: ", address.status().message()));
  }
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  cfg::FakeSchoolConfig config;
  if (auto exit_code = olif::PrepareProcess(argc, argv, "fake_school", &config, Validate)) {
    return *exit_code;
  }
  olif::Process process("fake_school", config.runtime());
  absl::StatusOr<olif::HostPort> address = olif::ParseHostPort(config.listen_address());
  if (!address.ok()) return olif::ExitWith("cannot start", address.status());
  olif::fakes::FakeSchool school(
      {.brin = config.brin(),
       .vestiging = config.vestiging(),
       .receipt_url = config.receipt_url(),
       .receipt_token = config.receipt_token(),
       .acknowledge_after = olif::config::ToDuration(config.acknowledge_after())});
  absl::StatusOr<int> bound = school.Start(address->host, address->port);
  if (!bound.ok()) return olif::ExitWith("cannot start the school endpoint", bound.status());
  if (absl::Status s = process.Start(); !s.ok()) return olif::ExitWith("cannot start", s);
  olif::log::Info("serving", {{"fhir", school.base_url()},
                              {"school", absl::StrCat(config.brin(), "-", config.vestiging())}});
  process.RunUntilSignal();
  school.Stop();
  return 0;
}
