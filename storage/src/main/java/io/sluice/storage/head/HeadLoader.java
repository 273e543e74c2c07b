package io.sluice.storage.head;

import org.postgresql.util.ByteConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Fills the head at start from what the database holds, before any writer runs: every sample at
 * or after the start of the oldest hot piece (README, "Hot tier and head"). Until it is done no
 * query is answered; the time it takes is logged.
 */
public final class HeadLoader {
    private static final Logger log = LoggerFactory.getLogger(HeadLoader.class);
    private static final int CHUNK = 4096;
    /** Microseconds from 1970 to 2000-01-01, where PostgreSQL's timestamps count from. */
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

    private HeadLoader() {
    }

    /** Starts {@code head} at {@code from} and loads every sample at or after it. */
    public static long load(Connection c, Head head, long from) throws SQLException {
        long t0 = System.nanoTime();
        head.start(from);
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false); // a cursor: rows come in fetches, not all at once
        long n = 0;
        int[] ids = new int[CHUNK];
        long[] times = new long[CHUNK];
        double[] values = new double[CHUNK];
        int k = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT series_id, time, value FROM samples_between(?, 'infinity')")) {
            ps.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(-1); // binary times
            ps.setFetchSize(10_000);
            ps.setTimestamp(1, timestamp(from));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids[k] = rs.getInt(1);
                    byte[] t = rs.getBytes(2);
                    times[k] = PG_EPOCH_MICROS + ByteConverter.int8(t, 0);
                    values[k++] = rs.getDouble(3);
                    if (k == CHUNK) {
                        head.append(ids, times, values, k);
                        n += k;
                        k = 0;
                    }
                }
            }
            head.append(ids, times, values, k);
            n += k;
            c.commit();
        } finally {
            c.setAutoCommit(auto);
        }
        log.info("head loaded [from={}, samples={}, held={}, bytes={}, ms={}]", java.time.Instant.ofEpochSecond(
                Math.floorDiv(from, 1_000_000L), Math.floorMod(from, 1_000_000L) * 1000), n, head.samples(), head.bytes(),
                (System.nanoTime() - t0) / 1_000_000);
        return n;
    }

    private static java.sql.Timestamp timestamp(long micros) {
        java.sql.Timestamp t = new java.sql.Timestamp(Math.floorDiv(micros, 1000));
        t.setNanos((int) Math.floorMod(micros, 1_000_000L) * 1000);
        return t;
    }
}
