package io.sluice.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Normal writers with and without one backfilling connection: {@code
 * --connections} keep-alive connections send line-protocol batches of the present, and in every
 * other phase one more connection sends batches whose times are spread at random over
 * {@code --from-days}..{@code --to-days} back. Phases alternate within each round, so both see the
 * same machine; the table gives each phase's requests/s of the normal writers and their latency,
 * and the median of each kind over the rounds.
 */
@Command(name = "backfill", description = "Normal writers' requests/s with and without one connection backfilling old days.")
final class BackfillScenario implements Callable<Integer> {
    @Mixin
    Options o;

    @Option(names = "--seconds", defaultValue = "30", description = "length of each phase (default: ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--rounds", defaultValue = "3", description = "rounds of (without, with) (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--backfill-batch", defaultValue = "1000", description = "lines per backfill request (default: ${DEFAULT-VALUE})")
    int backfillBatch;

    @Option(names = "--from-days", defaultValue = "40", description = "backfill times start this many days back (default: ${DEFAULT-VALUE})")
    int fromDays;

    @Option(names = "--to-days", defaultValue = "50", description = "and end this many days back (default: ${DEFAULT-VALUE})")
    int toDays;

    @Option(names = "--backfill-rate", defaultValue = "20", description = "backfill requests per second at most, so a"
            + " server that refuses them fast is not simply flooded (0: as fast as answered) (default: ${DEFAULT-VALUE})")
    double backfillRate;

    @Option(names = "--dashboard", description = "also run, all along, one connection that reads the last 10 minutes"
            + " and holds its transaction open for a second, in a loop, as a dashboard's queries do (needs --db)")
    boolean dashboard;

    @Override
    public Integer call() throws Exception {
        if (toDays < fromDays) {
            throw new IllegalArgumentException("--to-days must not be less than --from-days");
        }
        long partitionsBefore = partitions(o.db);
        long tablesBefore = tables(o.db);
        AtomicBoolean dashboardStop = new AtomicBoolean();
        AtomicLong dashboardQueries = new AtomicLong();
        Thread reader = dashboard ? start("dashboard", () -> readLoop(dashboardStop, dashboardQueries)) : null;
        List<Result> results = new ArrayList<>();
        List<Double> without = new ArrayList<>();
        List<Double> with = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            Result a = phase(false, r);
            Result b = phase(true, r);
            without.add((Double) a.extra().get("normal_requests_per_s"));
            with.add((Double) b.extra().get("normal_requests_per_s"));
            results.add(a);
            results.add(b);
        }
        if (reader != null) {
            dashboardStop.set(true);
            reader.join();
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("median_requests_per_s_without", median(without));
        summary.put("median_requests_per_s_with", median(with));
        summary.put("ratio_with_to_without", Math.round(median(with) / median(without) * 1000) / 1000.0);
        summary.put("partitions_before", partitionsBefore);
        summary.put("partitions_after", partitions(o.db));
        // With the hot tier a day is partitioned in turn (pieces, its default partition).
        summary.put("tables_before", tablesBefore);
        summary.put("tables_after", tables(o.db));
        if (dashboard) {
            summary.put("dashboard_queries", dashboardQueries.get());
        }
        results.add(new Result("backfill summary", 0, 0.001, summary));
        Report.print(results, null, o.json);
        return 0;
    }

