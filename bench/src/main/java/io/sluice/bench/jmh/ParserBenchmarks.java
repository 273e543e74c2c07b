package io.sluice.bench.jmh;

import io.sluice.codec.ParseError;
import io.sluice.codec.Precision;
import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import io.sluice.codec.influx.LineProtocolParser;
import io.sluice.codec.otlp.OtlpProtobufParser;
import io.sluice.codec.prometheus.RemoteWriteParser;
import io.sluice.codec.prometheus.SnappyBlock;
import io.sluice.codec.statsd.AggregatingSink;
import io.sluice.codec.statsd.StatsdAggregator;
import io.sluice.codec.statsd.StatsdParser;
import io.sluice.codec.statsd.StatsdSettings;
import io.sluice.codec.statsd.StatsdSink;
import io.sluice.codec.statsd.StatsdType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The parsers alone, per line, on typical traffic: InfluxDB line protocol (Telegraf-like lines)
 * and StatsD/DogStatsD (a client's mixed datagram), and StatsD parsing plus aggregation; per
 * sample, a Prometheus remote write request (snappy undone, then protobuf) and an OTLP export
 * of {@value #PROTO_ROWS} gauge points.
 * {@code java -cp bench/target/sluice-bench.jar org.openjdk.jmh.Main ParserBenchmarks}
 * (docs/BENCHMARKS.md has the figures).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = "-Xmx512m")
public class ParserBenchmarks {
    static final int LINES = 8;

    private static final byte[] LINE_PROTOCOL = ("""
            cpu,cpu=cpu0,host=web-01,dc=eu-west usage_user=12.5,usage_system=3.25,usage_idle=84.25 1732280000000000000
            cpu,cpu=cpu1,host=web-01,dc=eu-west usage_user=98.49246231155779,usage_idle=0.30000000000000004 1732280000000000000
            mem,host=web-01 used=8123456i,free=42u,available_percent=61.5 1732280000000000000
            disk,host=web-01,path=/var/lib/data,dev=sda used_percent=71.25,inodes=123456789i 1732280000000000000
            net,host=web-01,if=eth0 bytes_recv=1234567890i,err_in=0i,drop=1e-3 1732280000000000000
            temp,room=lab value=21.5 1732280000000000000
            http,host=web-01,route=/api/v1 latency=12.25 1732280000000000000
            queue,host=web-01,name=ingest depth=42i 1732280000000000000
            """).getBytes(StandardCharsets.UTF_8);

    private static final byte[] STATSD = ("""
            api.requests:1|c|@0.1|#env:prod,host:web-01,canary
            api.latency:12.5:13.25:98.49246231155779|ms|#env:prod,route:/v1/query
            queue.depth,shard=3:42|g
            queue.depth,shard=3:+5|g
            users.unique:user-12345|s|#env:prod
            payload.size:1024|h|@0.5
            db.query:0.25|d|#table:samples,host:db-01
            jobs.done:3|c|#queue:mail
            """).getBytes(StandardCharsets.UTF_8);

    static final int PROTO_ROWS = 500;
    private static final byte[] REMOTE_WRITE = io.sluice.bench.ProtoBodiesAccess.remoteWrite(PROTO_ROWS);
    private static final byte[] OTLP = io.sluice.bench.ProtoBodiesAccess.otlp(PROTO_ROWS);

    private final LineProtocolParser line = new LineProtocolParser();
    private final SnappyBlock snappy = new SnappyBlock();
    private final RemoteWriteParser remoteWrite = new RemoteWriteParser();
    private final OtlpProtobufParser otlp = new OtlpProtobufParser();
    private final StatsdParser statsd = new StatsdParser();
    private final StatsdAggregator aggregator = new StatsdAggregator(StatsdSettings.defaults(), new StatsdAggregator.Drops() {
    });
    private SampleSink samples;
    private StatsdSink values;
    private StatsdSink aggregating;
    private long flushes;

    @Setup
    public void setUp(Blackhole bh) {
        samples = new Samples(bh);
        values = new Values(bh);
        aggregating = new AggregatingSink(aggregator, e -> {
            throw new IllegalStateException(e.toString());
        });
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public int lineProtocolPerLine() {
        return line.parse(LINE_PROTOCOL, 0, LINE_PROTOCOL.length, Precision.NANOSECONDS, samples);
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public int statsdPerLine() {
        return statsd.parse(STATSD, 0, STATSD.length, values);
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public int statsdParseAndAggregatePerLine() {
        int n = statsd.parse(STATSD, 0, STATSD.length, aggregating);
        if (++flushes % 1000 == 0) { // an interval every 1,000 datagrams keeps reservoirs realistic
            aggregator.flush(flushes, 10_000_000L, samples);
        }
        return n;
    }

    @Benchmark
    @OperationsPerInvocation(PROTO_ROWS)
    public int remoteWritePerSample() {
        int n = snappy.decode(REMOTE_WRITE, 0, REMOTE_WRITE.length, 16 << 20);
        return remoteWrite.parse(snappy.output(), 0, n, samples);
    }

    @Benchmark
    @OperationsPerInvocation(PROTO_ROWS)
    public int otlpProtobufPerPoint() {
        return otlp.parse(OTLP, 0, OTLP.length, samples);
    }

    /** Consumes samples as a cache lookup would: the key's hash and the value. */
    private record Samples(Blackhole bh) implements SampleSink {
        @Override
        public void sample(SeriesKey key, long timeMicros, double value, long step) {
            bh.consume(key.hashCode());
            bh.consume(value);
        }

        @Override
        public void error(ParseError error) {
            throw new IllegalStateException(error.toString());
        }
    }

    private record Values(Blackhole bh) implements StatsdSink {
        @Override
        public void metric(SeriesKey key, StatsdType type, double value, double sampleRate, boolean relative) {
            bh.consume(key.hashCode());
            bh.consume(value);
        }

        @Override
        public void setMember(SeriesKey key, byte[] buf, int off, int len) {
            bh.consume(key.hashCode());
            bh.consume(len);
        }

        @Override
        public void error(ParseError error) {
            throw new IllegalStateException(error.toString());
        }
    }
}
