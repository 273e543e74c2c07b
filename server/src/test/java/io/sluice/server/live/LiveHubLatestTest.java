package io.sluice.server.live;

import io.sluice.codec.SampleSink;
import io.sluice.codec.SeriesKey;
import io.sluice.storage.db.SeriesRegistry;
import io.sluice.storage.metrics.Metrics;
import io.sluice.storage.ring.SampleEvent;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fan-out keeps each series' newest sample for {@code /v1/latest}, whether its samples arrive
 * with a series id (found by the id after the first) or as a new key, and from other nodes.
 */
class LiveHubLatestTest {
    private static final SeriesKey A = SeriesKey.of("cpu", Map.of("host", "a"));
    private static final SeriesKey B = SeriesKey.of("cpu", Map.of("host", "b"));

    private static SampleEvent event(int[] ids, SeriesKey[] keys, long[] times) {
        SampleEvent e = new SampleEvent();
        e.count = ids.length;
        for (int i = 0; i < ids.length; i++) {
            e.seriesIds[i] = ids[i];
            e.newKeys[i] = keys[i];
            e.times[i] = times[i];
            e.values[i] = times[i] * 0.5;
            e.steps[i] = SampleSink.NO_STEP;
        }
        return e;
    }

    @Test
    void theNewestSampleOfEachSeriesIsKeptWhateverWayItCame() {
        SeriesRegistry registry = new SeriesRegistry(1_000);
        registry.cache(List.of(A), new int[] {11});
        LiveHub hub = new LiveHub(registry, 20, 1_000, 10_000, new Metrics());
        LatestValues latest = hub.latest();

        hub.onEvent(event(new int[] {11, 11}, new SeriesKey[2], new long[] {100, 90}), 0, true);
        assertThat(latest.point(A).time(0)).isEqualTo(100);
        hub.onEvent(event(new int[] {11, 11, 11}, new SeriesKey[3], new long[] {120, 300, 200}), 1, true);
        assertThat(latest.point(A).time(0)).isEqualTo(300);
        assertThat(latest.point(A).value(0)).isEqualTo(150.0);

        // A series not resolved yet comes with its key; B is not in the registry.
        hub.onEvent(event(new int[] {SampleEvent.UNRESOLVED}, new SeriesKey[] {B}, new long[] {50}), 2, true);
        assertThat(latest.point(B).time(0)).isEqualTo(50);

        // Another node's newer sample of A, then ours again by id: the newest stays.
        hub.remote(List.of(new LiveHub.RemoteSample(A, 400, 1.0, SampleSink.NO_STEP)));
        hub.onTimeout(3);
        assertThat(latest.point(A).time(0)).isEqualTo(400);
        hub.onEvent(event(new int[] {11}, new SeriesKey[1], new long[] {350}), 4, true);
        assertThat(latest.point(A).time(0)).isEqualTo(400);
        hub.onEvent(event(new int[] {11}, new SeriesKey[1], new long[] {500}), 5, true);
        assertThat(latest.point(A).time(0)).isEqualTo(500);
        assertThat(latest.size()).isEqualTo(2);
    }
}
