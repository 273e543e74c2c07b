-- Hot blocks are plain PostgreSQL's (010_blocks.postgres.sql); on TimescaleDB writers still
-- COPY a row a sample into the hypertable. The same function as there, so Sluice's queries are
-- the same on both flavours.
CREATE FUNCTION samples_between(lo timestamptz, hi timestamptz)
RETURNS TABLE ("time" timestamptz, series_id integer, value double precision, step bigint)
LANGUAGE sql STABLE AS $$
    SELECT s.time, s.series_id, s.value, s.step FROM samples s WHERE s.time >= lo AND s.time < hi
$$;
