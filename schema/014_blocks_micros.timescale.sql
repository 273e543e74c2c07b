-- The hot blocks' times in microseconds are plain PostgreSQL's (014_blocks_micros.postgres.sql);
-- TimescaleDB writers COPY rows into the hypertable. Nothing to change here; the step exists so
-- both flavours count the same steps.
SELECT 1;
