package io.sluice.bench.fuzz;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.bench.PlainHttp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.GZIPOutputStream;

/**
 * Fuzzes every HTTP body path of a running Sluice over pipelined keep-alive connections: line
 * protocol ({@code /write}, {@code /api/v2/write}), JSON ({@code /v1/samples}), the drop-in bodies
 * (training batch, fleet ingest and registry, metric metadata), each now and then gzip-encoded,
 * cut short inside its gzip stream, or sent in a coding Sluice does not read; and a few requests
 * whose head is mutated, each on a connection of its own.
 *
 * <p>Most bodies carry, after the mutated part, a sample that must be stored whatever the garbage
 * before it was (when a reference parse says the body is still well-formed around it): its value
 * is the case's number. Checked: no 5xx, only the statuses each path may answer, the answers in
 * request order (a 415 or a gzip 400 exactly where one was sent), and at the end the store holds
 * exactly the samples that had to be kept, and none from a body that had to be refused.
 */
public final class HttpFuzz {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WINDOW = 16;
    /** How long the kept samples are asked for again before missing ones are a finding. */
    private static final long READ_BACK_NANOS = 30_000_000_000L;
    /** The ML batch limit (batch_size); a bigger batch is refused whole. */
    private static final int BATCH_LIMIT = 1000;
    private static final String[] UNSUPPORTED = {"br", "zstd", "deflate", "snappy", "compress", "gzip, br", "x-fuzz"};

    /** How a run went. */
    public record Report(long cases, Map<Integer, Long> statuses, long mustKeep, long nanos) {
    }

    /** A case that broke a rule, with what replays it. */
    public static final class Finding extends AssertionError {
        Finding(String message) {
            super(message);
        }
    }

    private enum Keep { MUST, MAYBE, NEVER, NONE }

    private record Case(long index, String what, byte[] request, Set<Integer> allowed, Keep keep, boolean headFuzz) {
    }

    private final URI base;
    private final long seed;
    private final String run;
    private final long timeBase;
    private String serverId;
    private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    private final Set<Long> expected = new ConcurrentSkipListSet<>();
    private volatile Finding finding;

    public HttpFuzz(URI base, long seed) {
        this.base = base;
        this.seed = seed;
        this.run = "r" + Long.toUnsignedString(seed, 36) + "_" + Long.toString(System.currentTimeMillis() % 1_000_000, 36);
        // An hour ago, a microsecond per case: every kept sample has its own time.
        this.timeBase = (System.currentTimeMillis() - 3_600_000L) * 1000;
    }

