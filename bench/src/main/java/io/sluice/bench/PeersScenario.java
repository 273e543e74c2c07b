package io.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

/**
 * Sluice against the servers its users would otherwise pick, on the same machine and the same
 * bytes: InfluxDB 1.x ({@code /write?db=}) and QuestDB ({@code /write}), each when its URL is
 * given. Every round builds one set of line-protocol bodies ({@link LineBodies}) and sends it to
 * each system in turn, the order rotating by round, plus the COPY ceiling into Sluice's database;
 * afterwards each system's row count for the round's time range is checked. One table of
 * points/s, each peer's figure beside Sluice's, Sluice's ratio to each, and the CPU each process
 * used during each figure.
 *
 * <p>Durability differs and is part of the comparison: Sluice answers 204 after its commit
 * (PostgreSQL's WAL fsynced), InfluxDB after its WAL fsync, QuestDB once the rows are in its
 * WAL, before any fsync (both peers' defaults).
 */
@Command(name = "peers", description = "Sluice, InfluxDB 1.x and QuestDB (when their URLs are given) on the same"
        + " line-protocol bytes, interleaved round by round; points/s, ratios, CPU by process.")
final class PeersScenario implements Callable<Integer> {
    static final String METRIC = "bench_peers";

    @Mixin
    Options o;

    @Option(names = "--influx", description = "InfluxDB 1.x base URL, e.g. http://127.0.0.1:18910 (absent: not measured)")
    String influx;

    @Option(names = "--influx-db", defaultValue = "sluice_bench",
            description = "InfluxDB database written to, created if missing (default: ${DEFAULT-VALUE})")
    String influxDb;

    @Option(names = "--questdb", description = "QuestDB base URL, e.g. http://127.0.0.1:18920 (absent: not measured)")
    String questdb;

    @Option(names = "--rounds", defaultValue = "3", description = "rounds, each system once a round (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--warmup", defaultValue = "0",
            description = "rounds first sent to every system and left out of the medians, so that each JIT (Sluice's,"
                    + " QuestDB's) and each cache starts warm (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--no-ceiling", description = "skip the COPY ceiling into Sluice's database")
    boolean noCeiling;

    @Option(names = "--visible-timeout", defaultValue = "120",
            description = "seconds to wait for a system's count to reach what it acknowledged (default: ${DEFAULT-VALUE})")
    int visibleTimeout;

    /** One system under test. */
    private abstract static class Target {
        final String name;
        final URI base;

        Target(String name, String url) {
            this.name = name;
            this.base = url == null ? null : URI.create(url);
        }

        OptionalLong pid() {
            return base == null ? OptionalLong.empty() : ProcessCpu.listening(port(base));
        }

        abstract void prepare() throws Exception;

        /** Sends the bodies (or its own rows); calls {@code cpu.stop} as soon as the load is over, before any check. */
        abstract Result run(List<byte[]> bodies, long baseNanos, CpuWindow cpu) throws Exception;
    }

