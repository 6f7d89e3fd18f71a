// olifantenpad: the launcher. `olifantenpad up` starts every process of the
// hub that exists (a binary beside the launcher and a config file in the
// config directory), each as its own process, waits until each is healthy,
// restarts one that exits (with backoff, and says so), prints their merged
// output with each line's process in front, and stops them all on Ctrl-C or
// SIGTERM. See supervisor.h.
//
//   olifantenpad up [--config-dir config/dev] [--bin-dir DIR] [--demo]
//
// --demo: once every process is healthy, the live demo's scenario runs
// (tools/demo/scenario.mjs, with node, from the source tree) through the
// adapters' real inputs, saying what to look at; the hub keeps running after.

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "tools/launcher/endpoints.h"
#include "tools/launcher/hub_processes.h"
#include "tools/launcher/supervisor.h"

namespace {

constexpr char kUsage[] =
    "usage: olifantenpad up [--config-dir DIR] [--bin-dir DIR] [--demo]\n"
    "  --config-dir  where <process>.yaml files are (default config/dev)\n"
    "  --bin-dir     where the process binaries are (default: beside olifantenpad)\n"
    "  --demo        once all are healthy, run the live demo (tools/demo/scenario.mjs,\n"
    "                from the source tree; needs node and make deps)\n";
constexpr char kScenario[] = "tools/demo/scenario.mjs";

}  // namespace

int main(int argc, char** argv) {
  olif::launcher::BlockSignals();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] != "up") {
    std::fprintf(stderr, "olifantenpad: unknown command '%s'\n%s", args[0].c_str(), kUsage);
    return 2;
  }
  std::filesystem::path config_dir = "config/dev";
  std::filesystem::path bin_dir = std::filesystem::read_symlink("/proc/self/exe").parent_path();
  bool demo = false;
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--demo") {
      demo = true;
    } else if (i + 1 < args.size() && args[i] == "--config-dir") {
      config_dir = args[++i];
    } else if (i + 1 < args.size() && args[i] == "--bin-dir") {
      bin_dir = args[++i];
    } else {
      std::fprintf(stderr, "olifantenpad: unexpected '%s'\n%s", args[i].c_str(), kUsage);
      return 2;
    }
  }
  std::vector<olif::launcher::ChildSpec> children;
  // The hub's processes in start order (from the build's one list: services,
  // dev stand-ins such as the fake FHIR server, adapters); each runs only
  // where it has a config file.
  for (const char* name : olif::launcher::kHubProcesses) {
    const auto binary = bin_dir / name;
    const auto config = config_dir / (std::string(name) + ".yaml");
    if (!std::filesystem::exists(config)) continue;  // not configured here
    if (access(binary.c_str(), X_OK) != 0) {
      std::fprintf(stderr, "olifantenpad: %s is configured (%s) but %s is missing; build first\n",
                   name, config.c_str(), binary.c_str());
      return 1;
    }
    absl::StatusOr<std::vector<olif::launcher::Endpoint>> serves =
        olif::launcher::EndpointsOf(config.string(), olif::config::ProcessEnv());
    if (!serves.ok()) {
      std::fprintf(stderr, "olifantenpad: %s\n", std::string(serves.status().message()).c_str());
      return 1;
    }
    children.push_back(
        {name, {binary.string(), "--config", config.string()}, olif::launcher::Describe(*serves)});
  }
  if (children.empty()) {
    std::fprintf(stderr, "olifantenpad: no process is configured in %s\n", config_dir.c_str());
    return 1;
  }
  if (demo) {
    if (!std::filesystem::exists(kScenario)) {
      std::fprintf(stderr, "olifantenpad: --demo runs %s from the source tree; start it there\n",
                   kScenario);
      return 1;
    }
    children.push_back({"demo",
                        {"/usr/bin/env", "node", kScenario, (bin_dir / "olifantctl").string(),
                         config_dir.string()},
                        "",
                        /*once=*/true});
  }
  olif::launcher::Supervisor supervisor(std::move(children), {}, stdout);
  return supervisor.Run();
}
