package io.sluice.codec.statsd;

import io.sluice.codec.Allocation;
import io.sluice.codec.ParseError;
import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The good path creates no garbage: parsing, and aggregating values of keys already held. */
class StatsdAllocationTest {
    private static final byte[] DATAGRAM = ("""
            api.requests:1|c|@0.1|#env:prod,host:web-01,canary
            api.latency:12.5:13.25:98.49246231155779|ms|#env:prod,route:/v1/query
            queue.depth,shard=3:42|g
            queue.depth,shard=3:+5|g:-2|g
            users.unique:user-12345|s|#env:prod
            payload.size:1024|h|@0.5
            db.query:0.25|d|#table:samples|c:container-1|T1700000000
            _e{5,4}:title|text
            _sc|db|0
            """).getBytes(StandardCharsets.UTF_8);

    private long touched;

    private final StatsdSink counting = new StatsdSink() {
        @Override
        public void metric(SeriesKey key, StatsdType type, double value, double sampleRate, boolean relative) {
            touched += key.hashCode() + (long) value; // touch the key as an aggregator's lookup would
        }

        @Override
        public void setMember(SeriesKey key, byte[] buf, int off, int len) {
            touched += key.hashCode() + len;
        }

        @Override
        public void error(ParseError error) {
            throw new AssertionError(error.toString());
        }
    };

    @Test
    void parsingGoodLinesAllocatesNothing() {
        StatsdParser parser = new StatsdParser();
        for (int i = 0; i < 20_000; i++) { // let buffers grow and the JIT settle
            parser.parse(DATAGRAM, 0, DATAGRAM.length, counting);
        }
        long allocated = Allocation.bytes(() -> {
            for (int i = 0; i < 10_000; i++) {
                parser.parse(DATAGRAM, 0, DATAGRAM.length, counting);
            }
        });
        // 110,000 values; a String or a boxed double per value would be megabytes.
        assertThat(allocated).as("bytes allocated by 10,000 parses").isLessThan(16 * 1024);
        assertThat(touched).isNotZero();
    }

    @Test
    void aggregatingValuesOfKnownKeysAndFlushingAllocatesNothing() {
        StatsdParser parser = new StatsdParser();
        StatsdAggregator agg = new StatsdAggregator(StatsdSettings.defaults(), new StatsdAggregator.Drops() {
        });
        StatsdSink into = new AggregatingSink(agg, e -> {
            throw new AssertionError(e.toString());
        });
        SampleSink out = new SampleSink() {
            @Override
            public void sample(SeriesKey key, long timeMicros, double value, long step) {
                touched += key.hashCode();
            }

            @Override
            public void error(ParseError error) {
                throw new AssertionError(error.toString());
            }
        };
        // Every interval sees the same keys, so their aggregates are reused, not made anew.
        Runnable intervals = () -> {
            for (int interval = 0; interval < 100; interval++) {
                for (int i = 0; i < 100; i++) {
                    parser.parse(DATAGRAM, 0, DATAGRAM.length, into);
                }
                agg.flush(interval * 10_000_000L, 10_000_000L, out);
            }
        };
        for (int i = 0; i < 20; i++) {
            intervals.run();
        }
        long allocated = Allocation.bytes(intervals);
        assertThat(allocated).as("bytes allocated by 100 intervals of 100 datagrams").isLessThan(16 * 1024);
        assertThat(agg.keys()).isEqualTo(6);
    }
}
