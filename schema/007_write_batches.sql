-- The last batch each writer committed, written in the batch's own transaction. When the
-- connection breaks while a batch commits, the writer cannot tell whether the commit happened;
-- after reconnecting it upserts the same batch number first: a row already holding that number
-- means the batch is stored and must not be written again (README, "What an answer guarantees").
-- One row per writer of each process start (node); rows of processes gone for a week are pruned.
CREATE TABLE IF NOT EXISTS sluice_write_batches (
    node uuid NOT NULL,
    writer int NOT NULL,
    batch bigint NOT NULL,
    committed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (node, writer)
);
