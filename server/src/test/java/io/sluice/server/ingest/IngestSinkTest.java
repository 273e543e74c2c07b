package io.sluice.server.ingest;

import io.sluice.codec.Allocation;
import io.sluice.codec.Precision;
import io.sluice.codec.SeriesKey;
import io.sluice.codec.influx.LineProtocolParser;
import io.sluice.storage.db.SeriesRegistry;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.ring.SampleBatch;
import io.sluice.storage.ring.SampleEvent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sink's series lookup, through the line protocol parser: a series found again by its bytes
 * as written ({@code WrittenSeriesCache}) gets exactly the id the registry gives its key, whatever
 * the escapes, the tag order or the token's tenant tags.
 */
class IngestSinkTest {
    private static final long NOW_NS = System.currentTimeMillis() * 1_000_000L;
    private static final Stamp ACME = Stamp.of(Map.of("tenant", "acme"));
    private static final Stamp GLOBEX = Stamp.of(Map.of("tenant", "globex", "zone", "b"));

    private final SeriesRegistry registry = new SeriesRegistry(1_000_000);
    private final Ingest ingest = new Ingest(registry, null,
            new Limits(16, 0, 3_600_000_000L, 365L * 86_400_000_000L), new Metrics());
    private final IngestSink sink = ingest.newSink();
    private final LineProtocolParser parser = new LineProtocolParser();
    private final Map<SeriesKey, Integer> given = new HashMap<>();

    /** Ids as the registry gives them: every key named gets one, cached as a writer would. */
    private int idOf(SeriesKey key) {
        SeriesKey k = key.frozen();
        Integer id = given.get(k);
        if (id == null) {
            id = given.size() + 1;
            given.put(k, id);
            registry.cache(List.of(k), new int[] {id});
        }
        return id;
    }

    private int id(String metric, Map<String, String> tags) {
        return idOf(SeriesKey.of(metric, tags));
    }

