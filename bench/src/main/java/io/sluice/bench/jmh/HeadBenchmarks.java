package io.sluice.bench.jmh;

import io.sluice.storage.head.Head;
import io.sluice.storage.head.MinuteRows;
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

import java.util.concurrent.TimeUnit;

/**
 * What a writer pays per committed sample to keep it in the head (README, "Hot tier and head"):
 * batches of {@value #BATCH} samples over {@value #SERIES} series, times one microsecond apart,
 * as `bench peers` sends them. Every {@value #HELD} samples the head lets go of all it holds, as
 * a seal does, so the figure includes the columns' growth and release at a steady state. With
 * {@code rollup} each sample is also folded into its minute's aggregate for the 1-minute rollup,
 * which the refresh takes at each release.
 * {@code java -cp bench/target/sluice-bench.jar org.openjdk.jmh.Main HeadBenchmarks -prof gc}
 * (docs/BENCHMARKS.md has the figures).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = "-Xmx2g")
public class HeadBenchmarks {
    static final int BATCH = 5_000;
    static final int SERIES = 1_000;
    static final long HELD = 4_000_000;

    private final int[] ids = new int[BATCH];
    private final long[] times = new long[BATCH];
    private final double[] values = new double[BATCH];
    private final int[] rows = new int[BATCH];
    private final int[] off = new int[SERIES + 1];
    /** Whether the head keeps 1-minute aggregates for the rollup (README, "Ask for it": rollups). */
    @Param({"false", "true"})
    public boolean rollup;
    private Head head;
    private long next;
    private long sinceRelease;

    @Setup
    public void setup() {
        head = new Head(1L << 30, rollup);
        head.start(0);
        for (int i = 0; i < BATCH; i++) {
            ids[i] = 1 + i % SERIES;
            values[i] = i * 0.5;
        }
        // Series s's rows are s - 1, s - 1 + SERIES, ...: grouped, each group in time order.
        int k = 0;
        for (int s = 0; s < SERIES; s++) {
            off[s] = k;
            for (int i = s; i < BATCH; i += SERIES) {
                rows[k++] = i;
            }
        }
        off[SERIES] = k;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long appendPerSample() {
        for (int i = 0; i < BATCH; i++) {
            times[i] = next++;
        }
        head.append(ids, times, values, BATCH);
        return released();
    }

    /**
     * The same batches as a writer appends them since round 6 (docs/BENCHMARKS.md): a block of
     * rows per series, in time order, as its COPY encoding grouped them.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long appendGroupsPerSample() {
        for (int i = 0; i < BATCH; i++) {
            times[i] = next++;
        }
        head.appendGroups(ids, rows, off, SERIES, times, values, Long.MIN_VALUE);
        return released();
    }

    private long released() {
        sinceRelease += BATCH;
        if (sinceRelease >= HELD) {
            head.advance(next);
            if (rollup) {
                head.collectMinutes(next, next, new MinuteRows());
            }
            sinceRelease = 0;
        }
        return head.samples();
    }
}
