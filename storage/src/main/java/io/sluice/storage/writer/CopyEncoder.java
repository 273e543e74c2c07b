package io.sluice.storage.writer;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Streams samples into one COPY in PostgreSQL's binary format (PostgreSQL docs, "COPY — Binary
 * Format"): a signature and header, then per row a field count and each field as a length and its
 * big-endian bytes, then a -1 trailer. Either a row a sample, {@code samples(time, series_id,
 * value, step)} (TimescaleDB's hypertable), or a row a block of one series' samples,
 * {@code samples_blocks(series_id, time_min, time_max, times, vals, steps)} (plain PostgreSQL's
 * hot tier, README "Hot tier and head"; its times are bigint microseconds since the Unix epoch,
 * schema/014_blocks_micros.postgres.sql, where a row's time is a timestamptz, microseconds since
 * 2000-01-01), its arrays in {@code array_send}'s layout
 * (src/backend/utils/adt/arrayfuncs.c: dimensions, a has-nulls flag, the element type's OID,
 * each dimension's length and lower bound, then each element as a length and its bytes).
 *
 * <p>Binary avoids formatting and parsing text numbers on both sides; a row is 46 bytes
 * (40 without a step), a block 86 bytes and 24 a sample (36 with steps). Bytes go through a fixed
 * buffer sent whenever it fills, so a batch of any size (a writer may hold a request of half the
 * ring) costs this buffer and no more.
 *
 * <p>Blocks go as several {@code COPY} statements of at most {@link #BLOCKS_PER_STATEMENT} rows,
 * one after the other in the caller's transaction. PostgreSQL 17's {@code COPY FROM} buffers up
 * to 1,000 rows before inserting them and makes a tuple slot for each buffered row on first use,
 * each pinning the table's tuple descriptor in the statement's resource owner; past 32 pins of the
 * same descriptor that owner keeps them in a hash where every pin probes past all the others, and
 * releasing them at the statement's end does the same (src/backend/utils/resowner/resowner.c):
 * a cost growing with the square of the rows buffered, which took about a third of the writers'
 * backend CPU with a statement a batch (docs/BENCHMARKS.md, round 6, "PostgreSQL's cost of the
 * writers' COPY"). Shorter statements keep it small; each costs a statement's start and a round
 * trip, so not too short.
 */
public final class CopyEncoder {
    public static final String COPY_SQL = "COPY samples (time, series_id, value, step) FROM STDIN (FORMAT binary)";
    /** Rows straight into plain PostgreSQL's raw table (no writer does: the bench's ceiling and loads). */
    public static final String ROWS_SQL = "COPY samples_rows (time, series_id, value, step) FROM STDIN (FORMAT binary)";
    public static final String BLOCKS_SQL = "COPY samples_blocks (series_id, time_min, time_max, times, vals, steps)"
            + " FROM STDIN (FORMAT binary)";
    /** Element types' OIDs (src/include/catalog/pg_type.dat). */
    private static final int FLOAT8_OID = 701;
    private static final int INT8_OID = 20;
    /** A one-dimensional array's header: 5 ints. */
    private static final int ARRAY_HEADER_BYTES = 20;
    /** PostgreSQL timestamps count microseconds from 2000-01-01T00:00Z. */
    static final long PG_EPOCH_OFFSET_MICROS = 946_684_800_000_000L;
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
    public static final long NO_STEP = Long.MIN_VALUE;
    private static final int ROW_BYTES = 46;
    /** The writers' buffer: large enough that sending it costs little per row. */
    public static final int BUFFER_BYTES = 256 * 1024;
    /**
     * Rows of one {@code COPY} statement of blocks (see the class comment): 1,000 rows a statement
     * cost PostgreSQL ~0.43 µs a sample, 200-500 about 0.35, 60 more again.
     */
    public static final int BLOCKS_PER_STATEMENT = 250;
    /**
     * The context PostgreSQL gives an error raised while COPY takes a row: "COPY samples, line 3"
     * (in binary format the line is the row's 1-based number; src/backend/commands/copyfromparse.c,
     * CopyFromErrorCallback).
     */
    private static final Pattern COPY_LINE = Pattern.compile("COPY [^,]+, line (\\d+)");

    private final byte[] buf;
    private final boolean blocks;
    private final String sql;
    /** Rows a statement holds at most; 0: one statement, however many rows. */
    private final int rowsPerStatement;
    private int pos;
    private CopyIn copy;
    private Connection connection;
    /** Rows of the current statement, and of the statements of this COPY before it. */
    private int rowsInStatement;
    private long rowsBefore;

    /** @param bufferBytes sent to the server whenever this fills; at least 64 */
    public CopyEncoder(int bufferBytes) {
        this(bufferBytes, false);
    }

    /**
     * @param bufferBytes sent to the server whenever this fills; at least 64
     * @param blocks      COPY into {@code samples_blocks} with {@link #block}, else into {@code samples} with {@link #row}
     */
    public CopyEncoder(int bufferBytes, boolean blocks) {
        this(bufferBytes, blocks, blocks ? BLOCKS_SQL : COPY_SQL);
    }

    /** @param sql the COPY statement: one of this class's, for {@link #row} or, with {@code blocks}, {@link #block} */
    public CopyEncoder(int bufferBytes, boolean blocks, String sql) {
        this(bufferBytes, blocks, sql, blocks ? BLOCKS_PER_STATEMENT : 0);
    }

    /**
     * @param rowsPerStatement rows sent in one {@code COPY} statement at most, the rest in further
     *                         statements of the same transaction; 0: one statement
     */
    public CopyEncoder(int bufferBytes, boolean blocks, String sql, int rowsPerStatement) {
        buf = new byte[Math.max(64, bufferBytes)];
        this.blocks = blocks;
        this.sql = sql;
        this.rowsPerStatement = Math.max(0, rowsPerStatement);
    }

    /** Rows of this COPY are blocks ({@link #block}). */
    public boolean blocks() {
        return blocks;
    }

    /** Starts a COPY on {@code c} (inside the caller's transaction) and writes the header. */
    public void begin(Connection c) throws SQLException {
        connection = c;
        rowsBefore = 0;
        open();
    }

    /** Starts a statement of this COPY. */
    private void open() throws SQLException {
        copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        rowsInStatement = 0;
        System.arraycopy(SIGNATURE, 0, buf, 0, SIGNATURE.length);
        pos = SIGNATURE.length;
        putInt(0); // flags: no OIDs
        putInt(0); // header extension length
    }

    /** Counts a row about to be written, first ending a full statement and starting the next. */
    private void nextRow() throws SQLException {
        if (rowsInStatement == rowsPerStatement && rowsPerStatement > 0) {
            close();
            open();
        }
        rowsInStatement++;
    }

    public void row(long timeMicros, int seriesId, double value, long step) throws SQLException {
        nextRow();
        if (pos + ROW_BYTES > buf.length) {
            send();
        }
        putShort(4);
        putInt(8);
        putLong(timeMicros - PG_EPOCH_OFFSET_MICROS);
        putInt(4);
        putInt(seriesId);
        putInt(8);
        putLong(Double.doubleToRawLongBits(value));
        if (step == NO_STEP) {
            putInt(-1);
        } else {
            putInt(8);
            putLong(step);
        }
    }

    /**
     * One block: the samples {@code order[from..to)} (indexes into the columns), all of series
     * {@code seriesId}, in ascending time. Steps go as an array only when one of them has a step.
     */
    public void block(int seriesId, int[] order, int from, int to, long[] times, double[] values, long[] steps)
            throws SQLException {
        nextRow();
        int n = to - from;
        int withStep = 0;
        for (int k = from; k < to; k++) {
            if (steps[order[k]] != NO_STEP) {
                withStep++;
            }
        }
        room(2 + 8 + 2 * 12);
        putShort(6);
        putInt(4);
        putInt(seriesId);
        putInt(8);
        putLong(times[order[from]]);
        putInt(8);
        putLong(times[order[to - 1]]);
        arrayHeader(n, n, INT8_OID);
        for (int k = from; k < to; k++) {
            room(12);
            putInt(8);
            putLong(times[order[k]]);
        }
        arrayHeader(n, n, FLOAT8_OID);
        for (int k = from; k < to; k++) {
            room(12);
            putInt(8);
            putLong(Double.doubleToRawLongBits(values[order[k]]));
        }
        if (withStep == 0) {
            room(4);
            putInt(-1);
            return;
        }
        arrayHeader(n, withStep, INT8_OID);
        for (int k = from; k < to; k++) {
            room(12);
            long step = steps[order[k]];
            if (step == NO_STEP) {
                putInt(-1);
            } else {
                putInt(8);
                putLong(step);
            }
        }
    }

    /**
     * A field holding a one-dimensional array of {@code n} elements, {@code notNull} of them
     * 8-byte values and the rest NULL, before its elements.
     */
    private void arrayHeader(int n, int notNull, int elementOid) throws SQLException {
        room(4 + ARRAY_HEADER_BYTES);
        // The field's length: the header, then each element's length word and its 8 bytes (a NULL: the word, -1, alone).
        putInt(ARRAY_HEADER_BYTES + n * 4 + notNull * 8);
        putInt(1); // dimensions
        putInt(notNull < n ? 1 : 0);
        putInt(elementOid);
        putInt(n);
        putInt(1); // lower bound
    }

    private void room(int bytes) throws SQLException {
        if (pos + bytes > buf.length) {
            send();
        }
    }

    /** Writes the trailer and ends the COPY; the caller commits. */
    public void end() throws SQLException {
        close();
        connection = null;
    }

    /** Writes the trailer and ends the current statement. */
    private void close() throws SQLException {
        if (pos + 2 > buf.length) {
            send();
        }
        putShort(-1);
        send();
        CopyIn c = copy;
        copy = null;
        c.endCopy();
        rowsBefore += rowsInStatement;
        rowsInStatement = 0;
    }

    /**
     * Cancels a COPY that failed half-way, so the connection is usable again or fails cleanly.
     * Harmless when none is open.
     */
    public void abort() {
        CopyIn c = copy;
        copy = null;
        connection = null;
        if (c != null && c.isActive()) {
            try {
                c.cancelCopy();
            } catch (SQLException ignored) {
                // the connection is failing anyway; the caller reports the first error
            }
        }
    }

    /**
     * The 1-based row of the last COPY (all its statements) the database refused, when {@code e}
     * names one, else 0. Rows count in the order {@link #row} or {@link #block} was called.
     */
    public long failedRow(SQLException e) {
        long line = failedLine(e);
        // A statement's error comes before the next statement starts: the rows before it are counted.
        return line > 0 ? rowsBefore + line : 0;
    }

    /**
     * The 1-based row of one COPY statement the database refused, when {@code e} names one (its
     * context line), else 0.
     */
    static long failedLine(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PSQLException p && p.getServerErrorMessage() != null) {
                ServerErrorMessage m = p.getServerErrorMessage();
                Matcher row = COPY_LINE.matcher(m.getWhere() == null ? "" : m.getWhere());
                return row.find() ? Long.parseLong(row.group(1)) : 0;
            }
        }
        return 0;
    }

    private void send() throws SQLException {
        copy.writeToCopy(buf, 0, pos);
        pos = 0;
    }

    private void putShort(int v) {
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
    }

    private void putInt(int v) {
        INT.set(buf, pos, v);
        pos += 4;
    }

    private void putLong(long v) {
        LONG.set(buf, pos, v);
        pos += 8;
    }

    /** Network byte order (the COPY binary format, PostgreSQL manual "COPY", "Binary Format"), a store each rather than a byte each. */
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
}
