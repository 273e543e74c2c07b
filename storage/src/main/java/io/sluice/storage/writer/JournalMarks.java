package io.sluice.storage.writer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * How far the local journal's records are written into the tables ({@code sluice_journal_marks},
 * schema/016_journal_marks.sql; README, "What an answer guarantees", {@code write_ack = local}):
 * a writer's mark is the journal position ({@link LocalJournal#position}) of the end of the last
 * record written, and moves in the transaction that writes the records. A record at or below
 * its writer's mark is written already: an attempt whose COMMIT went unanswered and did commit,
 * or a recovery that ran before.
 */
final class JournalMarks {
    private static final String ADVANCE = "INSERT INTO sluice_journal_marks AS m (journal, writer, segment, position)"
            + " VALUES (?, ?, ?, ?) ON CONFLICT (journal, writer) DO UPDATE SET segment = EXCLUDED.segment,"
            + " position = EXCLUDED.position, written_at = now()"
            + " WHERE (m.segment, m.position) < (EXCLUDED.segment, EXCLUDED.position)";

    private final LocalJournal journal;

    JournalMarks(LocalJournal journal) {
        this.journal = journal;
    }

    /** Every writer's mark, as a journal position. */
    Map<Integer, Long> read(Connection c) throws SQLException {
        Map<Integer, Long> marks = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT writer, segment, position FROM sluice_journal_marks WHERE journal = ?")) {
            ps.setObject(1, journal.id());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int w = rs.getInt(1);
                    marks.put(w, LocalJournal.position(w, rs.getLong(2), rs.getLong(3)));
                }
            }
        }
        return marks;
    }

    /** Of {@code positions} (records' ends), those past their writer's mark: not written yet (sorted). */
    long[] unwritten(Connection c, long[] positions) throws SQLException {
        Map<Integer, Long> marks = read(c);
        long[] kept = new long[positions.length];
        int n = 0;
        for (long p : positions) {
            if (p > marks.getOrDefault(LocalJournal.writerOf(p), Long.MIN_VALUE)) {
                kept[n++] = p;
            }
        }
        kept = Arrays.copyOf(kept, n);
        Arrays.sort(kept);
        return kept;
    }

    /**
     * Moves each writer's mark to the last of {@code positions} of it, in the caller's transaction.
     *
     * @return the new marks, one a writer
     */
    long[] advance(Connection c, long[] positions) throws SQLException {
        long[] last = lastPerWriter(positions);
        try (PreparedStatement ps = c.prepareStatement(ADVANCE)) {
            for (long p : last) {
                ps.setObject(1, journal.id());
                ps.setInt(2, LocalJournal.writerOf(p));
                ps.setLong(3, LocalJournal.segmentOf(p));
                ps.setLong(4, LocalJournal.offsetOf(p));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return last;
    }

    /** After the commit that moved the marks to {@code last}: segments wholly written go. */
    void committed(long[] last) {
        journal.written(last, last.length);
    }

    private static long[] lastPerWriter(long[] positions) {
        Map<Integer, Long> last = new HashMap<>();
        for (long p : positions) {
            last.merge(LocalJournal.writerOf(p), p, Math::max);
        }
        return last.values().stream().mapToLong(Long::longValue).toArray();
    }
}
