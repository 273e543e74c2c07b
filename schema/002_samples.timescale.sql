-- Raw samples on TimescaleDB: a hypertable chunked by time (chunk interval from configuration).
CREATE TABLE IF NOT EXISTS samples (
    time      timestamptz      NOT NULL,
    series_id integer          NOT NULL,
    value     double precision NOT NULL,
    step      bigint
);
SELECT create_hypertable('samples', by_range('time', INTERVAL '${chunk_interval}'),
                         create_default_indexes => false, if_not_exists => true);
CREATE INDEX IF NOT EXISTS samples_series_time_idx ON samples (series_id, time DESC);
