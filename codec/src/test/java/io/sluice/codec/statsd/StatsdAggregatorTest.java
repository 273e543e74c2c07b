package io.sluice.codec.statsd;

import io.sluice.codec.ParseError;
import io.sluice.codec.Recorder;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The aggregation stage against references computed here. */
class StatsdAggregatorTest {
    private static final long INTERVAL = 10_000_000L;
    private static final String T = "{metric_type=timing}";

    private final AtomicLong seriesDropped = new AtomicLong();
    private final AtomicLong setDropped = new AtomicLong();
    private StatsdAggregator agg = aggregator(StatsdSettings.defaults());
    private final StatsdParser parser = new StatsdParser();
    private long now = 1_700_000_000_000_000L;

    private StatsdAggregator aggregator(StatsdSettings s) {
        return new StatsdAggregator(s, new StatsdAggregator.Drops() {
            @Override
            public void seriesLimit() {
                seriesDropped.incrementAndGet();
            }

            @Override
            public void setFull() {
                setDropped.incrementAndGet();
            }
        });
    }

    private void send(String lines) {
        byte[] b = lines.getBytes(StandardCharsets.UTF_8);
        parser.parse(b, 0, b.length, new AggregatingSink(agg, StatsdAggregatorTest::unexpected));
    }

    private static void unexpected(ParseError e) {
        throw new AssertionError(e.toString());
    }

    /** One interval's samples as "metric{tags}" to value; every sample has the interval's start. */
    private Map<String, Double> flush() {
        Recorder r = new Recorder();
        long start = now;
        int n = agg.flush(start, INTERVAL, r);
        now += INTERVAL;
        assertThat(r.samples).hasSize(n);
        Map<String, Double> m = new TreeMap<>();
        for (Recorder.Sample s : r.samples) {
            assertThat(s.time()).isEqualTo(start);
            assertThat(m.put(s.metric() + s.tags(), s.value())).as("written twice: %s", s).isNull();
        }
        return m;
    }

    private static double nearestRank(double[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }

    @Test
    void timingsGiveTelegrafsFieldsExactlyAgainstAReference() {
        Random rnd = new Random(42);
        double[] v = new double[937];
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.round(rnd.nextGaussian() * 40 + 200) / 4.0;
            sb.append("api.latency:").append(v[i]).append("|ms\n");
        }
        send(sb.toString());
        Map<String, Double> m = flush();

        double[] sorted = v.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (double x : v) {
            sum += x;
        }
        double mean = sum / v.length;
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        assertThat(m).containsEntry("api_latency_count" + T, (double) v.length)
                .containsEntry("api_latency_lower" + T, sorted[0])
                .containsEntry("api_latency_upper" + T, sorted[v.length - 1])
                .containsEntry("api_latency_median" + T, sorted[v.length / 2])
                .containsEntry("api_latency_50_percentile" + T, nearestRank(sorted, 50))
                .containsEntry("api_latency_90_percentile" + T, nearestRank(sorted, 90))
                .containsEntry("api_latency_95_percentile" + T, nearestRank(sorted, 95))
                .containsEntry("api_latency_99_percentile" + T, nearestRank(sorted, 99));
        assertThat(m.get("api_latency_sum" + T)).isCloseTo(sum, within(1e-9 * Math.abs(sum)));
        assertThat(m.get("api_latency_mean" + T)).isCloseTo(mean, within(1e-9 * Math.abs(mean)));
        assertThat(m.get("api_latency_stddev" + T)).isCloseTo(Math.sqrt(ss / v.length), within(1e-9));
        assertThat(m).hasSize(11);
    }

    @Test
    void aMedianOfAnEvenCountIsTheMeanOfTheMiddleTwoAndSmallCountsWork() {
        send("h:1|h\nh:2|h\nh:10|h\nh:4|h\none:7|d");
        Map<String, Double> m = flush();
        assertThat(m).containsEntry("h_median{metric_type=histogram}", 3.0)
                .containsEntry("h_50_percentile{metric_type=histogram}", 2.0)
                .containsEntry("h_99_percentile{metric_type=histogram}", 10.0)
                .containsEntry("one_median{metric_type=distribution}", 7.0)
                .containsEntry("one_90_percentile{metric_type=distribution}", 7.0)
                .containsEntry("one_stddev{metric_type=distribution}", 0.0);
        // values 1, 2, 10, 4: mean 4.25, population variance ((3.25² + 2.25² + 5.75² + 0.25²) / 4)
        assertThat(m.get("h_stddev{metric_type=histogram}")).isCloseTo(Math.sqrt((10.5625 + 5.0625 + 33.0625 + 0.0625) / 4), within(1e-12));
    }

    @Test
    void configuredPercentilesAreNamedAsTelegrafNamesThem() {
        agg = aggregator(new StatsdSettings(new double[]{99.9, 75, 100}, 10, 10, 1000, 1 << 20, 0));
        send("t:1:2:3:4|ms");
        assertThat(flush()).containsKeys("t_75_percentile" + T, "t_99.9_percentile" + T, "t_100_percentile" + T)
                .doesNotContainKey("t_90_percentile" + T).containsEntry("t_100_percentile" + T, 4.0);
    }

