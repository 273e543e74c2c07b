package io.sluice.storage.writer;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Streams rows of {@code samples(time, series_id, value, step)} into one COPY in PostgreSQL's
 * binary format (PostgreSQL docs, "COPY — Binary Format"): a signature and header, then per row
 * a field count and each field as a length and its big-endian bytes, then a -1 trailer.
 *
 * <p>Binary avoids formatting and parsing text numbers on both sides; a row is 46 bytes
 * (40 without a step). Rows go through a fixed buffer sent whenever it fills, so a batch of any
 * size (a writer may hold a request of half the ring) costs this buffer and no more.
 */
public final class CopyEncoder {
    public static final String COPY_SQL = "COPY samples (time, series_id, value, step) FROM STDIN (FORMAT binary)";
    /** PostgreSQL timestamps count microseconds from 2000-01-01T00:00Z. */
    static final long PG_EPOCH_OFFSET_MICROS = 946_684_800_000_000L;
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
    public static final long NO_STEP = Long.MIN_VALUE;
    private static final int ROW_BYTES = 46;
    /** The writers' buffer: large enough that sending it costs little per row. */
    public static final int BUFFER_BYTES = 256 * 1024;
    /**
     * The context PostgreSQL gives an error raised while COPY takes a row: "COPY samples, line 3"
     * (in binary format the line is the row's 1-based number; src/backend/commands/copyfromparse.c,
     * CopyFromErrorCallback).
     */
    private static final Pattern COPY_LINE = Pattern.compile("COPY [^,]+, line (\\d+)");

    private final byte[] buf;
    private int pos;
    private CopyIn copy;

    /** @param bufferBytes sent to the server whenever this fills; at least 64 */
    public CopyEncoder(int bufferBytes) {
        buf = new byte[Math.max(64, bufferBytes)];
    }

    /** Starts a COPY on {@code c} (inside the caller's transaction) and writes the header. */
    public void begin(Connection c) throws SQLException {
        copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_SQL);
        pos = 0;
        System.arraycopy(SIGNATURE, 0, buf, 0, SIGNATURE.length);
        pos = SIGNATURE.length;
        putInt(0); // flags: no OIDs
        putInt(0); // header extension length
    }

    public void row(long timeMicros, int seriesId, double value, long step) throws SQLException {
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

    /** Writes the trailer and ends the COPY; the caller commits. */
    public void end() throws SQLException {
        if (pos + 2 > buf.length) {
            send();
        }
        putShort(-1);
        send();
        CopyIn c = copy;
        copy = null;
        c.endCopy();
    }

    /**
     * Cancels a COPY that failed half-way, so the connection is usable again or fails cleanly.
     * Harmless when none is open.
     */
    public void abort() {
        CopyIn c = copy;
        copy = null;
        if (c != null && c.isActive()) {
            try {
                c.cancelCopy();
            } catch (SQLException ignored) {
                // the connection is failing anyway; the caller reports the first error
            }
        }
    }

    /**
     * The 1-based row of this COPY the database refused, when {@code e} names one (its context
     * line), else 0. Rows count in the order {@link #row} was called.
     */
    public static long failedRow(SQLException e) {
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
        buf[pos++] = (byte) (v >>> 24);
        buf[pos++] = (byte) (v >>> 16);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
    }

    private void putLong(long v) {
        putInt((int) (v >>> 32));
        putInt((int) v);
    }
}
