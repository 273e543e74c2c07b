-- Rollups on TimescaleDB: hierarchical continuous aggregates (1h from 1m, 1d from 1h) with
-- refresh policies, real-time (materialized_only = false) so answers include the newest data.
-- Same relation and column names as the plain PostgreSQL tables (004_rollups.postgres.sql).
CREATE MATERIALIZED VIEW IF NOT EXISTS samples_1m
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 minute', time) AS bucket, series_id,
       count(*) AS count, sum(value) AS sum, min(value) AS min, max(value) AS max,
       sum(value * value) AS sum_sq, first(value, time) AS first, last(value, time) AS last
FROM samples GROUP BY 1, 2 WITH NO DATA;

CREATE MATERIALIZED VIEW IF NOT EXISTS samples_1h
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 hour', bucket) AS bucket, series_id,
       sum(count)::bigint AS count, sum(sum) AS sum, min(min) AS min, max(max) AS max,
       sum(sum_sq) AS sum_sq, first(first, bucket) AS first, last(last, bucket) AS last
FROM samples_1m GROUP BY 1, 2 WITH NO DATA;

CREATE MATERIALIZED VIEW IF NOT EXISTS samples_1d
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 day', bucket) AS bucket, series_id,
       sum(count)::bigint AS count, sum(sum) AS sum, min(min) AS min, max(max) AS max,
       sum(sum_sq) AS sum_sq, first(first, bucket) AS first, last(last, bucket) AS last
FROM samples_1h GROUP BY 1, 2 WITH NO DATA;

SELECT add_continuous_aggregate_policy('samples_1m', start_offset => INTERVAL '1 hour',
       end_offset => INTERVAL '1 minute', schedule_interval => INTERVAL '1 minute', if_not_exists => true);
SELECT add_continuous_aggregate_policy('samples_1h', start_offset => INTERVAL '1 day',
       end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '1 hour', if_not_exists => true);
SELECT add_continuous_aggregate_policy('samples_1d', start_offset => INTERVAL '7 days',
       end_offset => INTERVAL '1 day', schedule_interval => INTERVAL '1 day', if_not_exists => true);

-- Kept for the same queries on both flavours; TimescaleDB's policies are the watermark here.
CREATE TABLE IF NOT EXISTS rollup_state (
    rollup       text PRIMARY KEY,
    refreshed_to timestamptz NOT NULL
);
