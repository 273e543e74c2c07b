package io.sluice.bench.jmh;

import io.sluice.codec.ParseError;
import io.sluice.codec.Precision;
import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import io.sluice.codec.influx.LineProtocolParser;
import io.sluice.storage.db.SeriesRegistry;
import io.sluice.storage.db.WrittenSeriesCache;
import io.sluice.storage.ring.SampleBatch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What an event loop pays per point of a line-protocol request before the ring: parsing, the
 * series lookup, staging in the batch — the body `bench peers` sends ({@value #LINES} lines over
 * {@code series} series, {@code bench,host=h<k % series> value=<k/2> <time>}; {@value #BODIES}
 * bodies in turn, so that every series comes again), every series known.
 * {@code lookup=registry} finds ids by the canonical key in {@link SeriesRegistry} alone (as every
 * point did before); {@code lookup=written} first by the bytes as written
 * ({@link WrittenSeriesCache}), as the ingest sink does.
 * {@code java -cp bench/target/sluice-bench.jar org.openjdk.jmh.Main IngestBenchmarks -prof gc}
 * (docs/BENCHMARKS.md has the figures).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = "-Xmx512m")
public class IngestBenchmarks {
    static final int LINES = 5_000;
    /** Bodies cycled, so that more series than a body holds are all sent in turn. */
    static final int BODIES = 8;

    @Param({"registry", "written"})
    public String lookup;

    /** Distinct series (1,000 as in `bench peers`; past 4,096 the written cache replaces entries). */
    @Param({"1000"})
    public int series;

    private final LineProtocolParser parser = new LineProtocolParser();
    private final SeriesRegistry registry = new SeriesRegistry(1_000_000);
    private final SampleBatch batch = new SampleBatch(LINES);
    private final byte[][] bodies = new byte[BODIES][];
    private int next;
    private SampleSink sink;

    @Setup
    public void setUp() {
        long base = System.currentTimeMillis() * 1_000_000L;
        for (int b = 0; b < BODIES; b++) {
            StringBuilder sb = new StringBuilder();
            for (int k = b * LINES; k < (b + 1) * LINES; k++) {
                sb.append("bench,host=h").append(k % series).append(" value=").append(k / 2)
                        .append(k % 2 == 0 ? ".0" : ".5").append(' ').append(base + k * 1000L).append('\n');
            }
            bodies[b] = sb.toString().getBytes(StandardCharsets.UTF_8);
        }
        List<SeriesKey> keys = new ArrayList<>();
        int[] ids = new int[series];
        for (int s = 0; s < series; s++) {
            keys.add(SeriesKey.of("bench", java.util.Map.of("host", "h" + s)));
            ids[s] = s + 1;
        }
        registry.cache(keys, ids);
        sink = lookup.equals("written") ? new Written() : new ByRegistry();
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public int perPoint() {
        batch.clear();
        byte[] body = bodies[next++ & (BODIES - 1)];
        parser.parse(body, 0, body.length, Precision.NANOSECONDS, sink);
        return batch.size();
    }

    private abstract class Staging implements SampleSink {
        @Override
        public void error(ParseError error) {
            throw new IllegalStateException(error.toString());
        }

        void stage(int id, SeriesKey key, long time, double value) {
            if (id == SeriesRegistry.UNKNOWN) {
                throw new IllegalStateException("unknown series " + key);
            }
            batch.add(id, null, time, value, NO_STEP);
        }
    }

    private final class ByRegistry extends Staging {
        @Override
        public void sample(SeriesKey key, long timeMicros, double value, long step) {
            stage(registry.idOf(key), key, timeMicros, value);
        }
    }

    private final class Written extends Staging {
        private final WrittenSeriesCache cache = new WrittenSeriesCache();
        private final Object scope = new Object();

        @Override
        public void sample(SeriesKey key, long timeMicros, double value, long step) {
            int id = cache.find(key, scope);
            if (id == SeriesRegistry.UNKNOWN) {
                id = registry.idOf(key);
                cache.remember(id);
            }
            stage(id, key, timeMicros, value);
        }
    }
}
