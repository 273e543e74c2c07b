package io.sluice.storage.writer;

import java.sql.SQLException;
import java.util.Arrays;

/**
 * Journaled samples the flusher (or a recovery) writes in one transaction: columns, and the
 * journal rows they came from as consecutive entries, so that rows another process wrote first
 * can be left out. Encoded as wide blocks: grouped by series, each series in time order, cut at
 * hot pieces and at {@link JournalWriter#BLOCK_SAMPLES} samples (README, "Hot tier and head").
 */
final class JournalBatch {
    private final int baseCapacity;
    int[] seriesIds;
    long[] times;
    double[] values;
    long[] steps;
    private int size;
    /** Samples left out (rows taken by another process, or refused): their series id is set to -1. */
    private int leftOut;

    private long[] ids = new long[64];
    private int[] entryStart = new int[64];
    private boolean[] entryDropped = new boolean[64];
    private int entries;
    /** The one entry an attempt writes alone ({@link #isolate()}), or -1: all of them. */
    private int focus = -1;

    /** The last encode: block b is {@code order[blockOff[b] .. blockOff[b + 1])}; rows: a sample a block. */
    private int[] order = new int[0];
    private int[] blockOff = new int[1];
    private int blockCount;
    /** The last encode wrote a row a sample: row r is {@code order[r]}. */
    private boolean encodedRows;
    private long[] keys = new long[0];
    private int[] spare = new int[0];
    private final int[] radixCounts = new int[1 << WriterBatch.RADIX_BITS];