    @Override
    public Integer call() throws Exception {
        List<Target> targets = new ArrayList<>();
        targets.add(new LineTarget("sluice", o.sluice, "/write?precision=ns") {
            @Override
            long count(long fromNanos, long toNanos) throws Exception {
                return CeilingScenario.count(o.db, METRIC, fromNanos, toNanos);
            }

            @Override
            void before() {
                CeilingScenario.checkpoint(o.db);
            }
        });
        if (influx != null) {
            targets.add(new LineTarget("influxdb", influx,
                    "/write?db=" + URLEncoder.encode(influxDb, StandardCharsets.UTF_8) + "&precision=ns") {
                @Override
                void prepare() throws Exception {
                    int status = get(base, "/query?q=" + enc("CREATE DATABASE \"" + influxDb + "\""));
                    if (status != 200) {
                        throw new IllegalStateException("InfluxDB at " + base + " refused CREATE DATABASE: " + status);
                    }
                }

                @Override
                long count(long fromNanos, long toNanos) throws Exception {
                    JsonNode r = getJson(base, "/query?db=" + enc(influxDb) + "&q=" + enc("SELECT count(value) FROM "
                            + METRIC + " WHERE time >= " + fromNanos + " AND time < " + toNanos));
                    JsonNode v = r.path("results").path(0).path("series").path(0).path("values").path(0).path(1);
                    return v.isMissingNode() ? 0 : v.asLong();
                }
            });
        }
        if (questdb != null) {
            targets.add(new LineTarget("questdb", questdb, "/write?precision=ns") {
                @Override
                long count(long fromNanos, long toNanos) throws Exception {
                    // QuestDB compares a designated timestamp with a number as microseconds.
                    JsonNode r = getJson(base, "/exec?query=" + enc("SELECT count() FROM " + METRIC
                            + " WHERE timestamp >= " + fromNanos / 1000 + " AND timestamp < " + toNanos / 1000));
                    JsonNode v = r.path("dataset").path(0).path(0);
                    return v.isMissingNode() ? 0 : v.asLong();
                }
            });
        }
        if (!noCeiling) {
            targets.add(ceiling("ceiling", false));
            if (CeilingScenario.rawTable(o.db).equals("samples_rows")) {
                // Plain PostgreSQL: also the ceiling of the hot tier's form, a row per series per batch.
                targets.add(ceiling("ceiling-blocks", true));
            }
        }
        for (Target t : targets) {
            t.prepare();
        }
        OptionalLong sluicePid = ProcessCpu.listening(port(URI.create(o.sluice)));
        OptionalLong pgPid = CeilingScenario.postmaster(o.db);
        StringBuilder found = new StringBuilder("[peers] processes: sluice=" + show(sluicePid) + " postgres=" + show(pgPid)
                + " generator=" + ProcessHandle.current().pid());
        for (Target t : targets) {
            if (t.base != null && !t.name.equals("sluice")) {
                found.append(' ').append(t.name).append('=').append(show(t.pid()));
            }
        }
        System.err.println(found);

        List<Result> results = new ArrayList<>();
        List<Map<String, Double>> rates = new ArrayList<>();
        List<Map<String, Double>> perCpu = new ArrayList<>();
        for (int r = 0; r < warmup + rounds; r++) {
            boolean warm = r < warmup;
            long baseNanos = System.currentTimeMillis() * 1_000_000L;
            List<byte[]> bodies = LineBodies.build(METRIC, o.rows, o.batch, o.series, baseNanos);
            Map<String, Double> round = new LinkedHashMap<>();
            Map<String, Double> roundPerCpu = new LinkedHashMap<>();
            for (int k = 0; k < targets.size(); k++) {
                Target t = targets.get((k + r) % targets.size());
                Map<String, OptionalLong> pids = new LinkedHashMap<>();
                pids.put("sluice", sluicePid);
                pids.put("postgres", pgPid);
                if (t.base != null && !t.name.equals("sluice")) {
                    pids.put(t.name, t.pid());
                }
                double load = ProcessCpu.load();
                CpuWindow cpu = new CpuWindow(pids);
                cpu.start();
                Result res = t.run(bodies, baseNanos, cpu);
                Map<String, Object> notes = new LinkedHashMap<>();
                notes.put("round", label(r, warmup));
                notes.put("load1_before", load);
                notes.putAll(cpu.percentOfOneCore());
                res = new Result(t.name + " (" + label(r, warmup) + ")", res.rows(), res.seconds(), prepend(notes, res.extra()));
                results.add(res);
                if (warm) {
                    continue;
                }
                round.put(t.name, res.rate());
                double own = ownCpu(t.name, res.extra());
                roundPerCpu.put(t.name, own > 0 ? res.rate() / (own / 100) : Double.NaN);
            }
            if (!warm) {
                rates.add(round);
                perCpu.add(roundPerCpu);
            }
        }
        Report.print(results, null, o.json);
        summary(targets, rates, perCpu);
        return 0;
    }

    /** What the r-th pass (from 0) is called: the warm-ups first, then the counted rounds numbered from 1. */
    static String label(int r, int warmup) {
        return r < warmup ? "warm-up " + (r + 1) : "round " + (r - warmup + 1);
    }

    /** A system written to with line protocol over HTTP; counted afterwards over its own query API. */
    private abstract class LineTarget extends Target {
        final String target;

        LineTarget(String name, String url, String target) {
            super(name, url);
            this.target = target;
        }

        @Override
        void prepare() throws Exception {
        }

        void before() {
        }

        abstract long count(long fromNanos, long toNanos) throws Exception;

