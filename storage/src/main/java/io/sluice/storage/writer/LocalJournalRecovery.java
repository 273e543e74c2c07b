package io.sluice.storage.writer;

import io.sluice.storage.db.Partitions;
import io.sluice.storage.db.Pieces;
import io.sluice.storage.head.Head;
import io.sluice.storage.query.RollupInvalidations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes what the local journal holds past its marks (README, "What an answer guarantees",
 * {@code write_ack = local}): at start, with the journal directory locked and before the writers
 * and listeners run. Every writer's journal found is read from its mark on (whatever
 * {@code writers} is now), in order; the first record cut short or failing its CRC ends that
 * writer's journal (it was never acknowledged: its batch was answered only once it was synced)
 * and is cut away. Bytes that name no record of their place (a zero-filled or recycled segment's
 * past what was written into it, {@link LocalJournal#read}) end that segment's records only. The records go through the flusher's transaction ({@link JournalWriter}),
 * which moves the marks with them, so a record is written once across any number of crashes.
 * Segments read are deleted once written, and the writers begin new ones past them.
 */
public final class LocalJournalRecovery {
    private static final Logger log = LoggerFactory.getLogger(LocalJournalRecovery.class);

    private final DataSource pool;
    private final LocalJournal journal;
    private final JournalMarks marks;
    private final JournalWriter writer;
    private final WriterMetrics metrics;
    private final int maxSamples;
    private final JournalBatch batch = new JournalBatch(1_024);
    private long records;
    private long samples;

    public LocalJournalRecovery(DataSource pool, LocalJournal journal, JournalConfig cfg, Partitions partitions,
                                Pieces pieces, Head head, RollupInvalidations late, WriterMetrics metrics) {
        this.pool = pool;
        this.journal = journal;
        this.marks = new JournalMarks(journal);
        this.metrics = metrics;
        this.maxSamples = cfg.flushSamples();
        this.writer = new JournalWriter("journal-recovery", pool, partitions, pieces, head, late, metrics, marks);
    }

    /**
     * Writes every record past its writer's mark, retrying while the database fails.
     *
     * @return samples written
     */
    public long recover() throws SQLException, IOException {
        Map<Integer, Long> marked;
        try (Connection c = pool.getConnection()) {
            marked = marks.read(c);
        }
        TreeMap<Integer, List<Long>> found = journal.segments();
        long last = 0;
        for (long m : marked.values()) {
            last = Math.max(last, LocalJournal.segmentOf(m));
        }
        for (Map.Entry<Integer, List<Long>> e : found.entrySet()) {
            int w = e.getKey();
            long mark = marked.getOrDefault(w, Long.MIN_VALUE);
            for (long segment : e.getValue()) {
                last = Math.max(last, segment);
                if (mark != Long.MIN_VALUE && segment < LocalJournal.segmentOf(mark)) {
                    continue; // written wholly: deleted below
                }
                long from = mark != Long.MIN_VALUE && segment == LocalJournal.segmentOf(mark) ? LocalJournal.offsetOf(mark) : 0;
                LocalJournal.Stop stop = journal.read(w, segment, from, r -> {
                    records++;
                    batch.addPayload(r.end(), r.payload());
                    if (batch.size() >= maxSamples) {
                        writeBatch();
                    }
                });
                if (stop != null && !stop.torn()) {
                    // A zero-filled or recycled file's bytes past its records: the end of what was
                    // written there. A later segment of this writer is read all the same.
                    log.info("journal segment's records end before its file does: {} [writer={}, segment={}]", stop.what(),
                            w, segment);
                } else if (stop != null) {
                    metrics.localTornRecords.inc();
                    log.warn("journal record never acknowledged cut away: {} [writer={}]", stop.what(), w);
                    // Anything after it is no journal this writer kept: its later segments are dropped.
                    for (long later : e.getValue()) {
                        if (later > segment) {
                            log.warn("journal segment after a cut record dropped [writer={}, segment={}]", w, later);
                            journal.delete(w, later);
                        }
                    }
                    break;
                }
            }
        }
        writeBatch();
        // Everything read is written now: every segment found goes.
        for (Map.Entry<Integer, List<Long>> e : found.entrySet()) {
            for (long segment : e.getValue()) {
                journal.delete(e.getKey(), segment);
            }
        }
        journal.syncDirectory();
        journal.beginAt(last + 1);
        if (records > 0) {
            metrics.journalRecovered.add(samples);
            metrics.localRecoveredRecords.add(records);
        }
        log.info("local journal recovered [dir={}, journal={}, records={}, samples={}, segmentsRead={}]", journal.dir(),
                journal.id(), records, samples, found.values().stream().mapToInt(List::size).sum());
        return samples;
    }

    private void writeBatch() {
        if (batch.isEmpty()) {
            return;
        }
        // Retried until the database takes it: the journal is the only copy.
        writer.write(batch, () -> false);
        samples += batch.liveSamples();
        batch.clear();
    }
}
