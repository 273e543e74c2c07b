-- Autovacuum and ANALYZE of the hot blocks (README, "Hot tier and head"; docs/BENCHMARKS.md,
-- round 6). Blocks are only ever inserted until the sealer deletes a piece's blocks and vacuums
-- them itself, within hot_piece + seal_delay. PostgreSQL's insert-driven autovacuum (every
-- 1,000 + 20 % inserted rows) would meanwhile read every new page once more to mark it all-visible
-- (measured: 0.05 us of CPU a sample, and the whole table written once more), work the seal's
-- DELETE undoes; with no B-tree on the blocks nothing reads that mark. Turned off for the blocks
-- alone: vacuums for dead rows, and those against transaction ID wraparound, still run.
-- The arrays' statistics (most common elements) serve only array operators, which no query of
-- Sluice's uses; without them an ANALYZE of 15 M samples (3 M blocks) took 140-150 ms of CPU
-- instead of 270-320. series_id, time_min and time_max keep theirs.
-- Applied to the leaf partitions when the blocks are partitioned (a partitioned table takes no
-- storage parameters).
DO $$
DECLARE rel regclass;
BEGIN
    FOR rel IN
        SELECT c.oid::regclass FROM pg_class c
        WHERE c.oid = 'samples_blocks'::regclass AND c.relkind = 'r'
        UNION ALL
        SELECT t.relid FROM pg_partition_tree('samples_blocks') t WHERE t.isleaf AND t.level > 0
    LOOP
        EXECUTE format('ALTER TABLE %s SET (autovacuum_vacuum_insert_threshold = -1)', rel);
    END LOOP;
END $$;
ALTER TABLE samples_blocks ALTER COLUMN times SET STATISTICS 0, ALTER COLUMN vals SET STATISTICS 0,
    ALTER COLUMN steps SET STATISTICS 0;
