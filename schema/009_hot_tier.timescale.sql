-- The hot tier's pieces are plain PostgreSQL's (009_hot_tier.postgres.sql); a hypertable keeps
-- its chunks and their index. Nothing to change here; the step exists so both flavours count
-- the same steps.
SELECT 1;
