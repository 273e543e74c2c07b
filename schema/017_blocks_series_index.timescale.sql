-- The hot blocks are plain PostgreSQL's (017_blocks_series_index.postgres.sql); TimescaleDB writers
-- COPY rows into the hypertable, whose (series_id, time) index serves a series' recent samples.
-- Nothing to change here; the step exists so both flavours count the same steps.
SELECT 1;
