package io.sluice.storage.metrics;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetricsTest {
    @Test
    void rendersPrometheusTextWithHelpTypeAndLabels() {
        Metrics m = new Metrics();
        m.counter("x_total", "Things.", "reason", "a\"b").add(3);
        m.gauge("g", "A gauge.", () -> 7);
        Histogram h = m.histogram("lat_seconds", "Latency.", new double[] {0.1, 1});
        h.observe(0.05);
        h.observe(0.5);
        h.observe(5);
        String text = m.render();
        assertThat(text).contains("# HELP x_total Things.\n# TYPE x_total counter\nx_total{reason=\"a\\\"b\"} 3\n");
        assertThat(text).contains("g 7\n");
        assertThat(text).contains("lat_seconds_bucket{le=\"0.1\"} 1\n", "lat_seconds_bucket{le=\"1.0\"} 2\n",
                "lat_seconds_bucket{le=\"+Inf\"} 3\n", "lat_seconds_count 3\n", "lat_seconds_sum 5.55\n");
    }

    @Test
    void registeringTwiceReturnsTheSameCounterAndTotalsSumLabels() {
        Metrics m = new Metrics();
        m.counter("c", "C.", "k", "1").inc();
        m.counter("c", "C.", "k", "1").inc();
        m.counter("c", "C.", "k", "2").add(5);
        assertThat(m.value("c", "k", "1")).isEqualTo(2);
        assertThat(m.total("c")).isEqualTo(7);
        assertThat(m.value("missing")).isEqualTo(-1);
    }

    @Test
    void aNameCannotChangeType() {
        Metrics m = new Metrics();
        m.counter("n", "N.");
        assertThatThrownBy(() -> m.gauge("n", "N.", () -> 1)).hasMessageContaining("is a counter");
    }
}