    JournalBatch(int capacity) {
        this.baseCapacity = capacity;
        allocate(capacity);
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Samples still to write: not left out (of the focused entry alone, when isolating). */
    int liveSamples() {
        if (focus < 0) {
            return size - leftOut;
        }
        int n = 0;
        for (int i = entryStart[focus]; i < entryEnd(focus); i++) {
            if (seriesIds[i] >= 0) {
                n++;
            }
        }
        return n;
    }

    private int entryEnd(int e) {
        return e + 1 < entries ? entryStart[e + 1] : size;
    }

    /**
     * From now on each attempt writes one journal row's samples alone, the first left, then the
     * next: the database refused the batch without naming a row (a deferred constraint at
     * COMMIT), so only a row refused alone is known to hold the refused value.
     *
     * @return false when no entry is left to write
     */
    boolean isolate() {
        for (int e = 0; e < entries; e++) {
            if (!entryDropped[e]) {
                focus = e;
                return true;
            }
        }
        focus = -1;
        return false;
    }

    /** Attempts write one entry at a time ({@link #isolate()}). */
    boolean isolating() {
        return focus >= 0;
    }

    /**
     * The focused entry is settled (written, or refused alone): it leaves the batch, and the
     * next one is focused.
     *
     * @return samples of it that were still to write
     */
    int settleFocus() {
        int n = drop(focus);
        isolate();
        return n;
    }

    private int drop(int e) {
        entryDropped[e] = true;
        int n = 0;
        for (int i = entryStart[e]; i < entryEnd(e); i++) {
            if (seriesIds[i] >= 0) {
                seriesIds[i] = -1;
                n++;
            }
        }
        leftOut += n;
        return n;
    }

    /** Adds journal row {@code id}'s samples {@code rows[0 .. n)} of the columns. */
    void add(long id, int[] rows, int n, int[] ids, long[] ts, double[] vs, long[] ss) {
        int at = entry(id, n);
        for (int k = 0; k < n; k++) {
            int r = rows[k];
            seriesIds[at + k] = ids[r];
            times[at + k] = ts[r];
            values[at + k] = vs[r];
            steps[at + k] = ss[r];
        }
        size += n;
    }

    /** Adds journal row {@code id}, decoding its payload. */
    void addPayload(long id, byte[] payload) {
        int n = JournalPayload.count(payload);
        int at = entry(id, n);
        JournalPayload.decode(payload, at, seriesIds, times, values, steps);
        size += n;
    }

    private int entry(long id, int n) {
        if (size + n > times.length) {
            grow(size + n);
        }
        if (entries == ids.length) {
            ids = Arrays.copyOf(ids, entries * 2);
            entryStart = Arrays.copyOf(entryStart, entries * 2);
            entryDropped = Arrays.copyOf(entryDropped, entries * 2);
        }
        ids[entries] = id;
        entryStart[entries] = size;
        entryDropped[entries] = false;
        entries++;
        return size;
    }

    /** The journal rows whose samples are still to write (the focused one alone, when isolating). */
    long[] liveIds() {
        if (focus >= 0) {
            return new long[] {ids[focus]};
        }
        int n = 0;
        for (int e = 0; e < entries; e++) {
            if (!entryDropped[e]) {
                n++;
            }
        }
        long[] live = new long[n];
        n = 0;
        for (int e = 0; e < entries; e++) {
            if (!entryDropped[e]) {
                live[n++] = ids[e];
            }
        }
        return live;
    }

    /**
     * Leaves out every entry whose journal row is not in {@code kept} (sorted): another process,
     * or an earlier attempt whose COMMIT went unanswered, wrote it first.
     *
     * @return samples left out
     */
    int keepOnly(long[] kept) {
        if (focus >= 0) {
            return Arrays.binarySearch(kept, ids[focus]) < 0 ? settleFocus() : 0;
        }
        int dropped = 0;
        for (int e = 0; e < entries; e++) {
            if (!entryDropped[e] && Arrays.binarySearch(kept, ids[e]) < 0) {
                dropped += drop(e);
            }
        }
        return dropped;
    }

    /**
     * Encodes the samples still to write: blocks of at most {@code maxBlock} samples of one series
     * and piece of {@code pieceMicros}, in time order, when {@code enc} writes blocks; else a row a
     * sample (TimescaleDB's hypertable).
     */
    void encode(CopyEncoder enc, long pieceMicros, int maxBlock) throws SQLException {
        if (order.length < size) {
            order = new int[size];
            keys = new long[size];
            spare = new int[size];
        }
        int n = 0;
        int idBits = 0;
        for (int i = focus < 0 ? 0 : entryStart[focus], end = focus < 0 ? size : entryEnd(focus); i < end; i++) {
            if (seriesIds[i] >= 0) {
                order[n++] = i;
                idBits |= seriesIds[i];
            }
        }
        blockCount = 0;
        encodedRows = !enc.blocks();
        if (encodedRows) {
            for (int k = 0; k < n; k++) {
                int i = order[k];
                enc.row(times[i], seriesIds[i], values[i], steps[i]);
            }
            blockCount = n;
            return;
        }
        WriterBatch.groupBySeries(order, 0, n, seriesIds, spare, radixCounts, idBits);
        if (blockOff.length < n + 1) {
            blockOff = new int[n + 1];
        }
        for (int g = 0; g < n; ) {
            int series = seriesIds[order[g]];
            int ge = WriterBatch.seriesRun(order, g, n, seriesIds, times, keys, spare);
            for (int b = g; b < ge; ) {
                long piece = Math.floorDiv(times[order[b]], pieceMicros);
                int be = b + 1;
                while (be < ge && be - b < maxBlock && Math.floorDiv(times[order[be]], pieceMicros) == piece) {
                    be++;
                }
                blockOff[blockCount++] = b;
                blockOff[blockCount] = be;
                enc.block(series, order, b, be, times, values, steps);
                b = be;
            }
            g = ge;
        }
    }

    /** Blocks (or rows) the last {@link #encode} wrote. */
    int copyRows() {
        return blockCount;
    }

    /**
     * Leaves out the block (or row) the database refused, the {@code copyRow}-th (1-based) of the
     * last {@link #encode}.
     *
     * @return samples left out; 0 when there is no such row
     */
    int leaveOut(long copyRow) {
        if (copyRow < 1 || copyRow > blockCount) {
            return 0;
        }
        int b = (int) copyRow - 1;
        int from = encodedRows ? b : blockOff[b];
        int to = encodedRows ? b + 1 : blockOff[b + 1];
        int n = 0;
        for (int k = from; k < to; k++) {
            if (seriesIds[order[k]] >= 0) {
                seriesIds[order[k]] = -1;
                n++;
            }
        }
        leftOut += n;
        return n;
    }

    void clear() {
        size = 0;
        leftOut = 0;
        entries = 0;
        focus = -1;
        blockCount = 0;
        if (times.length > baseCapacity * 2) {
            allocate(baseCapacity);
            order = new int[0];
            keys = new long[0];
            spare = new int[0];
            blockOff = new int[1];
        }
    }

    private void allocate(int c) {
        seriesIds = new int[c];
        times = new long[c];
        values = new double[c];
        steps = new long[c];
    }

    private void grow(int need) {
        int c = Math.max(need, times.length * 2);
        seriesIds = Arrays.copyOf(seriesIds, c);
        times = Arrays.copyOf(times, c);
        values = Arrays.copyOf(values, c);
        steps = Arrays.copyOf(steps, c);
    }
}
