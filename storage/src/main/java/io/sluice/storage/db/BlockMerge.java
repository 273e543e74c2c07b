package io.sluice.storage.db;

import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * The seal's middle (README, "Hot tier and head"): reads a piece's hot blocks as PostgreSQL sends
 * them from {@code COPY (SELECT series_id, times, vals, steps FROM samples_blocks ... ORDER BY
 * series_id, time_min) TO STDOUT (FORMAT binary)} and hands on their samples as rows, each series'
 * in time order.
 *
 * <p>The binary format is PostgreSQL's (docs, "COPY — Binary Format": a signature, flags and a
 * header extension, then per row a 16-bit field count and each field as a 32-bit length, -1 for
 * NULL, and its bytes; a count of -1 ends it). Arrays are in {@code array_send}'s layout
 * (src/backend/utils/adt/arrayfuncs.c: dimensions, a has-nulls flag, the element type's OID, each
 * dimension's length and lower bound, then each element as a length and its bytes); the blocks'
 * times are bigints, microseconds since the Unix epoch (schema/014_blocks_micros.postgres.sql).
 *
 * <p>A series' blocks arrive ordered by their first time, so a sample earlier than the next
 * block's first time is final: it is handed on, and only samples that overlap a later block wait
 * here, merged with it. Blocks of one request are disjoint in time, so this holds one block at a
 * time; memory is bounded by one series' overlapping samples, never the piece. Samples of equal
 * time keep the order of their blocks. No object is made per sample.
 */
final class BlockMerge {
    /** Receives the rows. Times are microseconds since the Unix epoch; {@code step} is {@link #NO_STEP} for NULL. */
    interface Rows {
        void row(long timeMicros, int seriesId, double value, long step) throws SQLException;
    }

    static final long NO_STEP = Long.MIN_VALUE;
    /** Element types' OIDs (src/include/catalog/pg_type.dat): bigint (times, steps), float8 (values). */
    private static final int INT8_OID = 20;
    private static final int FLOAT8_OID = 701;
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};

    private final InputStream in;
    private final Rows out;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int lim;

    /** Samples of the current series not handed on yet, sorted by time: [start, n). */
    private long[] times = new long[1024];
    private double[] vals = new double[1024];
    private long[] steps = new long[1024];
    private int start;
    private int n;
    private int series;
    private boolean anySeries;

    /** The block being read. */
    private long[] bt = new long[1024];
    private double[] bv = new double[1024];
    private long[] bs = new long[1024];
    private int bn;

    private long blocks;
    private long rows;
    /** The most samples that ever waited here at once (the memory this took). */
    private int mostHeld;

    BlockMerge(InputStream in, Rows out) {
        this.in = in;
        this.out = out;
    }

    /** Reads the whole COPY and hands on every sample; returns the number of samples. */
    long run() throws IOException, SQLException {
        for (byte b : SIGNATURE) {
            if (readByte() != b) {
                throw new IOException("not a binary COPY: bad signature");
            }
        }
        readInt(); // flags: no OIDs in a COPY of a query
        skip(readInt()); // header extension
        while (true) {
            short fields = readShort();
            if (fields == -1) {
                break;
            }
            if (fields != 4) {
                throw new IOException("a block row has " + fields + " fields, expected 4");
            }
            if (readInt() != 4) {
                throw new IOException("series_id is not a 4-byte integer");
            }
            int id = readInt();
            bn = readTimes();
            if (readVals() != bn) {
                throw new IOException("a block of series " + id + " has not as many values as times");
            }
            readSteps(id);
            blocks++;
            if (!anySeries || id != series) {
                flushAll();
                series = id;
                anySeries = true;
            }
            add();
        }
        flushAll();
        return rows;
    }

    long blocks() {
        return blocks;
    }

    int mostHeld() {
        return mostHeld;
    }

    /** Takes the block in: hands on what it proves final, merges it, run by run, with what waits. */
    private void add() throws SQLException {
        if (bn == 0) {
            return;
        }
        long min = bt[0];
        for (int k = 1; k < bn; k++) {
            min = Math.min(min, bt[k]);
        }
        // Later blocks of this series start at or after this one: nothing of theirs comes before min.
        while (start < n && times[start] < min) {
            emit(start++);
        }
        if (start == n) {
            start = 0;
            n = 0;
        }
        // A writer's block is one sorted run; a block made by SQL may be several.
        int from = 0;
        for (int k = 1; k <= bn; k++) {
            if (k == bn || bt[k] < bt[k - 1]) {
                merge(from, k);
                from = k;
            }
        }
        mostHeld = Math.max(mostHeld, n - start);
    }

    /** Merges the block's sorted run [from, to) into the waiting samples, after those of equal time. */
    private void merge(int from, int to) {
        int m = to - from;
        if (start > 0) {
            int left = n - start;
            System.arraycopy(times, start, times, 0, left);
            System.arraycopy(vals, start, vals, 0, left);
            System.arraycopy(steps, start, steps, 0, left);
            start = 0;
            n = left;
        }
        if (n + m > times.length) {
            int cap = Math.max(times.length * 2, n + m);
            times = Arrays.copyOf(times, cap);
            vals = Arrays.copyOf(vals, cap);
            steps = Arrays.copyOf(steps, cap);
        }
        if (n == 0 || times[n - 1] <= bt[from]) {
            System.arraycopy(bt, from, times, n, m);
            System.arraycopy(bv, from, vals, n, m);
            System.arraycopy(bs, from, steps, n, m);
            n += m;
            return;
        }
        int i = n - 1;
        int j = to - 1;
        for (int k = n + m - 1; j >= from; k--) {
            if (i >= 0 && times[i] > bt[j]) {
                times[k] = times[i];
                vals[k] = vals[i];
                steps[k] = steps[i];
                i--;
            } else {
                times[k] = bt[j];
                vals[k] = bv[j];
                steps[k] = bs[j];
                j--;
            }
        }
        n += m;
    }

    private void flushAll() throws SQLException {
        while (start < n) {
            emit(start++);
        }
        start = 0;
        n = 0;
    }

    private void emit(int k) throws SQLException {
        out.row(times[k], series, vals[k], steps[k]);
        rows++;
    }

    /** A one-dimensional array's header, of elements of type {@code elementOid}; returns its length. */
    private int arrayHeader(int len, String what, int elementOid) throws IOException {
        if (len == -1) {
            throw new IOException("a block's " + what + " is NULL");
        }
        int dims = readInt();
        readInt(); // has-nulls flag: each element says so itself
        int type = readInt();
        if (type != elementOid) {
            // Times of a timestamptz[] are 8 bytes too: read as microseconds since 1970 they would be 30 years off.
            throw new IOException("a block's " + what + " are of type OID " + type + ", expected " + elementOid);
        }
        if (dims == 0) {
            return 0;
        }
        if (dims != 1) {
            throw new IOException("a block's " + what + " has " + dims + " dimensions");
        }
        int count = readInt();
        readInt(); // lower bound
        return count;
    }

    private int readTimes() throws IOException {
        int count = arrayHeader(readInt(), "times", INT8_OID);
        if (count > bt.length) {
            int cap = Math.max(bt.length * 2, count);
            bt = new long[cap];
            bv = new double[cap];
            bs = new long[cap];
        }
        for (int k = 0; k < count; k++) {
            if (readInt() != 8) {
                throw new IOException("a block holds a NULL time");
            }
            bt[k] = readLong();
        }
        return count;
    }

    private int readVals() throws IOException {
        int count = arrayHeader(readInt(), "vals", FLOAT8_OID);
        if (count != bn) {
            return count;
        }
        for (int k = 0; k < count; k++) {
            if (readInt() != 8) {
                throw new IOException("a block holds a NULL value");
            }
            bv[k] = Double.longBitsToDouble(readLong());
        }
        return count;
    }

    /** Steps may be NULL (no sample has one), hold NULLs, or be shorter than the times (unnest pads with NULL). */
    private void readSteps(int id) throws IOException {
        int len = readInt();
        int count = len == -1 ? 0 : arrayHeader(len, "steps", INT8_OID);
        if (count > bn) {
            throw new IOException("a block of series " + id + " has more steps than times");
        }
        for (int k = 0; k < count; k++) {
            int l = readInt();
            if (l == -1) {
                bs[k] = NO_STEP;
            } else if (l == 8) {
                bs[k] = readLong();
            } else {
                throw new IOException("a step is not an 8-byte integer");
            }
        }
        Arrays.fill(bs, count, bn, NO_STEP);
    }

    private void fill(int need) throws IOException {
        if (lim - pos >= need) {
            return;
        }
        int left = lim - pos;
        System.arraycopy(buf, pos, buf, 0, left);
        pos = 0;
        lim = left;
        while (lim < need) {
            int r = in.read(buf, lim, buf.length - lim);
            if (r < 0) {
                throw new IOException("the COPY of blocks ended mid-row");
            }
            lim += r;
        }
    }

    private byte readByte() throws IOException {
        fill(1);
        return buf[pos++];
    }

    private short readShort() throws IOException {
        fill(2);
        short v = (short) (((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF));
        pos += 2;
        return v;
    }

    private int readInt() throws IOException {
        fill(4);
        int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8) | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    private long readLong() throws IOException {
        fill(8);
        long v = 0;
        for (int k = 0; k < 8; k++) {
            v = (v << 8) | (buf[pos + k] & 0xFF);
        }
        pos += 8;
        return v;
    }

    private void skip(int bytes) throws IOException {
        for (int k = 0; k < bytes; k++) {
            readByte();
        }
    }
}
