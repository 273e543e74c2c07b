-- Rollups on plain PostgreSQL: tables Sluice refreshes incrementally (storage/.../Rollups.java).
-- 1m from raw samples, 1h from 1m, 1d from 1h (README, "Ask for it" and "Tables"). Each row holds what every
-- aggregate needs: count, sum, min, max, sum of squares (standard deviation), first and last.
-- rollup_state.refreshed_to is the watermark: buckets before it are complete in the table;
-- queries compute newer buckets from the level below (real-time aggregation).
CREATE TABLE IF NOT EXISTS samples_1m (
    bucket     timestamptz      NOT NULL,
    series_id  integer          NOT NULL,
    count      bigint           NOT NULL,
    sum        double precision NOT NULL,
    min        double precision NOT NULL,
    max        double precision NOT NULL,
    sum_sq     double precision NOT NULL,
    first      double precision NOT NULL,
    last       double precision NOT NULL,
    PRIMARY KEY (series_id, bucket)
);
CREATE TABLE IF NOT EXISTS samples_1h (LIKE samples_1m INCLUDING ALL);
CREATE TABLE IF NOT EXISTS samples_1d (LIKE samples_1m INCLUDING ALL);

CREATE TABLE IF NOT EXISTS rollup_state (
    rollup       text PRIMARY KEY,
    refreshed_to timestamptz NOT NULL
);
