-- A per-series B-tree on the hot blocks (README, "Hot tier and head"; docs/BENCHMARKS.md, round 8,
-- "a per-series index on the hot blocks"). Past the head's bound, or after a restart before the
-- head is loaded, a series' recent samples are read from the unsealed blocks; with only the BRIN
-- on (time_min, time_max) every series' blocks of that time were read (an hour of 10,000 series,
-- 200,000 blocks: ~50,000 pages, ~80 ms, for 20 of them). samples_between's filters on the blocks
-- are time_max >= lo AND time_min < hi, and a caller's series_id = ANY(...) reaches the scan: the
-- index's condition is series_id and time_max >= lo, time_min < hi is checked on the few rows it
-- finds. One index entry a block (up to 100 samples a row on the default path); the seal's reads
-- and deletes select by time_min and keep the BRIN.
CREATE INDEX IF NOT EXISTS samples_blocks_series_time ON samples_blocks (series_id, time_max);
