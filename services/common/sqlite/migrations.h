#pragma once

namespace olif::sqlite {

// One numbered schema migration, compiled into the binary from schema/*.sql
// by olif_embed_sql (cmake/EmbedSql.cmake). Versions run 1, 2, 3, ... without
// gaps; a database records the last one applied in PRAGMA user_version.
struct Migration {
  int version;
  const char* name;
  const char* sql;
};

}  // namespace olif::sqlite
