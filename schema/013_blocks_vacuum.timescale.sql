-- The hot blocks and their autovacuum settings are plain PostgreSQL's (013_blocks_vacuum.postgres.sql);
-- TimescaleDB writers COPY rows into the hypertable. Nothing to change here; the step exists so
-- both flavours count the same steps.
SELECT 1;
