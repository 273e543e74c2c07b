-- The hot tier (README, "Hot tier and head"). Day partitions made from now on are partitioned
-- again into pieces that are written without a B-tree and get their (series_id, time) index in
-- one build once their time is over (storage/.../db/Pieces.java, Sealer.java). A B-tree on the
-- partitioned table itself would be given to every new piece, so it goes: each partition that
-- exists already first gets the same index as its own (one build each; a database from before the
-- hot tier pays it once, at this step), then the partitioned index is dropped.
-- Every partition, and so every piece, gets a BRIN on time: it costs writers nothing measurable
-- and narrows time-range reads (rollup refresh, SQL over recent minutes) to their pages.
DO $$
DECLARE r record; empty boolean;
BEGIN
    FOR r IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'samples'::regclass AND c.relkind = 'r' LOOP
        -- An empty day (made ahead of time) goes: Sluice makes it again, partitioned, at start.
        EXECUTE format('SELECT NOT EXISTS (SELECT 1 FROM %I)', r.relname) INTO empty;
        IF empty THEN
            EXECUTE format('DROP TABLE %I', r.relname);
            CONTINUE;
        END IF;
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (series_id, time DESC) INCLUDE (value)',
                       r.relname || '_series_time', r.relname);
    END LOOP;
END $$;
DROP INDEX IF EXISTS samples_series_time_value_idx;
CREATE INDEX IF NOT EXISTS samples_time_brin ON samples USING brin (time);
