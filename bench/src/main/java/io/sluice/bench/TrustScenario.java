package io.sluice.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.net.ssl.SSLSocketFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What tokens and TLS cost HTTP ingest: the same line-protocol load as
 * {@code http} (keep-alive connections, each request answered 204 after its commit) against
 * Sluice processes started here on one PostgreSQL of their own, differing only in trust:
 * <ul>
 *   <li>{@code plain}: no token file, loopback, plain HTTP (the default);</li>
 *   <li>{@code token}: {@code auth_tokens_file}, each request sending {@code Authorization: Token};</li>
 *   <li>{@code tls}: the same token over TLS ({@code tls_cert}/{@code tls_key}, a certificate made
 *       for the run), the client the JDK's {@code SSLSocket}; Sluice as shipped,
 *       {@code tls_provider = "auto"}: BoringSSL where it loads;</li>
 *   <li>{@code tls-jdk}: as {@code tls}, with {@code tls_provider = "jdk"}, the JDK's provider.</li>
 * </ul>
 * Each round sends every variant its own fresh rows, the order rotating round by round; the
 * figures are per-round ratios to {@code plain} and their medians, with the CPU of each process
 * (the Sluice measured, PostgreSQL, this generator, the machine) and Sluice's CPU per row.
 */
@Command(name = "trust", description = "Ingest over HTTP without tokens, with a token, with TLS (as shipped, and with"
        + " the JDK's provider) and a token: Sluice processes on one database, rounds interleaved; ratios to plain,"
        + " CPU by process.")
final class TrustScenario implements Callable<Integer> {
    static final String METRIC = "bench_trust";
    private static final Pattern PROVIDER = Pattern.compile("TLS enabled \\[provider=(\\w+), library=([^,]+)");

    @Option(names = "--sluice-jar", defaultValue = "server/target/sluice.jar",
            description = "the Sluice to measure (default: ${DEFAULT-VALUE})")
    Path sluiceJar;

    @Option(names = "--dir", defaultValue = "data/trust",
            description = "working directory: the database (made anew), certificate, token file, logs (default: ${DEFAULT-VALUE})")
    Path dir;

    @Option(names = "--pg-port", defaultValue = "15434", description = "PostgreSQL's port (default: ${DEFAULT-VALUE})")
    int pgPort;

    @Option(names = "--http-port", defaultValue = "18083",
            description = "the first Sluice's HTTP port; the others take the next ones (default: ${DEFAULT-VALUE})")
    int httpPort;

    @Option(names = "--rows", defaultValue = "1000000", description = "rows per variant and round (default: ${DEFAULT-VALUE})")
    long rows;

    @Option(names = "--warmup", defaultValue = "200000",
            description = "rows each Sluice gets first, not measured (default: ${DEFAULT-VALUE})")
    long warmup;

    @Option(names = "--batch", defaultValue = "5000", description = "lines per request (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--series", defaultValue = "1000", description = "distinct series (default: ${DEFAULT-VALUE})")
    int series;

    @Option(names = "--connections", defaultValue = "2", description = "keep-alive connections (default: ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--rounds", defaultValue = "5", description = "rounds, each variant once a round (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--json", description = "also write the report as JSON to this file")
    String json;

    private int nth;
    private long lastBase;

    /** One Sluice under test and how the client talks to it. */
    private record Variant(String name, SluiceChild sluice, URI base, SSLSocketFactory tls, String headers) {
    }