    @Test
    void sampleRatesScaleCountersAndTimingCountsAndSums() {
        send("hits:1|c|@0.1\nhits:2|c\nhits:3|c|@0.5\n"
                + "lat:100|ms|@0.5\nlat:200|ms|@0.5\nlat:300|ms|@0.25");
        Map<String, Double> m = flush();
        assertThat(m.get("hits{metric_type=counter}")).isCloseTo(10 + 2 + 6, within(1e-9));
        assertThat(m.get("hits_rate{metric_type=counter}")).isCloseTo(1.8, within(1e-9));
        assertThat(m.get("lat_count" + T)).isEqualTo(2 + 2 + 4);
        assertThat(m.get("lat_sum" + T)).isEqualTo(200 + 400 + 1200);
        assertThat(m.get("lat_mean" + T)).isEqualTo(1800 / 8.0);
        // Weighted population deviation: 100 twice, 200 twice, 300 four times around 225.
        double var = (2 * 125 * 125 + 2 * 25 * 25 + 4 * 75 * 75) / 8.0;
        assertThat(m.get("lat_stddev" + T)).isCloseTo(Math.sqrt(var), within(1e-9));
        assertThat(m.get("lat_lower" + T)).isEqualTo(100);
        assertThat(m.get("lat_upper" + T)).isEqualTo(300);
        assertThat(m.get("lat_median" + T)).isEqualTo(200);
    }

    @Test
    void countersStartAgainEachIntervalAndAQuietOneIsNotWritten() {
        send("c:5|c\nc:6|c");
        assertThat(flush()).containsEntry("c{metric_type=counter}", 11.0);
        send("c:1|c");
        assertThat(flush()).containsEntry("c{metric_type=counter}", 1.0);
        assertThat(flush()).isEmpty();
        assertThat(agg.keys()).isZero();
    }

    @Test
    void relativeGaugesBuildOnTheValueKeptAcrossFlushes() {
        send("g:10|g");
        assertThat(flush()).containsExactly(Map.entry("g{metric_type=gauge}", 10.0));
        send("g:+5|g");
        assertThat(flush()).containsExactly(Map.entry("g{metric_type=gauge}", 15.0));
        send("g:-20|g:+1|g");
        assertThat(flush()).containsExactly(Map.entry("g{metric_type=gauge}", -4.0));
        // Quiet: the last value again, as statsd writes it (a flat line until it changes).
        assertThat(flush()).containsExactly(Map.entry("g{metric_type=gauge}", -4.0));
        send("g:3|g:7|g");
        assertThat(flush()).containsExactly(Map.entry("g{metric_type=gauge}", 7.0));
        send("fresh:-2|g");
        assertThat(flush()).containsEntry("fresh{metric_type=gauge}", -2.0);
    }

    @Test
    void aQuietGaugeIsWrittenForItsTtlThenForgotten() {
        agg = aggregator(new StatsdSettings(StatsdSettings.DEFAULT_PERCENTILES, 10, 10, 10, 1 << 20, 3 * INTERVAL));
        send("g:4|g");
        assertThat(flush()).hasSize(1);
        assertThat(flush()).hasSize(1);
        assertThat(flush()).hasSize(1);
        assertThat(flush()).isEmpty();
        assertThat(agg.keys()).isZero();
        send("g:+1|g"); // forgotten: a relative value starts from 0
        assertThat(flush()).containsExactly(Map.entry("g{metric_type=gauge}", 1.0));
    }

    @Test
    void withNoGaugeTtlAGaugeIsWrittenOnlyWhenUpdated() {
        agg = aggregator(new StatsdSettings(StatsdSettings.DEFAULT_PERCENTILES, 10, 10, 10, 1 << 20, 0));
        send("g:4|g");
        assertThat(flush()).hasSize(1);
        assertThat(flush()).isEmpty();
    }

    @Test
    void setsCountDistinctMembersPerInterval() {
        send("u:alice|s\nu:bob|s\nu:alice|s\nu:10.0.0.1:80|s|#a:b\nu:carol|s:dave|s:bob|s");
        assertThat(flush()).containsEntry("u{metric_type=set}", 4.0).containsEntry("u{a=b, metric_type=set}", 1.0);
        send("u:alice|s");
        assertThat(flush()).containsEntry("u{metric_type=set}", 1.0);
    }

