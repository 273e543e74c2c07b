package io.sluice.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Faults against real processes while HTTP writes run: PostgreSQL
 * fast-stopped or restarted, or Sluice killed with SIGKILL and started again. Each request's
 * lines carry values no other request has (request number x lines + line), so afterwards every
 * request's rows can be counted in the database and set against what its client was answered:
 * acknowledged but missing, stored twice, stored in part, or refused (503) yet stored. With
 * {@code --backfill} one more connection writes days-old samples meanwhile.
 */
@Command(name = "chaos", description = "Kill and restart PostgreSQL or Sluice under HTTP writes; count lost, doubled and split requests.")
final class ChaosScenario implements Callable<Integer> {
    private static final long DAY_NANOS = 86_400_000_000_000L;

    @Option(names = "--sluice-jar", defaultValue = "server/target/sluice.jar",
            description = "the Sluice to break (default: ${DEFAULT-VALUE})")
    Path sluiceJar;

    @Option(names = "--dir", defaultValue = "data/chaos",
            description = "working directory: the database, Sluice's log (default: ${DEFAULT-VALUE}); the database is recreated")
    Path dir;

    @Option(names = "--pg-port", defaultValue = "15433", description = "PostgreSQL's port (default: ${DEFAULT-VALUE})")
    int pgPort;

    @Option(names = "--http-port", defaultValue = "18081", description = "Sluice's HTTP port (default: ${DEFAULT-VALUE})")
    int httpPort;

    /** Which process is broken. */
    enum Fault { database, kill, both }

    @Option(names = "--fault", defaultValue = "both",
            description = "database (fast stop or restart of PostgreSQL), kill (SIGKILL of Sluice), or both, one after the other (default: ${DEFAULT-VALUE})")
    Fault fault;

    @Option(names = "--rounds", defaultValue = "10", description = "faults per kind (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--connections", defaultValue = "4", description = "HTTP connections writing (default: ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--lines", defaultValue = "1000", description = "lines per request (default: ${DEFAULT-VALUE})")
    int lines;

    @Option(names = "--set", description = "a Sluice setting KEY=VALUE for every start, e.g. http_ack_timeout=2s (repeatable)")
    List<String> settings = new ArrayList<>();

    @Option(names = "--json", description = "also write the report as JSON to this file")
    String json;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the fault timing (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--backfill", description = "one more connection whose lines carry times spread at random over 40 to"
            + " 50 days back; with the default retention_raw they are refused (400), with"
            + " --set retention_raw=60d stored")
    boolean backfill;

    @Override
    public Integer call() throws Exception {
        List<Result> results = new ArrayList<>();
        if (fault != Fault.kill) {
            results.add(run(Fault.database));
        }
        if (fault != Fault.database) {
            results.add(run(Fault.kill));
        }
        Report.print(results, null, json);
        long bad = 0;
        for (Result r : results) {
            for (String k : List.of("acknowledged_missing_rows", "duplicated_rows", "partial_unacknowledged_requests",
                    "refused_but_stored_requests")) {
                bad += ((Number) r.extra().get(k)).longValue();
            }
        }
        return bad == 0 ? 0 : 1;
    }

    private Result run(Fault kind) throws Exception {
        Random random = new Random(seed);
        Ledger ledger = new Ledger();
        AtomicBoolean stop = new AtomicBoolean();
        long t0 = System.nanoTime();
        try (ChaosProcesses p = new ChaosProcesses(dir.toAbsolutePath(), sluiceJar, pgPort, httpPort, settings)) {
            p.freshDatabase();
            p.startSluice();
            List<Thread> writers = new ArrayList<>();
            for (int c = 0; c < connections + (backfill ? 1 : 0); c++) {
                boolean old = c == connections;
                Thread t = new Thread(() -> write(URI.create(p.sluiceUrl()), ledger, stop, old), "chaos-writer-" + c);
                t.setDaemon(true); // a fault that ends the run must not leave them writing
                t.start();
                writers.add(t);
            }
            for (int r = 1; r <= rounds; r++) {
                Thread.sleep(1000 + random.nextInt(2000));
                if (kind == Fault.kill) {
                    p.killSluice();
                    p.startSluice();
                } else {
                    p.stopDatabase();
                    // Every other round a restart; the others leave it down a while (503s).
                    Thread.sleep(r % 2 == 0 ? 0 : 1500 + random.nextInt(1500));
                    p.startDatabase();
                }
                System.out.printf("[chaos %s] round %d of %d: %d requests, %d acknowledged%n", kind, r, rounds,
                        ledger.sent.get(), ledger.acknowledged());
            }
            Thread.sleep(2000);
            stop.set(true);
            for (Thread t : writers) {
                t.join();
            }
            // Since Sluice's last start: in the database runs, the whole run.
            Map<String, Object> unknown = commitsUnanswered(URI.create(p.sluiceUrl()));
            p.stopSluice(); // SIGTERM: whatever is in the ring is committed before it exits
            return ledger.verify(kind, p.jdbcUrl(), lines, (System.nanoTime() - t0) / 1e9).with(unknown);
        }
    }

