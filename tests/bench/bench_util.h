#pragma once

// What the in-process benchmarks share: wall-clock helpers and the floor most
// of them stand beside — raw SQLite appends through the same Writer the
// services use (WAL, synchronous=FULL), rows of a given size, a given number
// in flight.

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/synchronization/blocking_counter.h"
#include "services/common/ids/ids.h"
#include "services/common/sqlite/writer.h"

namespace olif::bench {

using SteadyClock = std::chrono::steady_clock;

inline double Seconds(SteadyClock::duration d) { return std::chrono::duration<double>(d).count(); }

// `dir`/`name`, emptied.
inline std::filesystem::path Fresh(const std::filesystem::path& dir, const std::string& name) {
  std::filesystem::remove_all(dir / name);
  std::filesystem::create_directories(dir / name);
  return dir / name;
}

// Appends `n` rows of `bytes` bytes to a fresh database in `dir`, `in_flight`
// at a time, each durable; returns rows per second.
inline double RawAppendRate(const std::filesystem::path& dir, int n, int in_flight, size_t bytes) {
  const std::vector<sqlite::Migration> schema = {
      {1, "0001_rows.sql",
       "CREATE TABLE rows (id TEXT PRIMARY KEY, record BLOB NOT NULL) STRICT;"}};
  sqlite::Writer writer(std::move(*sqlite::Database::Open((dir / "raw.db").string(), schema)));
  const std::string blob(bytes, 'v');
  const auto t0 = SteadyClock::now();
  for (int done = 0; done < n; done += in_flight) {
    const int batch = std::min(in_flight, n - done);
    absl::BlockingCounter pending(batch);
    for (int j = 0; j < batch; ++j) {
      writer.Submit(
          [&blob](sqlite::Database& db) -> absl::Status {
            auto stmt = db.Prepare("INSERT INTO rows (id, record) VALUES (?1, ?2)");
            if (!stmt.ok()) return stmt.status();
            return (*stmt)->Bind(1, NewTimeOrderedUuid()).BindBlob(2, blob).Run();
          },
          [&pending](const absl::Status&) { pending.DecrementCount(); });
    }
    pending.Wait();
  }
  return n / Seconds(SteadyClock::now() - t0);
}

// The median of `rounds` runs of `f`, in milliseconds.
template <typename F>
double MedianMs(int rounds, F f) {
  std::vector<double> ms;
  for (int i = 0; i < rounds; ++i) {
    const auto t0 = SteadyClock::now();
    f();
    ms.push_back(Seconds(SteadyClock::now() - t0) * 1000);
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace olif::bench
