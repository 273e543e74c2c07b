package io.sluice.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.sluice.storage.query.Aggregation;
import io.sluice.storage.query.Lttb;
import io.sluice.storage.query.Query;
import io.sluice.storage.query.QueryService;
import io.sluice.storage.query.Source;
import io.sluice.storage.writer.CopyEncoder;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * Query latency over a loaded table: loads {@code --days} of one sample every {@code --every}
 * seconds for {@code --series} series (binary COPY, as the writers do), has Sluice rebuild its
 * rollups, then times raw, rollup, LTTB and drop-in answers over HTTP (bypassing the answer
 * cache), and LTTB itself in this process.
 */
@Command(name = "query", description = "Loads D days for S series, then query latency percentiles.")
final class QueryScenario implements Callable<Integer> {
    @Mixin
    Options o;

    @Option(names = "--recent", description = "instead of loading: time the last hour (raw) and the last 7 days (rollups,"
            + " 800 points) of one series of this metric, as written by ingest just before (e.g. bench_peers after `peers`)")
    String recent;

    @Option(names = "--days", defaultValue = "7", description = "(default: ${DEFAULT-VALUE})")
    int days;

    @Option(names = "--every", defaultValue = "1.2", description = "seconds between samples of a series (default: ${DEFAULT-VALUE})")
    double every;

    @Option(names = "--requests", defaultValue = "200", description = "requests per query kind (default: ${DEFAULT-VALUE})")
    int requests;

    @Option(names = "--skip-load", description = "use what an earlier run loaded")
    boolean skipLoad;

    @Option(names = "--warmup", defaultValue = "200",
            description = "unmeasured requests per query kind first, so both JITs are warm (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--warmup-seconds", defaultValue = "10",
            description = "and at least this long per query kind (default: ${DEFAULT-VALUE}); 200 raw hours"
                    + " take under a second, and a fresh Sluice was still compiling the path then")
    double warmupSeconds;

    @Option(names = "--prewarm", description = "read the samples indexes into PostgreSQL's shared buffers first"
            + " (pg_prewarm): a server that has been answering for a while, not one just started")
    boolean prewarm;

    @Override
    public Integer call() throws Exception {
        Report.print(run(), null, o.json);
        return 0;
    }

    List<Result> run() throws Exception {
        List<Result> results = new ArrayList<>();
        if (recent != null) {
            // Data written in the last minutes: on plain PostgreSQL still in a hot piece (the head answers).
            String base = o.sluice + "/v1/query?nocache=1&metric=" + recent + "&host=h";
            Random r = new Random(44);
            results.add(time("raw last 1h of one series of " + recent, () -> base + r.nextInt(o.series) + "&source=raw&start=1h"));
            results.add(time("last 7 days of one series of " + recent + ", 800 points", () -> base + r.nextInt(o.series)
                    + "&start=7d&points=800"));
            return results;
        }
        long end = skipLoad ? loadedUntil() : System.currentTimeMillis() / 1000 * 1_000_000L;
        long start = end - days * 86_400_000_000L;
        if (!skipLoad) {
            results.add(load(start, end));
            rebuildRollups();
        }
        Map<String, Object> memory = prewarm ? prewarm() : Map.of();
        String base = o.sluice + "/v1/query?nocache=1&metric=bench_q&host=h";
        Random hours = new Random(42);
        results.add(time("raw 1h of one series", () -> {
            long t = start + (long) (hours.nextDouble() * (end - start - 3_600_000_000L));
            return base + hours.nextInt(o.series) + "&source=raw&start=" + t / 1000 + "&end=" + (t / 1000 + 3_600_000);
        }).with(memory));
        // The same hours again, asked of the database by Sluice's own query code in this process:
        // what is left between the two is HTTP, JSON and Sluice's threads. Right after the HTTP
        // run, so these pages are cached either way (with --prewarm all of them are).
        Random same = new Random(42);
        results.add(timeDirect("raw 1h of one series, database alone", () -> {
            long t = start + (long) (same.nextDouble() * (end - start - 3_600_000_000L)) / 1000 * 1000;
            return new Query("bench_q", Map.of("host", "h" + same.nextInt(o.series)), t, t + 3_600_000_000L, 0, 0,
                    Aggregation.AVG, Source.RAW);
        }));
        Random r = new Random(43);
        results.add(time(days + (days == 1 ? " day" : " days") + " of one series from a rollup, 800 points", () ->
                base + r.nextInt(o.series) + "&start=" + days + "d&points=800"));
        int n = (int) Math.min(100_000, (end - start) / (long) (every * 1_000_000));
        long span = (long) (n * every * 1000);
        results.add(time("LTTB " + n + " raw points to 1000", () ->
                base + r.nextInt(o.series) + "&source=raw&start=" + (end / 1000 - span) + "&end=" + end / 1000 + "&points=1000"));
        results.add(time("dashboard /api/metrics " + days + "d 800 points", () ->
                o.sluice + "/api/metrics/bench_q?nocache=1&start=" + days + "d&points=800&host=h" + r.nextInt(o.series)));
        results.add(lttbInProcess());
        return results;
    }

