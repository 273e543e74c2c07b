package io.sluice.bench.fuzz;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.codec.ParseError;
import io.sluice.codec.Precision;
import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import io.sluice.codec.influx.LineProtocolParser;
import io.sluice.codec.json.JsonSampleParser;
import io.sluice.codec.statsd.StatsdParser;
import io.sluice.codec.statsd.StatsdSink;
import io.sluice.codec.statsd.StatsdType;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Fuzzes every codec in process: line protocol, JSON and StatsD, each fed mutated golden inputs
 * with a known-good line or element after the garbage. Checked for every case: no exception
 * escapes; the count returned is what the sink got; every error names a line that exists, a
 * position and a reason; and the good line after the garbage is still parsed (for JSON, whenever
 * the document is JSON at all, as a reference parse with Sluice's limits decides). Every case is
 * reproducible from the seed and its index.
 */
public final class CodecFuzz {
    static final String KEEP_METRIC = "fuzz_keep";
    private static final byte[] KEEP_LINE = "\nfuzz_keep,run=fuzz value=42".getBytes(StandardCharsets.UTF_8);
    private static final byte[] KEEP_STATSD = "\nfuzz_keep:42|c|#run:fuzz".getBytes(StandardCharsets.UTF_8);
    private static final String KEEP_ELEMENT = "{\"metric\":\"fuzz_keep\",\"tags\":{\"run\":\"fuzz\"},\"value\":42}";
    private static final Precision[] PRECISIONS = Precision.values();

    /** How a run went. */
    public record Report(long cases, long samples, long errors, long keepChecks, long nanos) {
    }

    /** A case that broke a rule: everything needed to replay it. */
    public static final class Finding extends AssertionError {
        Finding(long seed, long index, String codec, byte[] input, String what, Throwable cause) {
            super("codec fuzz finding [seed=" + seed + ", case=" + index + ", codec=" + codec + "]: " + what
                    + "\ninput (" + input.length + " bytes): " + printable(input), cause);
        }
    }

    /**
     * The reference for "is this JSON": Jackson's tree parse with the limits Sluice's parser sets.
     * A factory per document: fuzzed names would fill a shared one's name table, which every
     * parse that adds a name copies (and turning the table off would also turn off the strict
     * UTF-8 parser).
     */
    private final ObjectMapper reference = new ObjectMapper();
    private final JsonNode keepNode;
    private final LineProtocolParser line = new LineProtocolParser();
    private JsonSampleParser json = new JsonSampleParser();
    private final StatsdParser statsd = new StatsdParser();
    private final Checks checks = new Checks();
    private long samples;
    private long errors;
    private long keepChecks;

    public CodecFuzz() {
        try {
            keepNode = reference.readTree(KEEP_ELEMENT);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs cases {@code [first, first + count)} of {@code seed} on {@code threads} threads, each
     * with its own parsers.
     *
     * @throws Finding the first broken rule found
     */
    public static Report run(long seed, long first, long count, int threads) throws InterruptedException {
        long t0 = System.nanoTime();
        Report[] reports = new Report[threads];
        Throwable[] failures = new Throwable[threads];
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int k = t;
            long from = first + count * t / threads;
            long n = first + count * (t + 1) / threads - from;
            workers[t] = new Thread(() -> {
                try {
                    reports[k] = new CodecFuzz().run(seed, from, n);
                } catch (Throwable e) {
                    failures[k] = e;
                }
            }, "codec-fuzz-" + t);
            workers[t].start();
        }
        long samples = 0;
        long errors = 0;
        long keeps = 0;
        for (int t = 0; t < threads; t++) {
            workers[t].join();
            if (failures[t] instanceof Finding f) {
                throw f;
            } else if (failures[t] != null) {
                throw new IllegalStateException("codec fuzz thread failed", failures[t]);
            }
            samples += reports[t].samples();
            errors += reports[t].errors();
            keeps += reports[t].keepChecks();
        }
        return new Report(count, samples, errors, keeps, System.nanoTime() - t0);
    }

    /** Runs cases {@code [first, first + count)} of {@code seed}; throws a {@link Finding} at the first broken rule. */
    public Report run(long seed, long first, long count) {
        long t0 = System.nanoTime();
        for (long i = first; i < first + count; i++) {
            if ((i & 1023) == 0) {
                // Fuzzed member names pile up in the parser's Jackson name table, which each parse
                // that adds a name copies: by far the fuzz's biggest cost, and not what it tests.
                json = new JsonSampleParser();
            }
            runCase(seed, i);
        }
        return new Report(count, samples, errors, keepChecks, System.nanoTime() - t0);
    }

    void runCase(long seed, long index) {
        Random random = new Random(seed * 0x9E3779B97F4A7C15L + index);
        Mutator mutator = new Mutator(random);
        int codec = (int) Math.floorMod(index, 3L);
        byte[] input = null;
        String name = codec == 0 ? "line protocol" : codec == 1 ? "json" : "statsd";
        try {
            if (codec == 0) {
                byte[] garbage = mutator.mutate(pick(Corpus.LINE_PROTOCOL, random), pick(Corpus.LINE_PROTOCOL, random));
                input = Mutator.concat(garbage, KEEP_LINE);
                checks.begin(input, true);
                int n = line.parse(input, 0, input.length, PRECISIONS[random.nextInt(PRECISIONS.length)], checks);
                // A quote may open a string field that runs on past the line (InfluxDB's own rule).
                checks.end(n, indexOf(garbage, (byte) '"') < 0);
            } else if (codec == 1) {
                boolean batch = random.nextBoolean();
                input = jsonCase(mutator, random, batch);
                checks.begin(input, false);
                int n = json.parse(input, 0, input.length, checks);
                checks.end(n, batch && keepExpected(input));
            } else {
                byte[] garbage = mutator.mutate(pick(Corpus.STATSD, random), pick(Corpus.STATSD, random));
                input = Mutator.concat(garbage, KEEP_STATSD);
                checks.begin(input, true);
                int n = statsd.parse(input, 0, input.length, checks);
                checks.end(n, true);
            }
        } catch (Finding f) {
            throw f;
        } catch (Throwable t) {
            throw new Finding(seed, index, name, input == null ? new byte[0] : input,
                    "exception escaped: " + t, t);
        }
        if (checks.problem != null) {
            throw new Finding(seed, index, name, input, checks.problem, null);
        }
    }

    /** A whole mutated document, or a mutated element before a good one in a batch. */
    private byte[] jsonCase(Mutator mutator, Random random, boolean batch) {
        byte[] garbage = mutator.mutate(pick(Corpus.JSON, random), pick(Corpus.JSON, random));
        if (!batch) {
            return garbage;
        }
        return Mutator.concat(Mutator.concat("{\"samples\":[".getBytes(StandardCharsets.UTF_8), garbage),
                ("," + KEEP_ELEMENT + "]}").getBytes(StandardCharsets.UTF_8));
    }

    /** Whether the document is JSON whose (last) "samples" array holds the good element. */
    private boolean keepExpected(byte[] doc) {
        JsonNode tree;
        try (var parser = freshFactory().createParser(doc)) {
            tree = reference.readTree(parser);
            if (tree != null && parser.nextToken() != null) {
                return false; // content after the document
            }
        } catch (Exception notJson) {
            return false;
        }
        JsonNode samples = tree == null ? null : tree.get("samples");
        if (samples == null || !samples.isArray() || !tree.isObject()) {
            return false;
        }
        for (JsonNode e : samples) {
            if (e.equals(keepNode)) {
                return true;
            }
        }
        return false;
    }

    private static JsonFactory freshFactory() {
        return JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(32).maxStringLength(1 << 20).build()).build();
    }

    private static byte[] pick(List<byte[]> from, Random random) {
        return from.get(random.nextInt(from.size()));
    }

    static int indexOf(byte[] b, byte v) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }

    static String printable(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 4000); i++) {
            int c = b[i] & 0xFF;
            if (c >= 0x20 && c < 0x7F && c != '\\') {
                s.append((char) c);
            } else {
                s.append(String.format("\\x%02x", c));
            }
        }
        return b.length > 4000 ? s + "...(" + (b.length - 4000) + " more)" : s.toString();
    }

    /** A sink for every codec that checks what it is given as it comes. */
    private final class Checks implements SampleSink, StatsdSink {
        /** Lines in the input, or 0 where errors count elements (JSON). */
        private int lines;
        private int given;
        private boolean keepSeen;
        String problem;

        void begin(byte[] input, boolean lineBased) {
            lines = lineBased ? 1 : 0;
            for (int i = 0; lineBased && i < input.length; i++) {
                if (input[i] == '\n') {
                    lines++;
                }
            }
            given = 0;
            keepSeen = false;
            problem = null;
        }

        void end(int returned, boolean keepRequired) {
            if (problem != null) {
                return;
            }
            if (returned != given) {
                problem = "parse returned " + returned + " but gave the sink " + given;
            } else if (keepRequired) {
                keepChecks++;
                if (!keepSeen) {
                    problem = "the good line or element after the garbage was not parsed";
                }
            }
        }

        @Override
        public void sample(SeriesKey key, long timeMicros, double value, long step) {
            given++;
            samples++;
            if (value == 42.0 && KEEP_METRIC.equals(key.metricString()) && "fuzz".equals(key.tags().get("run"))) {
                keepSeen = true;
            }
        }

        @Override
        public void metric(SeriesKey key, StatsdType type, double value, double sampleRate, boolean relative) {
            given++;
            samples++;
            if (value == 42.0 && type == StatsdType.COUNTER && KEEP_METRIC.equals(key.metricString())) {
                keepSeen = true;
            }
        }

        @Override
        public void setMember(SeriesKey key, byte[] buf, int off, int len) {
            given++;
            samples++;
        }

        @Override
        public void error(ParseError e) {
            errors++;
            if (problem == null && (e.line() < 1 || (lines > 0 && e.line() > lines) || e.position() < 1 || e.reason() == null
                    || e.reason().isBlank() || e.text() == null || e.text().length() > ParseError.MAX_TEXT)) {
                problem = "malformed error: " + e;
            }
        }
    }
}