    /** Sluice's count of COMMITs whose answer was lost, by what the next attempt found. */
    private static Map<String, Object> commitsUnanswered(URI base) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        try (PlainHttp http = new PlainHttp(base, 10_000)) {
            if (http.get("/-/metrics") != 200) {
                return m;
            }
            for (String line : http.body().split("\n")) {
                if (line.startsWith("sluice_write_commit_unknown_total{")) {
                    String outcome = line.substring(line.indexOf('"') + 1, line.lastIndexOf('"'));
                    m.put("commits_unanswered_" + outcome, Long.parseLong(line.substring(line.lastIndexOf(' ') + 1)));
                }
            }
        } catch (IOException | RuntimeException e) {
            m.put("commits_unanswered", "not read: " + e.getMessage());
        }
        return m;
    }

    /**
     * One connection: a request after another, each answered or failed once; never retried.
     * A backfilling one ({@code old}) gives each line a time 40 to 50 days back.
     */
    private void write(URI base, Ledger ledger, AtomicBoolean stop, boolean old) {
        Random times = new Random(seed);
        try (PlainHttp http = new PlainHttp(base, 120_000)) {
            while (!stop.get()) {
                long request = ledger.sent.getAndIncrement();
                long now = System.currentTimeMillis() * 1_000_000L;
                StringBuilder sb = new StringBuilder(lines * 48);
                for (int i = 0; i < lines; i++) {
                    sb.append("chaos,conn=").append(old ? "backfill" : "c" + request % connections).append(" value=")
                            .append(request * lines + i);
                    if (old) {
                        sb.append(' ').append(now - 40 * DAY_NANOS - (long) (times.nextDouble() * 10 * DAY_NANOS));
                    }
                    sb.append('\n');
                }
                int status;
                try {
                    status = http.post("/write", "text/plain; charset=utf-8", sb.toString().getBytes(StandardCharsets.UTF_8));
                } catch (java.net.ConnectException e) {
                    status = -1; // Sluice not listening: never sent
                    sleepQuietly(100);
                } catch (IOException e) {
                    status = 0; // sent, then the connection broke or timed out: no answer
                }
                ledger.answers.put(request, status);
            }
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What each request was answered (0: no answer), and the check against the database. */
    private static final class Ledger {
        final AtomicLong sent = new AtomicLong();
        final Map<Long, Integer> answers = new ConcurrentHashMap<>();

        long acknowledged() {
            return answers.values().stream().filter(s -> s == 204).count();
        }

        Result verify(Fault kind, String jdbcUrl, int lines, double seconds) throws Exception {
            Map<Long, Long> stored = new HashMap<>();
            long rows;
            long distinct;
            long backfilled;
            try (Connection c = DriverManager.getConnection(jdbcUrl); Statement st = c.createStatement()) {
                String chaos = "samples s JOIN series r ON r.id = s.series_id WHERE r.metric = 'chaos'";
                try (ResultSet rs = st.executeQuery("SELECT floor(s.value / " + lines + ")::int8, count(*) FROM " + chaos
                        + " GROUP BY 1")) {
                    while (rs.next()) {
                        stored.put(rs.getLong(1), rs.getLong(2));
                    }
                }
                try (ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT s.value),"
                        + " count(*) FILTER (WHERE s.time < now() - interval '1 day') FROM " + chaos)) {
                    rs.next();
                    rows = rs.getLong(1);
                    distinct = rs.getLong(2);
                    backfilled = rs.getLong(3);
                }
            }
            long ackedMissingRows = 0;
            long ackedMissingRequests = 0;
            long partial = 0;
            long refusedStored = 0;
            long unansweredStored = 0;
            long unansweredNotStored = 0;
            long refused = 0;
            long acknowledged = 0;
            long notSent = 0;
            Map<Integer, Long> byStatus = new java.util.TreeMap<>();
            for (Map.Entry<Long, Integer> e : answers.entrySet()) {
                long n = Math.min(lines, stored.getOrDefault(e.getKey(), 0L));
                int status = e.getValue();
                byStatus.merge(status, 1L, Long::sum);
                if (status == -1) {
                    notSent++;
                    continue;
                }
                if (status == 204) {
                    acknowledged++;
                    if (n < lines) {
                        ackedMissingRequests++;
                        ackedMissingRows += lines - n;
                    }
                    continue;
                }
                if (n > 0 && n < lines) {
                    partial++;
                }
                if (status == 0) {
                    if (n == lines) {
                        unansweredStored++;
                    } else if (n == 0) {
                        unansweredNotStored++;
                    }
                } else {
                    refused++;
                    if (n == lines) {
                        refusedStored++;
                    }
                }
            }
            Map<String, Object> extra = new java.util.LinkedHashMap<>();
            extra.put("requests_sent", answers.size() - notSent);
            extra.put("acknowledged", acknowledged);
            extra.put("refused", refused);
            extra.put("unanswered", answers.size() - notSent - acknowledged - refused);
            byStatus.forEach((st, n) -> extra.put("status_" + (st == -1 ? "not_sent" : st == 0 ? "none" : st), n));
            extra.put("acknowledged_missing_requests", ackedMissingRequests);
            extra.put("acknowledged_missing_rows", ackedMissingRows);
            extra.put("duplicated_rows", rows - distinct);
            extra.put("partial_unacknowledged_requests", partial);
            extra.put("refused_but_stored_requests", refusedStored);
            extra.put("unanswered_stored_whole", unansweredStored);
            extra.put("unanswered_not_stored", unansweredNotStored);
            extra.put("stored_rows_days_old", backfilled);
            return new Result("chaos: " + (kind == Fault.kill ? "SIGKILL Sluice" : "PostgreSQL fast stop/restart"),
                    rows, seconds, extra);
        }
    }
}