    /** Parses {@code text} as one request with {@code stamp}; the ids staged, pending keys resolved afterwards. */
    private int[] write(Stamp stamp, String text) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        sink.begin(stamp);
        parser.parse(body, 0, body.length, Precision.NANOSECONDS, sink);
        assertThat(sink.errors()).isEmpty();
        SampleBatch b = sink.batch();
        int[] ids = new int[b.size()];
        for (int i = 0; i < b.size(); i++) {
            ids[i] = b.seriesId(i) == SampleEvent.UNRESOLVED ? idOf(b.newKey(i)) : b.seriesId(i);
        }
        return ids;
    }

    private static String line(String series, double value) {
        return series + value + " " + NOW_NS + "\n";
    }

    @Test
    void aSeriesSeenAgainGetsItsIdFromTheRegistryNotAnotherOne() {
        int first = write(Stamp.NONE, line("cpu,host=a value=", 1))[0];
        assertThat(first).isEqualTo(id("cpu", Map.of("host", "a")));
        for (int i = 0; i < 3; i++) {
            assertThat(write(Stamp.NONE, line("cpu,host=a value=", i))).containsExactly(first);
        }
        assertThat(write(Stamp.NONE, line("cpu,host=b value=", 1))).containsExactly(id("cpu", Map.of("host", "b")));
    }

    @Test
    void tagsInAnotherOrderAreTheSameSeriesAsBefore() {
        int expected = id("m", Map.of("a", "1", "b", "2"));
        for (int i = 0; i < 3; i++) {
            assertThat(write(Stamp.NONE, line("m,a=1,b=2 value=", i) + line("m,b=2,a=1 value=", i)))
                    .containsExactly(expected, expected);
        }
    }

    @Test
    void escapesNameTheSeriesTheyUnescapeTo() {
        // Escaped space, escaped comma, a literal backslash, an escaped '=' in a tag key; field keys with escapes.
        String text = line("m,k=x\\ y value=", 1) + line("m,k=x\\,y value=", 2) + line("m,k=x\\y value=", 3)
                + line("m,k\\=q=v value=", 4) + line("m\\ n,k=v f\\ g=", 5) + line("m\\ n,k=v f\\,g=", 6);
        int[] expected = {
                id("m", Map.of("k", "x y")), id("m", Map.of("k", "x,y")), id("m", Map.of("k", "x\\y")),
                id("m", Map.of("k=q", "v")), id("m n_f g", Map.of("k", "v")), id("m n_f,g", Map.of("k", "v"))};
        assertThat(expected).doesNotHaveDuplicates();
        for (int i = 0; i < 3; i++) {
            assertThat(write(Stamp.NONE, text)).containsExactly(expected);
        }
    }

    @Test
    void fieldsOfOneLineAreSeriesOfTheirOwn() {
        int[] expected = {id("cpu_user", Map.of("host", "a")), id("cpu", Map.of("host", "a")),
                id("cpu_idle", Map.of("host", "a"))};
        for (int i = 0; i < 3; i++) {
            assertThat(write(Stamp.NONE, "cpu,host=a user=1,value=2,idle=3,note=\"x\",user=4 " + NOW_NS + "\n"))
                    .containsExactly(expected);
        }
    }

    @Test
    void aTokensTenantTagsReplaceTheClientsForTheSameBytes() {
        String text = line("cpu,host=a,tenant=evil value=", 1);
        int none = id("cpu", Map.of("host", "a", "tenant", "evil"));
        int acme = id("cpu", Map.of("host", "a", "tenant", "acme"));
        int globex = id("cpu", Map.of("host", "a", "tenant", "globex", "zone", "b"));
        for (int i = 0; i < 3; i++) { // interleaved, as requests of several tokens reach one event loop
            assertThat(write(ACME, text)).containsExactly(acme);
            assertThat(write(Stamp.NONE, text)).containsExactly(none);
            assertThat(write(GLOBEX, text)).containsExactly(globex);
        }
        // A token re-read with the same tags is a new stamp: the same series still.
        assertThat(write(Stamp.of(Map.of("tenant", "acme")), text)).containsExactly(acme);
    }

    @Test
    void aSeriesResolvedLaterIsFoundThen() {
        byte[] body = line("new,host=a value=", 1).getBytes(StandardCharsets.UTF_8);
        sink.begin();
        parser.parse(body, 0, body.length, Precision.NANOSECONDS, sink);
        assertThat(sink.batch().seriesId(0)).isEqualTo(SampleEvent.UNRESOLVED);
        SeriesKey pending = sink.batch().newKey(0);
        assertThat(pending).isEqualTo(SeriesKey.of("new", Map.of("host", "a")));
        int id = idOf(pending);
        for (int i = 0; i < 2; i++) {
            assertThat(write(Stamp.NONE, line("new,host=a value=", i))).containsExactly(id);
        }
    }

    @Test
    void aCachedSeriesStillHasItsSamplesChecked() {
        write(Stamp.NONE, line("m,host=a value=", 1));
        byte[] body = ("m,host=a value=1e200 " + NOW_NS + "\nm,host=a value=1 946684000000000000\n"
                + "m,host=a value=1 " + (NOW_NS + 86_400_000_000_000L) + "\n").getBytes(StandardCharsets.UTF_8);
        sink.begin();
        parser.parse(body, 0, body.length, Precision.NANOSECONDS, sink);
        assertThat(sink.batch().size()).isZero();
        assertThat(sink.errors()).extracting(e -> e.reason()).containsExactly(
                "value 1.0E200 is out of range: magnitudes from 1e-100 to 1e100 (or 0) are stored, so rollup sums cannot overflow",
                "time is before 2000-01-01 (check the precision)",
                "time is too far in the future (max_future)");
    }

    @Test
    void aSeriesOverTheTagLimitIsRefusedEveryTime() {
        StringBuilder tags = new StringBuilder("m");
        for (int i = 0; i < 17; i++) {
            tags.append(",t").append(i).append("=v");
        }
        byte[] body = line(tags + " value=", 1).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 2; i++) {
            sink.begin();
            parser.parse(body, 0, body.length, Precision.NANOSECONDS, sink);
            assertThat(sink.batch().size()).isZero();
            assertThat(sink.errors()).extracting(e -> e.reason()).containsExactly("more than 16 tags (max_tags)");
        }
    }

    /**
     * Random requests over a few hundred series written many ways (tag order, escapes, fields,
     * stamps): every id equals the registry's for the key built independently of the parser.
     */
    @Test
    void randomRequestsGetTheRegistrysIdForEverySample() {
        Random r = new Random(18);
        String[] values = {"a", "b b", "c,c", "d=d", "e\\e", "caf\u00e9", "x"};
        String[] fields = {"value", "user", "sys tem", "i,o"};
        Stamp[] stamps = {Stamp.NONE, ACME, GLOBEX};
        for (int request = 0; request < 300; request++) {
            Stamp stamp = stamps[r.nextInt(stamps.length)];
            StringBuilder text = new StringBuilder();
            List<Integer> expected = new ArrayList<>();
            for (int l = 0; l < 40; l++) {
                String metric = r.nextBoolean() ? "cpu" : "disk io";
                Map<String, String> tags = new LinkedHashMap<>();
                int n = r.nextInt(4);
                for (int t = 0; t < n; t++) {
                    tags.put(r.nextBoolean() ? "host" + t : "tenant", values[r.nextInt(values.length)]);
                }
                text.append(metric.replace(" ", "\\ "));
                tags.forEach((k, v) -> text.append(',').append(escape(k)).append('=').append(escape(v)));
                text.append(' ');
                int fieldCount = 1 + r.nextInt(2);
                List<String> named = new ArrayList<>();
                for (int f = 0; f < fieldCount; f++) {
                    String field = fields[r.nextInt(fields.length)];
                    if (named.contains(field)) {
                        continue;
                    }
                    named.add(field);
                    text.append(f == 0 ? "" : ",").append(escape(field)).append('=').append(r.nextInt(100));
                }
                text.append(' ').append(NOW_NS).append('\n');
                Map<String, String> stored = new TreeMap<>(tags);
                stored.putAll(stamp.tags());
                for (String field : named) {
                    expected.add(id(field.equals("value") ? metric : metric + "_" + field, stored));
                }
            }
            assertThat(write(stamp, text.toString())).as("request %d", request)
                    .containsExactly(expected.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    private static String escape(String name) {
        return name.replace(",", "\\,").replace(" ", "\\ ").replace("=", "\\=");
    }

    /** A steady stream over known series stages its samples without an object per sample. */
    @Test
    void stagingKnownSeriesAllocatesNothingPerSample() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 5_000; i++) {
            text.append("bench,host=h").append(i % 1_000).append(" value=").append(i / 2).append(".5 ")
                    .append(NOW_NS + i * 1000L).append('\n');
        }
        byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
        write(Stamp.NONE, text.toString()); // registers every series
        for (int i = 0; i < 200; i++) { // let buffers grow and the JIT settle
            sink.begin();
            parser.parse(body, 0, body.length, Precision.NANOSECONDS, sink);
        }
        long allocated = Allocation.bytes(() -> {
            for (int i = 0; i < 100; i++) {
                sink.begin();
                parser.parse(body, 0, body.length, Precision.NANOSECONDS, sink);
            }
        });
        assertThat(sink.batch().size()).isEqualTo(5_000);
        // 500,000 samples: an object per sample would be megabytes.
        assertThat(allocated).as("bytes allocated staging 500,000 samples").isLessThan(64 * 1024);
    }
}