    private Result phase(boolean backfill, int round) throws Exception {
        String name = (backfill ? "with backfill" : "without backfill") + " #" + (round + 1);
        URI base = URI.create(o.sluice);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong requests = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong bfRequests = new AtomicLong();
        AtomicLong bf204 = new AtomicLong();
        AtomicLong bf400 = new AtomicLong();
        AtomicLong bfOther = new AtomicLong();
        Recorder latency = new Recorder(3);
        List<Thread> threads = new ArrayList<>();
        try (Progress progress = new Progress(name, 0)) {
            for (int t = 0; t < o.connections; t++) {
                int conn = t;
                threads.add(start("normal-" + t, () -> {
                    try (PlainHttp http = new PlainHttp(base, 120_000)) {
                        long seq = 0;
                        while (!stop.get()) {
                            byte[] body = presentBody(conn, seq++);
                            long t0 = System.nanoTime();
                            try {
                                int status = http.post("/write?precision=ns", "text/plain; charset=utf-8", body);
                                latency.recordValue((System.nanoTime() - t0) / 1000);
                                if (status == 204) {
                                    requests.incrementAndGet();
                                    progress.rows.add(o.batch);
                                } else {
                                    failed.incrementAndGet();
                                    progress.errors.increment();
                                }
                            } catch (Exception e) {
                                failed.incrementAndGet();
                                progress.errors.increment();
                            }
                        }
                    }
                }));
            }
            if (backfill) {
                threads.add(start("backfill", () -> {
                    try (PlainHttp http = new PlainHttp(base, 120_000)) {
                        long interval = backfillRate > 0 ? (long) (1e9 / backfillRate) : 0;
                        long next = System.nanoTime();
                        while (!stop.get()) {
                            long wait = next - System.nanoTime();
                            if (wait > 0) {
                                java.util.concurrent.locks.LockSupport.parkNanos(wait);
                            }
                            next = Math.max(next + interval, System.nanoTime() - 1_000_000_000L);
                            try {
                                int status = http.post("/write?precision=ns", "text/plain; charset=utf-8", oldBody());
                                bfRequests.incrementAndGet();
                                (status == 204 ? bf204 : status == 400 ? bf400 : bfOther).incrementAndGet();
                            } catch (Exception e) {
                                bfOther.incrementAndGet();
                            }
                        }
                    }
                }));
            }
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            stop.set(true);
            for (Thread th : threads) {
                th.join();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            Histogram h = latency.getIntervalHistogram();
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("normal_connections", o.connections);
            extra.put("normal_batch", o.batch);
            extra.put("normal_requests_per_s", Math.round(requests.get() / secs * 10) / 10.0);
            extra.put("normal_failed", failed.get());
            extra.put("normal_latency_ms_p50", h.getValueAtPercentile(50) / 1000.0);
            extra.put("normal_latency_ms_p99", h.getValueAtPercentile(99) / 1000.0);
            extra.put("normal_latency_ms_max", h.getMaxValue() / 1000.0);
            if (backfill) {
                extra.put("backfill_requests_per_s", Math.round(bfRequests.get() / secs * 10) / 10.0);
                extra.put("backfill_answers", "204=" + bf204.get() + " 400=" + bf400.get() + " other=" + bfOther.get());
            }
            return new Result(name, requests.get() * o.batch, secs, extra);
        }
    }

    /** Lines of the present: each request's times are new, one microsecond apart. */
    private byte[] presentBody(int conn, long seq) {
        long ts = System.currentTimeMillis() * 1_000_000L;
        StringBuilder sb = new StringBuilder(o.batch * 48);
        for (int k = 0; k < o.batch; k++) {
            sb.append("bench_bf_live,host=h").append((conn * 7919L + seq * o.batch + k) % o.series).append(" value=")
                    .append(k).append(' ').append(ts + k * 1000L).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Lines at random times between {@code --from-days} and {@code --to-days} back. */
    private byte[] oldBody() {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        long now = System.currentTimeMillis() * 1_000_000L;
        long from = fromDays * 86_400_000_000_000L;
        long span = Math.max(1, (toDays - fromDays) * 86_400_000_000_000L);
        StringBuilder sb = new StringBuilder(backfillBatch * 48);
        for (int k = 0; k < backfillBatch; k++) {
            sb.append("bench_bf_old,host=h").append(rnd.nextInt(o.series)).append(" value=").append(k).append(' ')
                    .append(now - from - rnd.nextLong(span)).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A dashboard: reads the newest minutes and keeps its snapshot (and its locks) a second. */
    private void readLoop(AtomicBoolean stop, AtomicLong queries) {
        try (Connection c = DriverManager.getConnection(o.db); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            while (!stop.get()) {
                st.executeQuery("SELECT count(*), avg(value) FROM samples WHERE time >= now() - interval '10 minutes'").close();
                st.executeQuery("SELECT pg_sleep(1)").close();
                c.commit();
                queries.incrementAndGet();
            }
        } catch (SQLException e) {
            System.err.println("[backfill] dashboard query failed: " + e.getMessage());
        }
    }

    private static Thread start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.start();
        return t;
    }

    static long partitions(String db) throws SQLException {
        try (Connection c = DriverManager.getConnection(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_inherits WHERE inhparent = '" + CeilingScenario.rawTable(db) + "'::regclass")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Tables that hold rows under samples, at any depth. */
    static long tables(String db) throws SQLException {
        try (Connection c = DriverManager.getConnection(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_partition_tree('" + CeilingScenario.rawTable(db) + "') WHERE isleaf")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }
}
