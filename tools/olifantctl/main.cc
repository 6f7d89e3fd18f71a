// olifantctl: the operator's command line over a running hub (olifantctl.h).

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <unistd.h>

#include "tools/olifantctl/olifantctl.h"

int main(int argc, char** argv) {
  const olif::ctl::Environment environment{
      .env = olif::config::ProcessEnv(),
      .bin_dir = std::filesystem::read_symlink("/proc/self/exe").parent_path().string(),
      .input = &std::cin,
      .input_is_terminal = isatty(STDIN_FILENO) == 1};
  return olif::ctl::Run(std::vector<std::string>(argv + 1, argv + argc), environment, std::cout,
                        std::cerr);
}
