-- The hot blocks' times as microseconds since the Unix epoch (README, "Tables" and "Hot tier and
-- head"; docs/BENCHMARKS.md, round 6). A timestamptz received by COPY is range-checked through a
-- calendar conversion in the session's time zone (timestamptz_recv -> timestamp2tm), about a fifth
-- of the writers' COPY; a bigint of the same 8 bytes is taken as it is (measured: 0.378 -> 0.316 us
-- of backend CPU a sample). Readers convert on read; the samples view, samples_between and the
-- view's UPDATE/DELETE trigger give timestamptz as before.

-- Microseconds since 1970-01-01T00:00Z to timestamptz, exact over the whole range where both
-- exist (4713 BC to 294247 AD): the high bits in steps of 2^20 us and the rest in microseconds,
-- each product exact in the float8 interval multiplication takes (below 2^53), and no days in the
-- intervals, so the session's time zone plays no part. (epoch + us * interval '1 microsecond'
-- rounds beyond 2^53 us, before 1685 and after 2255.) STABLE like the timestamptz arithmetic in it,
-- and a single expression, so PostgreSQL inlines it into the calling query.
CREATE FUNCTION unix_micros_to_time(us bigint) RETURNS timestamptz LANGUAGE sql STABLE PARALLEL SAFE
RETURN timestamptz 'epoch' + ((us >> 20) * interval '1048576 microseconds' + (us & 1048575) * interval '1 microsecond');

-- timestamptz to microseconds since the Unix epoch (extract is exact, numeric); +-infinity and
-- times past bigint's range clamp to its ends, so a bound of 'infinity' still bounds.
CREATE FUNCTION time_to_unix_micros(t timestamptz) RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE
RETURN least(greatest(extract(epoch FROM t) * 1000000, -9223372036854775808), 9223372036854775807)::bigint;

-- A column used by a view cannot change type: the view drops its blocks side for the length of
-- this transaction (no one sees it) and gets it back below.
CREATE OR REPLACE VIEW samples AS
    SELECT time, series_id, value, step FROM samples_rows;

CREATE FUNCTION pg_temp.micros_of(ts timestamptz[]) RETURNS bigint[] LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(time_to_unix_micros(t) ORDER BY n), '{}') FROM unnest(ts) WITH ORDINALITY AS u(t, n)
$$;

-- One rewrite of the table; its BRIN is built again on the new columns (int8 minmax).
ALTER TABLE samples_blocks
    ALTER COLUMN time_min TYPE bigint USING time_to_unix_micros(time_min),
    ALTER COLUMN time_max TYPE bigint USING time_to_unix_micros(time_max),
    ALTER COLUMN times TYPE bigint[] USING pg_temp.micros_of(times);

COMMENT ON COLUMN samples_blocks.times IS
    'Sample times, microseconds since 1970-01-01T00:00Z; unix_micros_to_time(t) gives the timestamptz';
COMMENT ON COLUMN samples_blocks.time_min IS 'The block''s first time, microseconds since 1970-01-01T00:00Z';
COMMENT ON COLUMN samples_blocks.time_max IS 'The block''s last time, microseconds since 1970-01-01T00:00Z';

CREATE OR REPLACE VIEW samples AS
    SELECT time, series_id, value, step FROM samples_rows
    UNION ALL
    SELECT unix_micros_to_time(u.t), b.series_id, u.value, u.step FROM samples_blocks b
        CROSS JOIN LATERAL unnest(b.times, b.vals, b.steps) AS u(t, value, step);

-- As in 010_blocks.postgres.sql, the block holding OLD's time found by its bounds in microseconds.
CREATE OR REPLACE FUNCTION samples_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE rel oid; id tid;
BEGIN
    WITH moved AS (DELETE FROM samples_blocks
                   WHERE series_id = OLD.series_id AND time_to_unix_micros(OLD.time) BETWEEN time_min AND time_max
                   RETURNING series_id, times, vals, steps)
    INSERT INTO samples_rows (time, series_id, value, step)
    SELECT unix_micros_to_time(u.t), m.series_id, u.value, u.step FROM moved m
        CROSS JOIN LATERAL unnest(m.times, m.vals, m.steps) AS u(t, value, step);
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

-- The bounds are converted, not the columns: time_min and time_max stay bare, so the BRIN prunes
-- (checked with EXPLAIN in BlocksIT), and each sample is compared as a bigint before it is
-- converted. The bounds are converted once, in a subquery kept apart (OFFSET 0): inlined into the
-- filter, the numeric conversion ran for every sample (0.65 against 0.37 us a sample, PostgreSQL 15).
CREATE OR REPLACE FUNCTION samples_between(lo timestamptz, hi timestamptz)
RETURNS TABLE ("time" timestamptz, series_id integer, value double precision, step bigint)
LANGUAGE sql STABLE AS $$
    SELECT r.time, r.series_id, r.value, r.step FROM samples_rows r WHERE r.time >= lo AND r.time < hi
    UNION ALL
    SELECT unix_micros_to_time(u.t), b.series_id, u.value, u.step
    FROM (SELECT time_to_unix_micros(lo) AS lo, time_to_unix_micros(hi) AS hi OFFSET 0) k
        JOIN samples_blocks b ON b.time_max >= k.lo AND b.time_min < k.hi
        CROSS JOIN LATERAL unnest(b.times, b.vals, b.steps) AS u(t, value, step)
    WHERE u.t >= k.lo AND u.t < k.hi
$$;