    /** Sends {@code cases} cases over {@code connections} pipelined connections, then checks the store. */
    public Report run(long cases, int connections) throws Exception {
        long t0 = System.nanoTime();
        serverId = register();
        Thread[] threads = new Thread[connections];
        for (int t = 0; t < connections; t++) {
            int first = t;
            threads[t] = new Thread(() -> {
                try {
                    sendShare(first, connections, cases);
                } catch (Finding f) {
                    finding = f;
                } catch (Exception e) {
                    finding = new Finding("HTTP fuzz connection failed [seed=" + seed + "]: " + e);
                }
            }, "http-fuzz-" + t);
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (finding != null) {
            throw finding;
        }
        verifyStored(cases);
        Map<Integer, Long> counts = new TreeMap<>();
        statuses.forEach((k, v) -> counts.put(k, v.sum()));
        return new Report(cases, counts, expected.size(), System.nanoTime() - t0);
    }

    private void sendShare(int first, int step, long cases) throws IOException {
        List<Case> window = new ArrayList<>(WINDOW);
        try (PlainHttp c = new PlainHttp(base, 30_000)) {
            for (long i = first; i < cases && finding == null; i += step) {
                Case k = build(i);
                if (k.headFuzz) {
                    headFuzz(k);
                    continue;
                }
                c.send(k.request);
                window.add(k);
                if (window.size() == WINDOW) {
                    drain(c, window);
                }
            }
            drain(c, window);
        }
    }

    /** Reads the answers to the window's requests, in their order. */
    private void drain(PlainHttp c, List<Case> window) throws IOException {
        for (int w = 0; w < window.size(); w++) {
            Case k = window.get(w);
            if (!c.isOpen()) {
                throw finding(k, "the connection was closed before this request's answer");
            }
            int status = c.receive();
            check(k, status, c.body());
        }
        window.clear();
    }

    private void check(Case k, int status, String body) {
        statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
        if (status >= 500 || !k.allowed.contains(status)) {
            throw finding(k, "answered " + status + " (allowed " + k.allowed + "): " + body);
        }
        if (k.keep == Keep.MUST) {
            if (status == 400 && accepted(body) < 1) {
                throw finding(k, "its good sample had to be stored, but the answer says none was: " + body);
            }
            expected.add(k.index);
        }
    }

    private static int accepted(String body) {
        try {
            return JSON.readTree(body).path("accepted").asInt(0);
        } catch (IOException e) {
            return 0;
        }
    }

    /** A request whose head is mutated, alone on a connection: any 4xx, a 2xx, or a close; never 5xx. */
    private void headFuzz(Case k) throws IOException {
        try (Socket s = new Socket()) {
            s.setSoTimeout(20_000);
            s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
            OutputStream out = s.getOutputStream();
            out.write(k.request);
            out.flush();
            s.shutdownOutput();
            byte[] answer = readAll(s.getInputStream());
            String head = new String(answer, 0, Math.min(answer.length, 12), StandardCharsets.ISO_8859_1);
            int status = head.startsWith("HTTP/1.") && head.length() >= 12 ? Integer.parseInt(head.substring(9, 12)) : 0;
            statuses.computeIfAbsent(status, x -> new LongAdder()).increment();
            if (status >= 500) {
                throw finding(k, "answered " + new String(answer, StandardCharsets.UTF_8));
            }
        } catch (java.net.SocketException reset) {
            statuses.computeIfAbsent(0, x -> new LongAdder()).increment(); // closed on us: allowed
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0 && b.size() < 1 << 20) {
            b.write(buf, 0, n);
        }
        return b.toByteArray();
    }

    // ---- cases ----

    private Case build(long i) {
        Random r = new Random(seed * 0x9E3779B97F4A7C15L + i);
        Mutator m = new Mutator(r);
        boolean headFuzz = r.nextInt(50) == 0;
        int route = r.nextInt(100);
        Body b = route < 30 ? line(i, r, m) : route < 55 ? json(i, r, m) : route < 68 ? training(i, r, m)
                : route < 80 ? fleet(i, r, m) : route < 90 ? servers(r, m) : meta(i, r, m);
        if (headFuzz && b.keep != Keep.NONE) {
            b = b.rebuilt(Keep.MAYBE); // the mutated head may say anything about the body
        }
        List<String> headers = new ArrayList<>(List.of("Content-Type: " + b.type));
        Set<Integer> allowed = b.allowed;
        String what = b.what;
        int enc = headFuzz ? 100 : r.nextInt(100);
        if (enc >= 12 && enc < 19 && b.keep != Keep.NONE) {
            b = b.rebuilt(Keep.NEVER); // refused whole: its good sample must not be stored
        }
        byte[] body = b.bytes;
        if (enc < 12) {
            body = gzip(body);
            headers.add("Content-Encoding: " + (r.nextBoolean() ? "gzip" : "x-gzip"));
            what += " gzip";
        } else if (enc < 16) {
            byte[] gz = gzip(body);
            body = Arrays.copyOf(gz, r.nextInt(gz.length)); // cut anywhere, trailer included
            headers.add("Content-Encoding: gzip");
            allowed = Set.of(400);
            what += " gzip cut short";
        } else if (enc < 19) {
            headers.add("Content-Encoding: " + UNSUPPORTED[r.nextInt(UNSUPPORTED.length)]);
            allowed = Set.of(415);
            what += " unsupported coding";
        }
        Keep keep = b.keep;
        byte[] request = request(b.method, b.target, headers, body);
        if (headFuzz) {
            int headEnd = indexOf(request, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] head = m.mutate(Arrays.copyOf(request, headEnd + 4), request);
            request = Mutator.concat(head, Arrays.copyOfRange(request, headEnd + 4, request.length));
            what += " mutated head";
        }
        return new Case(i, what, request, allowed, keep, headFuzz);
    }

    /** A body with its oracle; {@link #rebuilt} makes the same body with its good sample under another name. */
    private record Body(String what, String method, String target, String type, byte[] bytes, Keep keep,
                        Set<Integer> allowed, java.util.function.Function<Keep, Body> rebuild) {
        Body rebuilt(Keep k) {
            return rebuild.apply(k);
        }
    }

    private static String metric(Keep k) {
        return k == Keep.MAYBE ? "fuzz_maybe" : "fuzz_keep";
    }

    private String millis(long i) {
        long us = timeBase + i;
        return us / 1000 + "." + String.format("%03d", us % 1000);
    }

    private Body line(long i, Random r, Mutator m) {
        byte[] garbage = m.mutate(pick(Corpus.LINE_PROTOCOL, r), pick(Corpus.LINE_PROTOCOL, r));
        String target = (r.nextBoolean() ? "/write?" : "/api/v2/write?org=o&bucket=b&") + "precision=u";
        // A quote may open a string field that runs on past the line (InfluxDB's own rule).
        Keep keep = CodecFuzz.indexOf(garbage, (byte) '"') < 0 ? Keep.MUST : Keep.MAYBE;
        return lineBody(i, target, garbage, keep);
    }

    private Body lineBody(long i, String target, byte[] garbage, Keep keep) {
        byte[] body = Mutator.concat(garbage, ("\n" + metric(keep) + ",run=" + run + " value=" + i + " " + (timeBase + i))
                .getBytes(StandardCharsets.UTF_8));
        return new Body("line protocol " + target, "POST", target, "text/plain; charset=utf-8", body, keep,
                Set.of(204, 400, 413), k -> lineBody(i, target, garbage, k));
    }

    private Body json(long i, Random r, Mutator m) {
        byte[] garbage = m.mutate(pick(Corpus.JSON, r), pick(Corpus.JSON, r));
        if (r.nextBoolean()) {
            return new Body("json document", "POST", "/v1/samples", "application/json", garbage, Keep.NONE,
                    Set.of(204, 400, 413), k -> null);
        }
        return wrapped(i, "json batch", "/v1/samples", "{\"samples\":[", garbage, "]}", "samples",
                k -> "{\"metric\":\"" + metric(k) + "\",\"tags\":{\"run\":\"" + run + "\"},\"time\":" + millis(i)
                        + ",\"value\":" + i + "}", Set.of(204, 400, 413), 0, null);
    }

    private Body training(long i, Random r, Mutator m) {
        byte[] garbage = m.mutate(pick(Corpus.TRAINING, r), pick(Corpus.JSON, r));
        return wrapped(i, "training batch", "/api/v1/metrics/batch", "{\"metrics\":[", garbage, "]}", "metrics",
                k -> "{\"run_id\":\"" + run + "\",\"metric_name\":\"" + metric(k) + "\",\"step\":" + i + ",\"value\":" + i
                        + ",\"time\":" + millis(i) + "}", Set.of(200, 400, 413), BATCH_LIMIT, null);
    }

    private Body fleet(long i, Random r, Mutator m) {
        byte[] golden = pick(Corpus.FLEET, r);
        byte[] garbage = m.mutate(golden, pick(Corpus.FLEET, r));
        String head = "{\"server_id\":\"" + serverId + "\",\"metrics\":[";
        return wrapped(i, "fleet ingest", "/api/v1/ingest", head, garbage, "]}", "metrics",
                k -> "{\"metric_type\":\"fuzz\",\"metric_name\":\"" + (k == Keep.MAYBE ? "maybe" : "keep")
                        + "\",\"value\":" + i + ",\"labels\":{\"run\":\"" + run + "\"},\"timestamp\":" + millis(i) + "}",
                Set.of(200, 400, 404, 413), 0, serverId);
    }

    private Body servers(Random r, Mutator m) {
        byte[] body = m.mutate(pick(Corpus.SERVERS, r), pick(Corpus.JSON, r));
        return new Body("fleet registry", "POST", "/api/v1/servers", "application/json", body, Keep.NONE,
                Set.of(200, 201, 400, 413), k -> null);
    }

    private Body meta(long i, Random r, Mutator m) {
        byte[] body = m.mutate(pick(Corpus.META, r), pick(Corpus.JSON, r));
        return new Body("metric metadata", "PUT", "/v1/metrics/fuzz_meta_" + i % 10 + "/meta", "application/json", body,
                Keep.NONE, Set.of(200, 400, 413), k -> null);
    }

    /**
     * {@code head + garbage + "," + good + tail}: the good element must be stored when the body is
     * JSON whose {@code member} array holds it (and, for a capped batch, holds no more than the cap).
     */
    private Body wrapped(long i, String what, String target, String head, byte[] garbage, String tail, String member,
                         java.util.function.Function<Keep, String> good, Set<Integer> allowed, int cap,
                         String serverIdMust) {
        java.util.function.Function<Keep, byte[]> bytes = k -> Mutator.concat(Mutator.concat(
                head.getBytes(StandardCharsets.UTF_8), garbage), ("," + good.apply(k) + tail).getBytes(StandardCharsets.UTF_8));
        byte[] must = bytes.apply(Keep.MUST);
        Keep keep = holds(must, member, good.apply(Keep.MUST), cap, serverIdMust) ? Keep.MUST : Keep.MAYBE;
        java.util.function.Function<Keep, Body> rebuild = new java.util.function.Function<>() {
            @Override
            public Body apply(Keep k) {
                return new Body(what, "POST", target, "application/json", bytes.apply(k), k, allowed, this);
            }
        };
        return rebuild.apply(keep);
    }

    /**
     * The reference: strict JSON with Sluice's limits, whose {@code member} array holds {@code element}
     * (and whose {@code server_id}, for the fleet, is the registered one).
     */
    private static boolean holds(byte[] doc, String member, String element, int cap, String serverIdMust) {
        if (CodecFuzz.indexOf(doc, (byte) 0) >= 0 || new String(doc, StandardCharsets.ISO_8859_1).contains("metadata")) {
            return false; // text PostgreSQL refuses, or metadata written before the samples
        }
        JsonFactory f = JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(32).maxStringLength(1 << 20).build()).build();
        try (JsonParser p = f.createParser(doc)) {
            JsonNode tree = JSON.readTree(p);
            if (tree == null || !tree.isObject() || p.nextToken() != null
                    || (serverIdMust != null && !serverIdMust.equals(tree.path("server_id").asText()))) {
                return false;
            }
            JsonNode array = tree.get(member);
            JsonNode want = JSON.readTree(element);
            if (array == null || !array.isArray() || (cap > 0 && array.size() > cap)) {
                return false;
            }
            for (JsonNode e : array) {
                if (e.equals(want)) {
                    return true;
                }
            }
            return false;
        } catch (IOException notJson) {
            return false;
        }
    }