    private Result load(long start, long end) throws Exception {
        int[] ids = CeilingScenario.series(o.db, "bench_q", o.series);
        long step = (long) (every * 1_000_000);
        long perSeries = (end - start) / step;
        long rows = perSeries * o.series;
        try (Progress progress = new Progress("load", rows); Connection c = DriverManager.getConnection(o.db)) {
            c.setAutoCommit(false);
            String raw = CeilingScenario.rawTable(o.db);
            try (Statement st = c.createStatement()) {
                // Partitions for the days loaded (Sluice would create them on demand).
                for (long d = Math.floorDiv(start, 86_400_000_000L); d <= Math.floorDiv(end, 86_400_000_000L); d++) {
                    java.time.LocalDate day = java.time.LocalDate.ofEpochDay(d);
                    // Sluice keeps these days ready; a day it has not made gets its index here (the
                    // partitioned samples table has none, so that hot pieces get none).
                    String name = "samples_p" + day.toString().replace("-", "");
                    st.execute("DO $$ BEGIN IF to_regclass('" + name + "') IS NULL THEN"
                            + " CREATE TABLE " + name + " PARTITION OF " + raw + " FOR VALUES FROM ('" + day + " 00:00:00+00') TO ('"
                            + day.plusDays(1) + " 00:00:00+00');"
                            + " CREATE INDEX " + name + "_series_time ON " + name + " (series_id, time DESC) INCLUDE (value);"
                            + " END IF; END $$");
                }
                c.commit();
            }
            CopyEncoder enc = new CopyEncoder(CopyEncoder.BUFFER_BYTES, false,
                    raw.equals("samples_rows") ? CopyEncoder.ROWS_SQL : CopyEncoder.COPY_SQL);
            Random r = new Random(7);
            long k = 0;
            while (k < rows) {
                long from = k;
                enc.begin(c);
                long to = Math.min(rows, k + o.batch);
                for (; k < to; k++) {
                    long i = k / o.series;
                    int s = (int) (k % o.series);
                    enc.row(start + i * step, ids[s], 50 + 30 * Math.sin(i / 500.0 + s) + r.nextGaussian(), CopyEncoder.NO_STEP);
                }
                enc.end();
                c.commit();
                progress.rows.add(to - from);
            }
            return new Result("load (COPY)", rows, progress.seconds(), Map.of("series", o.series, "days", days));
        }
    }

    /**
     * The time of the newest loaded sample: an earlier run's data ends when that run loaded it,
     * and measuring up to now would time empty hours.
     */
    private long loadedUntil() throws Exception {
        try (Connection c = DriverManager.getConnection(o.db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT (extract(epoch FROM max(time)) * 1000000)::int8 FROM samples"
                     + " WHERE series_id = (SELECT min(id) FROM series WHERE metric = 'bench_q')")) {
            rs.next();
            long t = rs.getLong(1);
            if (rs.wasNull()) {
                throw new IllegalStateException("--skip-load, but no bench_q samples are loaded; run query without it first");
            }
            return t / 1_000_000 * 1_000_000 + 1_000_000;
        }
    }

    /**
     * Loads every samples index into shared buffers with pg_prewarm, as a server answering queries
     * for a while would have them, and says how much of it shared buffers can hold.
     */
    private Map<String, Object> prewarm() throws Exception {
        try (Connection c = DriverManager.getConnection(o.db); Statement st = c.createStatement()) {
            st.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm");
            long t0 = System.nanoTime();
            long blocks;
            try (ResultSet rs = st.executeQuery("SELECT coalesce(sum(pg_prewarm(i.indexrelid, 'buffer')), 0)"
                    + " FROM pg_inherits h JOIN pg_index i ON i.indrelid = h.inhrelid WHERE h.inhparent = '" + CeilingScenario.rawTable(o.db) + "'::regclass")) {
                rs.next();
                blocks = rs.getLong(1);
            }
            long buffers;
            try (ResultSet rs = st.executeQuery("SELECT setting::int8 FROM pg_settings WHERE name = 'shared_buffers'")) {
                rs.next();
                buffers = rs.getLong(1);
            }
            long indexMb = blocks * 8 / 1024;
            long buffersMb = buffers * 8 / 1024;
            System.err.printf("[prewarm] %,d MB of samples indexes read into shared buffers of %,d MB in %.1fs%s%n",
                    indexMb, buffersMb, (System.nanoTime() - t0) / 1e9,
                    indexMb > buffersMb ? " (they do not fit: only part stays)" : "");
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("prewarmed_index_mb", indexMb);
            m.put("shared_buffers_mb", buffersMb);
            return m;
        } catch (java.sql.SQLException e) {
            System.err.println("[prewarm] pg_prewarm is not available, measuring without it: " + e.getMessage());
            return Map.of("prewarmed_index_mb", 0);
        }
    }

