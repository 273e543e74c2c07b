package io.sluice.storage.writer;

import io.sluice.codec.SeriesKey;
import io.sluice.storage.head.Head;
import io.sluice.storage.ring.SampleEvent;
import io.sluice.storage.ring.WriteAck;

import java.sql.SQLException;
import java.util.Arrays;

/**
 * What one writer holds between commits: rows as columns, and the acknowledged requests among
 * them as runs of consecutive rows (a request's slots are consecutive in the ring and all go to
 * one writer, so its rows are one run). Best-effort rows lie between runs.
 *
 * <p>Only whole requests are committed: while the last slot of a request has not arrived the
 * batch is {@link #open()}, and the writer does not flush. A run leaves the commit when its
 * request was withdrawn (its client stopped waiting) or one of its series could not be
 * registered; the rest of the batch goes on.
 *
 * <p>When the database refuses the batch without naming a row (at COMMIT, say, where a deferred
 * constraint fires), the batch is {@linkplain #isolate() isolated}: each attempt then writes one
 * unit alone, a request or the best-effort rows together, until every unit is committed or
 * refused.
 *
 * <p>Size: a batch is flushed at the first request boundary at or past the batch size, so it
 * holds at most {@code batchSize} plus one request (at most half the ring) plus a slot. The
 * columns grow to that on demand and shrink back after the flush.
 */
final class WriterBatch {
    private final int baseCapacity;
    int[] seriesIds;
    SeriesKey[] newKeys;
    long[] times;
    double[] values;
    long[] steps;
    /** The row goes in a block of its own: its block was refused, and the next attempt must name the row. */
    private boolean[] alone;
    int size;

    private WriteAck[] acks = new WriteAck[64];
    private int[] runStart = new int[64];
    private int[] runEnd = new int[64];
    /** The run's request leaves this batch: withdrawn, failed, or not claimed. */
    private boolean[] excluded = new boolean[64];
    /** The run's request is held by the current commit attempt. */
    private boolean[] claimed = new boolean[64];
    /** The run's request was committed alone, by an isolated attempt. */
    private boolean[] done = new boolean[64];
    /** What an attempt writes: the whole batch, the best-effort rows alone, or one run (its index). */
    private int focus = WHOLE;
    static final int WHOLE = -2;
    static final int BEST_EFFORT = -1;
    private int runs;
    private boolean open;
    /** Rows of requests found withdrawn when a commit attempt claimed them. */
    private int withdrawnRows;

    /** The last {@link #encode} wrote blocks: its COPY's rows are {@link #blockOff}'s blocks. */
    private boolean encodedBlocks;
    /**
     * {@link #groupWritten} grouped the rows {@link #written} gave by series in time order into
     * {@link #order} and {@link #blockOff} (no COPY: a journal record holds them), for
     * {@link #appendStored} only.
     */
    private boolean groupedWritten;
    /** Rows in the order blocks wrote them: block b is {@code order[blockOff[b] .. blockOff[b + 1])}. */
    private int[] order = new int[0];
    private int[] blockOff = new int[1];
    private int blockCount;
    static final int RADIX_BITS = 11;
    private static final int RADIX_MASK = (1 << RADIX_BITS) - 1;
    private final int[] radixCounts = new int[1 << RADIX_BITS];
    /** Sort keys and a copy of a group of {@link #order}, reused from one encode to the next. */
    private long[] keys = new long[0];
    private int[] spare = new int[0];

    WriterBatch(int capacity) {
        this.baseCapacity = capacity;
        allocate(capacity);
    }

    int size() {
        return size;
    }

    /** The last request's final slot has not arrived: the batch cannot be committed yet. */
    boolean open() {
        return open;
    }

    void append(SampleEvent e) {
        int n = e.count;
        if (size + n > times.length) {
            grow(size + n);
        }
        System.arraycopy(e.seriesIds, 0, seriesIds, size, n);
        System.arraycopy(e.newKeys, 0, newKeys, size, n);
        System.arraycopy(e.times, 0, times, size, n);
        System.arraycopy(e.values, 0, values, size, n);
        System.arraycopy(e.steps, 0, steps, size, n);
        Arrays.fill(alone, size, size + n, false);
        WriteAck ack = e.ack;
        if (ack != null) {
            if (open && acks[runs - 1] == ack) {
                runEnd[runs - 1] = size + n;
            } else {
                if (runs == acks.length) {
                    growRuns();
                }
                acks[runs] = ack;
                runStart[runs] = size;
                runEnd[runs] = size + n;
                runs++;
            }
            open = !e.endsRequest;
        }
        size += n;
    }

