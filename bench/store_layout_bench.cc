// store_layout_bench: what one prediction costs SQLite in three table layouts, with ids that grow
// (a counter) and ids scattered like random UUIDs. It measures the layout, not the store: plain
// SQLite C API, no modelwatch code, 1024-event transactions, WAL, synchronous=NORMAL, the store's
// page cache (16 MiB) and checkpoint interval (4000 pages), a 110-byte payload per event.
//
//   rows          the store's layout (schema version 4): one row per prediction, UNIQUE (model,
//                 id) and the (model, event minute) index; 64-row INSERT ... ON CONFLICT DO
//                 NOTHING statements, as SqliteStore does
//   chunks+index  one row per batch (every event's id, times and payload in one BLOB) and a
//                 narrow (model key, id) -> slot table WITHOUT ROWID for dedupe and the label join
//   chunks        one row per batch only: the (model, id) lookup would live in memory
//
// Output: one JSON object on stdout (bench/run.sh writes bench/results/store_layouts.json).
//   store_layout_bench [--batches 1000] [--dir /var/tmp]
#include <sqlite3.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "scattered_ids.h"

namespace {

constexpr int kBatchEvents = 1024;
constexpr int kRowsPerInsert = 64;

double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

[[noreturn]] void Die(const std::string& what, sqlite3* db) {
  std::fprintf(stderr, "store_layout_bench: %s: %s\n", what.c_str(),
               db ? sqlite3_errmsg(db) : "error");
  std::exit(2);
}

void Exec(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) Die(sql, db);
}

sqlite3_stmt* Prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) !=
      SQLITE_OK) {
    Die(sql, db);
  }
  return stmt;
}

void Run(sqlite3* db, sqlite3_stmt* stmt) {
  if (sqlite3_step(stmt) != SQLITE_DONE) Die("step", db);
  sqlite3_reset(stmt);
}

// "INSERT INTO <head> VALUES (?1, ..), (..) ... <tail>" with kRowsPerInsert rows of `columns`.
std::string MultiRowInsert(const std::string& head, int columns, const std::string& tail) {
  std::string sql = "INSERT INTO " + head + " VALUES ";
  for (int r = 0; r < kRowsPerInsert; ++r) {
    sql += r == 0 ? "(" : ", (";
    for (int c = 1; c <= columns; ++c) {
      sql += "?" + std::to_string(r * columns + c) + (c < columns ? ", " : ")");
    }
  }
  return sql + " " + tail;
}

struct Result {
  double cpu_s = 0;
  uint64_t events = 0;
};