    /** Forgets the rollup watermarks so Sluice's next refresh (every 30 s) rolls the loaded days up. */
    private void rebuildRollups() throws Exception {
        try (Connection c = DriverManager.getConnection(o.db); Statement st = c.createStatement()) {
            st.execute("DELETE FROM rollup_state");
        }
        long t0 = System.nanoTime();
        while (true) {
            Thread.sleep(2000);
            try (Connection c = DriverManager.getConnection(o.db); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM rollup_state WHERE rollup = '1d'")) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    break;
                }
            }
            System.err.printf("[rollups] waiting for Sluice's refresh, %.0fs%n", (System.nanoTime() - t0) / 1e9);
        }
        System.err.printf("[rollups] rebuilt in %.0fs%n", (System.nanoTime() - t0) / 1e9);
    }

    private interface Url {
        String next();
    }

    private Result time(String name, Url urls) throws Exception {
        try (PlainHttp http = new PlainHttp(URI.create(o.sluice), 60_000)) {
            return measure(name, () -> {
                String target = target(urls.next());
                return () -> http.get(target) == 200;
            });
        }
    }

    /**
     * Times {@link QueryService} over one pooled connection, as Sluice runs it behind
     * {@code /v1/query}: one statement that finds the series and reads their packed samples, decoded
     * into points.
     * An empty answer counts as an error.
     */
    private Result timeDirect(String name, java.util.function.Supplier<Query> queries) throws Exception {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(o.db);
        hc.setMaximumPoolSize(1);
        hc.setPoolName("bench-query");
        try (HikariDataSource ds = new HikariDataSource(hc)) {
            QueryService service = new QueryService(ds, false);
            return measure(name, () -> {
                Query q = queries.get();
                return () -> !service.query(io.sluice.storage.query.SeriesScope.ALL, q).series().isEmpty();
            });
        }
    }

    /** One request, made ready outside the clock and run inside it; true when it succeeded. */
    private interface Request {
        boolean run() throws Exception;
    }

    private interface Requests {
        Request next() throws Exception;
    }

    /** At least {@link #warmup} unmeasured requests for at least {@link #warmupSeconds}, then {@link #requests} measured ones. */
    private Result measure(String name, Requests kind) throws Exception {
        long warmUntil = System.nanoTime() + (long) (warmupSeconds * 1e9);
        for (int i = 0; i < warmup || System.nanoTime() < warmUntil; i++) {
            kind.next().run();
        }
        Histogram h = new Histogram(3);
        long t0 = System.nanoTime();
        long errors = 0;
        for (int i = 0; i < requests; i++) {
            Request r = kind.next();
            long s = System.nanoTime();
            boolean ok = r.run();
            h.recordValue((System.nanoTime() - s) / 1000);
            if (!ok) {
                errors++;
            }
        }
        return new Result(name, requests, (System.nanoTime() - t0) / 1e9, latency(h, errors));
    }

    /** The path and query of a full URL. */
    private static String target(String url) {
        URI u = URI.create(url);
        return u.getRawQuery() == null ? u.getRawPath() : u.getRawPath() + "?" + u.getRawQuery();
    }

    private Result lttbInProcess() throws Exception {
        int n = 100_000;
        long[] xs = new long[n];
        double[] ys = new double[n];
        Random r = new Random(1);
        for (int i = 0; i < n; i++) {
            xs[i] = i * 1_000_000L;
            ys[i] = Math.sin(i / 100.0) + r.nextGaussian();
        }
        long[] ox = new long[1000];
        double[] oy = new double[1000];
        Request once = () -> {
            Lttb.downsample(xs, ys, n, 1000, ox, oy);
            return true;
        };
        return measure("LTTB 100,000 to 1,000 in process", () -> once);
    }

    private static Map<String, Object> latency(Histogram h, long errors) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("p50_ms", h.getValueAtPercentile(50) / 1000.0);
        m.put("p99_ms", h.getValueAtPercentile(99) / 1000.0);
        m.put("max_ms", h.getMaxValue() / 1000.0);
        m.put("errors", errors);
        return m;
    }
}
