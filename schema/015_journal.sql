-- The write journal (README, "What an answer guarantees", write_ack = journal). With
-- write_ack = journal a writer acknowledges a batch once one row here holds it (its samples
-- in Sluice's own compact binary form: series ids, times, values, steps; series are resolved
-- before), and a flusher writes the samples into the hot blocks or the hypertable later, in wide
-- blocks, deleting the rows in the same transaction. A process killed in between leaves its rows
-- here; the next start (and every minute, any node) writes them and deletes them: the DELETE
-- ... RETURNING of the transaction that writes them decides who owns a row, so never two.
-- Empty in write_ack = commit (the default), and the same on both flavours.
CREATE TABLE IF NOT EXISTS sluice_journal (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    node       uuid        NOT NULL,
    written_at timestamptz NOT NULL DEFAULT now(),
    payload    bytea       NOT NULL
);
-- A payload is ~20 bytes a sample, ~100 kB for a 5,000-line request: stored out of line
-- without pglz. Compressing it cost PostgreSQL 0.36 us a sample against 0.07-0.09 stored as is
-- (docs/BENCHMARKS.md, "Round 7: acknowledged on a journal commit").
ALTER TABLE sluice_journal ALTER COLUMN payload SET STORAGE EXTERNAL;