    @Override
    public Integer call() throws Exception {
        Path d = dir.toAbsolutePath();
        Files.createDirectories(d);
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String secret = HexFormat.of().formatHex(random);
        Path tokens = d.resolve("tokens.toml");
        Files.writeString(tokens, "[[token]]\nname = \"bench\"\nsecret = \"" + secret + "\"\nscopes = [\"write\"]\n");
        SelfSigned cert = SelfSigned.make(d.resolve("tls"));
        String token = "Authorization: Token " + secret + "\r\n";
        Map<String, String> withToken = Map.of("auth_tokens_file", tokens.toString());
        Map<String, String> withTls = Map.of("auth_tokens_file", tokens.toString(),
                "tls_cert", cert.cert().toString(), "tls_key", cert.key().toString());
        Map<String, String> withJdkTls = new LinkedHashMap<>(withTls);
        withJdkTls.put("tls_provider", "jdk");

        try (BenchDatabase db = new BenchDatabase(d, pgPort)) {
            db.fresh();
            List<Variant> variants = new ArrayList<>();
            variants.add(variant(db, d, "plain", Map.of(), null, ""));
            variants.add(variant(db, d, "token", withToken, null, token));
            variants.add(variant(db, d, "tls", withTls, cert.trusting(), token));
            variants.add(variant(db, d, "tls-jdk", withJdkTls, cert.trusting(), token));
            try {
                return measure(db.jdbcUrl(), variants);
            } finally {
                for (Variant v : variants) {
                    v.sluice().stop();
                }
            }
        }
    }

    private Variant variant(BenchDatabase db, Path d, String name, Map<String, String> settings,
                            SSLSocketFactory tls, String headers) throws IOException, InterruptedException {
        int port = httpPort + nth++;
        Path log = d.resolve("sluice-" + name + ".log");
        Files.deleteIfExists(log);
        SluiceChild s = new SluiceChild(sluiceJar, List.of(), db.jdbcUrl(), port, d.resolve("sluice-" + name), settings, log);
        // One at a time: the first creates the schema, the others find it.
        s.start();
        return new Variant(name, s, URI.create((tls == null ? "http" : "https") + "://127.0.0.1:" + port), tls, headers);
    }

    private int measure(String jdbc, List<Variant> variants) throws Exception {
        OptionalLong pg = CeilingScenario.postmaster(jdbc);
        Map<String, Map<String, Object>> about = new LinkedHashMap<>();
        for (Variant v : variants) {
            about.put(v.name(), describe(v));
            // Each process's JIT warms on the same load before any figure counts.
            send(v, warmup, nextBase(warmup));
        }
        System.err.println("[trust] " + about + " postgres=" + pg + " generator=" + ProcessHandle.current().pid());

        List<Result> results = new ArrayList<>();
        List<Map<String, Result>> byRound = new ArrayList<>();
        boolean allStored = true;
        for (int r = 0; r < rounds; r++) {
            Map<String, Result> round = new LinkedHashMap<>();
            for (int k = 0; k < variants.size(); k++) {
                Variant v = variants.get((k + r) % variants.size());
                long base = nextBase(rows);
                List<byte[]> bodies = LineBodies.build(METRIC, rows, batch, series, base);
                CeilingScenario.checkpoint(jdbc);
                Map<String, OptionalLong> pids = new LinkedHashMap<>();
                pids.put("sluice", v.sluice().pid());
                pids.put("postgres", pg);
                Map<String, Object> notes = new LinkedHashMap<>();
                notes.put("round", r + 1);
                notes.put("load1_before", ProcessCpu.load());
                CpuWindow cpu = new CpuWindow(pids);
                cpu.start();
                HttpLoad.Outcome out = HttpLoad.send(v.name(), v.base(), v.tls(), "/write?precision=ns",
                        "text/plain; charset=utf-8", v.headers(), 204, bodies, rows, batch, connections);
                cpu.stop(out.seconds());
                long stored = CeilingScenario.count(jdbc, METRIC, base, base + rows * 1000L);
                notes.putAll(cpu.percentOfOneCore());
                if (notes.get("cpu_sluice_pct") instanceof Double pct && out.rows() > 0) {
                    notes.put("sluice_cpu_us_per_row", Math.round(pct / 100 * out.seconds() / out.rows() * 1e8) / 100.0);
                }
                notes.put("stored", stored);
                notes.put("stored_ok", stored == out.rows() && out.errors() == 0);
                allStored &= stored == out.rows() && out.errors() == 0;
                notes.putAll(out.notes());
                notes.putAll(about.get(v.name()));
                Result res = new Result(v.name() + " (round " + (r + 1) + ")", out.rows(), out.seconds(), notes);
                results.add(res);
                round.put(v.name(), res);
            }
            byRound.add(round);
        }
        Report.print(results, null, json);
        summary(variants, byRound);
        return allStored ? 0 : 1;
    }

