package io.sluice.storage.query;

import io.sluice.storage.head.MinuteRows;
import org.postgresql.PGConnection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * Writes the head's 1-minute aggregates ({@link MinuteRows}) over the rows of {@code samples_1m},
 * as arrays in one statement per few thousand rows (README, "Ask for it": rollups). A row whose sum or sum of
 * squares is not finite is left out and its minute named instead: the database computes that
 * minute from raw samples, where {@link Materializer} isolates a value that overflows.
 */
final class HeadRollup {
    /** Rows per statement: 9 arrays of this many elements. */
    static final int CHUNK = 10_000;
    private static final String SQL = "INSERT INTO samples_1m (bucket, series_id, count, sum, min, max, sum_sq, first, last)"
            + " SELECT to_timestamp(0) + b * interval '1 microsecond', s, n, su, mi, ma, sq, f, l FROM unnest(?::int8[],"
            + " ?::int4[], ?::int8[], ?::float8[], ?::float8[], ?::float8[], ?::float8[], ?::float8[], ?::float8[])"
            + " AS h(b, s, n, su, mi, ma, sq, f, l) ON CONFLICT (series_id, bucket) DO UPDATE SET count = EXCLUDED.count,"
            + " sum = EXCLUDED.sum, min = EXCLUDED.min, max = EXCLUDED.max, sum_sq = EXCLUDED.sum_sq, first = EXCLUDED.first,"
            + " last = EXCLUDED.last";

    private HeadRollup() {
    }

    /**
     * Upserts the rows, in the caller's transaction.
     *
     * @return the sorted, distinct minutes (epoch micros) of rows left out for not being finite
     */
    static long[] write(Connection c, MinuteRows rows) throws SQLException {
        long[] notFinite = new long[0];
        int nf = 0;
        // pgjdbc's own createArrayOf takes primitive arrays and sends them in binary: no boxing per value.
        PGConnection pg = c.unwrap(PGConnection.class);
        try (PreparedStatement ps = c.prepareStatement(SQL)) {
            for (int lo = 0; lo < rows.size(); lo += CHUNK) {
                int hi = Math.min(rows.size(), lo + CHUNK);
                int n = 0;
                long[] b = new long[hi - lo];
                int[] s = new int[hi - lo];
                long[] cnt = new long[hi - lo];
                double[] su = new double[hi - lo];
                double[] mi = new double[hi - lo];
                double[] ma = new double[hi - lo];
                double[] sq = new double[hi - lo];
                double[] f = new double[hi - lo];
                double[] l = new double[hi - lo];
                for (int i = lo; i < hi; i++) {
                    if (!Double.isFinite(rows.sum(i)) || !Double.isFinite(rows.sumSq(i))) {
                        if (nf == notFinite.length) {
                            notFinite = Arrays.copyOf(notFinite, Math.max(8, nf * 2));
                        }
                        notFinite[nf++] = rows.minute(i);
                        continue;
                    }
                    b[n] = rows.minute(i);
                    s[n] = rows.seriesId(i);
                    cnt[n] = rows.count(i);
                    su[n] = rows.sum(i);
                    mi[n] = rows.min(i);
                    ma[n] = rows.max(i);
                    sq[n] = rows.sumSq(i);
                    f[n] = rows.first(i);
                    l[n] = rows.last(i);
                    n++;
                }
                if (n == 0) {
                    continue;
                }
                ps.setArray(1, pg.createArrayOf("int8", Arrays.copyOf(b, n)));
                ps.setArray(2, pg.createArrayOf("int4", Arrays.copyOf(s, n)));
                ps.setArray(3, pg.createArrayOf("int8", Arrays.copyOf(cnt, n)));
                ps.setArray(4, pg.createArrayOf("float8", Arrays.copyOf(su, n)));
                ps.setArray(5, pg.createArrayOf("float8", Arrays.copyOf(mi, n)));
                ps.setArray(6, pg.createArrayOf("float8", Arrays.copyOf(ma, n)));
                ps.setArray(7, pg.createArrayOf("float8", Arrays.copyOf(sq, n)));
                ps.setArray(8, pg.createArrayOf("float8", Arrays.copyOf(f, n)));
                ps.setArray(9, pg.createArrayOf("float8", Arrays.copyOf(l, n)));
                ps.executeUpdate();
            }
        }
        return Arrays.stream(notFinite, 0, nf).sorted().distinct().toArray();
    }
}