    private static byte[] pick(List<byte[]> from, Random r) {
        return from.get(r.nextInt(from.size()));
    }

    private static byte[] gzip(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private static byte[] request(String method, String target, List<String> headers, byte[] body) {
        StringBuilder h = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: localhost\r\n"); // a Sluice without tokens answers loopback names only
        for (String header : headers) {
            h.append(header).append("\r\n");
        }
        h.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        return Mutator.concat(h.toString().getBytes(StandardCharsets.ISO_8859_1), body);
    }

    private static int indexOf(byte[] b, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= b.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (b[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private Finding finding(Case k, String what) {
        return new Finding("HTTP fuzz finding [seed=" + seed + ", case=" + k.index + ", " + k.what + "]: " + what
                + "\nrequest (" + k.request.length + " bytes): " + CodecFuzz.printable(k.request));
    }

    // ---- the sender's half ----

    private String register() throws IOException {
        try (PlainHttp c = new PlainHttp(base, 30_000)) {
            int status = c.post("/api/v1/servers", "application/json",
                    ("{\"hostname\":\"fuzz-" + run + "\"}").getBytes(StandardCharsets.UTF_8));
            if (status != 200 && status != 201) {
                throw new IOException("registering the fuzz host answered " + status + ": " + c.body());
            }
            return JSON.readTree(c.body()).get("id").asText();
        }
    }

    /** The store holds exactly the good samples that had to be kept, and none of a refused body. */
    private void verifyStored(long cases) throws IOException {
        // With write_ack = local or journal (the embedded default is local) a sample older than the
        // head's start is answered once the flusher has written it, normally within
        // journal_flush_linger (README, "What an answer guarantees"): missing samples are asked
        // for again for a while; a sample stored that had to be refused fails at once.
        long deadline = System.nanoTime() + READ_BACK_NANOS;
        while (true) {
            Set<Long> found = readBack(cases);
            Set<Long> missing = new TreeSet<>(expected);
            missing.removeAll(found);
            Set<Long> extra = new TreeSet<>(found);
            extra.removeAll(expected);
            if (missing.isEmpty() && extra.isEmpty()) {
                return;
            }
            if (!extra.isEmpty() || System.nanoTime() > deadline) {
                throw notStored(missing, extra);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw notStored(missing, extra);
            }
        }
    }

    private Set<Long> readBack(long cases) throws IOException {
        Set<Long> found = new TreeSet<>();
        long chunk = 500_000; // a microsecond a case, under the raw answer's 2,000,000-sample limit
        try (PlainHttp c = new PlainHttp(base, 120_000)) {
            for (long from = 0; from < cases; from += chunk) {
                for (String tag : new String[] {"run", "run_id"}) {
                    String q = "/v1/query?metric=fuzz_keep&" + tag + "=" + run + "&source=raw&nocache=1&start="
                            + enc(Instant.ofEpochSecond(0, (timeBase + from) * 1000)) + "&end="
                            + enc(Instant.ofEpochSecond(0, (timeBase + Math.min(cases, from + chunk)) * 1000));
                    int status = c.get(q);
                    if (status != 200) {
                        throw new Finding("reading back the kept samples answered " + status + ": " + c.body());
                    }
                    for (JsonNode series : JSON.readTree(c.body()).path("series")) {
                        for (JsonNode point : series.path("points")) {
                            found.add(point.get(1).asLong());
                        }
                    }
                }
            }
        }
        return found;
    }

    private Finding notStored(Set<Long> missing, Set<Long> extra) {
        StringBuilder s = new StringBuilder("HTTP fuzz finding [seed=" + seed + "]: " + missing.size()
                + " good sample(s) that had to be stored are not, " + extra.size()
                + " are stored that had to be refused");
        for (long i : missing.stream().limit(3).toList()) {
            Case k = build(i);
            s.append("\nmissing, case ").append(i).append(" (").append(k.what).append("): ").append(CodecFuzz.printable(k.request));
        }
        for (long i : extra.stream().limit(3).toList()) {
            Case k = build(i);
            s.append("\nstored, case ").append(i).append(" (").append(k.what).append("): ").append(CodecFuzz.printable(k.request));
        }
        return new Finding(s.toString());
    }

    private static String enc(Instant t) {
        return URLEncoder.encode(t.toString(), StandardCharsets.UTF_8);
    }
}
