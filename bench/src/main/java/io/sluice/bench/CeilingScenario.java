package io.sluice.bench;

import io.sluice.storage.writer.CopyEncoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The database's own ceiling: the same binary COPY Sluice's writers do, into the same table,
 * from the harness, one transaction per batch, with no Sluice in between.
 */
@Command(name = "ceiling", description = "Binary COPY straight into samples (no Sluice): the reference rate.")
final class CeilingScenario implements Callable<Integer> {
    @Mixin
    Options o;

    @Override
    public Integer call() throws Exception {
        Report.print(List.of(run(o)), null, o.json);
        return 0;
    }

    static Result run(Options o) throws Exception {
        return run(o, () -> { }, false);
    }

    /**
     * @param started called right before the clock starts (after the checkpoint)
     * @param blocks  COPY what Sluice's writers COPY on plain PostgreSQL, a row per series per
     *                batch into {@code samples_blocks} (README, "Hot tier and head"); else a row per
     *                sample into the raw table ({@code samples_rows}, or TimescaleDB's {@code samples})
     */
    static Result run(Options o, Runnable started, boolean blocks) throws Exception {
        String rowsSql = rawTable(o.db).equals("samples_rows") ? CopyEncoder.ROWS_SQL : CopyEncoder.COPY_SQL;
        int[] ids = series(o.db, "bench_ceiling", o.series);
        checkpoint(o.db);
        started.run();
        AtomicLong next = new AtomicLong();
        long base = System.currentTimeMillis() * 1000;
        List<Thread> threads = new ArrayList<>();
        List<Exception> failures = new ArrayList<>();
        try (Progress progress = new Progress("ceiling", o.rows)) {
            for (int t = 0; t < o.connections; t++) {
                Thread th = new Thread(() -> {
                    CopyEncoder enc = blocks ? new CopyEncoder(CopyEncoder.BUFFER_BYTES, true)
                            : new CopyEncoder(CopyEncoder.BUFFER_BYTES, false, rowsSql);
                    BatchColumns cols = blocks ? new BatchColumns(o.batch) : null;
                    try (Connection c = DriverManager.getConnection(o.db)) {
                        c.setAutoCommit(false);
                        while (true) {
                            long from = next.getAndAdd(o.batch);
                            if (from >= o.rows) {
                                break;
                            }
                            long to = Math.min(o.rows, from + o.batch);
                            enc.begin(c);
                            if (blocks) {
                                cols.encode(enc, ids, base, from, to);
                            } else {
                                for (long k = from; k < to; k++) {
                                    enc.row(base + k, ids[(int) (k % ids.length)], k * 0.5, CopyEncoder.NO_STEP);
                                }
                            }
                            enc.end();
                            c.commit();
                            progress.rows.add(to - from);
                        }
                    } catch (Exception e) {
                        progress.errors.increment();
                        synchronized (failures) {
                            failures.add(e);
                        }
                    }
                }, "ceiling-" + t);
                threads.add(th);
                th.start();
            }
            for (Thread th : threads) {
                th.join();
            }
            if (!failures.isEmpty()) {
                throw failures.get(0);
            }
            return new Result(blocks ? "ceiling (COPY blocks)" : "ceiling (COPY)", progress.rows.sum(), progress.seconds(),
                    Map.of("sessions", o.connections, "batch", o.batch));
        }
    }

    /**
     * One batch of the ceiling's rows as columns, handed to the encoder a block per series:
     * row k is series {@code k % series}, so each series holds every series-th row of the batch.
     */
    static final class BatchColumns {
        final long[] times;
        final double[] values;
        final long[] steps;
        final int[] order;

        BatchColumns(int batch) {
            times = new long[batch];
            values = new double[batch];
            steps = new long[batch];
            order = new int[batch];
            java.util.Arrays.fill(steps, CopyEncoder.NO_STEP);
        }

        void encode(CopyEncoder enc, int[] ids, long base, long from, long to) throws SQLException {
            int n = (int) (to - from);
            for (int i = 0; i < n; i++) {
                times[i] = base + from + i;
                values[i] = (from + i) * 0.5;
            }
            for (int s = 0, o = 0; s < ids.length && s < n; s++) {
                int start = o;
                // The first row of the batch that is series s, then every ids.length-th.
                for (int i = (int) Math.floorMod(s - from, (long) ids.length); i < n; i += ids.length) {
                    order[o++] = i;
                }
                if (o > start) {
                    enc.block(ids[s], order, start, o, times, values, steps);
                }
            }
        }
    }

    /**
     * The table of raw rows: {@code samples_rows} on plain PostgreSQL ({@code samples} is a view
     * over it and the hot blocks there), the hypertable {@code samples} on TimescaleDB.
     */
    static String rawTable(String db) throws SQLException {
        try (Connection c = DriverManager.getConnection(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT to_regclass('samples_rows') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1) ? "samples_rows" : "samples";
        }
    }

    /** Creates (or finds) {@code n} series of one metric and returns their ids. */
    static int[] series(String db, String metric, int n) throws SQLException {
        try (Connection c = DriverManager.getConnection(db); Statement st = c.createStatement()) {
            st.execute("INSERT INTO series (metric, tags) SELECT '" + metric + "', jsonb_build_object('host', 'h' || g)"
                    + " FROM generate_series(0, " + (n - 1) + ") g ON CONFLICT DO NOTHING");
            int[] ids = new int[n];
            try (ResultSet rs = st.executeQuery("SELECT id FROM series WHERE metric = '" + metric + "' ORDER BY id LIMIT " + n)) {
                int i = 0;
                while (rs.next()) {
                    ids[i++] = rs.getInt(1);
                }
            }
            return ids;
        }
    }

    /**
     * Every ingest phase starts right after a checkpoint. Otherwise whichever phase a checkpoint
     * happens to fall in pays for it (full-page images of every page touched again, and the
     * writeback), and in one run the ceiling moved between 200,000 and 418,000 rows/s with it.
     * Needs a superuser or pg_checkpoint; without, the phases run as they come, with a warning.
     */
    static void checkpoint(String db) {
        try (Connection c = DriverManager.getConnection(db); Statement st = c.createStatement()) {
            st.execute("CHECKPOINT");
        } catch (SQLException e) {
            System.err.println("[bench] CHECKPOINT before the phase failed, measuring without it: " + e.getMessage());
        }
    }

    static long count(String db, String metric) throws SQLException {
        try (Connection c = DriverManager.getConnection(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM samples WHERE series_id IN"
                     + " (SELECT id FROM series WHERE metric = '" + metric + "')")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Rows of one metric with times in {@code [fromNanos, toNanos)}. */
    static long count(String db, String metric, long fromNanos, long toNanos) throws SQLException {
        try (Connection c = DriverManager.getConnection(db);
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM samples WHERE series_id IN"
                     + " (SELECT id FROM series WHERE metric = ?) AND time >= to_timestamp(?::float8 / 1e6)"
                     + " AND time < to_timestamp(?::float8 / 1e6)")) {
            ps.setString(1, metric);
            ps.setLong(2, fromNanos / 1000);
            ps.setLong(3, toNanos / 1000);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The PostgreSQL server's main process: the parent of this session's backend. */
    static OptionalLong postmaster(String db) {
        try (Connection c = DriverManager.getConnection(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return ProcessHandle.of(rs.getLong(1)).flatMap(ProcessHandle::parent)
                    .map(p -> OptionalLong.of(p.pid())).orElse(OptionalLong.empty());
        } catch (SQLException e) {
            return OptionalLong.empty();
        }
    }
}
