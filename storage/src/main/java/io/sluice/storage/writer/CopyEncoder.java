package io.sluice.storage.writer;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * Encodes rows of {@code samples(time, series_id, value, step)} in PostgreSQL's binary COPY
 * format (PostgreSQL docs, "COPY — Binary Format"): a signature and header, then per row a field
 * count and each field as a length and its big-endian bytes, then a -1 trailer.
 *
 * <p>Binary avoids formatting and parsing text numbers on both sides; a row is 46 bytes
 * (40 without a step). The buffer is reused between batches.
 */
public final class CopyEncoder {
    public static final String COPY_SQL = "COPY samples (time, series_id, value, step) FROM STDIN (FORMAT binary)";
    /** PostgreSQL timestamps count microseconds from 2000-01-01T00:00Z. */
    static final long PG_EPOCH_OFFSET_MICROS = 946_684_800_000_000L;
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
    public static final long NO_STEP = Long.MIN_VALUE;

    private byte[] buf;
    private int pos;

    public CopyEncoder(int initialBytes) {
        buf = new byte[Math.max(64, initialBytes)];
    }

    public CopyEncoder begin() {
        pos = 0;
        ensure(19);
        System.arraycopy(SIGNATURE, 0, buf, 0, SIGNATURE.length);
        pos = SIGNATURE.length;
        putInt(0); // flags: no OIDs
        putInt(0); // header extension length
        return this;
    }

    public void row(long timeMicros, int seriesId, double value, long step) {
        ensure(46);
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

    public void end() {
        ensure(2);
        putShort(-1);
    }

    /**
     * Sends what was encoded as one COPY on {@code c} (the caller commits). A COPY that fails
     * half-way is cancelled, so the connection is usable again or fails cleanly.
     */
    public void copyTo(Connection c) throws SQLException {
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_SQL);
        try {
            copy.writeToCopy(buf, 0, pos);
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
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
