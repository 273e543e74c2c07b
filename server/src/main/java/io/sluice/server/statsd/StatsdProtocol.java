package io.sluice.server.statsd;

import io.sluice.codec.statsd.StatsdAggregator;
import io.sluice.codec.statsd.StatsdSettings;
import io.sluice.server.config.Key;
import io.sluice.server.protocol.Binding;
import io.sluice.server.protocol.Protocol;
import io.sluice.server.protocol.ProtocolCounters;
import io.sluice.storage.metrics.Counter;

import java.time.Duration;
import java.util.List;

/**
 * StatsD and DogStatsD on UDP and TCP {@code statsd_port} (README "StatsD"): values from every
 * reader go into one aggregation stage, flushed each {@code statsd_flush_interval} into the ring.
 * Grammar, names and aggregates in {@code codec/.../statsd}.
 */
public final class StatsdProtocol implements Protocol {
    static final String PORT = "statsd_port";
    static final String FLUSH_INTERVAL = "statsd_flush_interval";
    static final String PERCENTILES = "statsd_percentiles";
    static final String MAX_SERIES = "statsd_max_series";
    static final String MAX_SET_SIZE = "statsd_max_set_size";
    static final String TIMER_SAMPLES = "statsd_timer_samples";
    static final String MEMORY = "statsd_memory";
    static final String GAUGE_TTL = "statsd_gauge_ttl";
    static final String MAX_LINE = "statsd_max_line";
    static final String TCP_IDLE = "statsd_tcp_idle";

    @Override
    public String name() {
        return "statsd";
    }

    @Override
    public List<Key> keys() {
        StatsdSettings d = StatsdSettings.defaults();
        return List.of(
                Key.integer(PORT, 8125, 0, 65535, "StatsD/DogStatsD port, UDP and TCP (0 disables)"),
                Key.duration(FLUSH_INTERVAL, "10s", 1_000, 3_600_000, "StatsD aggregation interval, aligned to the clock"),
                Key.numbers(PERCENTILES, StatsdSettings.DEFAULT_PERCENTILES, 0, 100,
                        "percentiles written for timings, histograms and distributions, each in (0, 100]"),
                Key.integer(MAX_SERIES, d.maxSeries(), 1, 10_000_000, "StatsD aggregation keys held at once; new ones past it are dropped"),
                Key.integer(MAX_SET_SIZE, d.maxSetSize(), 1, 10_000_000, "distinct members counted per StatsD set and interval"),
                Key.integer(TIMER_SAMPLES, d.timerSamples(), 1, 1_000_000,
                        "values kept per timing key and interval for percentiles (past it: a uniform sample)"),
                Key.bytes(MEMORY, d.memoryBytes(), 1L << 20, 1L << 36, "what kept timing values and set members may take together"),
                Key.duration(GAUGE_TTL, "1h", 0, 30L * 86_400_000, "how long an unchanged gauge is still written every interval"),
                Key.bytes(MAX_LINE, 65_536, 64, 1 << 20, "longest StatsD line (TCP and UDP)"),
                Key.duration(TCP_IDLE, "5m", 1_000, 86_400_000, "a StatsD TCP connection that sends nothing this long is closed"));
    }

    @Override
    public void bind(Binding b) throws Exception {
        int port = b.config().integer(PORT);
        if (port == 0) {
            return;
        }
        // The configuration pass checked each key, percentiles in (0, 100] among them.
        StatsdSettings settings = new StatsdSettings(b.config().numbers(PERCENTILES), b.config().integer(MAX_SERIES),
                b.config().integer(MAX_SET_SIZE), b.config().integer(TIMER_SAMPLES), b.config().size(MEMORY),
                b.config().duration(GAUGE_TTL).toNanos() / 1000);
        ProtocolCounters counters = b.counters();
        Counter seriesLimit = counters.dropped("series_limit");
        Counter setFull = counters.dropped("set_full");
        StatsdAggregator aggregator = new StatsdAggregator(settings, new StatsdAggregator.Drops() {
            @Override
            public void seriesLimit() {
                seriesLimit.inc();
            }

            @Override
            public void setFull() {
                setFull.inc();
            }
        });
        b.metrics().gauge("sluice_statsd_keys", "StatsD aggregation keys held (statsd_max_series bounds it).",
                aggregator::keys);
        b.metrics().gauge("sluice_statsd_memory_bytes", "Bytes kept StatsD timing values and set members take (statsd_memory bounds it).",
                aggregator::memoryUsed);
        int maxLine = (int) b.config().size(MAX_LINE);
        Duration interval = b.config().duration(FLUSH_INTERVAL);
        // The stage first: shutdown closes it after the listeners, so their last values are flushed.
        b.stage(StatsdFlusher.start(aggregator, b.ingest(), counters, interval, b.config().httpRingWait()));
        b.udp("udp_statsd", port, () -> new StatsdDecoder(aggregator, counters, maxLine));
        b.tcpLines("tcp_statsd", port, maxLine, b.config().duration(TCP_IDLE),
                () -> new StatsdDecoder(aggregator, counters, maxLine));
    }
}
