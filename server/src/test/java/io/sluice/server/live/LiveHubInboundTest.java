package io.sluice.server.live;

import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import io.sluice.storage.db.SeriesRegistry;
import io.sluice.storage.metrics.Metrics;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Samples from other nodes wait for the fan-out thread in a bounded queue (README, "Watch it
 * live"): fed faster than the hub drains it, whole batches past the bound are dropped and counted.
 */
class LiveHubInboundTest {
    private static final String DROPPED = "sluice_live_cross_node_samples_dropped_total";

    @Test
    void batchesFromOtherNodesPastTheBoundAreDroppedWholeAndCounted() {
        Metrics metrics = new Metrics();
        LiveHub hub = new LiveHub(new SeriesRegistry(1_000), 20, 1_000, 10_000, metrics);
        List<LiveHub.RemoteSample> batch = batch(1_000);
        int fits = LiveHub.INBOUND_MAX_SAMPLES / 1_000;

        // The fan-out thread does not run: three times what fits arrives before it drains.
        for (int i = 0; i < 3 * fits; i++) {
            hub.remote(batch);
        }
        hub.onTimeout(0);
        assertThat(metrics.value("sluice_live_cross_node_messages_total", "direction", "in")).isEqualTo(fits);
        assertThat(metrics.total(DROPPED)).isEqualTo(2L * fits * 1_000);

        // Drained, it takes batches again; one larger than the bound is taken when nothing waits.
        hub.remote(batch(LiveHub.INBOUND_MAX_SAMPLES + 1));
        hub.remote(batch);
        hub.onTimeout(0);
        assertThat(metrics.value("sluice_live_cross_node_messages_total", "direction", "in")).isEqualTo(fits + 1);
        assertThat(metrics.total(DROPPED)).isEqualTo(2L * fits * 1_000 + 1_000);
        hub.remote(batch);
        hub.onTimeout(0);
        assertThat(metrics.value("sluice_live_cross_node_messages_total", "direction", "in")).isEqualTo(fits + 2);
    }

    private static List<LiveHub.RemoteSample> batch(int n) {
        SeriesKey key = SeriesKey.of("remote", Map.of("host", "b"));
        List<LiveHub.RemoteSample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new LiveHub.RemoteSample(key, 1_700_000_000_000_000L + i, i, SampleSink.NO_STEP));
        }
        return out;
    }
}
