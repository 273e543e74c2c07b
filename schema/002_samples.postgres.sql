-- Raw samples on plain PostgreSQL: range-partitioned by time, one partition a day.
-- Sluice creates partitions ahead of time and on demand (storage/.../Partitions.java), and
-- retention drops whole partitions. No default partition: a row outside every partition would
-- make a later CREATE ... PARTITION OF scan it, so Sluice creates the partition first instead.
CREATE TABLE IF NOT EXISTS samples (
    time      timestamptz      NOT NULL,
    series_id integer          NOT NULL,
    value     double precision NOT NULL,
    step      bigint
) PARTITION BY RANGE (time);

-- The one index on raw data: per-series time ranges. It costs most of the write budget
-- (README, "Tables"), and every query path needs it.
CREATE INDEX IF NOT EXISTS samples_series_time_idx ON samples (series_id, time DESC);
