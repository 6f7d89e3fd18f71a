# Script mode, run at build time by olif_embed_files(): writes OUT, a C++
# source defining `const std::vector<olif::console::WebFile>& NS::FUNC()` that
# holds each text file of FILES (paths under BASE) by its name.
#
#   cmake -DOUT=... -DNS=... -DFUNC=... -DHEADER=... -DBASE=... -DFILES="a;b" -P EmbedFiles.cmake
set(body "// Generated from ${BASE} by cmake/EmbedFiles.cmake; do not edit.\n")
string(APPEND body "#include \"${HEADER}\"\n\nnamespace ${NS} {\n\n")
string(APPEND body "const std::vector<WebFile>& ${FUNC}() {\n")
string(APPEND body "  static const std::vector<WebFile> kFiles = {\n")
foreach(f IN LISTS FILES)
  file(READ "${BASE}/${f}" text)
  string(FIND "${text}" ")olifweb\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${f}: holds the raw-string delimiter )olifweb\"")
  endif()
  string(APPEND body "      {\"${f}\", R\"olifweb(${text})olifweb\"},\n")
endforeach()
string(APPEND body "  };\n  return kFiles;\n}\n\n}  // namespace ${NS}\n")
file(WRITE "${OUT}.tmp" "${body}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