Result Measure(const std::string& layout, bool scattered, int batches, const std::string& dir) {
  const std::string path = dir + "/mw-store-layout-" + std::to_string(getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) Die(path, db);
  Exec(db,
       "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16384; "
       "PRAGMA wal_autocheckpoint = 4000");
  sqlite3_stmt* rows = nullptr;
  sqlite3_stmt* ids = nullptr;
  sqlite3_stmt* chunk = nullptr;
  if (layout == "rows") {
    Exec(db,
         "CREATE TABLE predictions(model TEXT NOT NULL, id TEXT NOT NULL, version TEXT NOT NULL, "
         "ts_us INTEGER NOT NULL, received_us INTEGER NOT NULL, label ANY, label_received_us "
         "INTEGER NOT NULL DEFAULT 0, payload BLOB NOT NULL, UNIQUE (model, id)) STRICT; "
         "CREATE INDEX predictions_by_minute ON predictions(model, ts_us / 60000000)");
    rows = Prepare(db, MultiRowInsert("predictions(model, id, version, ts_us, received_us, label, "
                                      "label_received_us, payload)",
                                      8, "ON CONFLICT(model, id) DO NOTHING"));
  } else {
    Exec(db,
         "CREATE TABLE chunks(model TEXT NOT NULL, first_minute INTEGER NOT NULL, received_us "
         "INTEGER NOT NULL, events BLOB NOT NULL) STRICT; "
         "CREATE INDEX chunks_by_minute ON chunks(model, first_minute)");
    chunk = Prepare(db,
                    "INSERT INTO chunks(model, first_minute, received_us, events) VALUES "
                    "('bench', ?1, ?2, ?3)");
    if (layout == "chunks+index") {
      Exec(db,
           "CREATE TABLE chunk_ids(model INTEGER NOT NULL, id TEXT NOT NULL, slot INTEGER NOT "
           "NULL, PRIMARY KEY (model, id)) STRICT, WITHOUT ROWID");
      ids = Prepare(db, MultiRowInsert("chunk_ids(model, id, slot)", 3, "ON CONFLICT DO NOTHING"));
    }
  }
  const std::string payload(110, 'p');
  std::vector<std::string> id(kBatchEvents);
  std::string blob;
  const int64_t t0 = 1'700'000'000'000'000;
  const double start = ProcessCpuSeconds();
  uint64_t n = 0;
  for (int b = 0; b < batches; ++b) {
    for (int i = 0; i < kBatchEvents; ++i) {
      const uint64_t k = n + static_cast<uint64_t>(i);
      id[static_cast<size_t>(i)] =
          "ev-" + std::to_string(scattered ? modelwatch::bench::ScatteredId(k) : k);
    }
    Exec(db, "BEGIN IMMEDIATE");
    if (rows != nullptr) {
      for (int c = 0; c < kBatchEvents; c += kRowsPerInsert) {
        for (int r = 0; r < kRowsPerInsert; ++r) {
          const int p = r * 8;
          const std::string& e = id[static_cast<size_t>(c + r)];
          const int64_t ts = t0 + static_cast<int64_t>(n + static_cast<uint64_t>(c + r)) * 1000;
          sqlite3_bind_text(rows, p + 1, "bench", 5, SQLITE_STATIC);
          sqlite3_bind_text(rows, p + 2, e.data(), static_cast<int>(e.size()), SQLITE_STATIC);
          sqlite3_bind_text(rows, p + 3, "", 0, SQLITE_STATIC);
          sqlite3_bind_int64(rows, p + 4, ts);
          sqlite3_bind_int64(rows, p + 5, ts);
          sqlite3_bind_null(rows, p + 6);
          sqlite3_bind_int64(rows, p + 7, 0);
          sqlite3_bind_blob(rows, p + 8, payload.data(), static_cast<int>(payload.size()),
                            SQLITE_STATIC);
        }
        Run(db, rows);
      }
    } else {
      blob.clear();
      for (const std::string& e : id) {
        blob += e;
        blob.append(16, 't');  // event and receive times
        blob += payload;
      }
      sqlite3_bind_int64(chunk, 1, (t0 + static_cast<int64_t>(n) * 1000) / 60'000'000);
      sqlite3_bind_int64(chunk, 2, t0 + static_cast<int64_t>(n) * 1000);
      sqlite3_bind_blob(chunk, 3, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
      Run(db, chunk);
      if (ids != nullptr) {
        for (int c = 0; c < kBatchEvents; c += kRowsPerInsert) {
          for (int r = 0; r < kRowsPerInsert; ++r) {
            const std::string& e = id[static_cast<size_t>(c + r)];
            sqlite3_bind_int64(ids, r * 3 + 1, 1);
            sqlite3_bind_text(ids, r * 3 + 2, e.data(), static_cast<int>(e.size()), SQLITE_STATIC);
            sqlite3_bind_int64(ids, r * 3 + 3, static_cast<int64_t>(b) * kBatchEvents + c + r);
          }
          Run(db, ids);
        }
      }
    }
    Exec(db, "COMMIT");
    n += kBatchEvents;
  }
  const double cpu = ProcessCpuSeconds() - start;
  for (sqlite3_stmt* s : {rows, ids, chunk}) sqlite3_finalize(s);
  sqlite3_close(db);
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  return {cpu, n};
}

}  // namespace

int main(int argc, char** argv) {
  int batches = 1000;
  std::string dir = "/var/tmp";
  for (int i = 1; i < argc; i += 2) {
    const std::string a = argv[i];
    if (i + 1 == argc) {
      std::fprintf(stderr, "store_layout_bench: %s needs a value\n", a.c_str());
      return 2;
    }
    if (a == "--batches") {
      batches = std::atoi(argv[i + 1]);
    } else if (a == "--dir") {
      dir = argv[i + 1];
    } else {
      std::fprintf(stderr, "usage: store_layout_bench [--batches 1000] [--dir /var/tmp]\n");
      return 2;
    }
  }
  if (batches < 1) {
    std::fprintf(stderr, "store_layout_bench: --batches must be at least 1\n");
    return 2;
  }
  std::printf(
      "{\n  \"events_per_layout\": %d,\n  \"batch_events\": %d,\n  \"sqlite\": \"%s\",\n"
      "  \"us_cpu_per_event\": {",
      batches * kBatchEvents, kBatchEvents, sqlite3_libversion());
  const char* separator = "\n";
  for (const char* layout : {"rows", "chunks+index", "chunks"}) {
    for (const bool scattered : {false, true}) {
      const Result r = Measure(layout, scattered, batches, dir);
      std::printf("%s    \"%s, %s ids\": %.2f", separator, layout,
                  scattered ? "scattered" : "growing",
                  r.cpu_s / static_cast<double>(r.events) * 1e6);
      std::fflush(stdout);
      separator = ",\n";
    }
  }
  std::printf("\n  }\n}\n");
  return 0;
}
