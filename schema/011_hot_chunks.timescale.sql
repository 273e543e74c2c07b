-- The hot tier on TimescaleDB (README, "Hot tier and head"). A chunk made from now on is written
-- with no B-tree: inserting each row into a (series_id, time) B-tree whose series interleave cost
-- TimescaleDB most of its write time (docs/BENCHMARKS.md: the same 5 M-row COPY into one chunk,
-- 11.4 s of backend CPU with it and 1.9 s without). Chunk exclusion by time narrows reads to a
-- chunk as a BRIN narrows them to a piece on plain PostgreSQL. Once its time is over, Sluice gives
-- each chunk its index in one build (storage/.../db/HotChunks.java).
-- An index on the hypertable is given to every new chunk, so it goes: each chunk that exists
-- already first gets the same index as its own (one build each; a database from before the hot
-- tier pays it once, at this step), named as HotChunks names a sealed chunk's, then the
-- hypertable's index is dropped, which drops the chunks' copies of it and nothing else.
-- A chunk in the columnstore gets it for its rowstore part (late rows), which is small.
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT chunk_schema, chunk_name FROM timescaledb_information.chunks
             WHERE hypertable_schema = current_schema() AND hypertable_name = 'samples' LOOP
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I.%I (series_id, time DESC) INCLUDE (value)',
                       r.chunk_name || '_series_time', r.chunk_schema, r.chunk_name);
    END LOOP;
END $$;
DROP INDEX IF EXISTS samples_series_time_value_idx;
DROP INDEX IF EXISTS samples_series_time_idx;
