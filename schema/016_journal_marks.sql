-- How far the flusher has written each writer's local journal file (README, "What an answer
-- guarantees", write_ack = local). With write_ack = local a writer acknowledges a batch once a
-- record holding it is synced to its own file under <data_dir>/journal/; the flusher writes the
-- samples into the tables later and, in the same transaction, moves the writer's mark past the
-- records it wrote. At start, recovery writes the records after each mark, so a record is
-- written once even when the COMMIT that moved the mark went unanswered. `journal` is the
-- random id kept in <data_dir>/journal/id; `segment` and `position` name the end of the last
-- record written (segment file number, byte offset). Empty in the other write_ack modes.
CREATE TABLE IF NOT EXISTS sluice_journal_marks (
    journal    uuid        NOT NULL,
    writer     int         NOT NULL,
    segment    bigint      NOT NULL,
    position   bigint      NOT NULL,
    written_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (journal, writer)
);