    @Test
    void aLargeSetCountsExactlyAcrossGrowth() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            sb.append("big:member-").append(i % 3000).append("|s\n");
        }
        send(sb.toString());
        assertThat(flush()).containsEntry("big{metric_type=set}", 3000.0);
        assertThat(setDropped.get()).isZero();
    }

    @Test
    void aSetStopsAtItsSizeAndCountsWhatItDropped() {
        agg = aggregator(new StatsdSettings(StatsdSettings.DEFAULT_PERCENTILES, 10, 100, 10, 1 << 20, 0));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 150; i++) {
            sb.append("s:").append(i).append("|s\ns:0|s\n");
        }
        send(sb.toString());
        assertThat(flush()).containsEntry("s{metric_type=set}", 100.0);
        assertThat(setDropped.get()).isEqualTo(50);
    }

    @Test
    void newKeysPastMaxSeriesAreDroppedAndCountedUntilRoomIsMade() {
        agg = aggregator(new StatsdSettings(StatsdSettings.DEFAULT_PERCENTILES, 3, 10, 10, 1 << 20, 0));
        send("a:1|c\nb:1|ms\nc:1|g\nd:1|c\na:2|c\ne:x|s");
        assertThat(flush()).containsKeys("a{metric_type=counter}", "b_count" + T, "c{metric_type=gauge}")
                .containsEntry("a{metric_type=counter}", 3.0).doesNotContainKeys("d{metric_type=counter}", "e{metric_type=set}");
        assertThat(seriesDropped.get()).isEqualTo(2);
        assertThat(agg.keys()).isEqualTo(3);
        flush(); // nothing came: the keys are let go
        assertThat(agg.keys()).isZero();
        send("d:1|c");
        assertThat(flush()).containsEntry("d{metric_type=counter}", 1.0);
    }

    @Test
    void pastItsSampleCapATimingKeepsAUniformSampleAndExactStatistics() {
        int cap = 1000;
        agg = aggregator(new StatsdSettings(StatsdSettings.DEFAULT_PERCENTILES, 10, 10, cap, 64 << 20, 0));
        int n = 50_000;
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= n; i++) { // 1..n, shuffled by a stride coprime with n
            sb.append("t:").append((long) i * 7919 % n + 1).append("|ms\n");
        }
        send(sb.toString());
        Map<String, Double> m = flush();
        assertThat(m.get("t_count" + T)).isEqualTo(n);
        assertThat(m.get("t_lower" + T)).isEqualTo(1);
        assertThat(m.get("t_upper" + T)).isEqualTo(n);
        assertThat(m.get("t_sum" + T)).isEqualTo((double) n * (n + 1) / 2);
        // The README's bound: a percentile's rank is off by at most 4 standard errors,
        // sqrt(p(1-p)/cap) of n, far outside what chance gives (once in 15,000).
        for (double p : new double[]{50, 90, 95, 99}) {
            double q = p / 100;
            double bound = 4 * Math.sqrt(q * (1 - q) / cap) * n;
            assertThat(m.get("t_" + (int) p + "_percentile" + T)).as("p%s", p).isCloseTo(q * n, within(bound));
        }
        assertThat(agg.memoryUsed()).isEqualTo(cap * 8L);
    }

    @Test
    void theMemoryBudgetStopsReservoirsGrowingButNotTheirStatistics() {
        agg = aggregator(new StatsdSettings(StatsdSettings.DEFAULT_PERCENTILES, 100, 10, 1000, 4096, 0));
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < 10; k++) {
            for (int i = 0; i < 500; i++) {
                sb.append("t").append(k).append(':').append(i).append("|ms\n");
            }
        }
        send(sb.toString());
        assertThat(agg.memoryUsed()).isLessThanOrEqualTo(4096 + 10 * 16 * 8);
        Map<String, Double> m = flush();
        for (int k = 0; k < 10; k++) {
            assertThat(m.get("t" + k + "_count" + T)).isEqualTo(500);
            assertThat(m.get("t" + k + "_upper" + T)).isEqualTo(499);
        }
        flush();
        assertThat(agg.memoryUsed()).isZero();
    }

    @Test
    void tagsAndTypesMakeSeparateKeys() {
        send("x:1|c|#env:a\nx:2|c|#env:b\nx:3|g\nx:4|ms");
        assertThat(flush()).containsEntry("x{env=a, metric_type=counter}", 1.0)
                .containsEntry("x{env=b, metric_type=counter}", 2.0)
                .containsEntry("x{metric_type=gauge}", 3.0)
                .containsEntry("x_count" + T, 1.0);
    }

    @Test
    void valuesFromManyThreadsAllCount() throws Exception {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(new Thread(() -> {
                StatsdParser p = new StatsdParser();
                byte[] b = "shared:1|c\nshared.t:5|ms\nown:1|c|#k:v\n".getBytes(StandardCharsets.UTF_8);
                StatsdSink s = new AggregatingSink(agg, StatsdAggregatorTest::unexpected);
                for (int i = 0; i < 25_000; i++) {
                    p.parse(b, 0, b.length, s);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        Map<String, Double> m = flush();
        assertThat(m).containsEntry("shared{metric_type=counter}", 100_000.0)
                .containsEntry("shared_t_count" + T, 100_000.0)
                .containsEntry("own{k=v, metric_type=counter}", 100_000.0);
    }
}
