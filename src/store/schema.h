// The SQLite store's schema and its forward migrations (layout in docs/storage.md).
//
// A modelwatch database carries the application id kApplicationId in its file header and its
// schema version in meta(key = 'schema_version'). Opening applies, in one transaction, every
// migration step newer than the stored version, in order, then records the newest version; a
// failing step leaves the database as it was. A database whose version is newer than the newest
// step is refused (kFailedPrecondition, naming both versions): an old binary never writes to a
// schema it does not know.
//
// Changing the schema: append a step with the next version; never edit a released step.
#pragma once

#include <cstdint>
#include <span>

#include "modelwatch/core/status.h"
#include "sqlite_db.h"

namespace modelwatch::store::internal {

// The event-time minute of a prediction row, as an SQL expression: the key of the time index
// (schema version 4) and, spelled exactly so, of every query that is to use that index.
// Integer division truncates toward zero in SQLite as in C++ (PredictionMinute), so minutes
// never decrease as ts_us grows.
#define MW_PREDICTION_MINUTE_SQL "ts_us / 60000000"
inline constexpr int64_t kPredictionMinuteUs = 60000000;
inline int64_t PredictionMinute(int64_t ts_us) { return ts_us / kPredictionMinuteUs; }

// "MWst" as a big-endian 32-bit integer, in the header of every modelwatch database.
inline constexpr int32_t kApplicationId = 0x4D577374;

// One forward step: the SQL that takes the schema from version - 1 to version.
struct Migration {
  int64_t version;
  const char* sql;
};

// The store's migrations, versions 1, 2, ... in order.
std::span<const Migration> StoreMigrations();

// The newest schema version this build knows (StoreMigrations().back().version).
int64_t LatestSchemaVersion();

// The schema version stored in the database: 0 for an empty database (no schema objects, no
// application id). kDataLoss for a foreign database (another application id, or schema objects
// without ours) or for a modelwatch database without a readable version; kDataLoss too for a
// file that is not a SQLite database.
Result<int64_t> ReadSchemaVersion(Connection& conn);

// Brings the database up to the newest of `migrations` (versions 1..N, consecutive) in one
// write transaction; returns the version it now has. kFailedPrecondition when the stored version
// is newer than N.
Result<int64_t> Migrate(Connection& conn, std::span<const Migration> migrations);

}  // namespace modelwatch::store::internal
