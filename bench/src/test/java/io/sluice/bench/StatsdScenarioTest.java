package io.sluice.bench;

import io.sluice.codec.ParseError;
import io.sluice.codec.SeriesKey;
import io.sluice.codec.statsd.StatsdParser;
import io.sluice.codec.statsd.StatsdSink;
import io.sluice.codec.statsd.StatsdType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The bench's datagrams are what it claims: valid StatsD, one tracking counter each, the mix of types. */
class StatsdScenarioTest {
    @Test
    void everyDatagramParsesAndCarriesItsStepsTrackingCounterOnce() {
        List<String> keys = new ArrayList<>();
        List<ParseError> errors = new ArrayList<>();
        List<Double> rates = new ArrayList<>();
        StatsdSink sink = new StatsdSink() {
            @Override
            public void metric(SeriesKey key, StatsdType type, double value, double sampleRate, boolean relative) {
                keys.add(key.frozen().toString());
                rates.add(sampleRate);
            }

            @Override
            public void setMember(SeriesKey key, byte[] buf, int off, int len) {
                keys.add(key.frozen().toString());
            }

            @Override
            public void error(ParseError error) {
                errors.add(error);
            }
        };
        StatsdParser parser = new StatsdParser();
        List<byte[]> datagrams = StatsdScenario.datagrams("r1", 3, 10);
        assertThat(datagrams).hasSize(256);
        for (byte[] d : datagrams) {
            assertThat(parser.parse(d, 0, d.length, sink)).isEqualTo(10);
            assertThat(d.length).isLessThan(1400); // one unfragmented datagram on any link
        }
        assertThat(errors).isEmpty();
        assertThat(keys).filteredOn(k -> k.startsWith("bench_statsd_datagrams{")).hasSize(256)
                .allMatch(k -> k.contains("run=r1") && k.contains("step=3") && k.contains("metric_type=counter"));
        assertThat(keys).anyMatch(k -> k.startsWith("bench_statsd_latency{") && k.contains("metric_type=timing"))
                .anyMatch(k -> k.startsWith("bench_statsd_queue{") && k.contains("shard="))
                .anyMatch(k -> k.startsWith("bench_statsd_requests{"));
        assertThat(rates).contains(0.5);
    }
}
