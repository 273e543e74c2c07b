-- Hot blocks (README, "Hot tier and head"). Writers COPY one row per series per request into
-- samples_blocks: the request's samples of that series and of one hot piece's time, in time
-- order, as arrays. PostgreSQL's cost of COPY is mostly per row: measured (docs/BENCHMARKS.md,
-- round 4) 0.36 us of backend CPU a sample with a row a sample, 0.19 with 5 samples a row.
-- The sealer moves a piece's blocks, once its time is over, into rows of that piece sorted by
-- (series_id, time), and builds the piece's index, in one transaction.
--
-- The raw table is renamed samples_rows (its partitions keep their names), and samples becomes
-- a view over both with the same columns, so SQL written against samples keeps working; an
-- INSERT into the view goes to samples_rows. A qual on series_id reaches the blocks' scan; one
-- on time does not (it filters the unnested samples): samples_between(from, to) narrows both
-- sides by time first, and is what Sluice's own queries use.
ALTER TABLE samples RENAME TO samples_rows;

CREATE TABLE IF NOT EXISTS samples_blocks (
    series_id integer            NOT NULL,
    time_min  timestamptz        NOT NULL,
    time_max  timestamptz        NOT NULL,
    times     timestamptz[]      NOT NULL,
    vals      double precision[] NOT NULL,
    steps     bigint[]
);
-- Blocks arrive roughly in time order: a BRIN over their bounds skips the pages of other times.
CREATE INDEX IF NOT EXISTS samples_blocks_time_brin ON samples_blocks USING brin (time_min, time_max)
    WITH (autosummarize = on);

CREATE VIEW samples AS
    SELECT time, series_id, value, step FROM samples_rows
    UNION ALL
    SELECT u.time, b.series_id, u.value, u.step FROM samples_blocks b
        CROSS JOIN LATERAL unnest(b.times, b.vals, b.steps) AS u(time, value, step);

CREATE FUNCTION samples_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO samples_rows (time, series_id, value, step) VALUES (NEW.time, NEW.series_id, NEW.value, NEW.step);
    RETURN NEW;
END $$;
CREATE TRIGGER samples_insert INSTEAD OF INSERT ON samples FOR EACH ROW EXECUTE FUNCTION samples_insert();

-- DELETE and UPDATE through the view act on one row of samples_rows. A sample still in a hot
-- block is first made a row: the blocks of that series holding its time become rows (they stay
-- visible once each), so the one sample can go alone. UPDATE is a delete and an insert, so a new
-- time finds its partition.
CREATE FUNCTION samples_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE rel oid; id tid;
BEGIN
    WITH moved AS (DELETE FROM samples_blocks WHERE series_id = OLD.series_id AND OLD.time BETWEEN time_min AND time_max
                   RETURNING series_id, times, vals, steps)
    INSERT INTO samples_rows (time, series_id, value, step)
    SELECT u.time, m.series_id, u.value, u.step FROM moved m
        CROSS JOIN LATERAL unnest(m.times, m.vals, m.steps) AS u(time, value, step);
    SELECT r.tableoid, r.ctid INTO rel, id FROM samples_rows r WHERE r.time = OLD.time AND r.series_id = OLD.series_id
        AND r.value = OLD.value AND r.step IS NOT DISTINCT FROM OLD.step LIMIT 1;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    DELETE FROM samples_rows WHERE tableoid = rel AND ctid = id;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    INSERT INTO samples_rows (time, series_id, value, step) VALUES (NEW.time, NEW.series_id, NEW.value, NEW.step);
    RETURN NEW;
END $$;
CREATE TRIGGER samples_change INSTEAD OF DELETE OR UPDATE ON samples FOR EACH ROW EXECUTE FUNCTION samples_change();

-- The view was bound to the table; bind it to the new view of both.
CREATE OR REPLACE VIEW metrics AS
SELECT s.time, r.metric, r.tags, s.value, s.step
FROM samples s
JOIN series r ON r.id = s.series_id;

-- The samples of [lo, hi). Inlined into the calling query (LANGUAGE sql, STABLE, one SELECT),
-- so its parameters prune samples_rows' partitions and the blocks' BRIN, and a caller's
-- series_id condition reaches both scans.
CREATE FUNCTION samples_between(lo timestamptz, hi timestamptz)
RETURNS TABLE ("time" timestamptz, series_id integer, value double precision, step bigint)
LANGUAGE sql STABLE AS $$
    SELECT r.time, r.series_id, r.value, r.step FROM samples_rows r WHERE r.time >= lo AND r.time < hi
    UNION ALL
    SELECT u.time, b.series_id, u.value, u.step FROM samples_blocks b
        CROSS JOIN LATERAL unnest(b.times, b.vals, b.steps) AS u(time, value, step)
    WHERE b.time_max >= lo AND b.time_min < hi AND u.time >= lo AND u.time < hi
$$;