    /**
     * The variant's TLS session and provider as its first connection found them; for a variant
     * that sends a token, proof that this Sluice checks it (a write without one is answered 401),
     * so what is measured includes the check.
     */
    private Map<String, Object> describe(Variant v) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("port", v.base().getPort());
        if (!v.headers().isEmpty()) {
            try (PlainHttp http = new PlainHttp(v.base(), 30_000, v.tls())) {
                int status = http.post("/write?precision=ns", "text/plain; charset=utf-8",
                        (METRIC + ",host=probe value=1\n").getBytes(StandardCharsets.UTF_8));
                if (status != 401) {
                    throw new IOException(v.name() + ": a write without a token was answered " + status + ", not 401");
                }
            }
        }
        if (v.tls() != null) {
            try (PlainHttp http = new PlainHttp(v.base(), 30_000, v.tls())) {
                int status = http.get("/ping");
                if (status / 100 != 2) {
                    throw new IOException(v.base() + "/ping answered " + status);
                }
                m.put("tls_session", http.tlsSession());
            }
            Matcher provider = PROVIDER.matcher(Files.readString(v.sluice().log()));
            m.put("tls_provider", provider.find() ? provider.group(1) + " (" + provider.group(2) + ")" : "not logged");
        }
        return m;
    }

    /** A start time for {@code n} rows 1 µs apart that no earlier phase used. */
    private long nextBase(long n) {
        long base = Math.max(System.currentTimeMillis() * 1_000_000L, lastBase);
        lastBase = base + n * 1000L;
        return base;
    }

    private void send(Variant v, long n, long base) throws InterruptedException {
        HttpLoad.Outcome out = HttpLoad.send(v.name() + " warm-up", v.base(), v.tls(), "/write?precision=ns",
                "text/plain; charset=utf-8", v.headers(), 204, LineBodies.build(METRIC, n, batch, series, base), n, batch,
                connections);
        if (out.errors() > 0) {
            throw new IllegalStateException(v.name() + ": " + out.errors() + " failed requests while warming up "
                    + out.failedStatus() + "; see " + v.sluice().log());
        }
    }

    /**
     * Per variant: the median rate, the median of its per-round ratio to plain, Sluice's CPU per
     * row and the generator's CPU (TLS costs the client too, on the same two cores).
     */
    private static void summary(List<Variant> variants, List<Map<String, Result>> byRound) {
        System.out.printf("%n%-14s %14s %22s %18s %14s %14s %12s%n", "variant", "median rows/s", "/ plain (median)",
                "Sluice µs/row", "Sluice CPU %", "generator %", "p50 ms");
        for (Variant v : variants) {
            List<Double> rate = new ArrayList<>();
            List<Double> ratio = new ArrayList<>();
            List<Double> perRow = new ArrayList<>();
            List<Double> sluiceCpu = new ArrayList<>();
            List<Double> generator = new ArrayList<>();
            List<Double> p50 = new ArrayList<>();
            for (Map<String, Result> round : byRound) {
                Result res = round.get(v.name());
                rate.add(res.rate());
                ratio.add(res.rate() / round.get("plain").rate());
                perRow.add(number(res, "sluice_cpu_us_per_row"));
                sluiceCpu.add(number(res, "cpu_sluice_pct"));
                generator.add(number(res, "cpu_generator_pct"));
                p50.add(number(res, "latency_ms_p50"));
            }
            System.out.printf("%-14s %,14.0f %22s %18.2f %14.1f %14.1f %12.1f%n", v.name(), PeersScenario.median(rate),
                    String.format("%.2f (%s)", PeersScenario.median(ratio), PeersScenario.ratios(ratio)), PeersScenario.median(perRow),
                    PeersScenario.median(sluiceCpu), PeersScenario.median(generator), PeersScenario.median(p50));
        }
    }

    private static double number(Result r, String key) {
        return r.extra().get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
