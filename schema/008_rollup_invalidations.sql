-- Late and backfilled samples (README, rollups): a writer batch holding samples older than what
-- the rollup refresh re-reads anyway records the time ranges they touch here, in the transaction
-- that commits them, as TimescaleDB's invalidation log does for its continuous aggregates. The
-- plain-PostgreSQL refresh re-materialises those buckets at 1m, 1h and 1d and deletes the rows.
-- Unused on TimescaleDB, whose continuous aggregates keep their own log.
CREATE TABLE IF NOT EXISTS rollup_invalidations (
    lo timestamptz NOT NULL,
    hi timestamptz NOT NULL
);
