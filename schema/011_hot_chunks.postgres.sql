-- The hot tier's chunks are TimescaleDB's (011_hot_chunks.timescale.sql); plain PostgreSQL has
-- its pieces since 009_hot_tier. Nothing to change here; the step exists so both flavours count
-- the same steps.
SELECT 1;
