# olif_embed_sql(<target> <c++ namespace> <function name> <sql files...>)
#
# Generates a source that defines
#   const std::vector<olif::sqlite::Migration>& <namespace>::<function>();
# holding each file's name and text, ordered by the number its name starts with
# (0001_init.sql, 0002_outbox.sql, ...), and adds it to <target>. Editing a
# .sql file regenerates the source.
function(olif_embed_sql target ns func)
  set(files ${ARGN})
  list(SORT files)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}_${func}_sql.cc")
  set(body "// Generated from schema/*.sql by olif_embed_sql; do not edit.\n")
  string(APPEND body "#include <vector>\n#include \"services/common/sqlite/migrations.h\"\n")
  string(APPEND body "namespace ${ns} {\nconst std::vector<olif::sqlite::Migration>& ${func}() {\n")
  string(APPEND body "  static const std::vector<olif::sqlite::Migration> kMigrations = {\n")
  foreach(f IN LISTS files)
    get_filename_component(name "${f}" NAME)
    if(NOT name MATCHES "^([0-9]+)_.*\\.sql$")
      message(FATAL_ERROR "migration ${f}: name must start with its number, e.g. 0001_init.sql")
    endif()
    math(EXPR version "${CMAKE_MATCH_1}")
    file(READ "${f}" sql)
    string(APPEND body "      {${version}, \"${name}\", R\"olifsql(${sql})olifsql\"},\n")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${f}")
  endforeach()
  string(APPEND body "  };\n  return kMigrations;\n}\n}  // namespace ${ns}\n")
  file(CONFIGURE OUTPUT "${out}" CONTENT "${body}" @ONLY)
  target_sources(${target} PRIVATE "${out}")
endfunction()
