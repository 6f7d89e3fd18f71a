#pragma once

// The console's pages, styles and scripts (web/), embedded in the binary at
// build time (cmake/EmbedFiles.cmake): the console needs no files beside it.

#include <string_view>
#include <vector>

namespace olif::console {

struct WebFile {
  std::string_view name;  // e.g. "console.js"
  std::string_view body;
};

const std::vector<WebFile>& WebFiles();

}  // namespace olif::console
