package io.sluice.storage.writer;

import java.nio.file.Path;

/**
 * When a write is acknowledged (README, "What an answer guarantees", {@code write_ack}).
 *
 * @param journal       acknowledge on a journal, and write the samples into the hot blocks (or the
 *                      hypertable) behind it; false: on the commit of the samples themselves (the default)
 * @param flushSamples  samples the flusher gathers before it writes them; also the bound of what it
 *                      holds while writing (writers wait past it)
 * @param lingerMs      how long a journaled sample waits at most for the flusher to gather more
 * @param localDir      {@code write_ack = local}: the directory of the writers' own journal files
 *                      ({@code <data_dir>/journal}); null: the journal is a {@code sluice_journal} row
 * @param segmentBytes  {@code write_ack = local}: a writer's journal file is closed and a new one
 *                      begun past this size
 */
public record JournalConfig(boolean journal, int flushSamples, long lingerMs, Path localDir, long segmentBytes) {
    /** Today's behaviour: acknowledged on the commit of the samples. */
    public static final JournalConfig COMMIT = new JournalConfig(false, 262_144, 200);
    /** A local journal file's size before the next is begun. */
    public static final long SEGMENT_BYTES = 64L << 20;

    public JournalConfig {
        if (flushSamples < 1_024 || flushSamples > 16_777_216) {
            throw new IllegalArgumentException("flushSamples must be between 1024 and 16777216, was " + flushSamples);
        }
        if (lingerMs < 1 || lingerMs > 60_000) {
            throw new IllegalArgumentException("lingerMs must be between 1 and 60000, was " + lingerMs);
        }
        if (localDir != null && !journal) {
            throw new IllegalArgumentException("a local journal directory needs journal = true");
        }
        if (segmentBytes < 4_096 || segmentBytes > LocalJournal.MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segmentBytes must be between 4096 and " + LocalJournal.MAX_SEGMENT_BYTES
                    + ", was " + segmentBytes);
        }
    }

    /** {@code write_ack = commit} or {@code journal}: no local files. */
    public JournalConfig(boolean journal, int flushSamples, long lingerMs) {
        this(journal, flushSamples, lingerMs, null, SEGMENT_BYTES);
    }

    /** {@code write_ack = local}: the writers' journal files in {@code dir}. */
    public static JournalConfig local(Path dir, int flushSamples, long lingerMs, long segmentBytes) {
        return new JournalConfig(true, flushSamples, lingerMs, dir, segmentBytes);
    }

    /** The journal is the writers' own files ({@code write_ack = local}). */
    public boolean local() {
        return localDir != null;
    }

    /** The {@code write_ack} value this is. */
    public String writeAck() {
        return local() ? "local" : journal ? "journal" : "commit";
    }
}
