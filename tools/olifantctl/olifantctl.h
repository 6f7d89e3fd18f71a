#pragma once

// olifantctl: the operator's command line over a running hub. Run() is the
// whole tool (main() only hands it the arguments), so every command can be
// driven from a test.
//
// Exit codes, for scripts:
//   0  done; `status`: every process serving; `consent check`: permitted
//   1  answered "no": a process not serving, an alert firing, consent denied, an action
//      refused for one of several items, an edit that changed nothing
//   2  usage: an unknown command or flag, a missing or malformed value
//   3  a process could not be reached (or did not answer in time)
//   4  the hub refused the request (the message says why)

#include <iosfwd>
#include <string>
#include <vector>

#include "services/common/config/config_loader.h"

namespace olif::ctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitNo = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnreachable = 3;
inline constexpr int kExitRefused = 4;

struct Environment {
  config::EnvLookup env;  // ${NAME} in config files; $EDITOR, $OLIF_CONFIG_DIR
  std::string bin_dir;    // where the process binaries are (config check)
  // Where `user add` reads a password (std::cin when null), and whether that
  // is a terminal (then it asks twice, without echo).
  std::istream* input = nullptr;
  bool input_is_terminal = false;
};

// Runs `args` (without the program name); writes results to `out`, problems
// to `err`; returns the exit code.
int Run(const std::vector<std::string>& args, const Environment& environment, std::ostream& out,
        std::ostream& err);

}  // namespace olif::ctl