        @Override
        Result run(List<byte[]> bodies, long baseNanos, CpuWindow cpu) throws Exception {
            before();
            cpu.start();
            HttpLoad.Outcome out = HttpLoad.send(name, base, target, bodies, o.rows, o.batch, o.connections);
            cpu.stop(out.seconds());
            long to = baseNanos + o.rows * 1000L;
            long t0 = System.nanoTime();
            long stored;
            // QuestDB applies its WAL to the table after answering; wait until what was
            // acknowledged is visible, or the timeout.
            while ((stored = count(baseNanos, to)) < out.rows()
                    && System.nanoTime() - t0 < visibleTimeout * 1_000_000_000L) {
                Thread.sleep(200);
            }
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("stored", stored);
            extra.put("stored_ok", stored == out.rows() && out.errors() == 0);
            extra.put("visible_after_s", Math.round((System.nanoTime() - t0) / 1e7) / 100.0);
            extra.putAll(out.notes());
            return new Result(name, out.rows(), out.seconds(), extra);
        }
    }

    private Target ceiling(String name, boolean blocks) {
        return new Target(name, null) {
            @Override
            void prepare() {
            }

            @Override
            Result run(List<byte[]> bodies, long baseNanos, CpuWindow cpu) throws Exception {
                Result res = CeilingScenario.run(o, cpu::start, blocks);
                cpu.stop(res.seconds());
                return res;
            }
        };
    }

    /**
     * CPU of a system's own processes during its phase, in % of one core: Sluice with its
     * PostgreSQL, a peer alone, the ceiling's PostgreSQL (its client is the generator).
     */
    private static double ownCpu(String system, Map<String, Object> notes) {
        double sum = 0;
        for (String p : system.equals("sluice") ? List.of("sluice", "postgres")
                : system.startsWith("ceiling") ? List.of("postgres") : List.of(system)) {
            if (notes.get("cpu_" + p + "_pct") instanceof Double d) {
                sum += d;
            }
        }
        return sum;
    }

    /**
     * Per system the median points/s over the rounds, Sluice's ratio to each (median of per-round
     * ratios), and points per CPU-second of the system's own processes: on a machine shared with
     * other work the rates move with the load, the CPU each point costs much less.
     */
    private static void summary(List<Target> targets, List<Map<String, Double>> rates, List<Map<String, Double>> perCpu) {
        System.out.printf("%n%-12s %16s %26s %22s%n", "system", "median points/s", "points per CPU-second", "sluice / system (median)");
        for (Target t : targets) {
            List<Double> own = new ArrayList<>();
            List<Double> ratio = new ArrayList<>();
            List<Double> eff = new ArrayList<>();
            for (int r = 0; r < rates.size(); r++) {
                Map<String, Double> round = rates.get(r);
                own.add(round.get(t.name));
                ratio.add(round.get("sluice") / round.get(t.name));
                eff.add(perCpu.get(r).get(t.name));
            }
            System.out.printf("%-12s %,16.0f %26s %22s%n", t.name, median(own), String.format("%,.0f", median(eff)),
                    t.name.equals("sluice") ? "" : String.format("%.2f  (rounds: %s)", median(ratio), ratios(ratio)));
        }
    }

    static String ratios(List<Double> r) {
        StringBuilder sb = new StringBuilder();
        for (double d : r) {
            sb.append(sb.length() == 0 ? "" : " ").append(String.format("%.2f", d));
        }
        return sb.toString();
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(Double::compare);
        int n = s.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static int get(URI base, String target) throws Exception {
        try (PlainHttp http = new PlainHttp(base, 60_000)) {
            return http.get(target);
        }
    }

    private static JsonNode getJson(URI base, String target) throws Exception {
        try (PlainHttp http = new PlainHttp(base, 60_000)) {
            int status = http.get(target);
            if (status != 200) {
                throw new IllegalStateException(base + target + " answered " + status + ": " + http.body());
            }
            return new ObjectMapper().readTree(http.body());
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : 80;
    }

    private static String show(OptionalLong pid) {
        return pid.isPresent() ? Long.toString(pid.getAsLong()) : "not found";
    }

    private static Map<String, Object> prepend(Map<String, Object> first, Map<String, Object> rest) {
        Map<String, Object> m = new LinkedHashMap<>(first);
        m.putAll(rest);
        return m;
    }
}