    /** The run holding row {@code row}, or -1 for a best-effort row. */
    int runOf(int row) {
        int lo = 0;
        int hi = runs - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (row < runStart[mid]) {
                hi = mid - 1;
            } else if (row >= runEnd[mid]) {
                lo = mid + 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    int runRows(int run) {
        return runEnd[run] - runStart[run];
    }

    /** Takes a run out of every commit and fails its request; returns false if it was already out. */
    boolean fail(int run, String reason) {
        if (excluded[run]) {
            return false;
        }
        excluded[run] = true;
        acks[run].failed(reason);
        return true;
    }

    /**
     * Takes a run out of every commit because the database refused a value of it, and answers
     * its request so; returns false if it was already out.
     */
    boolean refuse(int run, String reason) {
        if (excluded[run]) {
            return false;
        }
        excluded[run] = true;
        claimed[run] = false;
        acks[run].refused(reason);
        return true;
    }

    /** Leaves a best-effort row out of every commit (the database refused it). */
    void skip(int row) {
        seriesIds[row] = SampleEvent.UNRESOLVED;
        newKeys[row] = null;
    }

    /**
     * The database refused the COPY row holding best-effort row {@code row}. A row alone (a
     * sample a row, or a block of one) is left out of every commit; a block of several is split:
     * the next attempt writes each of its rows as a block of its own, so that PostgreSQL names
     * the refused one, and only that one is left out.
     *
     * @return rows left out: 1, or 0 when the block was split
     */
    int skipRefused(int row) {
        if (encodedBlocks) {
            for (int b = 0; b < blockCount; b++) {
                int from = blockOff[b];
                int to = blockOff[b + 1];
                for (int k = from; k < to; k++) {
                    if (order[k] == row && to - from > 1) {
                        for (int j = from; j < to; j++) {
                            alone[order[j]] = true;
                        }
                        return 0;
                    }
                }
            }
        }
        skip(row);
        return 1;
    }

    /**
     * The row {@link #encode} wrote as the {@code copyRow}-th (1-based) of its COPY, or -1 when
     * there is none such (0 or past the end).
     */
    int rowOfCopy(long copyRow) {
        if (encodedBlocks) {
            // A block holds samples of one unit only: any of its rows names the unit.
            return copyRow >= 1 && copyRow <= blockCount ? order[blockOff[(int) copyRow - 1]] : -1;
        }
        long left = copyRow;
        int r = 0;
        for (int i = 0; i < size && left > 0; ) {
            int next = r < runs ? runStart[r] : size;
            for (; i < next && bestEffortWritten(); i++) {
                if (seriesIds[i] >= 0 && --left == 0) {
                    return i;
                }
            }
            if (r < runs) {
                if (claimed[r]) {
                    for (int j = runStart[r]; j < runEnd[r]; j++) {
                        if (seriesIds[j] >= 0 && --left == 0) {
                            return j;
                        }
                    }
                }
                i = runEnd[r];
                r++;
            }
        }
        return -1;
    }

    /** The one request the batch holds when it holds nothing else (no best-effort row), else -1. */
    int soleRun() {
        int sole = -1;
        for (int r = 0; r < runs; r++) {
            if (!excluded[r]) {
                if (sole >= 0) {
                    return -1;
                }
                sole = r;
            }
        }
        if (sole < 0) {
            return -1;
        }
        for (int i = 0; i < size; i++) {
            if ((i < runStart[sole] || i >= runEnd[sole]) && bestEffortLeft(i)) {
                return -1;
            }
        }
        return sole;
    }

    /**
     * From now on each attempt writes one unit alone: the first request not yet committed or
     * refused, then the next, and the best-effort rows together last. Also moves on to the next
     * unit once the current one is settled.
     *
     * @return false when no unit is left to write
     */
    boolean isolate() {
        for (int r = 0; r < runs; r++) {
            if (!excluded[r] && !done[r]) {
                focus = r;
                return true;
            }
        }
        if (anyBestEffortLeft()) {
            focus = BEST_EFFORT;
            return true;
        }
        return false;
    }

    /** Attempts write one unit at a time (see {@link #isolate()}). */
    boolean isolating() {
        return focus != WHOLE;
    }

    /** The run an isolated attempt writes alone, {@link #BEST_EFFORT}, or {@link #WHOLE}. */
    int focus() {
        return focus;
    }

    /** Leaves every best-effort row out of every commit (the database refused them together); returns how many. */
    int skipBestEffort() {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (bestEffortLeft(i)) {
                skip(i);
                n++;
            }
        }
        return n;
    }

    /** Row {@code i} is a best-effort row still to be written. */
    private boolean bestEffortLeft(int i) {
        return runOf(i) < 0 && (seriesIds[i] >= 0 || newKeys[i] != null);
    }

    private boolean anyBestEffortLeft() {
        for (int i = 0; i < size; i++) {
            if (bestEffortLeft(i)) {
                return true;
            }
        }
        return false;
    }

    /** The attempt writes the best-effort rows: the whole batch, or them alone. */
    private boolean bestEffortWritten() {
        return focus == WHOLE || focus == BEST_EFFORT;
    }

    /** The attempt may claim run {@code r}. */
    private boolean inFocus(int r) {
        return !done[r] && (focus == WHOLE || focus == r);
    }

    /**
     * Claims every request still in the batch for a commit attempt; a request withdrawn
     * meanwhile leaves the batch.
     *
     * @return rows the attempt writes (claimed runs and best-effort rows with a series id)
     */
    int claim() {
        // What a previous attempt encoded is not what this one writes (it may write nothing).
        encodedBlocks = false;
        groupedWritten = false;
        blockCount = 0;
        int rows = 0;
        int r = 0;
        for (int i = 0; i < size; ) {
            int next = r < runs ? runStart[r] : size;
            if (bestEffortWritten()) {
                rows += resolvedRows(i, next);
            }
            if (r < runs) {
                if (!excluded[r] && !claimed[r] && inFocus(r)) {
                    if (acks[r].claim()) {
                        claimed[r] = true;
                    } else {
                        excluded[r] = true;
                        withdrawnRows += runEnd[r] - runStart[r];
                    }
                }
                if (claimed[r]) {
                    rows += runEnd[r] - runStart[r];
                }
                i = runEnd[r];
                r++;
            } else {
                i = size;
            }
        }
        return rows;
    }

    /** Rows of requests withdrawn before a commit attempt claimed them. */
    int withdrawnRows() {
        return withdrawnRows;
    }

    /**
     * Rows of requests already answered: they left the batch without being stored (withdrawn,
     * failed, refused) or were committed alone.
     */
    int answeredRows() {
        int n = 0;
        for (int r = 0; r < runs; r++) {
            if (excluded[r] || done[r]) {
                n += runEnd[r] - runStart[r];
            }
        }
        return n;
    }

    /**
     * Writes the rows {@link #claim()} counted: in order, a COPY row each; or, when {@code enc}
     * writes blocks, per unit (a request, or the best-effort rows between two) one block per series
     * and piece of {@code pieceMicros}, in ascending time, so that a block never mixes requests.
     */
    void encode(CopyEncoder enc, long pieceMicros) throws SQLException {
        encodedBlocks = enc.blocks();
        blockCount = 0;
        if (encodedBlocks && order.length < size) {
            order = new int[size];
            keys = new long[size];
            spare = new int[size];
        }
        int r = 0;
        for (int i = 0; i < size; ) {
            int next = r < runs ? runStart[r] : size;
            if (bestEffortWritten()) {
                encodeResolved(enc, i, next, pieceMicros);
            }
            if (r < runs) {
                if (claimed[r]) {
                    encodeResolved(enc, runStart[r], runEnd[r], pieceMicros);
                }
                i = runEnd[r];
                r++;
            } else {
                i = size;
            }
        }
    }

    /**
     * The rows {@link #claim()} counted (best-effort rows with a series id and claimed requests),
     * in batch order, into {@code rows}: what a journal row holds (README, {@code write_ack}).
     * Nothing is encoded as blocks then: {@link #appendStored} takes the rows by request, or as
     * {@link #groupWritten} grouped them.
     *
     * @param rows at least {@link #size()} long
     * @return how many
     */
    int written(int[] rows) {
        encodedBlocks = false;
        blockCount = 0;
        int n = 0;
        int r = 0;
        for (int i = 0; i < size; ) {
            int next = r < runs ? runStart[r] : size;
            if (bestEffortWritten()) {
                for (int j = i; j < next; j++) {
                    if (seriesIds[j] >= 0) {
                        rows[n++] = j;
                    }
                }
            }
            if (r < runs) {
                if (claimed[r]) {
                    for (int j = runStart[r]; j < runEnd[r]; j++) {
                        rows[n++] = j;
                    }
                }
                i = runEnd[r];
                r++;
            } else {
                i = size;
            }
        }
        return n;
    }

    /**
     * Groups {@code rows[0 .. n)}, as {@link #written} gave them, into {@link #order} by series,
     * each in time order, a group a block, as {@link #encode}'s blocks would hold them, so that
     * {@link #appendStored} gives the head a series at a time (the per-sample path was 43 % of the
     * writers' CPU in journal mode, docs/BENCHMARKS.md "Round 7: Sluice's own CPU in journal mode").
     * As with blocks, the head is then relieved of pressure once a batch, not once a request.
     */
    void groupWritten(int[] rows, int n) {
        if (order.length < n) {
            order = new int[n];
            keys = new long[n];
            spare = new int[n];
        }
        if (blockOff.length < n + 1) {
            blockOff = new int[n + 1];
        }
        int idBits = 0;
        for (int k = 0; k < n; k++) {
            order[k] = rows[k];
            idBits |= seriesIds[rows[k]];
        }
        groupBySeries(order, 0, n, seriesIds, spare, radixCounts, idBits);
        for (int g = 0; g < n; ) {
            int ge = seriesRun(order, g, n, seriesIds, times, keys, spare);
            blockOff[blockCount++] = g;
            blockOff[blockCount] = ge;
            g = ge;
        }
        groupedWritten = true;
    }

    /**
     * Appends the rows {@link #encode} wrote (best-effort rows and claimed requests) to the head;
     * rows older than {@code loggedBefore} are in the rollup invalidation log already.
     */
    void appendStored(Head head, long loggedBefore) {
        if (encodedBlocks || groupedWritten) {
            // The blocks (or written's groups) are exactly those rows, grouped by series in time order:
            // one head visit a block.
            head.appendGroups(seriesIds, order, blockOff, blockCount, times, values, loggedBefore);
            return;
        }
        int r = 0;
        for (int i = 0; i < size; ) {
            int next = r < runs ? runStart[r] : size;
            if (bestEffortWritten()) {
                head.append(seriesIds, times, values, i, next, loggedBefore);
            }
            if (r < runs) {
                if (claimed[r]) {
                    head.append(seriesIds, times, values, runStart[r], runEnd[r], loggedBefore);
                }
                i = runEnd[r];
                r++;
            } else {
                i = size;
            }
        }
    }

    /** The attempt failed and surely rolled back: claimed requests may be withdrawn again. */
    void release() {
        for (int r = 0; r < runs; r++) {
            if (claimed[r]) {
                claimed[r] = false;
                acks[r].release();
            }
        }
    }

    /** The attempt committed: its requests are answered, and left out of later isolated attempts. */
    void committed() {
        for (int r = 0; r < runs; r++) {
            if (claimed[r]) {
                acks[r].committed();
                claimed[r] = false;
                done[r] = true;
            }
        }
        if (focus == BEST_EFFORT) {
            skipBestEffort();
        }
    }

    /**
     * Nothing of the batch could be stored for a cause of Sluice's own that may pass (its journal
     * file failed): every request not yet answered ends so, answered 503.
     */
    void unavailableAll(String reason) {
        for (int r = 0; r < runs; r++) {
            acks[r].unavailable(reason);
        }
    }

    /** Some rows wait for a series id (new series, or not yet cached): resolving them needs the database. */
    boolean hasNewKeys() {
        for (int i = 0; i < size; i++) {
            if (seriesIds[i] == SampleEvent.UNRESOLVED && newKeys[i] != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * The writer gives up on the batch: every request not yet answered fails with the reason;
     * those the attempt whose COMMIT went unanswered held carry {@code unknown} (null when none did).
     */
    void failAll(String reason, UnknownCommit unknown) {
        for (int r = 0; r < runs; r++) {
            if (unknown != null && claimed[r]) {
                acks[r].failed(reason, unknown);
            } else {
                acks[r].failed(reason);
            }
        }
    }

    /**
     * Drops the rows of the open request (the ring stopped before its last slot arrived, which
     * only a halted shutdown does) and fails it.
     *
     * @return rows dropped
     */
    int dropOpen(String reason) {
        if (!open) {
            return 0;
        }
        int r = --runs;
        int dropped = size - runStart[r];
        Arrays.fill(newKeys, runStart[r], size, null);
        size = runStart[r];
        acks[r].failed(reason);
        acks[r] = null;
        open = false;
        return dropped;
    }

    void reset() {
        encodedBlocks = false;
        groupedWritten = false;
        blockCount = 0;
        Arrays.fill(newKeys, 0, size, null);
        Arrays.fill(acks, 0, runs, null);
        Arrays.fill(excluded, 0, runs, false);
        Arrays.fill(claimed, 0, runs, false);
        Arrays.fill(done, 0, runs, false);
        focus = WHOLE;
        size = 0;
        runs = 0;
        open = false;
        withdrawnRows = 0;
        if (times.length > baseCapacity * 2) {
            allocate(baseCapacity);
        }
    }

    private int resolvedRows(int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            if (seriesIds[i] >= 0) {
                n++;
            }
        }
        return n;
    }

    private void encodeResolved(CopyEncoder enc, int from, int to, long pieceMicros) throws SQLException {
        if (encodedBlocks) {
            encodeBlocks(enc, from, to, pieceMicros);
            return;
        }
        for (int i = from; i < to; i++) {
            if (seriesIds[i] >= 0) {
                enc.row(times[i], seriesIds[i], values[i], steps[i]);
            }
        }
    }

    /** Rows [from, to) with a series id as blocks: grouped by series, each group in time order, cut at pieces. */
    private void encodeBlocks(CopyEncoder enc, int from, int to, long pieceMicros) throws SQLException {
        int base = blockCount == 0 ? 0 : blockOff[blockCount];
        int n = 0;
        int idBits = 0;
        for (int i = from; i < to; i++) {
            if (seriesIds[i] >= 0) {
                order[base + n++] = i;
                idBits |= seriesIds[i];
            }
        }
        groupBySeries(order, base, base + n, seriesIds, spare, radixCounts, idBits);
        int end = base + n;
        for (int g = base; g < end; ) {
            int series = seriesIds[order[g]];
            int ge = seriesRun(order, g, end, seriesIds, times, keys, spare);
            for (int b = g; b < ge; ) {
                long piece = Math.floorDiv(times[order[b]], pieceMicros);
                int be = b + 1;
                while (be < ge && !alone[order[b]] && !alone[order[be]]
                        && Math.floorDiv(times[order[be]], pieceMicros) == piece) {
                    be++;
                }
                if (blockOff.length < blockCount + 2) {
                    blockOff = Arrays.copyOf(blockOff, blockOff.length * 2 + 2);
                }
                blockOff[blockCount++] = b;
                blockOff[blockCount] = be;
                enc.block(series, order, b, be, times, values, steps);
                b = be;
            }
            g = ge;
        }
    }

    /**
     * Sorts {@code order[from..to)} by series id, keeping each series' rows in arrival order: a
     * radix sort of {@value #RADIX_BITS} bits a pass, as many passes as the largest id needs (one
     * below 2,048 series). {@code Arrays.sort} of the rows as longs took a buffer of the unit's size
     * for every request (its merge of the many ascending runs round-robin arrival makes), most of
     * a writer's garbage (docs/BENCHMARKS.md "Round 6"). The rows' ids are at most
     * {@code idBits} (the OR of them); {@code spare} holds {@code to - from} rows, {@code counts}
     * {@code 1 << RADIX_BITS}.
     */
    static void groupBySeries(int[] order, int from, int to, int[] seriesIds, int[] spare, int[] counts, int idBits) {
        int n = to - from;
        int[] src = order;
        int srcOff = from;
        int[] dst = spare;
        int dstOff = 0;
        for (int shift = 0; shift < 32 && (idBits >>> shift) != 0; shift += RADIX_BITS) {
            Arrays.fill(counts, 0);
            for (int k = 0; k < n; k++) {
                counts[(seriesIds[src[srcOff + k]] >>> shift) & RADIX_MASK]++;
            }
            int at = 0;
            for (int d = 0; d <= RADIX_MASK; d++) {
                int c = counts[d];
                counts[d] = at;
                at += c;
            }
            for (int k = 0; k < n; k++) {
                int row = src[srcOff + k];
                dst[dstOff + counts[(seriesIds[row] >>> shift) & RADIX_MASK]++] = row;
            }
            int[] t = src;
            src = dst;
            dst = t;
            int o = srcOff;
            srcOff = dstOff;
            dstOff = o;
        }
        if (src != order) {
            System.arraycopy(src, srcOff, order, from, n);
        }
    }

    /**
     * The end of the run of {@code order[g]}'s series in {@code order[g .. end)}, grouped by
     * {@link #groupBySeries}; the run is sorted by time (rows of equal time keep their order)
     * when it is not in time order already. {@code keys} and {@code spare} as {@link #sortByTime}.
     */
    static int seriesRun(int[] order, int g, int end, int[] seriesIds, long[] times, long[] keys, int[] spare) {
        int series = seriesIds[order[g]];
        int ge = g + 1;
        boolean sorted = true;
        while (ge < end && seriesIds[order[ge]] == series) {
            sorted &= times[order[ge]] >= times[order[ge - 1]];
            ge++;
        }
        if (!sorted) {
            sortByTime(order, g, ge, times, keys, spare);
        }
        return ge;
    }

    /**
     * Sorts {@code order[from..to)}, rows of one series, by their {@code times}; rows of equal time
     * keep their order. {@code keys} and {@code spare} hold at least {@code to - from} entries.
     */
    static void sortByTime(int[] order, int from, int to, long[] times, long[] keys, int[] spare) {
        int n = to - from;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int k = from; k < to; k++) {
            min = Math.min(min, times[order[k]]);
            max = Math.max(max, times[order[k]]);
        }
        if (max - min < 1L << 42 && n < 1 << 21) {
            // Offset from the earliest time (under 50 days) above, position below: one primitive sort.
            for (int k = 0; k < n; k++) {
                keys[k] = (times[order[from + k]] - min) << 21 | k;
            }
            Arrays.sort(keys, 0, n);
            System.arraycopy(order, from, spare, 0, n);
            for (int k = 0; k < n; k++) {
                order[from + k] = spare[(int) (keys[k] & ((1 << 21) - 1))];
            }
            return;
        }
        Integer[] boxed = new Integer[n];
        for (int k = 0; k < n; k++) {
            boxed[k] = order[from + k];
        }
        Arrays.sort(boxed, (a, b) -> Long.compare(times[a], times[b]));
        for (int k = 0; k < n; k++) {
            order[from + k] = boxed[k];
        }
    }

    private void allocate(int c) {
        seriesIds = new int[c];
        newKeys = new SeriesKey[c];
        times = new long[c];
        values = new double[c];
        steps = new long[c];
        alone = new boolean[c];
    }

    private void grow(int need) {
        int c = Math.max(need, times.length * 2);
        seriesIds = Arrays.copyOf(seriesIds, c);
        newKeys = Arrays.copyOf(newKeys, c);
        times = Arrays.copyOf(times, c);
        values = Arrays.copyOf(values, c);
        steps = Arrays.copyOf(steps, c);
        alone = Arrays.copyOf(alone, c);
    }

    private void growRuns() {
        int c = acks.length * 2;
        acks = Arrays.copyOf(acks, c);
        runStart = Arrays.copyOf(runStart, c);
        runEnd = Arrays.copyOf(runEnd, c);
        excluded = Arrays.copyOf(excluded, c);
        claimed = Arrays.copyOf(claimed, c);
        done = Arrays.copyOf(done, c);
    }
}
